"""Home, first-run setup, language switch, notifications, health check."""

from flask import abort, redirect, render_template, session, url_for
from flask_login import current_user, login_user

from collab.core import notify
from collab.core.forms import EmptyForm, show_refusal
from collab.core.links import safe_next
from collab.extensions import db
from collab.home import bp
from collab.home import service as home
from collab.home.forms import LanguageForm, SetupForm
from collab.people import service as schools
from collab.people import service_passwords as passwords
from collab.people.access import is_principal


@bp.route("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/")
def home_page():
    if current_user.membership is None:
        return render_template("main/no_school.html")
    summary = home.summary(current_user, principal=is_principal())
    return render_template("main/home.html", summary=summary, done_form=EmptyForm())


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
            _, principal = schools.create_school(
                form.school_name.data, form.timezone.data.strip(), details, form.password.data
            )
        except schools.SchoolError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            login_user(principal)
            return redirect(url_for("settings.school"))
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
    items = [(note, notify.text(note)) for note in notify.recent(current_user.id)]
    return render_template("main/notifications.html", items=items)


@bp.route("/notifications/read", methods=["POST"])
def notifications_read():
    notify.mark_all_read(current_user.id)
    db.session.commit()
    return redirect(url_for("main.notifications"))
