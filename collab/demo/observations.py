"""Demo observations in the demo SMP: one in each state (requested, scheduled in the coming
days, completed with an observer's notes, debriefed with a reflection and action steps,
declined, cancelled), one debriefed observation of a research-lesson plan that its teacher
then revises (a complete lesson-study cycle for the dashboard), and one **today** in which
guru01 is an accepted observer, so that the notes page is live whenever the demo is seeded.
guru01 takes part in most of them, so guru01's week and calendar feed are full. Who, which
focus, when, and the notes, reflection and action steps come from `data/observations.json`
(guru01 is its `observer`).

They are made through the observation services (request, accept, decline, cancel, notes,
submit, debrief), so bookings, activity events and notifications are as real ones would be.
The service refuses a request for a lesson that has begun; the past ones and today's are
therefore requested by writing the same rows `observations.request` writes, and move on
through the services. The demo's people are told in the app only (no e-mails).

Today's observation is of a colleague's lesson in a period in which guru01 teaches nothing,
the one running now or the next one (else the last of the day). When today has no lessons
(a weekend, a holiday, between terms), it still happens today, at the time of a Monday
lesson: the demo should always have a notes page to open.

Idempotent: a demo observation is known by its teacher and focus, today's by guru01 being an
accepted observer of an observation today; nothing is made twice. What cannot be placed
(no lessons in the weeks around today) is left out.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select

from collab.core import activity, notify
from collab.core.links import Target
from collab.core.models import utcnow
from collab.demo.content import DemoContent
from collab.extensions import db
from collab.observations import service as observations
from collab.observations import service_notes as observation_notes
from collab.observations.models import Observation, ObservationBooking, ObservationObserver
from collab.observations.service_suggestions import free_ids
from collab.people.models import Membership, School, User
from collab.plans import service as plans
from collab.plans.models import Plan
from collab.timetables.models import Lesson
from collab.timetables.service import LessonOccurrence, periods_by_weekday, to_utc, upcoming_lessons


def seed(school: School, data: DemoContent) -> None:
    """Add the demo observations that are missing in the demo SMP. Flushes."""
    people = {u.email.split("@")[0]: u for u in db.session.scalars(
        select(User).join(Membership).where(Membership.school_id == school.id))}
    spec = data.observations
    if spec["observer"] not in people:
        return
    today = observations.school_today(school)
    made = {tuple(row) for row in db.session.execute(
        select(Observation.teacher_id, Observation.focus).where(
            Observation.school_id == school.id))}
    for wanted in spec["observations"]:
        teacher = people.get(wanted["teacher"])
        if teacher is not None and (teacher.id, wanted["focus"]) not in made:
            BUILDERS[wanted["state"]](Demo(wanted, spec, people, today), teacher)
    _today(school, people, spec, today)
    notify.forget_pending_mail()
    db.session.flush()


@dataclass(frozen=True)
class Demo:
    """One demo observation to make: its entry in `observations.json` (whose lesson, whom to
    ask, the focus, and when: `from_day` days from today, the first lesson from then on, or
    if negative the past lesson nearest to that day), the whole file, the people, today."""

    wanted: dict
    spec: dict
    people: dict[str, User]
    today: date


# ---------------------------------------------------------------- upcoming ones


def _upcoming(demo: Demo, teacher: User) -> Observation | None:
    """Request the teacher's first lesson from `from_day` days ahead at which the
    first-choice observer is free."""
    first_day = demo.today + timedelta(days=demo.wanted["from_day"])
    lessons = [o for o in observations.requestable_lessons(teacher, demo.today)
               if o.on >= first_day and _teacher_free(o)]
    chosen = _pick(lessons, demo)
    if chosen is None:
        return None
    lesson, observer_ids = chosen
    return observations.request(teacher, observations.RequestFields(
        lesson=observations.lesson_key(lesson), focus=demo.wanted["focus"],
        observer_ids=observer_ids))


def _requested(demo: Demo, teacher: User) -> None:
    _upcoming(demo, teacher)


def _scheduled(demo: Demo, teacher: User) -> None:
    observation = _upcoming(demo, teacher)
    if observation is not None:
        observations.accept(observation, observation.observers[0].user)


def _declined(demo: Demo, teacher: User) -> None:
    observation = _upcoming(demo, teacher)
    if observation is None:
        return
    for invite in list(observation.observers):
        local = invite.user.email.split("@")[0]
        observations.decline(observation, invite.user, demo.spec["decline_notes"].get(local, ""))


def _cancelled(demo: Demo, teacher: User) -> None:
    observation = _upcoming(demo, teacher)
    if observation is not None:
        observations.cancel(observation, teacher)


# ---------------------------------------------------------------- past ones


def _past(demo: Demo, teacher: User) -> Observation | None:
    """A lesson of the teacher about `-from_day` days ago, requested as
    `observations.request` would have done then, and accepted by the observers."""
    day = demo.today + timedelta(days=demo.wanted["from_day"])
    lessons = [o for o in upcoming_lessons(teacher, day - timedelta(days=7), weeks=2)
               if o.ends_at < utcnow() and _teacher_free(o)]
    lessons.sort(key=lambda o: abs((o.on - day).days))
    chosen = _pick(lessons, demo)
    if chosen is None:
        return None
    lesson, observer_ids = chosen
    plan = _plan(teacher, demo.wanted.get("plan"))
    observation = _request_row(teacher, lesson, demo.wanted["focus"], observer_ids,
                               plan.id if plan else None)
    for invite in list(observation.observers):
        observations.accept(observation, invite.user)
    return observation


def _completed(demo: Demo, teacher: User) -> None:
    observation = _past(demo, teacher)
    if observation is not None:
        _notes_and_submit(observation, observation.observers[0].user, demo.spec)


def _debriefed(demo: Demo, teacher: User) -> None:
    observation = _past(demo, teacher)
    if observation is None:
        return
    for invite in list(observation.observers):
        _notes_and_submit(observation, invite.user, demo.spec)
    observations.debrief(observation, teacher, demo.spec["reflection"], [
        observations.ActionFields(step["text"], demo.today + timedelta(days=step["due_in_days"]))
        for step in demo.spec["action_steps"]])
    _revise(teacher, demo.wanted)


def _plan(teacher: User, title: str | None) -> Plan | None:
    if title is None:
        return None
    return db.session.scalar(select(Plan).where(Plan.owner_id == teacher.id, Plan.title == title))


def _revise(teacher: User, wanted: dict) -> None:
    """The plan revised after the debrief: the lesson-study cycle closes."""
    plan = _plan(teacher, wanted.get("plan"))
    revision = wanted.get("revision")
    if plan is None or revision is None:
        return
    fields = replace(plans.fields_of(plan), body=plan.body + revision["added"])
    plans.save(plan, teacher, fields, plan.revision_number, revision["message"])


def _notes_and_submit(observation: Observation, observer: User, spec: dict) -> None:
    """The observer's notes from the file (else the default ones), synced and submitted."""
    notes = spec["notes"].get(observer.email.split("@")[0], spec["notes"][spec["default_notes"]])
    observation_notes.sync(observation, observer, observation_notes.clean_batch(
        {"notes": notes}, observation_notes.seating(observation), set()))
    observations.submit_notes(observation, observer)


BUILDERS = {"requested": _requested, "scheduled": _scheduled, "declined": _declined,
            "cancelled": _cancelled, "completed": _completed, "debriefed": _debriefed}


# ---------------------------------------------------------------- today, for the observer


def _today(school: School, people: dict, spec: dict, today: date) -> None:
    observer = people[spec["observer"]]
    already = db.session.scalar(
        select(Observation.id).join(ObservationObserver)
        .where(Observation.school_id == school.id, Observation.lesson_date == today,
               ObservationObserver.user_id == observer.id,
               ObservationObserver.status == "accepted"))
    if already is not None:
        return
    lesson = _lesson_to_observe_today(school, people, observer, today)
    if lesson is None:
        return
    teacher = db.session.get(User, lesson.teacher_id)
    observation = _request_row(teacher, lesson, spec["today_focus"], [observer.id])
    observations.accept(observation, observer)


def _lesson_to_observe_today(school: School, people: dict, observer: User, today: date
                             ) -> LessonOccurrence | None:
    """A colleague's lesson today (or, on a day without lessons, a Monday lesson held
    today) in a period in which the observer teaches nothing and nobody involved is booked:
    the one running now or the next one, else the day's last."""
    periods = periods_by_weekday(school.id)
    if not periods:
        return None
    weekday = today.weekday() if today.weekday() in periods else min(periods)
    by_number = {p.number: p for p in periods[weekday]}
    lessons = list(db.session.scalars(select(Lesson).where(
        Lesson.school_id == school.id, Lesson.weekday == weekday)))
    own = {lesson.period for lesson in lessons if lesson.teacher_id == observer.id}
    booked = {tuple(row) for row in db.session.execute(
        select(ObservationBooking.user_id, ObservationBooking.period).where(
            ObservationBooking.school_id == school.id, ObservationBooking.lesson_date == today))}
    subjects = {s.casefold() for s in (observer.profile.subjects if observer.profile else [])}
    found = []
    for lesson in lessons:
        period = by_number.get(lesson.period)
        if (period is None or lesson.teacher_id == observer.id or lesson.period in own
                or (lesson.teacher_id, lesson.period) in booked
                or (observer.id, lesson.period) in booked):
            continue
        found.append(LessonOccurrence(
            lesson_id=lesson.id, teacher_id=lesson.teacher_id, on=today, weekday=weekday,
            period=lesson.period, class_name=lesson.class_name, subject=lesson.subject,
            room=lesson.room, starts_at=to_utc(school, today, period.starts_at),
            ends_at=to_utc(school, today, period.ends_at)))
    if not found:
        return None
    now = utcnow()
    coming = [o for o in found if o.ends_at > now]
    if coming:
        return min(coming, key=lambda o: (o.starts_at, o.subject.casefold() not in subjects))
    return max(found, key=lambda o: (o.starts_at, o.subject.casefold() in subjects))


# ---------------------------------------------------------------- shared


def _teacher_free(lesson: LessonOccurrence) -> bool:
    return db.session.scalar(select(ObservationBooking.id).where(
        ObservationBooking.user_id == lesson.teacher_id,
        ObservationBooking.lesson_date == lesson.on,
        ObservationBooking.period == lesson.period)) is None


def _pick(lessons: list[LessonOccurrence], demo: Demo
          ) -> tuple[LessonOccurrence, list[int]] | None:
    """The first lesson at which the first-choice observer is free, with the ids of the
    first choices free then (that observer first)."""
    people = demo.people
    wanted = [people[local].id for local in demo.wanted["observers"] if local in people]
    if not wanted:
        return None
    school_id = people[demo.wanted["teacher"]].school_id
    for lesson in lessons:
        free = free_ids(school_id, lesson.on, lesson.period, set(wanted))
        if wanted[0] in free:
            return lesson, [user_id for user_id in wanted if user_id in free]
    return None


def _request_row(teacher: User, lesson: LessonOccurrence, focus: str,
                 observer_ids: list[int], plan_id: int | None = None) -> Observation:
    """What `observations.request` writes, for a lesson it would refuse because it has
    begun: the observation, the teacher's booking, the invitations, the activity event and
    the notifications."""
    observation = Observation(
        school_id=teacher.school_id, teacher_id=teacher.id, lesson_date=lesson.on,
        period=lesson.period, class_name=lesson.class_name, subject=lesson.subject,
        room=lesson.room, starts_at=lesson.starts_at, ends_at=lesson.ends_at, focus=focus,
        state="requested", plan_id=plan_id)
    db.session.add(observation)
    db.session.flush()
    db.session.add(ObservationBooking(
        school_id=teacher.school_id, user_id=teacher.id, observation_id=observation.id,
        lesson_date=lesson.on, period=lesson.period, role="observed"))
    for user_id in observer_ids:
        db.session.add(ObservationObserver(observation_id=observation.id, user_id=user_id))
    db.session.flush()
    db.session.refresh(observation, ["observers"])
    activity.record(teacher.school_id, teacher, "observation.requested", "observation",
                    observation.id)
    for invite in observation.observers:
        notify.notify(invite.user, "observation.requested",
                      Target("observations.view", {"observation_id": observation.id}),
                      date=lesson.on.isoformat(), period=lesson.period,
                      class_name=lesson.class_name, name=teacher.name)
    return observation
