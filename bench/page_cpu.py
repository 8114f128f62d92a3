"""CPU time and SQL statements of a cache miss of the teacher's everyday pages (issue 16, item 3).

The demo school on a migrated database (a temporary SQLite file, or with --postgres a
throwaway PostgreSQL server, tests/support/pgserver.py); the demo teacher signs in with the
Flask test client; each path gets WARM_UP requests, then REQUESTS timed ones. For each
request: the process's CPU time (time.process_time, which hardly moves when other programs
compete for the cores), the wall time, the number of SQL statements and the wall time spent
inside the driver (between before_ and after_cursor_execute). The medians are printed with
the 1-minute load average.

The rendered-page cache (docs/page-cache.md) is off, so every request is a miss (what a user
gets when a colleague wrote since their last view); `--cache` turns it on to measure hits.

`python -m bench.page_cpu [--postgres] [--cache] [--requests N] [--profile PATH]` (--profile runs
cProfile over the requests of that one path and prints the top functions: only to find
hotspots, cProfile inflates small calls).
"""

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bench.harness import DEMO_TEACHER, logged_in_client

PATHS = ("/", "/plans/", "/observations/", "/rooms/", "plan page")
WARM_UP = 20
REQUESTS = 300
CONTROL = ("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class SqlMeter:
    """Statements and the wall time spent in the driver, per request."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0
        self.seconds = 0.0
        self.statements: list[str] = []
        self._start = 0.0

    def _before(self, conn, cursor, statement, *args):
        self._start = time.perf_counter()
        if not statement.lstrip().upper().startswith(CONTROL):
            self.count += 1
            self.statements.append(statement)

    def _after(self, conn, cursor, statement, *args):
        self.seconds += time.perf_counter() - self._start

    def reset(self):
        self.count, self.seconds, self.statements = 0, 0.0, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def get(client, path: str) -> str:
    response = client.get(path)
    try:
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered HTTP {response.status_code}")
        return response.get_data(as_text=True)
    finally:
        response.close()


def measure(client, meter: SqlMeter, path: str, requests: int) -> dict:
    for _ in range(WARM_UP):
        get(client, path)
    cpu, wall, sql, counts = [], [], [], []
    for _ in range(requests):
        meter.reset()
        start, start_cpu = time.perf_counter(), time.process_time()
        get(client, path)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
        sql.append(meter.seconds * 1000)
        counts.append(meter.count)
    # The usual count (a rare request makes one more, e.g. the first after a cache expired).
    return {"path": path, "queries": statistics.mode(counts), "cpu_ms": statistics.median(cpu),
            "wall_ms": statistics.median(wall), "sql_ms": statistics.median(sql)}


def profile(client, path: str, requests: int) -> None:
    for _ in range(WARM_UP):
        get(client, path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        get(client, path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(40)


def build(tmp: Path, postgres: bool, cache: bool = False):
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789abcdef")
    from bench.harness import _migrate_and_seed, bench_config
    from collab import create_app

    config = bench_config(tmp)
    config["PAGE_CACHE"] = cache
    server = None
    if postgres:
        from tests.support.pgserver import PostgresServer

        server = PostgresServer().start()
        config["SQLALCHEMY_DATABASE_URI"] = server.create_database("bench")
    app = create_app(config)
    with app.app_context():
        _migrate_and_seed()
    return app, server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--cache", action="store_true", help="the page cache on: measure hits")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--profile", default=None, help="a path of PATHS to profile")
    parser.add_argument("--only", default=None, help="measure only this path")
    parser.add_argument("--statements", action="store_true", help="print each path's SQL")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    from collab.extensions import db

    with tempfile.TemporaryDirectory(prefix="rembuk-cpu-") as tmp:
        app, server = build(Path(tmp), args.postgres, args.cache)
        try:
            with app.app_context():
                engine = db.engine
            client = logged_in_client(app, DEMO_TEACHER)
            plan = re.search(r'href="(/plans/\d+)"', get(client, "/plans/")).group(1)
            paths = [plan if p == "plan page" else p for p in PATHS]
            if args.profile:
                path = plan if args.profile == "plan page" else args.profile
                profile(client, path, args.requests)
                return
            if args.only:
                paths = [plan if args.only == "plan page" else args.only]
            rows = []
            with SqlMeter(engine) as meter:
                for path in paths:
                    rows.append(measure(client, meter, path, args.requests))
                    if args.statements:
                        print(f"--- {path}")
                        for statement in meter.statements:
                            print(" ", " ".join(statement.split())[:300])
            load = os.getloadavg()[0]
            where = "PostgreSQL" if args.postgres else "SQLite"
            print(f"{where}, {args.requests} requests per path, load average {load:.2f}")
            print(f"{'path':<16} {'queries':>7} {'cpu ms':>7} {'wall ms':>8} {'sql ms':>7}")
            for row in rows:
                print(f"{row['path']:<16} {row['queries']:>7} {row['cpu_ms']:>7.2f} "
                      f"{row['wall_ms']:>8.2f} {row['sql_ms']:>7.2f}")
        finally:
            with app.app_context():
                db.engine.dispose()
            if server:
                server.stop()


if __name__ == "__main__":
    main()
