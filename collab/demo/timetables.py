"""Demo calendar and timetables, from `data/timetables.json`: periods, terms and holidays for
both demo schools, and a weekly timetable for every demo teacher (no class or teacher
double-booked, free periods left so that observers can be found). The SMP's timetables are
generated from the weekly hours of each subject per class; the SD's lessons are listed per
teacher.

Idempotent like the rest of the demo: periods are set only for a school without any, terms
and holidays are added by name, and a teacher without lessons gets the generated timetable.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from collab.demo.content import DemoContent
from collab.extensions import db
from collab.people.models import School, User
from collab.timetables import service as timetables
from collab.timetables.models import Holiday, Lesson, Period, Term
from collab.timetables.service import LessonSlot


def seed(smp: School, sd: School, data: DemoContent) -> None:
    """Add the demo calendar and timetables that are missing. Flushes."""
    spec = data.timetables
    for school, role in ((smp, "smp"), (sd, "sd")):
        _periods(school, spec["periods"][role])
    for school in (smp, sd):
        _calendar(school, spec)
    _timetables(smp, _smp_plan(spec["smp"], data.schools["smp"]["teachers"]), spec)
    _timetables(sd, _sd_plan(spec["sd"]["lessons"], data.schools["sd"]["teachers"]), spec)
    db.session.flush()


def _period_times(spec: dict, count: int, break_after: int) -> list[tuple[time, time]]:
    start, times = datetime.combine(date(2000, 1, 1), spec["starts"]), []
    for number in range(1, count + 1):
        end = start + timedelta(minutes=spec["minutes"])
        times.append((start.time(), end.time()))
        start = end + timedelta(minutes=spec["break_minutes"] if number == break_after else 0)
    return times


def _periods(school: School, spec: dict) -> None:
    has_any = db.session.scalar(select(func.count(Period.id)).where(
        Period.school_id == school.id))
    if has_any:
        return
    for days in spec["days"]:
        times = _period_times(spec, days["count"], days["break_after"])
        for weekday in days["weekdays"]:
            timetables.set_periods(school, weekday, times)


def _calendar(school: School, spec: dict) -> None:
    terms = set(db.session.scalars(select(Term.name).where(Term.school_id == school.id)))
    for term in spec["terms"]:
        if term["name"] not in terms:
            timetables.add_term(school, term["name"], term["first"], term["last"])
    holidays = set(db.session.scalars(select(Holiday.name).where(
        Holiday.school_id == school.id)))
    for holiday in spec["holidays"]:
        if holiday["name"] not in holidays:
            timetables.add_holiday(school, holiday["name"], holiday["first"], holiday["last"])


def _smp_plan(spec: dict, teachers: list[dict]) -> dict[str, list[tuple[str, str, int]]]:
    """{email: [(class, subject, periods a week)]}: each class of each grade goes, in turn,
    to a teacher of the subject who teaches that grade."""
    plan: dict[str, list] = defaultdict(list)
    for subject, hours in spec["hours"].items():
        given = defaultdict(int)
        for class_name in spec["classes"]:
            grade = class_name[0]
            able = [t["email"] for t in teachers
                    if subject in t["subjects"] and grade in t["grades"]]
            if not able:
                continue
            teacher = min(able, key=lambda email: (given[email], email))
            given[teacher] += 1
            plan[teacher].append((class_name, subject, hours))
    return plan


def _sd_plan(lessons: dict, teachers: list[dict]) -> dict[str, list[tuple[str, str, int]]]:
    plan = {}
    for teacher in teachers:
        handle = teacher["email"].split("@")[0]
        if handle in lessons:
            plan[teacher["email"]] = [(lesson["class"], lesson["subject"], lesson["hours"])
                                      for lesson in lessons[handle]]
    return plan


def _timetables(school: School, plan: dict[str, list[tuple[str, str, int]]],
                spec: dict) -> None:
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
                room = spec["rooms"].get(subject, spec["classroom_prefix"] + class_name)
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
