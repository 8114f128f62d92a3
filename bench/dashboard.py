"""The principal's dashboard (issue 13) on a generated school: 120 teachers in 8 teams (8 of
them working with nobody), one year of activity (about 500 000 activity events: room
messages, plan writing and comments, observations through to debriefs, feedback, mentoring
check-ins) among colleagues of a team, their plans, observations, assessments and mentor
pairs as rows, a term that began 150 days ago.

The events are written straight into `activity_events` (seeded random, the same every run)
and the rollup is built by `service_rollup.recount` — the full recount, timed. Then the
principal's pages are timed through the test client: GET /dashboard/ (this term), the last
30 days, a whole year, /dashboard/teachers.csv and /dashboard/me of a teacher; p50, p95 and
max wall time, CPU p95, the most SQL statements of any request, and the first view's bytes.

Budgets: p95 under 100 ms and at most 10 statements for each page, the school page's first
view (HTML + CSS, compressed) at most 60 KB.

On SQLite, then on PostgreSQL (a throwaway server, as tests/support starts it). After
the generation, `gc.freeze()`: its objects are not the pages' (see `run`).

Run it alone: `.venv/bin/python -m bench dashboard` (writes bench/results/dashboard.json).
"""

import gc
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from bench.harness import FAST_HASH, logged_in_client
from bench.home_time import QueryCounter, percentile
from bench.page_weight import first_view

TEACHERS = 120
TEAMS = 8
EVENTS = 500_000
DAYS = 365
PLANS = 1_500
OBSERVATIONS = 700
ASSESSMENTS = 900
PAIRS = 20
ROOMS = 40
WARM_UP = 10
REQUESTS = 100
QUERY_SAMPLE = 5
P95_BUDGET_MS = 100.0  # strictly under
QUERIES_BUDGET = 10  # at most
PAGE_BUDGET_BYTES = 60_000  # at most
SCHOOL = "SMP Bench Dasbor"
PRINCIPAL = "kepsek@dasbor.sch.id"
SEED = 20261203
# Shares of the events by verb (the rest of the log: people and rubric events, not counted).
VERBS = (("room.message", 0.62), ("plan.saved", 0.12), ("plan.commented", 0.07),
         ("room.note_added", 0.06), ("assessment.submitted", 0.02),
         ("observation.notes_submitted", 0.02), ("mentoring.checkin_logged", 0.02),
         ("plan.created", 0.01), ("observation.requested", 0.01),
         ("observation.debriefed", 0.01), ("plan.forked", 0.005), ("member.joined", 0.035))


@dataclass
class Generated:
    teachers: int
    events: int
    plans: int
    observations: int
    assessments: int
    pairs: int
    rollup_rows: int
    pair_rows: int
    generate_s: float
    recount_s: float


@dataclass
class PageTiming:
    path: str
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p95_ms: float
    queries: int
    requests: int


def _people(school, rng: random.Random) -> tuple[list[int], int]:
    from werkzeug.security import generate_password_hash

    from collab.demo.seed import DEMO_PASSWORD
    from collab.extensions import db
    from collab.people.models import Membership, Profile, Team, TeamMember, User

    password_hash = generate_password_hash(DEMO_PASSWORD, method=FAST_HASH)
    principal = User(email=PRINCIPAL, name="Kepala Dasbor", password_hash=password_hash)
    db.session.add(principal)
    db.session.flush()
    db.session.add(Membership(user_id=principal.id, school_id=school.id, role="principal"))
    teams = [Team(school_id=school.id, name=f"Tim {n + 1}") for n in range(TEAMS)]
    db.session.add_all(teams)
    ids = []
    for number in range(1, TEACHERS + 1):
        user = User(email=f"dasbor{number:03}@dasbor.sch.id", name=f"Guru Dasbor {number:03}",
                    password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, school_id=school.id, role="teacher"))
        db.session.add(Profile(user_id=user.id, subjects=["Matematika"], grades=["7"],
                               years_teaching=rng.randint(0, 30)))
        ids.append(user.id)
    db.session.flush()
    for i, user_id in enumerate(ids):
        db.session.add(TeamMember(team_id=teams[i % TEAMS].id, user_id=user_id))
    return ids, principal.id


QUIET = 8  # teachers who work with nobody: the network's isolated ones


def _teams_of(ids: list[int]) -> dict[int, list[int]]:
    """Team members of each active teacher (teacher i is in team i % TEAMS)."""
    active = ids[:-QUIET]
    teams = [[u for i, u in enumerate(active) if i % TEAMS == t] for t in range(TEAMS)]
    return {u: teams[i % TEAMS] for i, u in enumerate(active)}


def _rows(school, ids: list[int], principal_id: int, rng: random.Random, now: datetime):
    """Plans, observations (with observers), assessments and mentor pairs, as rows; each
    with the people who act on it (a plan's authors, an observation's observer, an
    assessment's assessor, a pair's novice, a team room's team): colleagues of one team,
    as in a school, so that the network is a few hundred pairs."""
    from sqlalchemy import select

    from collab.assessments import service_rubrics as rubrics
    from collab.assessments.models import Assessment
    from collab.extensions import db
    from collab.mentoring.models import MentorPair
    from collab.observations.models import Observation, ObservationObserver
    from collab.people.models import User
    from collab.plans.models import Plan

    team_of = _teams_of(ids)
    active = list(team_of)

    def past(days=DAYS):
        return now - timedelta(seconds=rng.randint(0, days * 86_400))

    def colleague(user_id):
        return rng.choice([u for u in team_of[user_id] if u != user_id])

    owners = [rng.choice(active) for _ in range(PLANS)]
    db.session.execute(Plan.__table__.insert(), [
        {"school_id": school.id, "owner_id": owner, "title": f"Rencana {n}", "body": "",
         "visibility": rng.choice(("school", "team", "private")),
         "is_research_lesson": rng.random() < 0.2, "revision_number": 1, "version": 1,
         "created_at": past(), "updated_at": past()} for n, owner in enumerate(owners)])
    plan_ids = list(db.session.scalars(select(Plan.id).where(Plan.school_id == school.id)
                                       .order_by(Plan.id)))
    groups = {("plan", pid): [owner, *{colleague(owner) for _ in range(rng.randint(0, 3))}]
              for pid, owner in zip(plan_ids, owners, strict=True)}
    observations = []
    for n in range(OBSERVATIONS):
        at = past()
        state = rng.choice(("debriefed", "debriefed", "completed", "scheduled", "cancelled"))
        observations.append({
            "school_id": school.id, "teacher_id": rng.choice(active),
            "lesson_date": at.date(), "period": rng.randint(1, 8), "class_name": "7A",
            "subject": "Matematika", "room": "", "starts_at": at,
            "ends_at": at + timedelta(minutes=40), "focus": f"Fokus {n}", "state": state,
            "reflection": "", "created_at": at, "updated_at": at, "version": 1,
            "plan_id": rng.choice(plan_ids) if rng.random() < 0.3 else None,
            "completed_at": at if state in ("completed", "debriefed") else None,
            "debriefed_at": at + timedelta(days=2) if state == "debriefed" else None})
    db.session.execute(Observation.__table__.insert(), observations)
    observed = list(db.session.execute(select(Observation.id, Observation.teacher_id).where(
        Observation.school_id == school.id).order_by(Observation.id)))
    observers = {obs_id: colleague(teacher) for obs_id, teacher in observed}
    db.session.execute(ObservationObserver.__table__.insert(), [
        {"observation_id": obs_id, "user_id": observer, "status": "accepted", "note": "",
         "submitted_at": now} for obs_id, observer in observers.items()])
    for obs_id, teacher in observed:
        groups[("observation", obs_id)] = [teacher, observers[obs_id]]
    rubric = rubrics.create(school.id, db.session.get(User, principal_id), {
        "title": "Umpan balik", "target": "observation",
        "levels": [{"score": 1, "label": "Belum"}, {"score": 2, "label": "Baik"}],
        "criteria": [{"title": "Tujuan", "weight": 1, "descriptors": ["a", "b"]}]},
        publish_now=True)
    version_id = rubrics.latest(rubric).id
    assessed = [rng.choice(active) for _ in range(ASSESSMENTS)]
    assessors = [colleague(a) for a in assessed]
    db.session.execute(Assessment.__table__.insert(), [
        {"school_id": school.id, "rubric_version_id": version_id, "assessed_id": a,
         "assessor_id": b, "kind": rng.choice(("peer", "mentor")), "status": "submitted",
         "created_at": now, "updated_at": now, "version": 1}
        for a, b in zip(assessed, assessors, strict=True)])
    for aid, assessor in zip(db.session.scalars(select(Assessment.id).where(
            Assessment.school_id == school.id).order_by(Assessment.id)), assessors, strict=True):
        groups[("assessment", aid)] = [assessor]
    pairs = rng.sample(active, 2 * PAIRS)
    db.session.execute(MentorPair.__table__.insert(), [
        {"school_id": school.id, "novice_id": pairs[2 * n], "mentor_id": pairs[2 * n + 1],
         "place": 1, "status": "active", "message": "", "answer_note": "", "novice_ok": True,
         "mentor_ok": True, "created_at": past(), "started_at": past()}
        for n in range(PAIRS)])
    for pid, novice in db.session.execute(select(MentorPair.id, MentorPair.novice_id).where(
            MentorPair.school_id == school.id)):
        groups[("mentor_pair", pid)] = [novice]
    for room in range(1, ROOMS + 1):
        groups[("room", room)] = team_of[active[room % len(active)]]
    return groups


def _events(school_id: int, ids: list[int], groups: dict, rng: random.Random,
            now: datetime) -> int:
    """The year's events in time order: a verb, one of its objects, one of the object's
    people as the actor (member events: anyone)."""
    from collab.core.activity import ActivityEvent
    from collab.extensions import db

    verbs = [v for v, _share in VERBS]
    weights = [share for _v, share in VERBS]
    times = sorted(now - timedelta(seconds=rng.randint(0, DAYS * 86_400))
                   for _ in range(EVENTS))
    kinds = {"plan": "plan", "room": "room", "assessment": "assessment",
             "observation": "observation", "mentoring": "mentor_pair", "member": "user"}
    objects: dict = {}
    for object_type, object_id in groups:
        objects.setdefault(object_type, []).append(object_id)
    chunk = []
    for at, verb in zip(times, rng.choices(verbs, weights, k=EVENTS), strict=True):
        object_type = kinds[verb.split(".")[0]]
        if object_type in objects:
            object_id = rng.choice(objects[object_type])
            people = groups[(object_type, object_id)]
            if verb == "plan.commented" and rng.random() < 0.5:
                people = ids[:-QUIET]  # a comment from anywhere in the school
            actor = rng.choice(people)
        else:
            object_id = actor = rng.choice(ids)
        chunk.append({"school_id": school_id, "actor_id": actor, "verb": verb,
                      "object_type": object_type, "object_id": object_id,
                      "created_at": at})
        if len(chunk) == 20_000:
            db.session.execute(ActivityEvent.__table__.insert(), chunk)
            chunk = []
    if chunk:
        db.session.execute(ActivityEvent.__table__.insert(), chunk)
    return EVENTS


def generate(rng: random.Random) -> Generated:
    """The school, its rows and its year of events, then the rollup by a full recount."""
    from sqlalchemy import func, select

    from collab.dashboard import service_rollup as rollup
    from collab.dashboard.models import Count, PairCount
    from collab.extensions import db
    from collab.people.models import School
    from collab.timetables.models import Term

    started = time.perf_counter()
    now = datetime.now(UTC)
    school = School(name=SCHOOL, timezone="Asia/Jakarta")
    db.session.add(school)
    db.session.flush()
    today = now.date()
    db.session.add(Term(school_id=school.id, name="Semester", starts_on=today - timedelta(
        days=150), ends_on=today + timedelta(days=30)))
    ids, principal_id = _people(school, rng)
    groups = _rows(school, ids, principal_id, rng, now)
    events = _events(school.id, ids, groups, rng, now)
    db.session.commit()
    generated_s = time.perf_counter() - started
    started = time.perf_counter()
    rollup.recount(school.id)
    db.session.commit()
    recount_s = time.perf_counter() - started
    rows = db.session.scalar(select(func.count()).select_from(Count).where(
        Count.school_id == school.id))
    pair_rows = db.session.scalar(select(func.count()).select_from(PairCount).where(
        PairCount.school_id == school.id))
    return Generated(TEACHERS, events, PLANS, OBSERVATIONS, ASSESSMENTS, PAIRS, rows,
                     pair_rows, round(generated_s, 1), round(recount_s, 1))


def _get(client, path: str) -> None:
    response = client.get(path)
    status = response.status_code
    response.close()
    if status != 200:
        raise RuntimeError(f"GET {path} answered HTTP {status}")


def time_page(client, engine, path: str) -> PageTiming:
    for _ in range(WARM_UP):
        _get(client, path)
    wall, cpu = [], []
    for _ in range(REQUESTS):
        start, start_cpu = time.perf_counter(), time.process_time()
        _get(client, path)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    most = 0
    for _ in range(QUERY_SAMPLE):
        with QueryCounter(engine) as counter:
            _get(client, path)
        most = max(most, counter.count)
    wall.sort()
    cpu.sort()
    return PageTiming(path, round(percentile(wall, 0.5), 1), round(percentile(wall, 0.95), 1),
                      round(wall[-1], 1), round(percentile(cpu, 0.95), 1), most, REQUESTS)


def run(app):
    """Generate, then time the pages; returns (Generated, [PageTiming], first view)."""
    from collab.extensions import db

    rng = random.Random(SEED)
    with app.app_context():
        generated = generate(rng)
        engine = db.engine
        db.session.remove()
    # The generation's half a million objects are not the pages': without this, Python's
    # full collections walk them during the timed requests (a server process starts
    # without them; docs/dashboard.md, "Budgets").
    gc.collect()
    gc.freeze()
    principal = logged_in_client(app, PRINCIPAL)
    teacher = logged_in_client(app, "dasbor007@dasbor.sch.id")
    year_ago = (datetime.now(UTC) - timedelta(days=DAYS - 1)).date().isoformat()
    today = datetime.now(UTC).date().isoformat()
    timings = [time_page(principal, engine, path) for path in (
        "/dashboard/", "/dashboard/?period=last",
        f"/dashboard/?period=dates&start={year_ago}&end={today}", "/dashboard/teachers.csv")]
    timings.append(time_page(teacher, engine, "/dashboard/me"))
    view = first_view(principal, "/dashboard/")
    gc.unfreeze()
    return generated, timings, view


def run_postgres():
    """The same on PostgreSQL (a throwaway server, as the tests start it)."""
    from pathlib import Path
    from tempfile import TemporaryDirectory

    from bench.harness import bench_config
    from bench.page_speed import demo_database
    from collab import create_app
    from collab.extensions import db
    from tests.support.pgserver import PostgresServer

    postgres = PostgresServer().start()
    try:
        with TemporaryDirectory(prefix="rembuk-dashboard-") as tmp:
            config = bench_config(Path(tmp))
            config["SQLALCHEMY_DATABASE_URI"] = demo_database(
                Path(tmp), postgres.create_database("dashboard"))
            app = create_app(config)
            try:
                return run(app)
            finally:
                with app.app_context():
                    db.engine.dispose()
    finally:
        postgres.stop()


def checks(generated, timings, view, database: str = "SQLite") -> list:
    from bench.report import Check

    found = [Check(f"Dashboard school ({database}): events in the log", generated.events,
                   "events"),
             Check(f"Dashboard school ({database}): rollup rows (day, week, month)",
                   generated.rollup_rows, "rows"),
             Check(f"Dashboard school ({database}): full recount of the log",
                   generated.recount_s * 1000, "ms")]
    for t in timings:
        name = f"Dashboard {database} GET {t.path}"
        found += [Check(f"{name} p50", t.p50_ms, "ms"),
                  Check(f"{name} p95", t.p95_ms, "ms", P95_BUDGET_MS, "<"),
                  Check(f"{name} CPU p95", t.cpu_p95_ms, "ms"),
                  Check(f"{name} SQL queries", t.queries, "queries", QUERIES_BUDGET)]
    found.append(Check(f"Dashboard {database} first view, principal (120 teachers)",
                       view.total_bytes, "bytes", PAGE_BUDGET_BYTES))
    return found


def details(generated, timings, view) -> dict:
    return {"budgets": {"p95_ms_under": P95_BUDGET_MS, "queries_at_most": QUERIES_BUDGET,
                        "first_view_bytes_at_most": PAGE_BUDGET_BYTES},
            "generated": asdict(generated), "pages": [asdict(t) for t in timings],
            "first_view": view.as_dict()}
