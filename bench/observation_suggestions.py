"""Observer suggestions for a school of 120 teachers, and the weight of `/observations/`.

A generated school (seeded random, the same every run) joins the demo data: 120 teachers with
subjects and grades, periods Monday to Friday (8 a day, 5 on Friday), a term around today,
full timetables (TEACHING_SHARE of the week's periods each, no class twice in a period) and
OBSERVATIONS observations this month, each booking its teacher and one to three observers.

Then `observer_suggestions.suggest(...)` is timed for random real lessons of random teachers
of the next four weeks, each call on a fresh database session as a request would have it
(WARM_UP calls, then CALLS timed ones; wall and CPU p50/p95/max), and its SQL statements are
counted. Last, `/observations/` is measured as a first view (page_weight.first_view, CSS and
scripts included, compressed as served) for the demo teacher and for a generated teacher
with a full week.
"""

import random
import time
from dataclasses import dataclass
from datetime import time as clock
from datetime import timedelta

from bench.harness import DEMO_TEACHER, FAST_HASH, logged_in_client
from bench.home_time import QueryCounter, percentile
from bench.page_weight import FirstView, first_view

TEACHERS = 120
OBSERVATIONS = 150
TEACHING_SHARE = 0.65
WARM_UP = 10
CALLS = 300
QUERY_SAMPLE = 10
P95_BUDGET_MS = 50.0  # strictly under
PAGE_BUDGET_BYTES = 40_000  # at most, /observations/ first view
SCHOOL = "SMP Bench 120"
SUBJECTS = ("Matematika", "IPA", "Bahasa Indonesia", "Bahasa Inggris", "IPS",
            "Pendidikan Jasmani", "Seni Budaya", "Informatika", "PPKn", "Pendidikan Agama")
CLASSES = [f"{grade}{letter}" for grade in (7, 8, 9) for letter in "ABCDEFGHIJKLMNOPQRST"]
SEED = 20261130


@dataclass
class Generated:
    teachers: int
    lessons: int
    observations: int
    bookings: int


@dataclass
class SuggestTiming:
    """suggest() latency (ms), CPU p95 (ms), the most SQL statements of one call, and how
    many colleagues a call suggested on average."""

    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p95_ms: float
    queries: int
    calls: int
    mean_suggested: float


def _periods() -> list[tuple[clock, clock]]:
    start, times = 7 * 60, []
    for number in range(1, 9):
        times.append((clock(start // 60, start % 60), clock((start + 45) // 60,
                                                            (start + 45) % 60)))
        start += 45 + (15 if number == 4 else 0)
    return times


def generate(rng: random.Random) -> Generated:
    """The generated school, its calendar, timetables and this month's observations."""
    from werkzeug.security import generate_password_hash

    from collab.demo.seed import DEMO_PASSWORD
    from collab.extensions import db
    from collab.observations import service as observations
    from collab.people.models import Membership, Profile, School, User
    from collab.timetables import service as timetables

    school = School(name=SCHOOL, timezone="Asia/Jakarta")
    db.session.add(school)
    db.session.flush()
    for weekday in range(4):
        timetables.set_periods(school, weekday, _periods())
    timetables.set_periods(school, 4, _periods()[:5])
    today = observations.school_today(school)
    timetables.add_term(school, "Semester", today - timedelta(days=120),
                        today + timedelta(days=120))
    password_hash = generate_password_hash(DEMO_PASSWORD, method=FAST_HASH)
    teachers = []
    for number in range(1, TEACHERS + 1):
        user = User(email=f"bench{number:03}@bench.sch.id", name=f"Guru Bench {number:03}",
                    password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        subjects = [rng.choice(SUBJECTS)]
        db.session.add(Membership(user_id=user.id, school_id=school.id, role="teacher"))
        db.session.add(Profile(user_id=user.id, subjects=subjects,
                               grades=rng.sample(["7", "8", "9"], rng.randint(1, 3)),
                               years_teaching=rng.randint(0, 30)))
        teachers.append((user, subjects[0]))
    db.session.flush()
    lessons = _timetables(school, teachers, rng)
    made, bookings = _observations(school, [u for u, _ in teachers], today, rng)
    db.session.commit()
    return Generated(TEACHERS, lessons, made, bookings)


def _timetables(school, teachers, rng: random.Random) -> int:
    from collab.timetables import service as timetables
    from collab.timetables.service import LessonSlot

    slots = [(wd, p.number) for wd, day in sorted(timetables.periods_by_weekday(school.id)
                                                   .items()) for p in day]
    class_busy: set[tuple[str, int, int]] = set()
    count = 0
    for user, subject in teachers:
        wanted = round(len(slots) * TEACHING_SHARE)
        placed = []
        for weekday, number in rng.sample(slots, len(slots)):
            if len(placed) == wanted:
                break
            free = [c for c in CLASSES if (c, weekday, number) not in class_busy]
            if not free:
                continue
            class_name = rng.choice(free)
            class_busy.add((class_name, weekday, number))
            placed.append(LessonSlot(weekday, number, class_name, subject, f"R. {class_name}"))
        timetables.save_timetable(user, placed)
        count += len(placed)
    return count


def _observations(school, users, today, rng: random.Random) -> tuple[int, int]:
    """OBSERVATIONS observations in this month's school days, booked as the service books
    them (rows written directly: only the bookings matter to the suggestions)."""
    from sqlalchemy import select

    from collab.extensions import db
    from collab.observations.models import Observation, ObservationBooking
    from collab.timetables import service as timetables
    from collab.timetables.models import Lesson

    first = today.replace(day=1)
    days = [first + timedelta(days=i) for i in range(31)
            if (first + timedelta(days=i)).month == first.month
            and (first + timedelta(days=i)).weekday() < 5]
    teaching = {(lesson.teacher_id, lesson.weekday, lesson.period) for lesson in
                db.session.scalars(select(Lesson).where(
                    Lesson.school_id == school.id))}
    booked: set[tuple[int, object, int]] = set()
    made = bookings = 0
    periods = timetables.periods_by_weekday(school.id)
    for _ in range(OBSERVATIONS * 4):
        if made == OBSERVATIONS:
            break
        day = rng.choice(days)
        period = rng.choice(periods[day.weekday()])
        teacher = rng.choice(users)
        if (teacher.id, day.weekday(), period.number) not in teaching or (
                teacher.id, day, period.number) in booked:
            continue
        free = [u for u in users if (u.id, day.weekday(), period.number) not in teaching
                and (u.id, day, period.number) not in booked]
        if not free:
            continue
        observers = rng.sample(free, min(len(free), rng.randint(1, 3)))
        starts = timetables.to_utc(school, day, period.starts_at)
        observation = Observation(
            school_id=school.id, teacher_id=teacher.id, lesson_date=day, period=period.number,
            class_name="7A", subject="Matematika", starts_at=starts,
            ends_at=starts + timedelta(minutes=45), focus="Fokus", state="scheduled")
        db.session.add(observation)
        db.session.flush()
        for user, role in [(teacher, "observed"), *((o, "observer") for o in observers)]:
            db.session.add(ObservationBooking(
                school_id=school.id, user_id=user.id, observation_id=observation.id,
                lesson_date=day, period=period.number, role=role))
            booked.add((user.id, day, period.number))
            bookings += 1
        made += 1
    db.session.flush()
    return made, bookings


def _cases(rng: random.Random, count: int) -> list[tuple]:
    """(teacher id, date, period, subject, class) of random real lessons of random
    generated teachers in the next four weeks."""
    from sqlalchemy import select

    from collab.extensions import db
    from collab.observations import service as observations
    from collab.people.models import Membership, School, User
    from collab.timetables import service as timetables

    school = db.session.scalar(select(School).where(School.name == SCHOOL))
    users = list(db.session.scalars(select(User).join(Membership).where(
        Membership.school_id == school.id)))
    today = observations.school_today(school)
    cases = []
    for teacher in rng.sample(users, 20):
        lessons = timetables.upcoming_lessons(teacher, today, weeks=4)
        cases += [(school.id, teacher.id, o.on, o.period, o.subject, o.class_name)
                  for o in rng.sample(lessons, min(len(lessons), 20))]
    return [rng.choice(cases) for _ in range(count)]


def _call(case) -> int:
    from collab.extensions import db
    from collab.observations import service_suggestions as observer_suggestions

    school_id, teacher_id, on, period, subject, class_name = case
    found = observer_suggestions.suggest(school_id, teacher_id, on, period, subject,
                                         class_name, limit=None)
    db.session.remove()
    return len(found)


def time_suggestions(app, rng: random.Random) -> SuggestTiming:
    """Warm up, time CALLS calls, then count the statements of QUERY_SAMPLE calls."""
    from collab.extensions import db

    with app.app_context():
        cases = _cases(rng, WARM_UP + CALLS + QUERY_SAMPLE)
        db.session.remove()
        for case in cases[:WARM_UP]:
            _call(case)
        wall, cpu, suggested = [], [], []
        for case in cases[WARM_UP:WARM_UP + CALLS]:
            start, start_cpu = time.perf_counter(), time.process_time()
            suggested.append(_call(case))
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        most = 0
        for case in cases[WARM_UP + CALLS:]:
            with QueryCounter(db.engine) as counter:
                _call(case)
            most = max(most, counter.count)
    wall.sort()
    cpu.sort()
    return SuggestTiming(
        p50_ms=percentile(wall, 0.50), p95_ms=percentile(wall, 0.95), max_ms=wall[-1],
        cpu_p95_ms=percentile(cpu, 0.95), queries=most, calls=CALLS,
        mean_suggested=round(sum(suggested) / len(suggested), 1))


def run(app) -> tuple[Generated, SuggestTiming, dict[str, FirstView]]:
    """Generate the school, time the suggestions, weigh `/observations/`."""
    from collab.extensions import db

    rng = random.Random(SEED)
    with app.app_context():
        generated = generate(rng)
        db.session.remove()
    timing = time_suggestions(app, rng)
    views = {
        "demo teacher": first_view(logged_in_client(app, DEMO_TEACHER), "/observations/"),
        "full week": first_view(logged_in_client(app, "bench001@bench.sch.id"),
                                "/observations/"),
    }
    return generated, timing, views
