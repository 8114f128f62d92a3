"""Observations from request to debrief. This module owns every change of an observation's
state and of its observers' answers; a move that the state does not allow raises
IllegalMove (shown as 409), a person who may not make it raises NotAllowed (403).

States: requested → scheduled (an observer accepted) → completed (an observer submitted
their notes) → debriefed (the teacher reflected and set action steps); requested or
scheduled → cancelled (by the teacher); requested → declined (every observer declined).

Nobody is booked twice: the observed teacher's slot is booked by the request, an observer's
by their acceptance, in `observation_bookings` whose unique key (person, date, period) the
database enforces, so two acceptances racing for one slot cannot both succeed.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from collab.core import activity, notify
from collab.core.links import Target
from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.extensions import db
from collab.observations import service_checks as checks
from collab.observations.models import (
    OPEN_STATES,
    ActionStep,
    Observation,
    ObservationBooking,
    ObservationObserver,
)
from collab.observations.service_checks import MAX_FOCUS, MAX_OBSERVERS
from collab.observations.service_suggestions import free_ids
from collab.people.models import User
from collab.plans.models import Plan
from collab.timetables.models import Lesson
from collab.timetables.service import LessonOccurrence, upcoming_lessons

MAX_NOTE = 500
MAX_REFLECTION = 20_000
MAX_ACTIONS = 3
MAX_ACTION = 300
REQUEST_WEEKS = 4


class ObservationError(RuleError):
    """A refused request or answer; `code` names the problem, `field` the form field."""

    # One table for the three kinds below: a code reads the same whichever kind raised it
    # (an observer refused by a booking reads "observer_busy" as the request form does).
    MESSAGES = {
        # a wrong form
        "lesson": _l("Choose one of your lessons of the next four weeks."),
        "lesson_taken": _l("Colleagues are already asked to observe this lesson."),
        "focus_missing": _l("Write the focus of the observation."),
        "focus_long": _l("At most %(max)d characters.", max=MAX_FOCUS),
        "observer_count": _l("Choose one to %(max)d observers.", max=MAX_OBSERVERS),
        "observer_unknown": _l("Choose colleagues of your school."),
        "observer_busy": _l("Someone chosen has a class or another observation then."),
        "observers_novices": _l("Ask at least one experienced colleague (3 or more years) "
                                "too: a novice is not observed by novices only."),
        "note_long": _l("At most %(max)d characters.", max=MAX_NOTE),
        "reflection_missing": _l("Write your reflection."),
        "reflection_long": _l("The reflection is too long."),
        "action_count": _l("Write one to three action steps."),
        "action_text": _l("Write what you will do."),
        "action_long": _l("At most %(max)d characters.", max=MAX_ACTION),
        "action_due": _l("Choose a due date from today to one year ahead."),
        # a move the state does not allow (IllegalMove)
        "state": _l("This observation has moved on meanwhile; nothing was changed."),
        "answered": _l("You have already given this answer."),
        "no_proposal": _l("This colleague has not proposed another lesson."),
        "lesson_gone": _l("That lesson is no longer in the timetable."),
        "submitted": _l("Your notes are already submitted."),
        "not_started": _l("The lesson has not begun yet."),
        "not_ended": _l("The lesson is still running: submit from its end, or finish early."),
        # a person who may not (NotAllowed): pages answer 403, the phone's sync says why
        "not_observer": _l("Only the observers who accepted write notes here."),
    }


class RequestProblems(ObservationError):
    """Every problem of a request at once (`problems`, each an ObservationError with its
    field), so that the form marks them all; `code` and `field` are the first one's."""

    def __init__(self, problems: list[ObservationError]):
        super().__init__(problems[0].code, problems[0].field)
        self.problems = problems


class IllegalMove(ObservationError):
    """The observation's state does not allow this (HTTP 409)."""


class NotAllowed(ObservationError):
    """This person may not do this to the observation (HTTP 403)."""


def school_today(school) -> date:
    return datetime.now(ZoneInfo(school.timezone)).date()


def lesson_key(occurrence: LessonOccurrence) -> str:
    """How a form names one dated lesson: "2026-12-01:3"."""
    return f"{occurrence.on.isoformat()}:{occurrence.period}"


def requestable_lessons(teacher: User, today: date | None = None) -> list[LessonOccurrence]:
    """The teacher's real lessons of the next four weeks that have not begun yet."""
    school = teacher.membership.school
    now = utcnow()
    start = today or school_today(school)
    return [o for o in upcoming_lessons(teacher, start, REQUEST_WEEKS) if o.starts_at > now]


def find_lesson(teacher: User, key: str) -> LessonOccurrence | None:
    """The teacher's upcoming lesson named by `key` (see lesson_key), or None."""
    for occurrence in requestable_lessons(teacher):
        if lesson_key(occurrence) == key:
            return occurrence
    return None


# ---------------------------------------------------------------- request


@dataclass
class RequestFields:
    lesson: str  # lesson_key of one of the teacher's upcoming lessons
    focus: str
    observer_ids: list[int]
    plan_id: int | None = None


def request(teacher: User, fields: RequestFields, plan: Plan | None = None) -> Observation:
    """Ask one to five colleagues to observe one of the teacher's upcoming lessons. `plan`
    is a plan the teacher may read (checked by the caller's access helper)."""
    school_id = teacher.school_id
    occurrence = find_lesson(teacher, fields.lesson)
    if occurrence is None:
        raise ObservationError("lesson", "lesson")
    if checks.taken_lessons(teacher, [occurrence]):
        raise IllegalMove("lesson_taken", "lesson")  # the booking below is the real guard
    focus = fields.focus.strip()
    wanted = list(dict.fromkeys(fields.observer_ids))
    problems = [ObservationError(code, field) for code, field in (
        *checks.focus_problems(focus), *checks.observer_problems(teacher, occurrence, wanted))]
    if problems:
        raise RequestProblems(problems)
    observation = Observation(
        school_id=school_id, teacher_id=teacher.id, plan_id=plan.id if plan else None,
        lesson_date=occurrence.on, period=occurrence.period,
        class_name=occurrence.class_name, subject=occurrence.subject, room=occurrence.room,
        starts_at=occurrence.starts_at, ends_at=occurrence.ends_at, focus=focus,
        state="requested",
    )
    db.session.add(observation)
    db.session.flush()
    _book(observation, teacher.id, "observed", "lesson_taken", "lesson")
    for user_id in wanted:
        db.session.add(ObservationObserver(observation_id=observation.id, user_id=user_id))
    db.session.flush()
    activity.record(school_id, teacher, "observation.requested", "observation", observation.id)
    for user_id in wanted:
        _tell(db.session.get(User, user_id), "observation.requested", observation,
              name=teacher.name)
    return observation


# ---------------------------------------------------------------- answers of an observer


def accept(observation: Observation, user: User) -> None:
    """The invited observer comes: their time is booked and the observation is scheduled."""
    invite = _invite(observation, user)
    _require(observation, *OPEN_STATES)
    if invite.status not in ("invited", "proposed", "declined"):
        raise IllegalMove("answered")
    if not free_ids(observation.school_id, observation.lesson_date, observation.period,
                    {user.id}):
        raise IllegalMove("observer_busy")
    _book(observation, user.id, "observer", "observer_busy")
    invite.status, invite.note, invite.responded_at = "accepted", "", utcnow()
    invite.proposed_date = invite.proposed_period = None
    _move(observation, user, "scheduled")
    _tell(observation.teacher, "observation.accepted", observation, name=user.name)


def decline(observation: Observation, user: User, note: str = "") -> None:
    """The observer cannot come (also after accepting): their time is freed. When nobody is
    left who accepted or may still answer, the request is declined."""
    invite = _invite(observation, user)
    _require(observation, *OPEN_STATES)
    if invite.status == "declined":
        raise IllegalMove("answered")
    if len(note.strip()) > MAX_NOTE:
        raise ObservationError("note_long", "note")
    _unbook(observation, user.id)
    invite.status, invite.note, invite.responded_at = "declined", note.strip(), utcnow()
    invite.proposed_date = invite.proposed_period = None
    statuses = {o.status for o in observation.observers}
    if "accepted" not in statuses:
        if statuses == {"declined"}:
            _unbook(observation, observation.teacher_id)
            _move(observation, user, "declined")
        elif observation.state == "scheduled":
            _move(observation, user, "requested")
    _tell(observation.teacher, "observation.declined", observation, name=user.name)


def propose(observation: Observation, user: User, lesson: str, note: str = "") -> None:
    """The observer proposes another of the teacher's upcoming lessons, one they are free
    for; the teacher may take it (take_proposal)."""
    invite = _invite(observation, user)
    _require(observation, *OPEN_STATES)
    if invite.status == "accepted":
        raise IllegalMove("answered")
    occurrence = find_lesson(observation.teacher, lesson)
    if occurrence is None or (occurrence.on, occurrence.period) == (
            observation.lesson_date, observation.period):
        raise ObservationError("lesson", "lesson")
    if not free_ids(observation.school_id, occurrence.on, occurrence.period, {user.id}):
        raise ObservationError("observer_busy", "lesson")
    if len(note.strip()) > MAX_NOTE:
        raise ObservationError("note_long", "note")
    invite.status, invite.note, invite.responded_at = "proposed", note.strip(), utcnow()
    invite.proposed_date, invite.proposed_period = occurrence.on, occurrence.period
    _touch(observation)
    _tell(observation.teacher, "observation.proposed", observation, name=user.name)


def take_proposal(observation: Observation, teacher: User, observer_id: int) -> None:
    """The teacher moves the observation to the lesson an observer proposed: the proposer is
    booked for it; anyone who had accepted the old time is asked again."""
    _require_teacher(observation, teacher)
    _require(observation, *OPEN_STATES)
    invite = next((o for o in observation.observers if o.user_id == observer_id
                   and o.status == "proposed"), None)
    if invite is None:
        raise IllegalMove("no_proposal")
    occurrence = find_lesson(teacher, f"{invite.proposed_date.isoformat()}:"
                                      f"{invite.proposed_period}")
    if occurrence is None:
        raise IllegalMove("lesson_gone")
    db.session.execute(delete(ObservationBooking).where(
        ObservationBooking.observation_id == observation.id))
    observation.lesson_date, observation.period = occurrence.on, occurrence.period
    observation.class_name, observation.subject = occurrence.class_name, occurrence.subject
    observation.room = occurrence.room
    observation.starts_at, observation.ends_at = occurrence.starts_at, occurrence.ends_at
    db.session.flush()
    _book(observation, teacher.id, "observed", "lesson_taken")
    asked_again = []
    for other in observation.observers:
        if other is invite:
            continue
        if other.status in ("accepted", "proposed"):
            other.status, other.proposed_date, other.proposed_period = "invited", None, None
            asked_again.append(other.user)
    _book(observation, invite.user_id, "observer", "observer_busy")
    invite.status, invite.responded_at = "accepted", utcnow()
    invite.proposed_date = invite.proposed_period = None
    _move(observation, teacher, "scheduled")
    _tell(invite.user, "observation.moved", observation, name=teacher.name)
    for person in asked_again:
        _tell(person, "observation.moved", observation, name=teacher.name)


def cancel(observation: Observation, teacher: User) -> None:
    _require_teacher(observation, teacher)
    _require(observation, *OPEN_STATES)
    db.session.execute(delete(ObservationBooking).where(
        ObservationBooking.observation_id == observation.id))
    _move(observation, teacher, "cancelled")
    for invite in observation.observers:
        if invite.status != "declined":
            _tell(invite.user, "observation.cancelled", observation, name=teacher.name)


# ---------------------------------------------------------------- after the lesson


def submit_notes(observation: Observation, user: User, early: bool = False) -> None:
    """The observer is done: their notes are final, and the observation is completed. From
    the lesson's end; before it only `early` (the observer said they finish early)."""
    invite = _invite(observation, user)
    if invite.status != "accepted":
        raise NotAllowed("not_observer")
    _require(observation, "scheduled", "completed")
    if invite.submitted_at is not None:
        raise IllegalMove("submitted")
    if utcnow() < observation.starts_at:
        raise IllegalMove("not_started")
    if utcnow() < observation.ends_at and not early:
        raise IllegalMove("not_ended")
    invite.submitted_at = utcnow()
    if observation.state == "scheduled":
        observation.completed_at = utcnow()
        _move(observation, user, "completed")
        _tell(observation.teacher, "observation.completed", observation, name=user.name)
    else:
        _touch(observation)
        # Each further observer's notes are their own act (the dashboard counts it).
        activity.record(observation.school_id, user, "observation.notes_submitted",
                        "observation", observation.id)


@dataclass
class ActionFields:
    text: str
    due_on: date | None


def debrief(observation: Observation, teacher: User, reflection: str,
            actions: list[ActionFields]) -> list[ActionStep]:
    """The observed teacher's reflection and one to three action steps with due dates."""
    _require_teacher(observation, teacher)
    _require(observation, "completed")
    reflection = reflection.strip()
    if not reflection:
        raise ObservationError("reflection_missing", "reflection")
    if len(reflection) > MAX_REFLECTION:
        raise ObservationError("reflection_long", "reflection")
    steps = [a for a in actions if a.text.strip() or a.due_on is not None]
    if not 1 <= len(steps) <= MAX_ACTIONS:
        raise ObservationError("action_count", "actions")
    today = school_today(teacher.membership.school)
    made = []
    for index, step in enumerate(steps):
        if not step.text.strip():
            raise ObservationError("action_text", f"actions-{index}")
        if len(step.text.strip()) > MAX_ACTION:
            raise ObservationError("action_long", f"actions-{index}")
        if step.due_on is None or step.due_on < today or step.due_on > today + timedelta(
                days=366):
            raise ObservationError("action_due", f"actions-{index}")
        made.append(ActionStep(observation_id=observation.id, owner_id=teacher.id,
                               text=step.text.strip(), due_on=step.due_on))
    db.session.add_all(made)
    observation.reflection, observation.debriefed_at = reflection, utcnow()
    _move(observation, teacher, "debriefed")
    for invite in observation.observers:
        if invite.status == "accepted":
            _tell(invite.user, "observation.debriefed", observation, name=teacher.name)
    return made


def action_steps(observation: Observation) -> list[ActionStep]:
    return list(db.session.scalars(select(ActionStep).where(
        ActionStep.observation_id == observation.id).order_by(ActionStep.id)))


def finish_action(step: ActionStep, user: User) -> None:
    if step.owner_id != user.id:
        raise NotAllowed("not_owner")
    if step.done_at is None:
        step.done_at = utcnow()
        activity.record(user.school_id, user, "observation.action_done", "action_step",
                        step.id)


# ---------------------------------------------------------------- reading


def of_user_between(user: User, first: date, last: date) -> list[Observation]:
    """Observations the user teaches or observes (invited, accepted or proposing) with a
    lesson from `first` to `last`, not cancelled or declined."""
    as_observer = select(ObservationObserver.observation_id).where(
        ObservationObserver.user_id == user.id, ObservationObserver.status != "declined")
    return list(db.session.scalars(
        select(Observation).where(
            Observation.school_id == user.school_id,
            Observation.lesson_date >= first, Observation.lesson_date <= last,
            Observation.state.not_in(("cancelled", "declined")),
            (Observation.teacher_id == user.id) | Observation.id.in_(as_observer))
        .order_by(Observation.starts_at)))


def role_of(observation: Observation, user: User) -> str | None:
    """"teacher", "observer" (accepted), "invited" (any other answer), or None."""
    if observation.teacher_id == user.id:
        return "teacher"
    for invite in observation.observers:
        if invite.user_id == user.id:
            return "observer" if invite.status == "accepted" else "invited"
    return None


def lesson_of(observation: Observation) -> Lesson | None:
    return db.session.scalar(select(Lesson).where(
        Lesson.teacher_id == observation.teacher_id,
        Lesson.weekday == observation.lesson_date.weekday(),
        Lesson.period == observation.period))


# ---------------------------------------------------------------- inside


def _invite(observation: Observation, user: User) -> ObservationObserver:
    for invite in observation.observers:
        if invite.user_id == user.id:
            return invite
    raise NotAllowed("not_invited")


def _require(observation: Observation, *states: str) -> None:
    if observation.state not in states:
        raise IllegalMove("state")


def _require_teacher(observation: Observation, user: User) -> None:
    if observation.teacher_id != user.id:
        raise NotAllowed("not_teacher")


def _book(observation: Observation, user_id: int, role: str, code: str,
          field: str | None = None) -> None:
    """Take the person's time (a savepoint, so a refusal leaves the transaction usable)."""
    try:
        with db.session.begin_nested():
            db.session.add(ObservationBooking(
                school_id=observation.school_id, user_id=user_id,
                observation_id=observation.id, lesson_date=observation.lesson_date,
                period=observation.period, role=role))
    except IntegrityError:
        raise IllegalMove(code, field) from None


def _unbook(observation: Observation, user_id: int) -> None:
    db.session.execute(delete(ObservationBooking).where(
        ObservationBooking.observation_id == observation.id,
        ObservationBooking.user_id == user_id))


def _touch(observation: Observation) -> None:
    observation.updated_at = utcnow()


def _move(observation: Observation, actor: User, state: str) -> None:
    observation.state = state
    _touch(observation)
    db.session.flush()
    activity.record(observation.school_id, actor, f"observation.{state}", "observation",
                    observation.id)


def _tell(user: User, kind: str, observation: Observation, **params) -> None:
    notify.notify(user, kind, Target("observations.view", {"observation_id": observation.id}),
                  email=True, date=observation.lesson_date.isoformat(),
                  period=observation.period, class_name=observation.class_name, **params)
