"""Which colleagues could observe a lesson: those with no class and no other observation at
that time, ranked by the same subject, the same grade and the fewest observations this
month, each with the reasons shown and their years of teaching; the teacher's mentor first,
and for a novice teacher the experienced colleagues before the novices (a novice is never
observed by novices only: observations.service refuses that). Nine queries for a whole
school, whatever its size."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.observations.models import ObservationBooking
from collab.people.models import NOVICE_YEARS, Membership, Profile, User
from collab.timetables.models import Lesson, SchoolClass
from collab.timetables.service import busy_teachers, grade_of

SHOWN = 12


@dataclass
class Suggestion:
    """A free colleague, why they fit, and how many observations they have this month."""

    user: User
    same_subject: bool = False
    same_grade: bool = False
    mentor: bool = False
    this_month: int = 0
    years: int | None = None
    for_novice: bool = False  # the observed teacher is a novice

    @property
    def novice(self) -> bool:
        return self.years is not None and self.years < NOVICE_YEARS

    def rank(self) -> tuple:
        return (not self.mentor, self.for_novice and self.novice, not self.same_subject,
                not self.same_grade, self.this_month, self.user.name.lower(), self.user.id)


def suggest(school_id: int, teacher_id: int, on: date, period: int, subject: str,
            class_name: str, limit: int | None = SHOWN, mentor_ids=None
            ) -> list[Suggestion]:
    """The colleagues free on `on` in `period` (no lesson then, no observation booked then),
    best first. `mentor_ids`: the teacher's mentors, who rank first (by default the mentor
    of the teacher's active mentoring pair)."""
    if mentor_ids is None:
        mentor_ids = mentors_of(teacher_id)
    taken = busy_teachers(school_id, on, period) | set(db.session.scalars(
        select(ObservationBooking.user_id).where(
            ObservationBooking.school_id == school_id, ObservationBooking.lesson_date == on,
            ObservationBooking.period == period)))
    people = db.session.execute(
        select(User, Profile.subjects, Profile.grades, Profile.years_teaching)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(Membership.school_id == school_id, User.id != teacher_id)
    ).all()
    free = [(user, subjects or [], grades or [], years)
            for user, subjects, grades, years in people if user.id not in taken]
    for_novice = is_novice(teacher_id)
    taught = _taught(school_id)
    month = _this_month(school_id, on)
    grade = grade_of(class_name)
    wanted_subject = subject.strip().casefold()
    found = []
    for user, subjects, grades, years in free:
        their_subjects = {s.casefold() for s in subjects} | taught[user.id]["subjects"]
        their_grades = {grade_of(str(g)) for g in grades} | taught[user.id]["grades"]
        item = Suggestion(user=user, mentor=user.id in mentor_ids, years=years,
                          for_novice=for_novice,
                          same_subject=bool(wanted_subject) and wanted_subject in their_subjects,
                          same_grade=grade is not None and grade in their_grades,
                          this_month=month.get(user.id, 0))
        found.append(item)
    found.sort(key=Suggestion.rank)
    return found[:limit] if limit else found


def mentors_of(teacher_id: int) -> set[int]:
    """The mentor of the teacher's active mentoring pair (a set: none or one)."""
    return set(db.session.scalars(select(MentorPair.mentor_id).where(
        MentorPair.novice_id == teacher_id, MentorPair.status == "active")))


def is_novice(user_id: int) -> bool:
    """Under NOVICE_YEARS of teaching (unknown years count as experienced)."""
    years = db.session.scalar(select(Profile.years_teaching).where(Profile.user_id == user_id))
    return years is not None and years < NOVICE_YEARS


def novices_among(user_ids) -> set[int]:
    """Those of `user_ids` who are novices."""
    return set(db.session.scalars(select(Profile.user_id).where(
        Profile.user_id.in_(set(user_ids)), Profile.years_teaching < NOVICE_YEARS)))


def free_for(school_id: int, user_id: int | None, lessons) -> set | None:
    """Which of `lessons` (dated occurrences of one school's days) the colleague `user_id`
    could observe: no class of theirs then, no observation booked. None when they are not a
    member of the school. Three queries, however many lessons."""
    if user_id is None or db.session.scalar(select(Membership.user_id).where(
            Membership.user_id == user_id, Membership.school_id == school_id)) is None:
        return None
    lessons = list(lessons)
    if not lessons:
        return set()
    weekly = set(db.session.execute(select(Lesson.weekday, Lesson.period).where(
        Lesson.school_id == school_id, Lesson.teacher_id == user_id)).all())
    booked = set(db.session.execute(
        select(ObservationBooking.lesson_date, ObservationBooking.period).where(
            ObservationBooking.user_id == user_id,
            ObservationBooking.lesson_date >= min(o.on for o in lessons),
            ObservationBooking.lesson_date <= max(o.on for o in lessons))).all())
    return {(o.on, o.period) for o in lessons
            if (o.on.weekday(), o.period) not in weekly and (o.on, o.period) not in booked}


def free_ids(school_id: int, on: date, period: int, user_ids: set[int]) -> set[int]:
    """Those of `user_ids` who have no lesson and no observation on `on` in `period`."""
    taken = busy_teachers(school_id, on, period) | set(db.session.scalars(
        select(ObservationBooking.user_id).where(
            ObservationBooking.school_id == school_id, ObservationBooking.lesson_date == on,
            ObservationBooking.period == period, ObservationBooking.user_id.in_(user_ids))))
    return set(user_ids) - taken


def _taught(school_id: int) -> dict:
    """{teacher id: {"subjects": {...}, "grades": {...}}} from the school's timetables.
    The grade comes from the class's row (its grade was read from the name when the
    timetable first named it), so the database returns one row per teacher, subject and
    grade rather than one per class; a class without a row is read by name."""
    taught: dict = defaultdict(lambda: {"subjects": set(), "grades": set()})
    rows = db.session.execute(
        select(Lesson.teacher_id, Lesson.subject, SchoolClass.grade,
               case((SchoolClass.id.is_(None), Lesson.class_name)))
        .outerjoin(SchoolClass, (SchoolClass.school_id == Lesson.school_id)
                   & (SchoolClass.name == Lesson.class_name))
        .where(Lesson.school_id == school_id).distinct())
    for teacher_id, subject, grade, unknown_class in rows:
        taught[teacher_id]["subjects"].add(subject.casefold())
        if unknown_class is not None:
            grade = grade_of(unknown_class)
        if grade is not None:
            taught[teacher_id]["grades"].add(grade)
    return taught


def _this_month(school_id: int, on: date) -> dict[int, int]:
    """How many observations each colleague observes in the month of `on`."""
    first = on.replace(day=1)
    following = (first.replace(year=first.year + 1, month=1) if first.month == 12
                 else first.replace(month=first.month + 1))
    return dict(db.session.execute(
        select(ObservationBooking.user_id, func.count())
        .where(ObservationBooking.school_id == school_id, ObservationBooking.role == "observer",
               ObservationBooking.lesson_date >= first, ObservationBooking.lesson_date < following)
        .group_by(ObservationBooking.user_id)
    ).all())
