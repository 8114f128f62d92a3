"""The school's teaching calendar and the teachers' weekly timetables.

Periods (*jam pelajaran*) are set per weekday; terms and holidays say on which dates lessons
take place. A teacher's timetable is a set of weekly lessons (weekday, period number, class,
subject, room). `upcoming_lessons` turns it into real dated lessons; `busy_teachers` answers
"who is teaching then". Times are the school's local time; occurrences carry UTC datetimes.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from collab.core.refusals import RuleError
from collab.extensions import db
from collab.people.models import School, User
from collab.timetables.models import Holiday, Lesson, Period, SchoolClass, Term

MAX_PERIODS = 14  # per weekday; Indonesian schools have at most about 10-12 jam pelajaran
MAX_CLASS = 20
MAX_SUBJECT = 60
MAX_ROOM = 30
MAX_NAME = 80
MAX_HOLIDAY_NAME = 120
MAX_WEEKS = 26


class TimetableError(RuleError):
    """A refused change; `code` names the problem, `field` the form field at fault."""

    MESSAGES = {
        "term_overlap": _l("This term overlaps another term."),
        "ends_before_start": _l("The last day cannot be before the first day."),
        "name_missing": _l("Enter a name."),
        # The form checked each slot; only the school's periods changing meanwhile fails it.
        "slots": _l("The school's periods have changed. Check your timetable and save "
                    "again."),
    }
    # The forms check the rest (names' length, times, weekdays) before the service does.
    FALLBACK = _l("This cannot be saved.")


@dataclass(frozen=True)
class LessonSlot:
    """One weekly lesson as a form or a CSV row gives it."""

    weekday: int
    period: int
    class_name: str
    subject: str
    room: str = ""


@dataclass(frozen=True)
class LessonOccurrence:
    """A teacher's real lesson on a date: its period's start and end as aware UTC times."""

    lesson_id: int
    teacher_id: int
    on: date
    weekday: int
    period: int
    class_name: str
    subject: str
    room: str
    starts_at: datetime
    ends_at: datetime


# ---------------------------------------------------------------- periods


def periods_by_weekday(school_id: int) -> dict[int, list[Period]]:
    """The school's periods, {weekday: [periods in order]}; weekdays without any are absent."""
    found: dict[int, list[Period]] = defaultdict(list)
    for period in db.session.scalars(select(Period).where(Period.school_id == school_id)
                                      .order_by(Period.weekday, Period.number)):
        found[period.weekday].append(period)
    return dict(found)


def check_period_times(times: list[tuple[time, time]]) -> dict[int, str]:
    """Problems of a weekday's period times, {row index: code}: each must end after it
    starts and begin no earlier than the one before ends."""
    problems = {}
    if len(times) > MAX_PERIODS:
        problems[MAX_PERIODS] = "too_many"
    for index, (starts, ends) in enumerate(times):
        if ends <= starts:
            problems[index] = "ends_before_start"
        elif index and starts < times[index - 1][1]:
            problems[index] = "overlap"
    return problems


def set_periods(school: School, weekday: int, times: list[tuple[time, time]]) -> list[Period]:
    """Replace the periods of one weekday with `times` in order, numbered from 1 (an empty
    list leaves the day without lessons). Raises TimetableError if the times do not fit."""
    _check_weekday(weekday)
    if check_period_times(times):
        raise TimetableError("period_times", "periods")
    db.session.execute(delete(Period).where(Period.school_id == school.id,
                                            Period.weekday == weekday))
    periods = [Period(school_id=school.id, weekday=weekday, number=number, starts_at=starts,
                      ends_at=ends) for number, (starts, ends) in enumerate(times, start=1)]
    db.session.add_all(periods)
    db.session.flush()
    return periods


def copy_periods(school: School, from_weekday: int, to_weekdays: list[int]) -> None:
    """Give each of `to_weekdays` the same periods as `from_weekday`."""
    source = periods_by_weekday(school.id).get(from_weekday, [])
    times = [(p.starts_at, p.ends_at) for p in source]
    for weekday in to_weekdays:
        if weekday != from_weekday:
            set_periods(school, weekday, times)


def _check_weekday(weekday: int) -> None:
    if weekday not in range(7):
        raise TimetableError("weekday", "weekday")


# ---------------------------------------------------------------- terms and holidays


def terms(school_id: int) -> list[Term]:
    """The school's terms, earliest first."""
    return list(db.session.scalars(select(Term).where(Term.school_id == school_id)
                                   .order_by(Term.starts_on)))


def holidays(school_id: int) -> list[Holiday]:
    """The school's holidays, earliest first."""
    return list(db.session.scalars(select(Holiday).where(Holiday.school_id == school_id)
                                   .order_by(Holiday.starts_on)))


def _check_range(name: str, starts_on: date, ends_on: date, max_name: int) -> str:
    name = clean_text(name)
    if not name:
        raise TimetableError("name_missing", "name")
    if len(name) > max_name:
        raise TimetableError("name_long", "name")
    if ends_on < starts_on:
        raise TimetableError("ends_before_start", "ends_on")
    return name


def add_term(school: School, name: str, starts_on: date, ends_on: date) -> Term:
    """Add a term; it may not overlap another term of the school."""
    name = _check_range(name, starts_on, ends_on, MAX_NAME)
    overlapping = db.session.scalar(select(Term.id).where(
        Term.school_id == school.id, Term.starts_on <= ends_on, Term.ends_on >= starts_on))
    if overlapping is not None:
        raise TimetableError("term_overlap", "starts_on")
    term = Term(school_id=school.id, name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(term)
    db.session.flush()
    return term


def add_holiday(school: School, name: str, starts_on: date, ends_on: date | None = None
                ) -> Holiday:
    """Add a holiday from `starts_on` to `ends_on` inclusive (one day if no end is given)."""
    ends_on = ends_on or starts_on
    name = _check_range(name, starts_on, ends_on, MAX_HOLIDAY_NAME)
    holiday = Holiday(school_id=school.id, name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(holiday)
    db.session.flush()
    return holiday


def delete_term(term: Term) -> None:
    """Remove a term (the caller has checked it belongs to the user's school)."""
    db.session.delete(term)
    db.session.flush()


def delete_holiday(holiday: Holiday) -> None:
    """Remove a holiday (the caller has checked it belongs to the user's school)."""
    db.session.delete(holiday)
    db.session.flush()


# ---------------------------------------------------------------- timetables


def timetable(user: User) -> list[Lesson]:
    """The teacher's weekly lessons, by weekday and period."""
    return list(db.session.scalars(select(Lesson).where(Lesson.teacher_id == user.id)
                                   .order_by(Lesson.weekday, Lesson.period)))


def clean_text(text: str | None) -> str:
    """Text as stored: control characters dropped (PostgreSQL refuses NUL), spaces trimmed
    and inner runs of spaces made one."""
    text = "".join(ch for ch in (text or "") if unicodedata.category(ch) != "Cc" or ch in " \t")
    return " ".join(text.split())


def clean_slot(slot: LessonSlot) -> LessonSlot:
    """The slot with its text cells cleaned (see clean_text)."""
    return LessonSlot(slot.weekday, slot.period, clean_text(slot.class_name),
                      clean_text(slot.subject), clean_text(slot.room))


def check_slot(slot: LessonSlot, periods: dict[int, list[Period]]) -> list[str]:
    """The problems of one (cleaned) slot as codes; empty if it can be saved."""
    errors = []
    numbers = {p.number for p in periods.get(slot.weekday, [])}
    if slot.period not in numbers:
        errors.append("period_unknown")
    if not slot.class_name:
        errors.append("class_missing")
    elif len(slot.class_name) > MAX_CLASS:
        errors.append("class_long")
    if not slot.subject:
        errors.append("subject_missing")
    elif len(slot.subject) > MAX_SUBJECT:
        errors.append("subject_long")
    if len(slot.room) > MAX_ROOM:
        errors.append("room_long")
    return errors


def save_timetable(user: User, slots: list[LessonSlot]) -> list[Lesson]:
    """Replace the teacher's weekly timetable with `slots`. Every slot is checked against
    the school's periods; raises TimetableError("slots") and saves nothing if any fails, or
    if two slots share a weekday and period."""
    school_id = user.school_id
    if school_id is None:
        raise TimetableError("no_school")
    periods = periods_by_weekday(school_id)
    slots = [clean_slot(s) for s in slots]
    keys = [(s.weekday, s.period) for s in slots]
    if len(set(keys)) != len(keys) or any(check_slot(s, periods) for s in slots):
        raise TimetableError("slots")
    db.session.execute(delete(Lesson).where(Lesson.teacher_id == user.id))
    db.session.flush()  # the unique (teacher, weekday, period) rows are gone before the new
    lessons = [Lesson(school_id=school_id, teacher_id=user.id, weekday=s.weekday,
                      period=s.period, class_name=s.class_name, subject=s.subject, room=s.room)
               for s in slots]
    db.session.add_all(lessons)
    ensure_classes(school_id, {s.class_name for s in slots})
    db.session.flush()
    return lessons


def ensure_classes(school_id: int, names: set[str]) -> None:
    """Make a SchoolClass row (grade guessed from the name) for each class not yet known."""
    known = set(db.session.scalars(select(SchoolClass.name).where(
        SchoolClass.school_id == school_id, SchoolClass.name.in_(names))))
    for name in sorted(names - known):
        db.session.add(SchoolClass(school_id=school_id, name=name, grade=grade_of(name),
                                   seat_rows=5, seat_cols=6))


def classes(school_id: int) -> list[SchoolClass]:
    """The school's classes by grade and name."""
    return list(db.session.scalars(select(SchoolClass).where(
        SchoolClass.school_id == school_id).order_by(SchoolClass.grade, SchoolClass.name)))


def set_classes(school_id: int, changes: dict[int, tuple[int | None, int, int]]) -> int:
    """Set the grade and seating grid (rows, seats per row) of the school's classes named by
    id; ids of another school's classes are ignored. Returns how many changed."""
    changed = 0
    for school_class in classes(school_id):
        if school_class.id not in changes:
            continue
        grade, rows, cols = changes[school_class.id]
        if not (1 <= rows <= 12 and 1 <= cols <= 12) or (grade is not None
                                                          and not 1 <= grade <= 12):
            raise TimetableError("seating", "classes")
        if (school_class.grade, school_class.seat_rows, school_class.seat_cols) != (
                grade, rows, cols):
            school_class.grade, school_class.seat_rows, school_class.seat_cols = grade, rows, cols
            changed += 1
    db.session.flush()
    return changed


ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
         "X": 10, "XI": 11, "XII": 12}
_ARABIC = re.compile(r"\s*(\d{1,2})(?!\d)")
_ROMAN = re.compile(r"\s*([IVXivx]+)(?=$|[\s\-./_])")


def grade_of(class_name: str) -> int | None:
    """The grade a class name starts with: "7A" → 7, "X IPA 1" → 10, "VII-B" → 7; None when
    the name starts with neither a grade number (1-12) nor a Roman numeral."""
    match = _ARABIC.match(class_name or "")
    if match:
        grade = int(match.group(1))
        return grade if 1 <= grade <= 12 else None
    match = _ROMAN.match(class_name or "")
    return ROMAN.get(match.group(1).upper()) if match else None


# ---------------------------------------------------------------- dates


def _school_days(school_id: int, start: date, end: date) -> list[date]:
    """The dates from `start` to `end` inclusive that fall in a term and on no holiday."""
    term_ranges = [(t.starts_on, t.ends_on) for t in db.session.execute(
        select(Term.starts_on, Term.ends_on).where(
            Term.school_id == school_id, Term.starts_on <= end, Term.ends_on >= start))]
    holiday_ranges = [(h.starts_on, h.ends_on) for h in db.session.execute(
        select(Holiday.starts_on, Holiday.ends_on).where(
            Holiday.school_id == school_id, Holiday.starts_on <= end,
            Holiday.ends_on >= start))]
    days = []
    day = start
    while day <= end:
        in_term = any(a <= day <= b for a, b in term_ranges)
        if in_term and not any(a <= day <= b for a, b in holiday_ranges):
            days.append(day)
        day += timedelta(days=1)
    return days


def is_school_day(school_id: int, day: date) -> bool:
    """True if `day` is in a term and not a holiday (weekday periods are not checked)."""
    return bool(_school_days(school_id, day, day))


def to_utc(school: School, day: date, at: time) -> datetime:
    """A school-local date and time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(school.timezone)).astimezone(UTC)


def upcoming_lessons(user: User, start_date: date, weeks: int = 4) -> list[LessonOccurrence]:
    """The teacher's real lessons from `start_date` (all of that day included) for `weeks`
    weeks: each weekly lesson on every date of its weekday that is in a term and not a
    holiday, with its period's times. Lessons whose period no longer exists are left out.
    Sorted by time."""
    school = user.membership.school if user.membership else None
    if school is None:
        return []
    weeks = max(0, min(weeks, MAX_WEEKS))
    end = start_date + timedelta(days=7 * weeks - 1)
    lessons = timetable(user)
    periods = {(p.weekday, p.number): p
               for day in periods_by_weekday(school.id).values() for p in day}
    by_weekday: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        by_weekday[lesson.weekday].append(lesson)
    found = []
    for day in _school_days(school.id, start_date, end):
        for lesson in by_weekday.get(day.weekday(), []):
            period = periods.get((lesson.weekday, lesson.period))
            if period is not None:
                found.append(_occurrence(school, lesson, period, day))
    return sorted(found, key=lambda o: (o.starts_at, o.period))


def _occurrence(school: School, lesson: Lesson, period: Period, day: date) -> LessonOccurrence:
    return LessonOccurrence(
        lesson_id=lesson.id, teacher_id=lesson.teacher_id, on=day, weekday=lesson.weekday,
        period=lesson.period, class_name=lesson.class_name, subject=lesson.subject,
        room=lesson.room, starts_at=to_utc(school, day, period.starts_at),
        ends_at=to_utc(school, day, period.ends_at))


def busy_teachers(school_id: int, day: date, period: int) -> set[int]:
    """The ids of the school's teachers who teach a lesson on `day` in period `period`.
    Empty on a holiday or outside the terms, when nobody teaches. One indexed query for the
    whole school."""
    if not is_school_day(school_id, day):
        return set()
    return set(db.session.scalars(select(Lesson.teacher_id).where(
        Lesson.school_id == school_id, Lesson.weekday == day.weekday(),
        Lesson.period == period)))
