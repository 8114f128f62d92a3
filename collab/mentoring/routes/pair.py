"""The pair's space (/mentoring/pairs/<id>): goals, check-ins, what the pair does together
(an observation either way, feedback from the mentor, a plan, their room), a thank-you,
ending with reflections; the principal's summary and end date; a mentor's profile."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from collab.core.forms import EmptyForm, show_refusal
from collab.extensions import db
from collab.mentoring import access, bp
from collab.mentoring import service as mentoring
from collab.mentoring import service_life as life
from collab.mentoring import service_space as space
from collab.mentoring import service_together as together
from collab.mentoring.forms import (
    AnswerForm,
    CheckInForm,
    EndsOnForm,
    GoalForm,
    ReflectionForm,
    ThanksForm,
)
from collab.mentoring.routes.pages import _today
from collab.mentoring.service import FOCUS_AREAS
from collab.mentoring.service_life import LifeError
from collab.mentoring.service_space import SpaceError
from collab.people.access import principal_required, school_member_required


@bp.route("/pairs/<int:pair_id>")
@school_member_required
def pair(pair_id):
    """The pair's space; the principal sees that it exists, not its content."""
    found = access.visible_pair(pair_id)
    if not access.can_see_content(current_user, found):
        return _summary(found)
    return _pair_page(found)


def _summary(found, status: int = 200, ends_on_form=None):
    dates = space.checkin_dates([found.id])[found.id]
    form = ends_on_form or EndsOnForm(formdata=None, data={"ends_on": found.ends_on})
    return render_template("mentoring/pair_summary.html", pair=found, dates=dates,
                           observed=together.observations_between(found),
                           ends_on_form=form), status


def _pair_page(found, status: int = 200, **forms):
    offer = mentoring.profile_of(found.novice)
    return render_template(
        "mentoring/pair.html", pair=found, focus_areas=FOCUS_AREAS,
        wishes=offer.focus if offer else [],
        goal_form=forms.get("goal_form") or GoalForm(formdata=None),
        checkin_form=forms.get("checkin_form") or CheckInForm(
            formdata=None, data={"held_on": _today()}),
        reflection_form=forms.get("reflection_form") or ReflectionForm(formdata=None),
        thanks_form=forms.get("thanks_form") or ThanksForm(formdata=None),
        thanks=life.thanks_of_pair(found), room=together.room_of(found),
        debriefs=together.shared_debriefs(found) if current_user.id == found.mentor_id
        else [],
        plans=together.plans_together(found) if found.status in ("active", "ended") else [],
        answer_form=AnswerForm(formdata=None), empty=EmptyForm(), today=_today()), status


@bp.route("/pairs/<int:pair_id>/goals", methods=["POST"])
@school_member_required
def add_goal(pair_id):
    found = access.pair_of_mine(pair_id)
    form = GoalForm()
    if form.validate_on_submit():
        try:
            space.add_goal(found, current_user, form.text.data, form.success.data,
                           form.due_on.data, _today())
            db.session.commit()
            return redirect(url_for("mentoring.pair", pair_id=found.id, _anchor="goals"))
        except SpaceError as error:
            db.session.rollback()
            show_refusal(form, error)
    return _pair_page(found, 400, goal_form=form)


@bp.route("/pairs/<int:pair_id>/goals/<int:goal_id>/done", methods=["POST"])
@school_member_required
def goal_done(pair_id, goal_id):
    found = access.pair_of_mine(pair_id)
    goal = access.goal_of_pair(found, goal_id)
    if EmptyForm().validate_on_submit():
        try:
            space.set_goal_done(found, goal, current_user, request.form.get("done") == "1")
            db.session.commit()
        except SpaceError as error:
            db.session.rollback()
            flash(str(error.message), "error")
    return redirect(url_for("mentoring.pair", pair_id=found.id, _anchor="goals"))


@bp.route("/pairs/<int:pair_id>/checkins", methods=["POST"])
@school_member_required
def add_checkin(pair_id):
    found = access.pair_of_mine(pair_id)
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            space.add_checkin(found, current_user, form.held_on.data, form.talked.data,
                              form.next_step.data, _today())
            db.session.commit()
            flash(_("The check-in is logged."), "success")
            return redirect(url_for("mentoring.pair", pair_id=found.id, _anchor="log"))
        except SpaceError as error:
            db.session.rollback()
            show_refusal(form, error)
    return _pair_page(found, 400, checkin_form=form)


# ---------------------------------------------------------------- together


def _button(pair_id: int, act, done: str | None = None, anchor: str = "together"):
    """A one-tap button of the pair (no fields): `act(pair)` returns where to go next, or
    None for the pair page; a refusal is said there."""
    found = access.pair_of_mine(pair_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        then = act(found)
        db.session.commit()
    except (SpaceError, LifeError) as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("mentoring.pair", pair_id=found.id, _anchor=anchor))
    if done:
        flash(done, "success")
    return redirect(then or url_for("mentoring.pair", pair_id=found.id, _anchor=anchor))


@bp.route("/pairs/<int:pair_id>/plan", methods=["POST"])
@school_member_required
def plan_together(pair_id):
    """A new plan with both teachers as authors; its editor opens."""
    def act(found):
        title = _("Our plan: %(novice)s and %(mentor)s", novice=found.novice.name,
                  mentor=found.mentor.name)
        plan = together.plan_together(found, current_user, title)
        return url_for("plans.edit", plan_id=plan.id)
    return _button(pair_id, act, _("A plan for both of you is made; you are both authors."))


@bp.route("/pairs/<int:pair_id>/room", methods=["POST"])
@school_member_required
def room(pair_id):
    """The pair's own co-thinking room (made on first use)."""
    return _button(pair_id, lambda found: url_for(
        "rooms.room", room_id=together.open_room(found, current_user).id))


@bp.route("/pairs/<int:pair_id>/watch", methods=["POST"])
@school_member_required
def watch(pair_id):
    """The novice asks to observe one of the mentor's lessons."""
    return _button(pair_id, lambda found: together.ask_to_watch(found, current_user),
                   _("Your mentor is asked to choose a lesson for you to observe."))


@bp.route("/pairs/<int:pair_id>/share", methods=["POST"])
@school_member_required
def share(pair_id):
    """The novice lets the mentor into their debrief rooms, or takes it back."""
    chosen = request.form.get("share") == "1"
    return _button(pair_id, lambda found: life.set_share_debriefs(found, current_user, chosen),
                   _("Saved."))


@bp.route("/pairs/<int:pair_id>/withdraw", methods=["POST"])
@school_member_required
def withdraw(pair_id):
    """The novice takes back their request."""
    found = access.pair_of_mine(pair_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        life.withdraw(found, current_user)
        db.session.commit()
        flash(_("Your request is taken back."), "success")
    except LifeError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    return redirect(url_for("mentoring.index"))


# ---------------------------------------------------------------- thanks and ending


def _form_post(pair_id: int, form_class, form_key: str, act, done: str, anchor: str):
    """A form of the pair's page: `act(pair, form)`, or the page again with the refusal next
    to the field and what was typed kept."""
    found = access.pair_of_mine(pair_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            act(found, form)
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("mentoring.pair", pair_id=found.id, _anchor=anchor))
        except LifeError as error:
            db.session.rollback()
            show_refusal(form, error)
    return _pair_page(found, 400, **{form_key: form})


@bp.route("/pairs/<int:pair_id>/thanks", methods=["POST"])
@school_member_required
def thank(pair_id):
    """The novice thanks the mentor."""
    return _form_post(pair_id, ThanksForm, "thanks_form",
                      lambda found, form: life.thank(found, current_user, form.text.data),
                      _("Your thank-you note is sent."), "thanks")


@bp.route("/pairs/<int:pair_id>/end", methods=["POST"])
@school_member_required
def end(pair_id):
    """Either teacher ends the pair with a closing reflection."""
    return _form_post(pair_id, ReflectionForm, "reflection_form",
                      lambda found, form: life.end(found, current_user, form.reflection.data),
                      _("The pair has ended. Its history stays here for both of you."),
                      "closing")


@bp.route("/pairs/<int:pair_id>/reflection", methods=["POST"])
@school_member_required
def reflect(pair_id):
    """The other teacher's closing reflection, once the pair has ended."""
    return _form_post(pair_id, ReflectionForm, "reflection_form",
                      lambda found, form: life.reflect(found, current_user,
                                                       form.reflection.data),
                      _("Your closing reflection is saved."), "closing")


@bp.route("/pairs/<int:pair_id>/ends-on", methods=["POST"])
@principal_required
def ends_on(pair_id):
    """The principal sets the day the pair ends by itself."""
    found = access.visible_pair(pair_id)
    form = EndsOnForm()
    if form.validate_on_submit():
        try:
            life.set_ends_on(found, form.ends_on.data, _today())
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("mentoring.pair", pair_id=found.id))
        except LifeError as error:
            db.session.rollback()
            show_refusal(form, error)
    return _summary(found, 400, form)


# ---------------------------------------------------------------- a mentor's profile


@bp.route("/mentors/<int:user_id>")
@school_member_required
def mentor(user_id):
    """A colleague's mentoring profile: their offer and, if they allow it, their mentees'
    thank-you notes."""
    person = access.colleague(user_id)
    return render_template("mentoring/mentor.html", person=person,
                           offer=mentoring.profile_of(person), focus_areas=FOCUS_AREAS,
                           years=mentoring.years_of(person), thanks=life.thanks_shown(person))


@bp.route("/thanks/visibility", methods=["POST"])
@school_member_required
def thanks_visibility():
    """A mentor lets colleagues read their thank-you notes on their profile, or stops it."""
    if EmptyForm().validate_on_submit():
        try:
            life.set_show_thanks(current_user, request.form.get("show") == "1")
            db.session.commit()
            flash(_("Saved."), "success")
        except LifeError as error:
            db.session.rollback()
            flash(str(error.message), "error")
    return redirect(url_for("mentoring.index", _anchor="offer"))
