"""My week, the observations page: my lessons of the week with their times, the observations
I take part in that week (as the observed teacher, or invited, accepted or proposing as an
observer), the invitations waiting for my answer, my open action steps and whether I have a
calendar feed.

Three queries whatever the school's size, each statement built once per process with bound
parameters: my lessons with their periods' times; the week's observations and the waiting
invitations with their teachers' names; and the small facts of the week (the terms and
holidays it touches, my action steps, my feed). Rows of plain values, not ORM objects: the
page only shows them. The week's observations follow service.of_user_between (not cancelled
or declined; mine, or one I was invited to and did not decline); an invitation waits while I
have not answered it and the lesson, requested or scheduled, is still to come; a lesson is
listed, as timetables.upcoming_lessons lists it, on every date of its weekday that is in a
term and not a holiday, with its period's times (tests/integration/test_my_week.py).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    exists,
    literal,
    null,
    select,
    union_all,
)

from collab.core.models import utcnow
from collab.extensions import db
from collab.observations.models import (
    ActionStep,
    CalendarFeed,
    Observation,
    ObservationObserver,
)
from collab.people.models import User
from collab.timetables.models import Holiday, Lesson, Period, Term
from collab.timetables.service import LessonOccurrence, to_utc


@dataclass(frozen=True)
class ObservationLine:
    """An observation as the page lists it."""

    id: int
    teacher_id: int
    teacher_name: str
    lesson_date: date
    period: int
    class_name: str
    subject: str
    room: str
    starts_at: datetime
    ends_at: datetime
    state: str


@dataclass(frozen=True)
class ActionLine:
    id: int
    text: str
    due_on: date


@dataclass
class Day:
    """One day of the week: my lessons, each with the observations of it, and the
    observations I take part in as an observer; `observed` are all the day's observations of
    my lessons (also those of a lesson no longer in my timetable)."""

    on: date
    lessons: list = field(default_factory=list)  # (LessonOccurrence, [ObservationLine])
    observed: list = field(default_factory=list)
    observing: list = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return bool(self.lessons or self.observed or self.observing or self.on.weekday() < 5)

    @property
    def empty(self) -> bool:
        return not (self.lessons or self.observed or self.observing)


@dataclass
class MyWeek:
    days: list = field(default_factory=list)
    waiting: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    feed_exists: bool = False


def my_week(user, monday: date) -> MyWeek:
    """The week from `monday` for a member of a school."""
    school = user.membership.school
    params = {"user_id": user.id, "school_id": school.id, "first": monday,
              "last": monday + timedelta(days=6), "now": utcnow()}
    week = MyWeek(days=[Day(monday + timedelta(days=i)) for i in range(7)])
    terms, holidays = _read_facts(week, params)
    _read_observations(week, params)
    lessons = db.session.execute(_lessons_statement(), params).all()
    for day in week.days:
        if _school_day(day.on, terms, holidays):
            day.lessons = _lessons_on(school, day, lessons)
    return week


def _read_facts(week: MyWeek, params: dict) -> tuple[list, list]:
    """My action steps and feed into `week`; the (first, last) days of the terms and of
    the holidays."""
    terms, holidays = [], []
    for kind, starts, ends, id_, text in db.session.execute(_facts_statement(), params):
        if kind == "term":
            terms.append((starts, ends))
        elif kind == "holiday":
            holidays.append((starts, ends))
        elif kind == "action":
            week.actions.append(ActionLine(id_, text, starts))
        else:
            week.feed_exists = True
    week.actions.sort(key=lambda step: (step.due_on, step.id))
    return terms, holidays


def _read_observations(week: MyWeek, params: dict) -> None:
    by_day = {day.on: day for day in week.days}
    for kind, *values in db.session.execute(_observations_statement(), params):
        line = ObservationLine(*values)
        if kind == "waiting":
            week.waiting.append(line)
        elif line.teacher_id == params["user_id"]:
            by_day[line.lesson_date].observed.append(line)
        else:
            by_day[line.lesson_date].observing.append(line)
    week.waiting.sort(key=_in_time)
    for day in week.days:
        day.observed.sort(key=_in_time)
        day.observing.sort(key=_in_time)


def _in_time(line: ObservationLine) -> tuple:
    return (line.starts_at, line.id)


def _school_day(day: date, terms: list, holidays: list) -> bool:
    return any(a <= day <= b for a, b in terms) and not any(a <= day <= b for a, b in holidays)


def _lessons_on(school, day: Day, lessons) -> list:
    found = []
    for lesson_id, teacher_id, weekday, number, class_name, subject, room, starts, ends \
            in lessons:
        if weekday == day.on.weekday():
            occurrence = LessonOccurrence(
                lesson_id=lesson_id, teacher_id=teacher_id, on=day.on, weekday=weekday,
                period=number, class_name=class_name, subject=subject, room=room,
                starts_at=to_utc(school, day.on, starts), ends_at=to_utc(school, day.on, ends))
            found.append((occurrence, [o for o in day.observed if o.period == number]))
    return sorted(found, key=lambda pair: (pair[0].starts_at, pair[0].period))


@cache
def _lessons_statement():
    # My weekly lessons whose period exists in my school, with the period's clock times.
    return (select(Lesson.id, Lesson.teacher_id, Lesson.weekday, Lesson.period,
                   Lesson.class_name, Lesson.subject, Lesson.room, Period.starts_at,
                   Period.ends_at)
            .join(Period, and_(Period.school_id == bindparam("school_id"),
                               Period.weekday == Lesson.weekday,
                               Period.number == Lesson.period))
            .where(Lesson.teacher_id == bindparam("user_id")))


@cache
def _observations_statement():
    user_id = bindparam("user_id")
    columns = (Observation.id, Observation.teacher_id, User.name, Observation.lesson_date,
               Observation.period, Observation.class_name, Observation.subject,
               Observation.room, Observation.starts_at, Observation.ends_at, Observation.state)
    as_observer = select(ObservationObserver.observation_id).where(
        ObservationObserver.user_id == user_id, ObservationObserver.status != "declined")
    week = (select(literal("week"), *columns)
            .join(User, User.id == Observation.teacher_id)
            .where(Observation.school_id == bindparam("school_id"),
                   Observation.lesson_date >= bindparam("first"),
                   Observation.lesson_date <= bindparam("last"),
                   Observation.state.not_in(("cancelled", "declined")),
                   (Observation.teacher_id == user_id) | Observation.id.in_(as_observer)))
    waiting = (select(literal("waiting"), *columns)
               .join(User, User.id == Observation.teacher_id)
               .join(ObservationObserver, ObservationObserver.observation_id == Observation.id)
               .where(ObservationObserver.user_id == user_id,
                      ObservationObserver.status == "invited",
                      Observation.state.in_(("requested", "scheduled")),
                      Observation.starts_at > bindparam("now")))
    return union_all(week, waiting)


@cache
def _facts_statement():
    """(kind, date, date, id, text): the terms and holidays the week touches, my open action
    steps (due date, id, text) and a row if I have a calendar feed."""
    school_id, first, last = bindparam("school_id"), bindparam("first"), bindparam("last")
    user_id = bindparam("user_id")
    no_date, no_id, no_text = cast(null(), Date), cast(null(), Integer), cast(null(), String)
    terms = select(literal("term"), Term.starts_on, Term.ends_on, no_id, no_text).where(
        Term.school_id == school_id, Term.starts_on <= last, Term.ends_on >= first)
    holidays = select(literal("holiday"), Holiday.starts_on, Holiday.ends_on, no_id,
                      no_text).where(Holiday.school_id == school_id,
                                     Holiday.starts_on <= last, Holiday.ends_on >= first)
    actions = select(literal("action"), ActionStep.due_on, no_date, ActionStep.id,
                     ActionStep.text).where(ActionStep.owner_id == user_id,
                                            ActionStep.done_at.is_(None))
    feed = select(literal("feed"), no_date, no_date, no_id, no_text).where(
        exists().where(CalendarFeed.user_id == user_id))
    return union_all(terms, holidays, actions, feed)
