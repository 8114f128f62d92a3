"""Plan list and search (/plans/) server time and SQL queries, on a generated set of plans.

The demo data gets `plans_data.generate()` plans (20 000 unless REMBUK_BENCH_PLANS says
otherwise). The demo teacher then signs in and, for each case below, makes WARM_UP requests
and REQUESTS timed ones (perf_counter around the test-client call, plus the process's CPU
time), then QUERY_SAMPLE requests with a statement counter on the engine.
"""

import gc
import re
import time
from dataclasses import dataclass

from bench import plans_data
from bench.harness import DEMO_TEACHER, logged_in_client
from bench.home_time import QueryCounter, percentile

WARM_UP = 10
REQUESTS = 120
QUERY_SAMPLE = 5
P95_BUDGET_MS = 50.0  # strictly under
QUERIES_BUDGET = 8  # at most

CASES = {
    "list": "/plans/",
    "search, common word": f"/plans/?q={plans_data.COMMON_WORD}",
    "search, rare word": f"/plans/?q={plans_data.RARE_WORD}",
    "search, prefix": "/plans/?q=pecah",
    "subject + tag": "/plans/?subject=Matematika&tag=numerasi",
    "page 50": "/plans/?page=50",
}


@dataclass
class PlanListTiming:
    """One case: latency percentiles (ms), CPU p95 (ms), the most SQL queries of a request,
    and how many plans the page said matched."""

    case: str
    path: str
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p95_ms: float
    queries: int
    requests: int
    total_shown: str


def get_page(client, path: str) -> str:
    """One GET that must answer 200; returns the page's text."""
    response = client.get(path)
    try:
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered HTTP {response.status_code}")
        return response.get_data(as_text=True)
    finally:
        response.close()


def time_requests(client, path: str, count: int) -> tuple[list[float], list[float]]:
    """Wall and CPU durations in ms of `count` GETs of `path`, each list ascending."""
    wall, cpu = [], []
    for _ in range(count):
        start, start_cpu = time.perf_counter(), time.process_time()
        get_page(client, path)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return sorted(wall), sorted(cpu)


def max_queries(client, engine, path: str) -> int:
    """The most SQL statements any of QUERY_SAMPLE GETs of `path` made."""
    most = 0
    for _ in range(QUERY_SAMPLE):
        with QueryCounter(engine) as counter:
            get_page(client, path)
        most = max(most, counter.count)
    return most


def shown_total(html: str) -> str:
    """The "N plans" line of the page (to show that the searches found something)."""
    match = re.search(r'<p role="status">([^<]*)</p>', html)
    return match.group(1).strip() if match else "?"


def measure(client, engine, case: str, path: str) -> PlanListTiming:
    """Warm up, time, count queries, for one path."""
    time_requests(client, path, WARM_UP)
    durations, cpu = time_requests(client, path, REQUESTS)
    return PlanListTiming(
        case=case, path=path,
        p50_ms=percentile(durations, 0.50), p95_ms=percentile(durations, 0.95),
        max_ms=durations[-1], cpu_p95_ms=percentile(cpu, 0.95),
        queries=max_queries(client, engine, path), requests=REQUESTS,
        total_shown=shown_total(get_page(client, path)),
    )


def run(app) -> tuple[plans_data.Generated, dict[str, PlanListTiming]]:
    """Generate the plans, then time every case as the demo teacher."""
    from collab.extensions import db

    with app.app_context():
        generated = plans_data.generate(plans_data.plan_count())
        db.session.remove()
        engine = db.engine
    gc.collect()  # the generator's garbage is not the server's
    client = logged_in_client(app, DEMO_TEACHER)
    return generated, {case: measure(client, engine, case, path) for case, path in CASES.items()}
