"""My profile and password; the principal's staff page, invitations, CSV import and teams."""

import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user
from wtforms.fields.choices import SelectChoice

from collab.core import notify
from collab.core.forms import EmptyForm, ImportForm, show_refusal
from collab.core.links import Target
from collab.extensions import db, limiter
from collab.people import service as schools
from collab.people import service_accounts as accounts
from collab.people import service_mail as account_mail
from collab.people import service_passwords as passwords
from collab.people import service_staff_import as staff_import
from collab.people import settings_bp as bp
from collab.people.access import (
    current_school,
    invitation_of_my_school,
    member_of_my_school,
    principal_required,
    school_member_required,
    team_of_my_school,
)
from collab.people.forms import (
    InviteForm,
    PasswordForm,
    ProfileForm,
    RoleForm,
    TeamForm,
    TeamMembersForm,
)
from collab.people.service_accounts import authenticate

log = logging.getLogger(__name__)


@bp.route("/")
def index():
    return redirect(url_for("settings.profile"))


@bp.route("/profile", methods=["GET", "POST"])
@school_member_required
def profile():
    user = current_user
    profile = user.profile
    form = ProfileForm(
        obj=None if request.method == "POST" else user,
        subjects=profile.subjects if profile else [],
        grades=profile.grades if profile else [],
        years_teaching=profile.years_teaching if profile else None,
        language=user.language or "",
    )
    if form.validate_on_submit():
        accounts.update_preferences(user, name=form.name.data, language=form.language.data)
        schools.update_profile(user, subjects=form.subjects.items, grades=form.grades.items,
                               years_teaching=form.years_teaching.data)
        if form.language.data:
            session["lang"] = form.language.data
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("settings.profile"))
    return render_template("settings/profile.html", form=form), 400 if form.errors else 200


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if authenticate(current_user.email, form.current.data) is None:
            form.current.errors = [_("The current password is not right.")]
        elif passwords.refuse_weak(form.password, *passwords.own_words_of(current_user)):
            accounts.set_password(current_user, form.password.data)
            db.session.commit()
            # Every other session has ended; this one goes on with the new version.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("settings.profile"))
    return render_template("settings/password.html", form=form), 400 if form.errors else 200


@bp.route("/school/")
@principal_required
def school():
    school = current_school()
    return render_template(
        "settings/school.html",
        school=school,
        staff=schools.staff(school.id),
        invitations=schools.open_invitations(school.id),
        action_form=EmptyForm(),
        role_form=RoleForm(),
    )


def _invite_limit() -> str:
    return current_app.config["INVITE_LIMIT"]


def _inviter_key() -> str:
    return f"inviter:{current_user.id}" if current_user.is_authenticated else "inviter:-"


@bp.route("/school/invite", methods=["GET", "POST"])
@principal_required
@limiter.limit(_invite_limit, key_func=_inviter_key, methods=["POST"], scope="invite")
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        details = schools.StaffDetails(
            name=form.name.data, email=form.email.data, role=form.role.data,
            subjects=form.subjects.items, grades=form.grades.items,
            years_teaching=form.years_teaching.data,
        )
        try:
            invitation = schools.invite(current_school(), current_user, details)
        except schools.SchoolError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            account_mail.queue_invitation(invitation, current_user)
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("settings.school"))
    return render_template("settings/invite.html", form=form), 400 if form.errors else 200


@bp.route("/school/import", methods=["GET", "POST"])
@principal_required
@limiter.limit(_invite_limit, key_func=_inviter_key, methods=["POST"], scope="invite-import")
def import_staff():
    form = ImportForm()
    school_id = current_school().id
    upload = form.read_rows(lambda text: staff_import.parse_staff_csv(text, school_id))
    if upload.confirmed:
        return _import_confirmed(upload.rows)
    status = 400 if upload.file_error or form.errors else 200
    return render_template("settings/import.html", form=form, upload=upload), status


def _import_confirmed(rows):
    school = current_school()
    invitations = [schools.invite(school, current_user, row.details) for row in rows if row.valid]
    for invitation in invitations:
        account_mail.queue_invitation(invitation, current_user)
    db.session.commit()
    flash(ngettext("%(num)d invitation created.", "%(num)d invitations created.",
                   len(invitations)), "success")
    return redirect(url_for("settings.school"))


@bp.route("/school/invitations/<int:invitation_id>/revoke", methods=["POST"])
@principal_required
def revoke_invitation(invitation_id):
    invitation = invitation_of_my_school(invitation_id)
    if EmptyForm().validate_on_submit():
        schools.revoke_invitation(invitation, current_user)
        db.session.commit()
        flash(_("The invitation for %(email)s is withdrawn.", email=invitation.email), "info")
    return redirect(url_for("settings.school"))


@bp.route("/school/invitations/<int:invitation_id>/resend", methods=["POST"])
@principal_required
@limiter.limit(_invite_limit, key_func=_inviter_key, scope="invite-resend")
def resend_invitation(invitation_id):
    invitation = invitation_of_my_school(invitation_id)
    if EmptyForm().validate_on_submit() and invitation.is_open:
        account_mail.queue_invitation(invitation, current_user)
        db.session.commit()
        flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("settings.school"))


@bp.route("/school/members/<int:user_id>/role", methods=["POST"])
@principal_required
def change_role(user_id):
    member = member_of_my_school(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            changed = schools.change_role(member, form.role.data, current_user)
        except schools.SchoolError as exc:
            db.session.rollback()
            flash(str(exc.message), "warning")
        else:
            if not changed:  # the same role chosen again: nothing to tell anyone
                return redirect(url_for("settings.school"))
            notify.notify(member, f"role.{form.role.data}", Target("main.home_page"))
            db.session.commit()
            flash(_("The role of %(name)s is changed.", name=member.name), "success")
    return redirect(url_for("settings.school"))


@bp.route("/school/teams", methods=["GET", "POST"])
@principal_required
def teams():
    school = current_school()
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = schools.create_team(school, form.name.data, current_user)
        except schools.SchoolError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            return redirect(url_for("settings.team", team_id=team.id))
    return render_template("settings/teams.html", form=form, teams=schools.teams(school.id)), (
        400 if form.errors else 200
    )


@bp.route("/school/teams/<int:team_id>", methods=["GET", "POST"])
@principal_required
def team(team_id):
    team = team_of_my_school(team_id)
    staff = schools.staff(team.school_id)
    form = TeamMembersForm(members=[m.id for m in team.members])
    form.members.choices = [SelectChoice(u.id, u.name) for u in staff]
    if form.validate_on_submit():
        before = {m.id for m in team.members}
        schools.set_team_members(team, set(form.members.data), current_user)
        for user in staff:
            if user.id in set(form.members.data) - before:
                notify.notify(user, "team.added", Target("main.home_page"), team=team.name)
        db.session.commit()
        flash(_("The members of %(team)s are saved.", team=team.name), "success")
        return redirect(url_for("settings.teams"))
    return render_template("settings/team.html", form=form, team=team), (
        400 if form.errors else 200
    )
