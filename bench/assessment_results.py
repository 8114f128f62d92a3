"""A teacher's assessment results page with 200 assessments: server time and SQL queries.

guru01 of the demo gets REQUESTS feedback requests on the plan-quality rubric, each answered
by ASSESSORS colleagues (REQUESTS × ASSESSORS = 200 submitted assessments, ratings seeded
random, the same every run), months apart. The newest request's results page then shows its
ten colleagues, the agreement per criterion across all twenty plans and the growth chart
across all 200 assessments. WARM_UP requests, then REQUESTS_TIMED timed ones (wall and CPU),
then the most SQL statements of QUERY_SAMPLE requests.
"""

import random
import time
from dataclasses import dataclass
from datetime import timedelta

from bench.harness import DEMO_TEACHER, logged_in_client
from bench.home_time import QueryCounter, percentile

REQUESTS, ASSESSORS = 20, 10
WARM_UP, REQUESTS_TIMED, QUERY_SAMPLE = 10, 100, 5
P95_BUDGET_MS = 100.0  # strictly under
SEED = 20261130


@dataclass
class ResultsTiming:
    assessments: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p95_ms: float
    queries: int


def generate() -> int:
    """The requests and their submitted assessments; returns the newest request's id."""
    from sqlalchemy import select

    from collab.assessments import service as assessments
    from collab.assessments import service_rubrics as rubrics
    from collab.core.models import utcnow
    from collab.extensions import db
    from collab.people.models import Membership, User
    from collab.plans.models import Plan

    rng = random.Random(SEED)
    teacher = db.session.scalar(select(User).where(User.email == DEMO_TEACHER))
    school_id = teacher.school_id
    version = rubrics.published(rubrics.from_library(school_id, teacher, "plan_quality", "id"))
    colleagues = list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.school_id == school_id, User.id != teacher.id)
        .order_by(User.id)))[:ASSESSORS]
    plan = db.session.scalar(select(Plan).where(Plan.owner_id == teacher.id).order_by(Plan.id))
    today = utcnow().date()
    newest = None
    for n in range(REQUESTS):
        request = assessments.request_feedback(teacher, assessments.RequestFields(
            rubric_version_id=version.id, assessor_ids=[c.id for c in colleagues],
            due_on=today, plan_id=plan.id, with_self=False), today)
        for assessment in request.assessments:
            ratings = {c.id: assessments.Rating(rng.choice(version.levels).id, "Bagus",
                                                "Coba lagi") for c in version.criteria}
            assessments.save(assessment, assessment.assessor, ratings, submit=True)
            assessment.submitted_at = utcnow() - timedelta(days=7 * (REQUESTS - n))
        newest = request.id
    db.session.commit()
    return newest


def run(app) -> ResultsTiming:
    from collab.extensions import db

    with app.app_context():
        request_id = generate()
        engine = db.engine
        db.session.remove()
    client = logged_in_client(app, DEMO_TEACHER)
    path = f"/assessments/requests/{request_id}"

    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        response.close()

    for _ in range(WARM_UP):
        get()
    wall, cpu = [], []
    for _ in range(REQUESTS_TIMED):
        start, start_cpu = time.perf_counter(), time.process_time()
        get()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    cpu.sort()
    most = 0
    for _ in range(QUERY_SAMPLE):
        with QueryCounter(engine) as counter:
            get()
        most = max(most, counter.count)
    return ResultsTiming(assessments=REQUESTS * ASSESSORS, p50_ms=percentile(wall, 0.5),
                         p95_ms=percentile(wall, 0.95), max_ms=wall[-1],
                         cpu_p95_ms=percentile(cpu, 0.95), queries=most)


if __name__ == "__main__":
    import logging

    from bench.harness import demo_app

    logging.disable(logging.INFO)
    with demo_app() as bench_app:
        print(run(bench_app))
