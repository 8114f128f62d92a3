"""Assessment pages: my assessments, asking for feedback, writing an assessment, results."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from collab.assessments import access as access
from collab.assessments import bp, growth_chart
from collab.assessments import library as rubric_library
from collab.assessments import service as assessments
from collab.assessments import service_anonymity as anonymity
from collab.assessments import service_calibration as calibration
from collab.assessments import service_growth as growth
from collab.assessments.forms import RequestForm, StartForm
from collab.assessments.models import Assessment, AssessmentRequest
from collab.assessments.service import AssessmentError, Rating, RequestFields
from collab.core.forms import EmptyForm
from collab.core.i18n import show_date
from collab.core.numbers import whole_number
from collab.extensions import db
from collab.observations.access import observer_of
from collab.observations.service import school_today
from collab.people.access import current_school, is_principal, school_member_required
from collab.people.models import Membership, User


def colleague_choices() -> list[tuple[int, str]]:
    school = current_school()
    return [(u.id, u.name) for u in db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.school_id == school.id, User.id != current_user.id)
        .order_by(User.name))]


def target_choices(plans, observations) -> list[tuple[str, str]]:
    return ([("", _("Choose…"))]
            + [(f"plan:{p.id}", _("Plan: %(title)s", title=p.title)) for p in plans]
            + [(f"observation:{o.id}",
                _("Observed lesson: class %(class_name)s, %(subject)s, %(date)s",
                  class_name=o.class_name, subject=o.subject, date=show_date(o.lesson_date)))
               for o in observations])


def rubric_choices(*targets: str) -> list[tuple[int, str]]:
    school = current_school()
    versions = {v.id: v for t in targets for v in assessments.usable_versions(school.id, t)}
    return [(0, _("Choose…"))] + [(v.id, v.title) for v in versions.values()]


def parse_target(value: str) -> dict:
    kind, _sep, number = (value or "").partition(":")
    if kind in ("plan", "observation") and whole_number(number) is not None:
        return {f"{kind}_id": whole_number(number)}
    return {}


@bp.route("/")
@school_member_required
def index():
    """What I am asked to assess, what I asked for, my calibration rounds; for the
    principal, how much feedback each teacher has asked for and received."""
    counts = _school_counts() if is_principal() else []
    rubrics_url = (url_for("rubrics.index") if "rubrics.index" in current_app.view_functions
                   else None)
    return render_template(
        "assessments/index.html", to_do=assessments.to_do(current_user), rubrics_url=rubrics_url,
        requests=assessments.my_requests(current_user),
        rounds=calibration.my_rounds(current_user), counts=counts)


def _school_counts():
    """Per teacher: requests, assessments submitted for them, late ones (counts only)."""
    school = current_school()
    submitted = func.count(Assessment.id).filter(Assessment.status == "submitted")
    rows = db.session.execute(
        select(User.name, func.count(func.distinct(AssessmentRequest.id)), submitted)
        .join(AssessmentRequest, AssessmentRequest.teacher_id == User.id)
        .join(Assessment, Assessment.request_id == AssessmentRequest.id)
        .where(AssessmentRequest.school_id == school.id, Assessment.kind != "self")
        .group_by(User.id, User.name).order_by(User.name)).all()
    return [(name, requests, received or 0) for name, requests, received in rows]


@bp.route("/new", methods=["GET", "POST"])
@school_member_required
def new():
    """Ask colleagues for feedback on one of my plans or observed lessons."""
    form = RequestForm()
    plans = assessments.assessable_plans(current_user)
    observations = assessments.assessable_observations(current_user)
    form.target.choices = target_choices(plans, observations)
    form.rubric.choices = rubric_choices("plan", "observation")
    form.assessors.choices = colleague_choices()
    if request.method == "GET":
        chosen = request.args.get("target", "")
        if chosen in {value for value, _label in form.target.choices}:
            form.target.data = chosen
        form.due_on.data = school_today(current_school()) + assessments.REMIND_BEFORE * 7
        asked = request.args.get("assessor", "")  # a shortcut: the mentoring pair's page
        if asked.isascii() and asked.isdigit() and int(asked) in dict(form.assessors.choices):
            form.assessors.data = [int(asked)]
    if form.validate_on_submit():
        fields = RequestFields(rubric_version_id=form.rubric.data,
                               assessor_ids=form.assessors.data, due_on=form.due_on.data,
                               message=form.message.data or "", with_self=form.with_self.data,
                               **parse_target(form.target.data))
        try:
            made = assessments.request_feedback(current_user, fields,
                                                school_today(current_school()))
        except AssessmentError as error:
            db.session.rollback()
            field = {"assessors": form.assessors, "due_on": form.due_on,
                     "message": form.message, "rubric": form.rubric}.get(error.field,
                                                                           form.target)
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            flash(_("Your request is sent. Each colleague has a form to fill in."), "success")
            return redirect(url_for("assessments.results", request_id=made.id))
    return render_template("assessments/new.html", form=form,
                           nothing=not plans and not observations)


@bp.route("/<int:assessment_id>", methods=["GET", "POST"])
@school_member_required
def assessment(assessment_id: int):
    """Write my assessment (a draft until submitted), or read one."""
    item = access.readable_assessment(assessment_id)
    form = EmptyForm()
    version = item.rubric_version
    errors: dict[str, str] = {}
    ratings = assessments.current_ratings(item)
    if request.method == "POST":
        if item.assessor_id != current_user.id:
            abort(403)
        if not form.validate_on_submit():
            abort(400)
        ratings = _typed_ratings(version, errors)
        submit = request.form.get("action") == "submit"
        if not errors:
            errors = _save(item, ratings, submit)
            if not errors:
                flash(_("Your assessment is submitted. Thank you!") if submit
                      else _("Your draft is saved."), "success")
                return redirect(url_for("assessments.assessment", assessment_id=item.id))
    mine = item.assessor_id == current_user.id
    return render_template("assessments/assess.html", item=item, version=version,
                           ratings=ratings, errors=errors, form=form, mine=mine,
                           show_time=mine or not anonymity.is_anonymous(item.school_id))


def _typed_ratings(version, errors: dict) -> dict[int, Rating]:
    ratings = {}
    for criterion in version.criteria:
        raw = request.form.get(f"level-{criterion.id}", "")
        level = whole_number(raw)
        if raw and level is None:
            errors[f"level-{criterion.id}"] = AssessmentError("bad_level").message
        ratings[criterion.id] = Rating(level, request.form.get(f"glow-{criterion.id}", ""),
                                       request.form.get(f"grow-{criterion.id}", ""))
    return ratings


def _save(item, ratings: dict, submit: bool) -> dict:
    """Save (and submit); the errors by field. A refused submission still keeps the draft."""
    try:
        assessments.save(item, current_user, ratings, submit=submit)
    except AssessmentError as error:
        if error.code == "unrated":
            db.session.commit()  # the draft as typed
            # The summary says it once and lists them; each criterion names itself.
            titles = {c.id: c.title for c in item.rubric_version.criteria}
            return {f"level-{cid}": _("Choose a level for “%(title)s”.", title=titles[cid])
                    for cid in error.missing} | {"form": error.message,
                                                 "unrated": error.missing}
        db.session.rollback()
        return {error.field or "form": error.message}
    except StaleDataError:
        db.session.rollback()
        return {"form": _("You saved this assessment in another window meanwhile. Reload "
                          "the page and check it.")}
    db.session.commit()
    return {}


@bp.route("/requests/<int:request_id>")
@school_member_required
def results(request_id: int):
    """The results of a feedback request."""
    return _results(request_id, "assessments/results.html")


@bp.route("/requests/<int:request_id>/print")
@school_member_required
def results_print(request_id: int):
    return _results(request_id, "assessments/results_print.html")


def _results(request_id: int, template: str):
    item = access.request_results(request_id)
    version = item.rubric_version
    rows = list(db.session.scalars(
        select(Assessment).where(Assessment.request_id == item.id)
        .options(selectinload(Assessment.ratings), selectinload(Assessment.assessor))))
    school = current_school()
    pkg = bool(school.pkg_conversion and version.rubric.library_key == "pkg")
    result = assessments.results(version, rows, anonymous=school.anonymous_peer_feedback,
                                 pkg=pkg)
    band = rubric_library.pkg_band(result.pkg_score) if result.pkg_score is not None else None
    points = growth.growth(item.teacher, version.rubric,
                           anonymous=school.anonymous_peer_feedback)
    return render_template(
        template, item=item, result=result, rows=rows, band=band,
        band_label=rubric_library.PKG_BAND_LABELS[band] if band else None,
        growth=points, chart=growth_chart.layout(points, version.levels),
        form=EmptyForm(), own=item.teacher_id == current_user.id)


@bp.route("/requests/<int:request_id>/share", methods=["POST"])
@school_member_required
def share(request_id: int):
    """Show (or stop showing) these results to the principal."""
    item = access.my_request(request_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    item.shared_with_principal = request.form.get("share") == "1"
    db.session.commit()
    flash(_("The principal can now read these results.") if item.shared_with_principal
          else _("The results are no longer shown to the principal."), "success")
    return redirect(url_for("assessments.results", request_id=item.id))


@bp.route("/observations/<int:observation_id>/start", methods=["GET", "POST"])
@school_member_required
def start(observation_id: int):
    """An observer assesses the lesson they observed."""
    observation, _invite = observer_of(observation_id)
    form = StartForm()
    form.rubric.choices = rubric_choices("observation")
    if form.validate_on_submit():
        from collab.assessments.models import RubricVersion

        try:
            made = assessments.start_as_observer(
                current_user, observation, db.session.get(RubricVersion, form.rubric.data))
        except AssessmentError as error:
            db.session.rollback()
            if error.status == 403:
                abort(403)
            form.rubric.errors = [error.message]
        else:
            db.session.commit()
            return redirect(url_for("assessments.assessment", assessment_id=made.id))
    return render_template("assessments/start.html", form=form, observation=observation)
