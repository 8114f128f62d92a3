"""The serving stack on real sockets (issue 16, item 1): requests on one kept-alive
connection, as a browser sends them.

A migrated SQLite database with one school; the app runs as its own process, once as
`make run` serves it (`python app.py`: gevent's WSGI server) and once as production does
(`gunicorn -k gevent -w 1`). Against each, on a free loopback port:

- kept-alive: WARM_UP then REQUESTS sequential GETs on one HTTP/1.1 connection
  (`http.client`), for `/healthz` and `/auth/login` (anonymous); the time of each request,
  p50, p95 and max. Nagle's algorithm meeting the client's delayed ACK shows as about 40 ms
  per request; the budget is the test's (tests/integration/test_serving.py): p50 under 5 ms
  for `/healthz`.
- throughput, when `wrk` is installed (`make system-deps` installs it): `wrk -t1 -c10` for
  WRK_SECONDS per path, requests per second, keep-alive (wrk's default). For information.

`python -m bench.serving` runs this one alone and prints its table.
"""

import http.client
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.home_time import percentile

PATHS = ("/healthz", "/auth/login")
WARM_UP = 10
REQUESTS = 200
WRK_SECONDS = 5
P50_BUDGET_MS = 5.0  # /healthz on a kept-alive connection, strictly under


@dataclass
class KeptAlive:
    server: str
    path: str
    p50_ms: float
    p95_ms: float
    max_ms: float
    requests_per_s: float | None = None  # wrk, when installed


@dataclass
class Serving:
    results: list[KeptAlive] = field(default_factory=list)
    wrk: str | None = None  # wrk's path, or None when it is not installed


def kept_alive(port: int, path: str) -> list[float]:
    """Milliseconds per request on one kept-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times = []
    try:
        for n in range(WARM_UP + REQUESTS):
            started = time.perf_counter()
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
            if n >= WARM_UP:
                times.append((time.perf_counter() - started) * 1000)
            if answer.status != 200:
                raise RuntimeError(f"{path}: HTTP {answer.status}")
    finally:
        connection.close()
    return times


def wrk_rate(wrk: str, url: str) -> float:
    run = subprocess.run([wrk, "-t1", "-c10", f"-d{WRK_SECONDS}s", url],
                         capture_output=True, text=True, timeout=WRK_SECONDS + 30, check=True)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1))


def servers(port: int) -> dict[str, list[str] | None]:
    return {
        "python app.py (gevent)": None,
        "gunicorn -k gevent": [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1",
                               "-b", f"127.0.0.1:{port}", "app:app"],
    }


def run() -> Serving:
    from tests.support.appserver import AppProcess, make_rooms_database

    serving = Serving(wrk=shutil.which("wrk"))
    with TemporaryDirectory(prefix="rembuk-serving-") as tmp:
        database_url, _ = make_rooms_database(Path(tmp), rooms=1, per_room=1)
        for name in servers(0):
            server = AppProcess(database_url)
            command = servers(server.port)[name]
            if command is not None:
                server.command = command
            server.start(timeout=60)
            try:
                for path in PATHS:
                    times = sorted(kept_alive(server.port, path))
                    result = KeptAlive(name, path, percentile(times, 0.5),
                                       percentile(times, 0.95), times[-1])
                    if serving.wrk:
                        result.requests_per_s = wrk_rate(serving.wrk, server.url + path)
                    serving.results.append(result)
            finally:
                server.stop()
    return serving


def checks(serving: Serving) -> list:
    from bench.report import Check

    found = []
    for r in serving.results:
        name = f"Kept-alive {r.path}, {r.server}"
        budget = P50_BUDGET_MS if r.path == "/healthz" else None
        found += [Check(f"{name} p50", r.p50_ms, "ms", budget, "<"),
                  Check(f"{name} p95", r.p95_ms, "ms"),
                  Check(f"{name} max", r.max_ms, "ms")]
        if r.requests_per_s is not None:
            found.append(Check(f"wrk -c10 {r.path}, {r.server}", r.requests_per_s, "req/s"))
    return found


def details(serving: Serving) -> dict:
    return {"budgets": {"healthz_kept_alive_p50_ms_under": P50_BUDGET_MS},
            "wrk": serving.wrk, "results": [asdict(r) for r in serving.results]}


if __name__ == "__main__":
    import logging

    from bench.report import table

    logging.disable(logging.INFO)
    measured = run()
    print(table(checks(measured)))
    if not measured.wrk:
        print("wrk is not installed (make system-deps installs it): no requests/s figures.")
    sys.exit(1 if any(c.passed is False for c in checks(measured)) else 0)
