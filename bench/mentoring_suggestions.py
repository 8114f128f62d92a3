"""Mentor suggestions for one novice in a school of 120 teachers with full timetables
(issue 12; budget: server time p95 under 50 ms, a constant number of queries).

The generated school of bench/observation_suggestions.py (120 teachers, seeded random, years
of teaching 0–30, timetables filling 65 % of the week, 150 observations this month) joins a
fresh demo database; then every experienced teacher offers to mentor one to three novices
with one to three of the focus areas, a few past plans are co-authored, and a third of the
novices already have a mentor. `suggest(load_pool(school), novice)` — what /mentoring/ does
for a novice without a mentor — is timed for random unpaired novices, each call on a fresh
database session as a request would have it (WARM_UP calls, then CALLS timed ones; wall and
CPU p50/p95/max), and the statements of a call are counted.

Run alone: `python -m bench.mentoring_suggestions`.
"""

import random
import time
from dataclasses import dataclass

from bench.harness import demo_app
from bench.home_time import QueryCounter, percentile
from bench.observation_suggestions import SCHOOL, generate

WARM_UP = 10
CALLS = 300
QUERY_SAMPLE = 10
P95_BUDGET_MS = 50.0  # strictly under
SEED = 20261203


@dataclass
class Pool:
    teachers: int
    willing_mentors: int
    novices: int
    paired_novices: int
    shared_plans: int


@dataclass
class SuggestTiming:
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p95_ms: float
    queries: int
    calls: int
    mean_suggested: float


def prepare(rng: random.Random) -> tuple[Pool, int, list[int]]:
    """Offers, wishes, past plans and existing pairs in the generated school; returns the
    pool, the school's id and the unpaired novices' ids."""
    from sqlalchemy import select

    from collab.extensions import db
    from collab.mentoring import service as mentoring
    from collab.mentoring.service import FOCUS_AREAS
    from collab.people.models import Membership, School, User
    from collab.plans import service as plans

    school = db.session.scalar(select(School).where(School.name == SCHOOL))
    users = list(db.session.scalars(select(User).join(Membership).where(
        Membership.school_id == school.id).order_by(User.id)))
    areas = list(FOCUS_AREAS)
    mentors = [u for u in users if mentoring.can_mentor(u)]
    novices = [u for u in users if mentoring.is_novice(u)]
    for mentor in mentors:
        mentoring.set_offer(mentor, rng.randint(1, 3), mentor.profile.subjects,
                            mentor.profile.grades, rng.sample(areas, rng.randint(1, 3)))
    for novice in novices:
        mentoring.set_wishes(novice, rng.sample(areas, rng.randint(1, 3)))
    shared = 0
    for novice in novices:
        for mentor in rng.sample(mentors, 2):
            plan = plans.create(novice, plans.PlanFields(title="Rencana bersama", body="x"))
            plans.set_coauthors(plan, {mentor.id}, novice)
            shared += 1
    paired = 0
    for novice in rng.sample(novices, len(novices) // 3):
        for mentor in rng.sample(mentors, len(mentors)):
            try:
                with db.session.begin_nested():
                    pair = mentoring.request_mentor(novice, mentor)
                    mentoring.answer(pair, mentor, True)
            except mentoring.MentoringError:
                continue
            paired += 1
            break
    db.session.commit()
    taken = {p.novice_id for p in mentoring.school_pairs(school.id)}
    free = [n.id for n in novices if n.id not in taken]
    return Pool(len(users), len(mentors), len(novices), paired, shared), school.id, free


def _call(school_id: int, novice_id: int) -> int:
    from collab.extensions import db
    from collab.mentoring.service_suggestions import load_pool, suggest

    found = suggest(load_pool(school_id), novice_id)
    db.session.remove()
    return len(found)


def time_suggestions(app, school_id: int, novices: list[int],
                     rng: random.Random) -> SuggestTiming:
    from collab.extensions import db

    cases = [rng.choice(novices) for _ in range(WARM_UP + CALLS + QUERY_SAMPLE)]
    with app.app_context():
        db.session.remove()
        for novice in cases[:WARM_UP]:
            _call(school_id, novice)
        wall, cpu, suggested = [], [], []
        for novice in cases[WARM_UP:WARM_UP + CALLS]:
            start, start_cpu = time.perf_counter(), time.process_time()
            suggested.append(_call(school_id, novice))
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        most = 0
        for novice in cases[WARM_UP + CALLS:]:
            with QueryCounter(db.engine) as counter:
                _call(school_id, novice)
            most = max(most, counter.count)
    wall.sort()
    cpu.sort()
    return SuggestTiming(
        p50_ms=round(percentile(wall, 0.50), 2), p95_ms=round(percentile(wall, 0.95), 2),
        max_ms=round(wall[-1], 2), cpu_p95_ms=round(percentile(cpu, 0.95), 2), queries=most,
        calls=CALLS, mean_suggested=round(sum(suggested) / len(suggested), 1))


def run(app) -> tuple[Pool, SuggestTiming]:
    """Generate the school, set up mentoring in it, time the suggestions."""
    from collab.extensions import db

    rng = random.Random(SEED)
    with app.app_context():
        generate(rng)
        pool, school_id, novices = prepare(rng)
        db.session.remove()
    return pool, time_suggestions(app, school_id, novices, rng)


if __name__ == "__main__":
    with demo_app() as bench_app:
        made, timing = run(bench_app)
    print(made)
    print(timing)
    verdict = "met" if timing.p95_ms < P95_BUDGET_MS else "MISSED"
    print(f"budget p95 < {P95_BUDGET_MS} ms: {verdict}")
