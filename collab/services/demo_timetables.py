"""Demo calendar and timetables: periods, terms and holidays for both demo schools, and a
weekly timetable for every demo teacher (no class or teacher double-booked, free periods
left so that observers can be found).

Idempotent like the rest of the demo: periods are set only for a school without any, terms
and holidays are added by name, and a teacher without lessons gets the generated timetable.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from collab.extensions import db
from collab.models import Holiday, Lesson, Period, School, Term, User
from collab.services import timetables
from collab.services.timetables import LessonSlot

TERMS = [
    ("Semester Ganjil 2026/2027", date(2026, 7, 13), date(2026, 12, 18)),
    ("Semester Genap 2026/2027", date(2027, 1, 5), date(2027, 6, 25)),
]
HOLIDAYS = [
    ("Hari Kemerdekaan RI", date(2026, 8, 17), date(2026, 8, 17)),
    ("Maulid Nabi Muhammad SAW", date(2026, 8, 25), date(2026, 8, 25)),
    ("Rapat kerja guru (siswa libur)", date(2026, 12, 9), date(2026, 12, 9)),
    ("Libur Idul Fitri 1448 H", date(2027, 3, 8), date(2027, 3, 16)),
]

# Weekly periods of each subject per class.
SMP_HOURS = {"Matematika": 4, "IPA": 4, "Bahasa Indonesia": 3, "Bahasa Inggris": 3,
             "IPS": 2, "Pendidikan Jasmani": 2}
SMP_CLASSES = [f"{grade}{letter}" for grade in (7, 8, 9) for letter in "ABC"]
SMP_ROOMS = {"IPA": "Lab IPA", "Pendidikan Jasmani": "Lapangan"}
# SD class teachers teach their own class; the religion teacher visits the others.
SD_LESSONS = {
    "guru.sd01": [("1A", "Bahasa Indonesia", 4), ("1A", "Matematika", 4),
                  ("1A", "Pendidikan Pancasila", 2)],
    "guru.sd02": [("4A", "Bahasa Indonesia", 4), ("4A", "Matematika", 4), ("4A", "IPAS", 3)],
    "guru.sd03": [("5A", "Bahasa Indonesia", 4), ("5A", "Matematika", 4), ("5A", "IPAS", 3),
                  ("1A", "Pendidikan Agama", 2), ("4A", "Pendidikan Agama", 2)],
}


def seed(smp: School, sd: School, smp_teachers: list, sd_teachers: list) -> None:
    """Add the demo calendar and timetables that are missing. The teacher lists hold
    (email, name, subjects, grades, years) as in services.demo. Flushes."""
    _periods(smp, days=range(4), count=8, length=45, break_after=4, friday=5)
    _periods(sd, days=range(4), count=6, length=35, break_after=3, friday=4)
    for school in (smp, sd):
        _calendar(school)
    _timetables(smp, _smp_plan(smp_teachers))
    _timetables(sd, _sd_plan(sd_teachers))
    db.session.flush()


def _period_times(count: int, length: int, break_after: int) -> list[tuple[time, time]]:
    start, times = datetime(2000, 1, 1, 7, 0), []
    for number in range(1, count + 1):
        end = start + timedelta(minutes=length)
        times.append((start.time(), end.time()))
        start = end + timedelta(minutes=15 if number == break_after else 0)
    return times


def _periods(school: School, days, count: int, length: int, break_after: int, friday: int):
    has_any = db.session.scalar(select(func.count(Period.id)).where(
        Period.school_id == school.id))
    if has_any:
        return
    for weekday in days:
        timetables.set_periods(school, weekday, _period_times(count, length, break_after))
    timetables.set_periods(school, 4, _period_times(friday, length, 3))


def _calendar(school: School) -> None:
    terms = set(db.session.scalars(select(Term.name).where(Term.school_id == school.id)))
    for name, first, last in TERMS:
        if name not in terms:
            timetables.add_term(school, name, first, last)
    holidays = set(db.session.scalars(select(Holiday.name).where(
        Holiday.school_id == school.id)))
    for name, first, last in HOLIDAYS:
        if name not in holidays:
            timetables.add_holiday(school, name, first, last)


def _smp_plan(teachers: list) -> dict[str, list[tuple[str, str, int]]]:
    """{email: [(class, subject, periods a week)]}: each class of each grade goes, in turn,
    to a teacher of the subject who teaches that grade."""
    plan: dict[str, list] = defaultdict(list)
    for subject, hours in SMP_HOURS.items():
        given = defaultdict(int)
        for class_name in SMP_CLASSES:
            grade = class_name[0]
            able = [t[0] for t in teachers if subject in t[2] and grade in t[3]]
            if not able:
                continue
            teacher = min(able, key=lambda email: (given[email], email))
            given[teacher] += 1
            plan[teacher].append((class_name, subject, hours))
    return plan


def _sd_plan(teachers: list) -> dict[str, list[tuple[str, str, int]]]:
    return {email: SD_LESSONS[email.split("@")[0]] for email, *_ in teachers
            if email.split("@")[0] in SD_LESSONS}


def _timetables(school: School, plan: dict[str, list[tuple[str, str, int]]]) -> None:
    """Place every teacher's lessons in free periods (a class at most once a day per
    subject, no class or teacher twice in one period) and save them for teachers who have
    no timetable yet."""
    periods = timetables.periods_by_weekday(school.id)
    slots = [(wd, p.number) for wd, day in sorted(periods.items()) for p in day]
    class_busy: set[tuple[str, int, int]] = set()
    placed: dict[str, list[LessonSlot]] = defaultdict(list)
    for index, email in enumerate(sorted(plan)):
        teacher_busy: set[tuple[int, int]] = set()
        for class_name, subject, hours in plan[email]:
            days_used: set[int] = set()
            # Each teacher starts the search at another period, so lessons spread out.
            order = slots[index * 3:] + slots[:index * 3]
            for weekday, number in order:
                if hours == 0:
                    break
                if (weekday in days_used or (weekday, number) in teacher_busy
                        or (class_name, weekday, number) in class_busy):
                    continue
                days_used.add(weekday)
                teacher_busy.add((weekday, number))
                class_busy.add((class_name, weekday, number))
                room = SMP_ROOMS.get(subject, f"R. {class_name}")
                placed[email].append(LessonSlot(weekday, number, class_name, subject, room))
                hours -= 1
    users = {u.email: u for u in db.session.scalars(select(User).where(
        User.email.in_(list(placed))))}
    with_lessons = set(db.session.scalars(select(Lesson.teacher_id).where(
        Lesson.school_id == school.id).distinct()))
    for email, lessons in placed.items():
        user = users.get(email)
        if user is not None and user.id not in with_lessons:
            timetables.save_timetable(user, lessons)
