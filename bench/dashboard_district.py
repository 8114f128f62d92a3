# ruff: noqa: S608 - SQL made from this module's own constants, no input
"""The principal's dashboard at district scale on PostgreSQL (issue 13): 500 schools × 60
teachers (4 teams of 15) × one year, about 15 million activity events, and one school's
dashboard timed among them.

Everything is generated inside PostgreSQL so that the bench takes minutes: the people with
`generate_series` (one password hash for all), the log with one `INSERT … SELECT` over
`generate_series(1, 15 000 000)` (verbs in the school bench's shares, an actor of the
school, a time in the last year), plans and observations likewise, and then the rollup by
`INSERT … SELECT … GROUP BY` over the log: each verb counted for its actor as its kind
(service_rollup's table: a saved plan as co-written, a submission as an observation given,
an assessment as feedback given), a room message for its room too, and a pair for the acts
done with a colleague (observations, co-writing, feedback, check-ins: the colleague is one
of the actor's team, taken from the event's id); weeks, months and the whole school's sums
from the day rows, as the migration does. That is a simplification of the replay (no facts
from other tables), made for the volume and the shape of the rows the page reads; that the
rollup equals a recount is tested on real activity (tests/integration/
test_dashboard_rollup.py).

Then the first school's principal's pages are timed through the test client as in
bench/dashboard.py: this term (150 days), the last 30 days, a teacher's /dashboard/me.

Run it alone: `.venv/bin/python -m bench dashboard-district` (writes
bench/results/dashboard_district.json); `DISTRICT_SCHOOLS=50` for a quicker, smaller run.
Not in the full `make bench`: it needs PostgreSQL and about half an hour on a loaded 2-core
machine (18 and 26 minutes on 3 December 2026, most of it the rollup's inserts).
"""

import gc
import os
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.dashboard import P95_BUDGET_MS, QUERIES_BUDGET, PageTiming, time_page
from bench.harness import FAST_HASH, logged_in_client

SCHOOLS = int(os.environ.get("DISTRICT_SCHOOLS", "500"))
TEACHERS = 60
TEAM_SIZE = 15
EVENTS_PER_SCHOOL = 30_000  # 500 × 30 000 = 15 million
PLANS_PER_SCHOOL = 750
OBSERVATIONS_PER_SCHOOL = 350
ROOMS_PER_SCHOOL = 20
DAYS = 365
PRINCIPAL = "kepsek@distrik-0001.sch.id"
TEACHER = "guru007@distrik-0001.sch.id"

# (verb, share, object type, rollup kind of the actor, pair with a colleague)
VERBS = (("room.message", 0.62, "room", "room_message", False),
         ("plan.saved", 0.12, "plan", "plan_cowritten", True),
         ("plan.commented", 0.07, "plan", "comment_given", False),
         ("room.note_added", 0.06, "room", None, False),
         ("assessment.submitted", 0.02, "assessment", "feedback_given", True),
         ("observation.notes_submitted", 0.02, "observation", "observation_given", True),
         ("mentoring.checkin_logged", 0.02, "mentor_pair", "check_in", True),
         ("plan.created", 0.01, "plan", "plan_written", False),
         ("observation.requested", 0.01, "observation", "observation_requested", False),
         ("observation.debriefed", 0.01, "observation", "observation_debriefed", True),
         ("plan.forked", 0.005, "plan", "plan_adapted", False),
         ("member.joined", 0.035, "user", None, False))


@dataclass
class District:
    schools: int
    teachers: int
    events: int
    plans: int
    observations: int
    count_rows: int
    pair_rows: int
    people_s: float
    events_s: float
    rollup_s: float
    analyze_s: float


def _verb_case(column: str, index: int) -> str:
    """A CASE choosing, from a number in [0, 1), the verb's field `index` by share."""
    parts, edge = [], 0.0
    for entry in VERBS:
        edge += entry[1]
        value = entry[index]
        literal = "NULL" if value is None else f"'{value}'" if isinstance(value, str) else \
            ("TRUE" if value else "FALSE")
        parts.append(f"WHEN {column} < {edge:.4f} THEN {literal}")
    return "CASE " + " ".join(parts) + " ELSE NULL END"


def _sql(connection, statement: str, **params) -> None:
    from sqlalchemy import text

    connection.execute(text(statement), params)


def _people(connection, now: datetime) -> None:
    """Schools, their principal and 60 teachers each (ids in school order), teams of 15,
    profiles (a teacher in eight is a novice), a term that began 150 days ago."""
    from werkzeug.security import generate_password_hash

    from collab.demo.seed import DEMO_PASSWORD

    hashed = generate_password_hash(DEMO_PASSWORD, method=FAST_HASH)
    today = now.date()
    _sql(connection, """
        INSERT INTO schools (name, timezone, created_at, anonymous_peer_feedback,
                             pkg_conversion)
        SELECT 'Sekolah Distrik ' || lpad(s::text, 4, '0'), 'Asia/Jakarta', :now, false,
               false FROM generate_series(1, :schools) s""", now=now, schools=SCHOOLS)
    _sql(connection, """
        CREATE TEMP TABLE district_schools AS
        SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM schools
        WHERE name LIKE 'Sekolah Distrik %'""")
    _sql(connection, """
        INSERT INTO users (email, name, password_hash, session_version, created_at)
        SELECT CASE WHEN k = 0 THEN 'kepsek' ELSE 'guru' || lpad(k::text, 3, '0') END
               || '@distrik-' || lpad((d.n + 1)::text, 4, '0') || '.sch.id',
               CASE WHEN k = 0 THEN 'Kepala ' ELSE 'Guru ' || lpad(k::text, 3, '0') || ' '
               END || 'Distrik ' || (d.n + 1), :hashed, 1, :now
        FROM district_schools d, generate_series(0, :teachers) k ORDER BY d.n, k""",
         hashed=hashed, now=now, teachers=TEACHERS)
    _sql(connection, """
        CREATE TEMP TABLE district_people AS
        SELECT u.id, d.id AS school_id, d.n,
               split_part(split_part(u.email, '@', 1), 'guru', 2) AS k
        FROM users u JOIN district_schools d
          ON u.email LIKE '%@distrik-' || lpad((d.n + 1)::text, 4, '0') || '.sch.id'""")
    _sql(connection, """
        INSERT INTO memberships (user_id, school_id, role, joined_at)
        SELECT id, school_id, CASE WHEN k = '' THEN 'principal' ELSE 'teacher' END, :now
        FROM district_people""", now=now)
    _sql(connection, """
        INSERT INTO profiles (user_id, subjects, grades, years_teaching)
        SELECT id, '["Matematika"]', '["7"]', (k::int * 7) % 30 FROM district_people
        WHERE k <> ''""")
    _sql(connection, """
        INSERT INTO teams (school_id, name, created_at)
        SELECT d.id, 'Tim ' || t, :now FROM district_schools d, generate_series(1, :teams) t""",
         now=now, teams=TEACHERS // TEAM_SIZE)
    _sql(connection, """
        INSERT INTO team_members (team_id, user_id)
        SELECT t.id, p.id FROM district_people p JOIN teams t
          ON t.school_id = p.school_id AND t.name = 'Tim ' || ((p.k::int - 1) / :size + 1)
        WHERE p.k <> ''""", size=TEAM_SIZE)
    _sql(connection, """
        INSERT INTO terms (school_id, name, starts_on, ends_on)
        SELECT id, 'Semester', :first, :last FROM district_schools""",
         first=today - timedelta(days=150), last=today + timedelta(days=30))
    # A teacher of school n, k in 1..60, has id first_teacher[n] + k - 1.
    _sql(connection, """
        CREATE TEMP TABLE district_first AS
        SELECT school_id, n, min(id) AS first_id FROM district_people WHERE k <> ''
        GROUP BY school_id, n""")


def _events(connection, now: datetime) -> None:
    """The log: verb by share, an actor of the school, a colleague of the actor's team kept
    in `object_id` for the acts done together (the rollup below reads it), a time in the
    last year. One statement."""
    total = SCHOOLS * EVENTS_PER_SCHOOL
    _sql(connection, f"""
        INSERT INTO activity_events (school_id, actor_id, verb, object_type, object_id,
                                     created_at)
        SELECT f.school_id, f.first_id + e.k - 1, e.verb, e.object_type,
               CASE WHEN e.together
                    THEN f.first_id + ((e.k - 1) / {TEAM_SIZE}) * {TEAM_SIZE}
                         + ((e.k - 1) % {TEAM_SIZE} + 1 + e.g % ({TEAM_SIZE} - 1))
                         % {TEAM_SIZE}
                    ELSE e.g % 1000 + 1 END,
               :now - make_interval(secs => e.r2 * {DAYS * 86_400})
        FROM (SELECT g, 1 + (g / {SCHOOLS}) % {TEACHERS} AS k, g % {SCHOOLS} AS n,
                     {_verb_case('r1', 2)} AS object_type, {_verb_case('r1', 0)} AS verb,
                     {_verb_case('r1', 4)} AS together, r2
              FROM (SELECT g, random() AS r1, random() AS r2
                    FROM generate_series(1, {total}) g) raw) e
        JOIN district_first f ON f.n = e.n""", now=now)


def _rows(connection, now: datetime) -> None:
    """Plans (a third shared with the school, a third with the team) and observations,
    per school, in SQL."""
    _sql(connection, f"""
        INSERT INTO plans (school_id, owner_id, title, body, subject, grade, topic,
                           visibility, is_research_lesson, template_key, revision_number,
                           version, created_at, updated_at)
        SELECT f.school_id, f.first_id + g % {TEACHERS}, 'Rencana ' || g, '', 'Matematika',
               '7', '', (ARRAY['school', 'team', 'private'])[1 + g % 3], g % 5 = 0, '',
               1 + g % 4, 1, :now - make_interval(days => g % {DAYS}),
               :now - make_interval(secs => (g * 7919) % ({DAYS} * 86400))
        FROM district_first f, generate_series(1, {PLANS_PER_SCHOOL}) g""", now=now)
    _sql(connection, f"""
        INSERT INTO observations (school_id, teacher_id, lesson_date, period, class_name,
                                  subject, room, starts_at, ends_at, focus, state,
                                  reflection, created_at, updated_at, completed_at,
                                  debriefed_at, version)
        SELECT f.school_id, f.first_id + g % {TEACHERS}, (o.at)::date, 1 + g % 8, '7A',
               'Matematika', '', o.at, o.at + interval '40 minutes', '', o.state, '', o.at,
               o.at, CASE WHEN o.state IN ('completed', 'debriefed') THEN o.at END,
               CASE WHEN o.state = 'debriefed' THEN o.at + interval '2 days' END, 1
        FROM district_first f, generate_series(1, {OBSERVATIONS_PER_SCHOOL}) g,
             LATERAL (SELECT :now - make_interval(secs => (g * 104729 + f.n) % ({DAYS} * 86400))
                             AS at,
                             (ARRAY['debriefed', 'debriefed', 'completed', 'scheduled',
                                    'cancelled'])[1 + (g + f.n) % 5] AS state) o""", now=now)


def _rollup(connection, _now: datetime) -> None:
    """The rollup from the log in SQL (see the module's note): day rows, then weeks, months
    and the whole school's sums from them, and each teacher's last day with a colleague."""
    kinds = " ".join(f"WHEN '{verb}' THEN '{kind}'" for verb, _s, _o, kind, _t in VERBS
                     if kind)
    day = "(created_at AT TIME ZONE 'Asia/Jakarta')::date"
    _sql(connection, f"""
        CREATE TEMP TABLE district_days AS
        SELECT school_id, {day} AS day, actor_id, verb, object_id, count(*) AS n
        FROM activity_events
        WHERE verb <> 'member.joined' AND school_id IN (SELECT id FROM district_schools)
        GROUP BY school_id, {day}, actor_id, verb, object_id""")
    _sql(connection, f"""
        INSERT INTO dashboard_counts (school_id, span, start, subject_id, kind, count)
        SELECT school_id, 'd', day, actor_id, CASE verb {kinds} END, sum(n)
        FROM district_days WHERE verb <> 'room.note_added'
        GROUP BY school_id, day, actor_id, CASE verb {kinds} END
        UNION ALL
        SELECT school_id, 'd', day, object_id % {ROOMS_PER_SCHOOL} + 1, 'room', sum(n)
        FROM district_days WHERE verb IN ('room.message', 'room.note_added')
        GROUP BY school_id, day, object_id % {ROOMS_PER_SCHOOL} + 1""")
    together = ", ".join(f"'{verb}'" for verb, _s, _o, _k, t in VERBS if t)
    pair_kind = ("CASE verb WHEN 'plan.saved' THEN 'cowrite' WHEN 'assessment.submitted' "
                 "THEN 'feedback' WHEN 'mentoring.checkin_logged' THEN 'mentoring' "
                 "WHEN 'observation.debriefed' THEN 'debrief' ELSE 'observe' END")
    _sql(connection, f"""
        INSERT INTO dashboard_pair_counts (school_id, span, day, first_id, second_id, kind,
                                           count)
        SELECT school_id, 'd', day, least(actor_id, object_id), greatest(actor_id, object_id),
               {pair_kind}, sum(n)
        FROM district_days WHERE verb IN ({together})
        GROUP BY school_id, day, least(actor_id, object_id), greatest(actor_id, object_id),
                 {pair_kind}""")
    for span, start in (("w", "date_trunc('week', {})::date"),
                        ("m", "date_trunc('month', {})::date")):
        _sql(connection, f"""
            INSERT INTO dashboard_counts (school_id, span, start, subject_id, kind, count)
            SELECT school_id, '{span}', {start.format('start')}, subject_id, kind, sum(count)
            FROM dashboard_counts
            WHERE span = 'd' AND school_id IN (SELECT id FROM district_schools)
            GROUP BY school_id, {start.format('start')}, subject_id, kind""")
        _sql(connection, f"""
            INSERT INTO dashboard_pair_counts (school_id, span, day, first_id, second_id,
                                               kind, count)
            SELECT school_id, '{span}', {start.format('day')}, first_id, second_id, kind,
                   sum(count)
            FROM dashboard_pair_counts
            WHERE span = 'd' AND school_id IN (SELECT id FROM district_schools)
            GROUP BY school_id, {start.format('day')}, first_id, second_id, kind""")
    _sql(connection, """
        INSERT INTO dashboard_counts (school_id, span, start, subject_id, kind, count)
        SELECT school_id, span, start, 0, kind, sum(count) FROM dashboard_counts
        WHERE kind <> 'room' AND subject_id <> 0 AND school_id IN (SELECT id FROM district_schools)
        GROUP BY school_id, span, start, kind""")
    _sql(connection, """
        INSERT INTO dashboard_last_collaboration (school_id, user_id, day)
        SELECT school_id, person, max(day) FROM (
            SELECT school_id, first_id AS person, day FROM dashboard_pair_counts
            WHERE span = 'd'
            UNION ALL
            SELECT school_id, second_id, day FROM dashboard_pair_counts WHERE span = 'd') p
        WHERE school_id IN (SELECT id FROM district_schools)
        GROUP BY school_id, person""")


def generate(app) -> District:
    from sqlalchemy import func, select

    from collab.core.activity import ActivityEvent
    from collab.dashboard.models import Count, PairCount
    from collab.extensions import db
    from collab.observations.models import Observation
    from collab.plans.models import Plan

    now = datetime.now(UTC)
    times = []
    with app.app_context():
        with db.engine.begin() as connection:
            for step in (_people, _events, _rows, _rollup):
                started = time.perf_counter()
                step(connection, now)
                times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            _sql(c, "VACUUM ANALYZE")
        analyze_s = time.perf_counter() - started

        def rows(model):
            return db.session.scalar(select(func.count()).select_from(model))

        found = District(SCHOOLS, SCHOOLS * TEACHERS, rows(ActivityEvent), rows(Plan),
                         rows(Observation), rows(Count), rows(PairCount),
                         round(times[0], 1), round(times[1] + times[2], 1),
                         round(times[3], 1), round(analyze_s, 1))
        db.session.remove()
    return found


def run() -> tuple[District, list[PageTiming]]:
    """A PostgreSQL server, the demo data, the district, then the first school's pages."""
    from bench.page_speed import demo_database
    from collab import create_app
    from collab.extensions import db
    from tests.support.pgserver import PostgresServer

    postgres = PostgresServer().start()
    try:
        with TemporaryDirectory(prefix="rembuk-district-") as tmp:
            from bench.harness import bench_config

            url = demo_database(Path(tmp), postgres.create_database("district"))
            config = bench_config(Path(tmp))
            config["SQLALCHEMY_DATABASE_URI"] = url
            app = create_app(config)
            district = generate(app)
            gc.collect()
            gc.freeze()  # the generation's objects are not the pages'
            principal = logged_in_client(app, PRINCIPAL)
            teacher = logged_in_client(app, TEACHER)
            with app.app_context():
                engine = db.engine
            timings = [time_page(principal, engine, path)
                       for path in ("/dashboard/", "/dashboard/?period=last")]
            timings.append(time_page(teacher, engine, "/dashboard/me"))
            with app.app_context():
                db.engine.dispose()
            gc.unfreeze()
    finally:
        postgres.stop()
    return district, timings


def checks(district: District, timings: list) -> list:
    from bench.report import Check

    found = [Check("District: schools", district.schools, "schools"),
             Check("District: activity events", district.events, "events"),
             Check("District: rollup rows (day, week, month)", district.count_rows, "rows"),
             Check("District: pair rows", district.pair_rows, "rows"),
             Check("District: people generated", district.people_s * 1000, "ms"),
             Check("District: log, plans, observations generated", district.events_s * 1000,
                   "ms"),
             Check("District: rollup built in SQL", district.rollup_s * 1000, "ms")]
    for t in timings:
        name = f"District GET {t.path}"
        found += [Check(f"{name} p50", t.p50_ms, "ms"),
                  Check(f"{name} p95", t.p95_ms, "ms", P95_BUDGET_MS, "<"),
                  Check(f"{name} CPU p95", t.cpu_p95_ms, "ms"),
                  Check(f"{name} SQL queries", t.queries, "queries", QUERIES_BUDGET)]
    return found


def details(district: District, timings: list) -> dict:
    return {"budgets": {"p95_ms_under": P95_BUDGET_MS, "queries_at_most": QUERIES_BUDGET},
            "district": asdict(district), "pages": [asdict(t) for t in timings],
            "load_average": os.getloadavg()}
