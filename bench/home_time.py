"""Home page server time and SQL queries per request, for a teacher and a principal.

Each user gets a signed-in test client; after a warm-up, GET / is timed with perf_counter
around the test-client call (so the figure is Flask + app + SQLite, without a network). The
process's CPU time per request is recorded too: unlike wall time it hardly moves when other
programs compete for the cores, so it tells a slow machine from a slower app. The
number of SQL statements per request is counted with a `before_cursor_execute` listener on the
engine, ignoring transaction control (BEGIN, COMMIT, ROLLBACK) and PRAGMAs.
"""

import math
import threading
import time
from dataclasses import dataclass

from sqlalchemy import event

from bench.harness import DEMO_PRINCIPAL, DEMO_TEACHER, logged_in_client

WARM_UP = 20
REQUESTS = 300
QUERY_SAMPLE = 10
CONTROL_STATEMENTS = ("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK")


@dataclass
class HomeTiming:
    """Latency percentiles (ms), CPU time p95 (ms) and the most SQL queries of one request."""

    user: str
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p95_ms: float
    queries: int
    requests: int


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (share in 0..1)."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


class QueryCounter:
    """Counts SQL statements on an engine, leaving out transaction control and PRAGMAs, and
    those of other threads (the mail outbox's sender polls the same engine: a poll that
    fell inside a timed request was counted as the page's)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.count = 0
        self.statements: list[str] = []
        self.thread = threading.get_ident()

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() != self.thread:
            return
        if not statement.lstrip().upper().startswith(CONTROL_STATEMENTS):
            self.count += 1
            self.statements.append(statement)

    def __enter__(self) -> "QueryCounter":
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def get_home(client) -> None:
    """One GET / that must answer 200."""
    response = client.get("/")
    status = response.status_code
    response.close()
    if status != 200:
        raise RuntimeError(f"GET / answered HTTP {status}")


def time_requests(client, count: int) -> tuple[list[float], list[float]]:
    """Wall and CPU durations in ms of `count` GET / requests, each list ascending."""
    wall, cpu = [], []
    for _ in range(count):
        start, start_cpu = time.perf_counter(), time.process_time()
        get_home(client)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return sorted(wall), sorted(cpu)


def max_queries(client, engine, count: int = QUERY_SAMPLE) -> int:
    """The most SQL queries any of `count` GET / requests made."""
    most = 0
    for _ in range(count):
        with QueryCounter(engine) as counter:
            get_home(client)
        most = max(most, counter.count)
    return most


def measure(app, engine, email: str) -> HomeTiming:
    """Warm up, time REQUESTS home requests, then count queries, for one user."""
    client = logged_in_client(app, email)
    time_requests(client, WARM_UP)
    durations, cpu = time_requests(client, REQUESTS)
    return HomeTiming(
        user=email,
        p50_ms=percentile(durations, 0.50),
        p95_ms=percentile(durations, 0.95),
        max_ms=durations[-1],
        cpu_p95_ms=percentile(cpu, 0.95),
        queries=max_queries(client, engine),
        requests=REQUESTS,
    )


def run(app) -> dict[str, HomeTiming]:
    """Home timings for the demo teacher and the demo principal."""
    from collab.extensions import db

    with app.app_context():
        engine = db.engine
    return {
        "teacher": measure(app, engine, DEMO_TEACHER),
        "principal": measure(app, engine, DEMO_PRINCIPAL),
    }
