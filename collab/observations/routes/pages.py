"""Observation pages: my week, request, one observation, answers, cancel, debrief."""

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from collab.core.database import reads_only_from_now
from collab.core.forms import EmptyForm
from collab.core.i18n import show_date
from collab.core.models import utcnow
from collab.core.numbers import whole_number
from collab.core.page_cache import cached_page
from collab.extensions import db
from collab.observations import access as access
from collab.observations import bp
from collab.observations import service as observations
from collab.observations import service_checks as observation_checks
from collab.observations import service_notes as observation_notes
from collab.observations import service_suggestions as observer_suggestions
from collab.observations import service_week as observation_week
from collab.observations.forms import AnswerForm, DebriefForm, RequestForm
from collab.observations.routes.calendar import feed_section
from collab.observations.service import ObservationError
from collab.people.access import current_school, school_member_required
from collab.plans.access import visible_to
from collab.plans.models import Plan


@bp.route("/")
@cached_page
@school_member_required
def index():
    """My week: my lessons and the observations I take part in, and what waits for me."""
    school = current_school()
    today = observations.school_today(school)
    monday = _week_start(request.args.get("week", ""), today)
    week = observation_week.my_week(current_user, monday)
    return render_template(
        "observations/index.html", week=week, today=today,
        previous=monday - timedelta(days=7), following=monday + timedelta(days=7),
        **feed_section(week.feed_exists),
    )


def _week_start(text: str, today: date) -> date:
    try:
        chosen = date.fromisoformat(text) if text else today
    except ValueError:
        chosen = today
    if abs((chosen - today).days) > 3660:
        chosen = today
    return chosen - timedelta(days=chosen.weekday())


@bp.route("/new", methods=["GET", "POST"])
@school_member_required
def new():
    """Step 1: pick one of my lessons; step 2 (?lesson=…): focus, plan, observers."""
    lessons = observations.requestable_lessons(current_user)
    taken = observation_checks.taken_lessons(current_user, lessons)
    key = request.values.get("lesson", "")
    lesson = next((o for o in lessons if observations.lesson_key(o) == key), None)
    if lesson is None or (key in taken and request.method == "GET"):
        return _pick_lesson(lessons, taken, key)
    form = RequestForm(lesson=key)
    school = current_school()
    suggestions = observer_suggestions.suggest(
        school.id, current_user.id, lesson.on, lesson.period, lesson.subject,
        lesson.class_name, limit=None)
    form.observers.choices = [SelectChoice(s.user.id, s.user.name) for s in suggestions]
    readable = list(db.session.scalars(
        select(Plan).where(visible_to(current_user)).order_by(Plan.updated_at.desc())
        .limit(200)))
    form.plan_id.choices = [SelectChoice(None, _("No plan"))] + [
        SelectChoice(p.id, p.title) for p in readable]
    if request.method == "GET" and whole_number(request.args.get("plan")) is not None:
        form.plan_id.data = whole_number(request.args["plan"])
    # A shortcut (the mentoring pair's page) names the colleague to ask: ticked when free.
    prefilled = _observer_arg()
    if request.method == "GET" and prefilled in {s.user.id for s in suggestions}:
        form.observers.data = [prefilled]
    if form.validate_on_submit():
        plan = next((p for p in readable if p.id == form.plan_id.data), None)
        try:
            observation = observations.request(current_user, observations.RequestFields(
                lesson=key, focus=form.focus.data or "", observer_ids=form.observers.data or [],
                plan_id=form.plan_id.data), plan)
        except ObservationError as error:
            db.session.rollback()
            reads_only_from_now()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Your request is sent. You will be told when colleagues answer."),
                  "success")
            return redirect(url_for("observations.view", observation_id=observation.id))
    return render_template("observations/request.html", form=form, lesson=lesson,
                           suggestions=suggestions[:observer_suggestions.SHOWN * 2],
                           busy=bool(prefilled) and request.method == "GET"
                           and not form.observers.data), (
        400 if form.errors else 200)


def _pick_lesson(lessons, taken: dict, key: str):
    """Step 1, the list of my lessons, those already asked for marked; with the reason when
    the lesson asked for is not one to choose (400) or already taken (409)."""
    status = 200
    if key in taken:
        flash(str(ObservationError("lesson_taken", "lesson").message), "error")
        status = 409
    elif key:
        flash(str(ObservationError("lesson", "lesson").message), "error")
        status = 400
    plan = request.args.get("plan", "")
    return render_template("observations/pick_lesson.html", lessons=lessons, taken=taken,
                           key=observations.lesson_key,
                           plan=whole_number(plan),
                           observer=_observer_arg(),
                           free=observer_suggestions.free_for(
                               current_school().id, _observer_arg(), lessons)
                           ), status


def _observer_arg() -> int | None:
    """The colleague a shortcut asks to observe (`?observer=`), as a number."""
    return whole_number(request.args.get("observer"))


def _field_error(form, error: ObservationError) -> None:
    """Each problem next to its field (a problem of the lesson beside the lesson line)."""
    for problem in getattr(error, "problems", None) or [error]:
        field = getattr(form, problem.field or "", None) or form.focus
        if problem.message not in field.errors:
            field.errors = [*field.errors, problem.message]


@bp.route("/<int:observation_id>")
@school_member_required
def view(observation_id):
    observation = access.visible_observation(observation_id)
    role = observations.role_of(observation, current_user)
    invite = next((i for i in observation.observers if i.user_id == current_user.id), None)
    answer = None
    if invite is not None and observation.state in observations.OPEN_STATES:
        answer = _answer_form(observation)
    return render_template(
        "observations/view.html", observation=observation, role=role, invite=invite,
        answer=answer, action_form=EmptyForm(), now=utcnow(),
        content=access.can_see_content(current_user, observation),
        plan_visible=observation.plan is not None and db.session.scalar(
            select(Plan.id).where(Plan.id == observation.plan_id, visible_to(current_user)))
        is not None,
    )


def _answer_form(observation, formdata=None):
    form = AnswerForm(formdata=formdata)
    others = [o for o in observations.requestable_lessons(observation.teacher)
              if (o.on, o.period) != (observation.lesson_date, observation.period)]
    form.lesson.choices = [SelectChoice(observations.lesson_key(o), _lesson_label(o))
                           for o in others]
    return form


def _lesson_label(occurrence) -> str:
    return _("%(day)s, period %(period)d, class %(class_name)s",
             day=show_date(occurrence.on, weekday=True), period=occurrence.period,
             class_name=occurrence.class_name)


@bp.route("/<int:observation_id>/answer", methods=["POST"])
@school_member_required
def answer(observation_id):
    observation, _invite = access.invited_to(observation_id)
    form = _answer_form(observation, request.form)
    if form.validate_on_submit():
        try:
            if form.answer.data == "accept":
                observations.accept(observation, current_user)
                message = _("You will observe this lesson. It is in your week.")
            elif form.answer.data == "decline":
                observations.decline(observation, current_user, form.note.data or "")
                message = _("Your answer is sent.")
            else:
                observations.propose(observation, current_user, form.lesson.data or "",
                                     form.note.data or "")
                message = _("Your proposal is sent to the teacher.")
            db.session.commit()
        except (ObservationError, StaleDataError) as error:
            return _refused(observation, error, form)
        flash(message, "success")
        return redirect(url_for("observations.view", observation_id=observation.id))
    return _refused(observation, None, form)


def _refused(observation, error, form=None):
    """The observation page again with the reason: 409 when the state or a booking forbids
    it, 400 for a wrong form, 403 for a person who may not."""
    db.session.rollback()
    reads_only_from_now()
    if isinstance(error, observations.NotAllowed):
        abort(403)
    status = 409 if isinstance(error, observations.IllegalMove | StaleDataError) else 400
    if isinstance(error, StaleDataError):
        message = str(observations.IllegalMove("state").message)
    elif error is not None:
        message = str(error.message)
    else:
        message = _("Please correct the marked fields. Nothing you typed has been lost.")
    if form is not None and error is not None and not isinstance(
            error, observations.IllegalMove | StaleDataError):
        target = getattr(form, error.field or "", None) or form.note
        target.errors = [*target.errors, message]
    observation = db.session.get(type(observation), observation.id)
    invite = next((i for i in observation.observers if i.user_id == current_user.id), None)
    return render_template(
        "observations/view.html", observation=observation,
        role=observations.role_of(observation, current_user), invite=invite,
        answer=form if invite is not None else None, action_form=EmptyForm(), now=utcnow(),
        content=access.can_see_content(current_user, observation), refusal=message,
        plan_visible=False,
    ), status


@bp.route("/<int:observation_id>/cancel", methods=["GET", "POST"])
@school_member_required
def cancel(observation_id):
    """Ask first, since cancelling tells every observer: a page with the question (no
    JavaScript needed); only its "Yes" (confirm=1) cancels."""
    if request.method == "GET" or request.form.get("confirm") != "1":
        observation = access.observed_teachers_observation(observation_id)
        form = EmptyForm()
        if request.method == "POST" and not form.validate_on_submit():
            abort(400)
        if observation.state not in ("requested", "scheduled"):
            return _refused(observation, observations.IllegalMove("state"))
        return render_template("observations/cancel.html", observation=observation, form=form)
    return _teachers_move(observation_id, observations.cancel,
                          _("The observation is cancelled; the observers are told."),
                          url_for("observations.index"))


@bp.route("/<int:observation_id>/proposals/<int:user_id>", methods=["POST"])
@school_member_required
def take_proposal(observation_id, user_id):
    return _teachers_move(
        observation_id,
        lambda observation, teacher: observations.take_proposal(observation, teacher, user_id),
        _("The observation is moved to the proposed lesson."),
        url_for("observations.view", observation_id=observation_id))


def _teachers_move(observation_id: int, move, done: str, then: str):
    """A button of the observed teacher (no fields): the move, or the page with why not."""
    observation = access.observed_teachers_observation(observation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        move(observation, current_user)
        db.session.commit()
    except (ObservationError, StaleDataError) as error:
        return _refused(observation, error)
    flash(done, "success")
    return redirect(then)


@bp.route("/<int:observation_id>/debrief", methods=["GET", "POST"])
@school_member_required
def debrief(observation_id):
    """The notes of every observer, by time, tag, seat and plan step. For the observed
    teacher of a completed observation, with the reflection form; after the debrief, with
    the reflection and action steps. Only the teacher and the observers see it."""
    observation = access.observation_with_content(observation_id)
    writing = observation.teacher_id == current_user.id and observation.state == "completed"
    if observation.state not in ("completed", "debriefed") or (
            request.method == "POST" and not writing):
        return _refused(observation, observations.IllegalMove("state"))
    form = DebriefForm() if writing else None
    refused = False
    if writing and form.validate_on_submit():
        steps = [observations.ActionFields(entry.form.text.data or "", entry.form.due_on.data)
                 for entry in form.actions]
        try:
            observations.debrief(observation, current_user, form.reflection.data or "", steps)
        except ObservationError as error:
            db.session.rollback()
            reads_only_from_now()
            _debrief_error(form, error)
            refused = True
        except StaleDataError as error:
            return _refused(observation, error)
        else:
            db.session.commit()
            flash(_("Your reflection is saved; your action steps are on your home page."),
                  "success")
            return redirect(url_for("observations.debrief", observation_id=observation.id))
    return render_template(
        "observations/debrief.html", form=form, observation=observation,
        review=observation_notes.review(observation), refused=refused,
        steps=observations.action_steps(observation),
    ), 400 if refused or (form is not None and form.errors) else 200


def _debrief_error(form, error: ObservationError) -> None:
    if error.field and error.field.startswith("actions-"):
        entry = form.actions.entries[int(error.field.split("-")[1])]
        target = entry.form.text if error.code != "action_due" else entry.form.due_on
    elif error.field == "actions":
        target = form.actions.entries[0].form.text
    else:
        target = form.reflection
    target.errors = [*target.errors, error.message]


@bp.route("/actions/<int:step_id>/done", methods=["POST"])
@school_member_required
def action_done(step_id):
    step = access.own_action_step(step_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    observations.finish_action(step, current_user)
    db.session.commit()
    flash(_("Well done: the action step is marked done."), "success")
    return redirect(url_for("main.home_page"))
