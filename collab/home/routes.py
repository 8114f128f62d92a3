"""Home, first-run setup, language switch, notifications, health check."""

from datetime import datetime

from flask import abort, flash, g, redirect, render_template, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from collab.core import notify
from collab.core.forms import show_refusal
from collab.core.links import safe_next
from collab.core.page_cache import cached_page
from collab.extensions import db
from collab.home import bp
from collab.home import service as home
from collab.home import service_start as start
from collab.home.forms import LanguageForm, SetupForm
from collab.observations.service import school_today
from collab.people import service as schools
from collab.people import service_passwords as passwords
from collab.people.access import is_principal


@bp.route("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/")
@cached_page
def home_page():
    if current_user.membership is None:
        return render_template("main/no_school.html")
    principal = is_principal()
    school = current_user.membership.school
    today = school_today(school)
    summary = home.summary(current_user, today)
    g.unread_notifications = summary.unread  # the header's count, read with the latest
    needs = start.principal_needs(school.id) if principal else None
    steps = [] if principal else start.getting_started(current_user)
    return render_template("main/home.html", summary=summary, needs=needs,
                           steps=steps if not all(step.done for step in steps) else [],
                           first_team=summary.teams[0] if summary.teams else None,
                           today=today, clock=clock)


def clock(value) -> str:
    """A clock time as the reader's language writes it ("07.30", "7:30 AM"): a period's
    local time as it is, a UTC datetime in the school's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_time(value, "short")
    return format_time(value, "short", rebase=False)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    # Only for a fresh install: the first person to open it creates the school.
    if schools.any_school_exists():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit() and passwords.refuse_weak(
            form.password, form.email.data, [form.name.data, form.school_name.data]):
        details = schools.StaffDetails(name=form.name.data, email=form.email.data)
        try:
            schools.create_school(
                form.school_name.data, form.timezone.data.strip(), details, form.password.data
            )
        except schools.SchoolError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            # The same answer whatever the address (an address with an account keeps its own
            # password, and its owner gets a mail): the principal signs in with the password
            # just chosen, so this page never tells whether the address had an account.
            flash(_("The school is created. Sign in with your e-mail address and the "
                    "password you chose."), "success")
            return redirect(url_for("auth.login", next=url_for("settings.school")))
    status = 400 if form.errors else 200
    return render_template("main/setup.html", form=form), status


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.language = form.lang.data
            db.session.commit()
    return redirect(safe_next(form.next.data, url_for("main.home_page")))


@bp.route("/notifications/")
def notifications():
    notes = notify.recent(current_user.id)
    # Seen once the list is open: the new ones stay marked on this page, the count goes.
    unread = {note.id for note in notes if note.read_at is None}
    items = [(note, notify.text(note), note.id in unread) for note in notes]
    if unread:
        notify.mark_all_read(current_user.id)
        db.session.commit()
    g.unread_notifications = 0
    return render_template("main/notifications.html", items=items)


@bp.route("/notifications/read", methods=["POST"])
def notifications_read():
    notify.mark_all_read(current_user.id)
    db.session.commit()
    return redirect(url_for("main.notifications"))
