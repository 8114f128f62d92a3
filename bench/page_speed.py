"""Page speed against a yardstick (issue 16, item 3): requests per second of Rembuk's pages as
a fraction of a bare Flask + Flask-SocketIO "hello" served the same way, in the same run.

The demo school on a migrated SQLite file; `python app.py` (gevent, as `make run` serves)
in its own process; the bare app (bench/bare_app.py) in another, measured before and after
Rembuk, the mean of the two being the yardstick. Each path gets `wrk -t1 -c10` for
WRK_SECONDS on kept-alive connections, anonymous for /healthz and /auth/login, signed in as
the demo's first teacher for the rest (the session cookie as a browser holds it after its
first page, and that browser's User-Agent). A path's ratio is its requests per second over
the yardstick's; the budgets are the issue's: at least 0.8 for /healthz, 0.5 for
/auth/login and 0.2 for the pages a teacher opens every day. Every request after the first
of a page is served from the page cache (docs/page-cache.md), as a teacher's repeated views
within a minute are; /auth/login is a new visitor each time (wrk keeps no cookie).

Needs `wrk` (`make system-deps` installs it); without it the bench says so and measures
nothing. `python -m bench.page_speed` runs this one alone and prints its table.
"""

import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.harness import DEMO_TEACHER, bench_config

WRK_SECONDS = 5
ANONYMOUS = {"/healthz": 0.8, "/auth/login": 0.5}
PAGES = ("/", "/plans/", "/observations/", "/rooms/", "plan page")
PAGE_RATIO_BUDGET = 0.2
BARE_COMMAND = [sys.executable, "-m", "bench.bare_app"]


@dataclass
class Rate:
    path: str
    requests_per_s: float
    ratio: float = 0.0
    budget: float | None = None


@dataclass
class PageSpeed:
    wrk: str | None
    yardstick: list[float] = field(default_factory=list)  # bare hello, before and after
    rates: list[Rate] = field(default_factory=list)


def wrk_rate(wrk: str, url: str, cookie: str | None = None) -> float:
    """Requests per second of `wrk -t1 -c10` on kept-alive connections; every answer
    must be a 200 (wrk counts other statuses as "Non-2xx"). With a cookie, wrk says it is
    the browser that signed in (the User-Agent of `requests`, which did): Flask-Login's
    session protection ties a session to its browser, and a session used from another one
    is a different case (never served from the page cache, docs/page-cache.md)."""
    command = [wrk, "-t1", "-c10", f"-d{WRK_SECONDS}s", url]
    if cookie:
        from requests.utils import default_user_agent

        command[1:1] = ["-H", f"Cookie: {cookie}", "-H", f"User-Agent: {default_user_agent()}"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=WRK_SECONDS + 30)
    if run.returncode != 0:
        raise RuntimeError(f"{url}: wrk exited with {run.returncode}\n{run.stdout}{run.stderr}")
    if "Non-2xx" in run.stdout:
        raise RuntimeError(f"{url}: answers other than 200\n{run.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1))


def demo_database(tmp: Path, url: str | None = None) -> str:
    """A migrated database holding the demo data (a SQLite file in `tmp`, or the empty
    database at `url`); its URL."""
    from bench.harness import _migrate_and_seed
    from collab import create_app
    from collab.extensions import db

    config = bench_config(tmp)
    if url:
        config["SQLALCHEMY_DATABASE_URI"] = url
    app = create_app(config)
    with app.app_context():
        _migrate_and_seed()
        db.engine.dispose()
    return app.config["SQLALCHEMY_DATABASE_URI"]


def bare_rate(wrk: str) -> float:
    from tests.support.appserver import AppProcess

    bare = AppProcess("sqlite://", command=BARE_COMMAND)
    bare.start(timeout=60)
    try:
        return wrk_rate(wrk, bare.url + "/")
    finally:
        bare.stop()


def first_plan_path(base_url: str, cookie: str) -> str:
    """The first plan listed on the teacher's /plans/ page."""
    import requests

    page = requests.get(f"{base_url}/plans/", headers={"Cookie": cookie}, timeout=10).text
    return re.search(r'href="(/plans/\d+)"', page).group(1)


def measure_pages(wrk: str, base_url: str) -> list[Rate]:
    """Requests per second of every path measured, at `base_url` (ratios not yet set)."""
    from collab.demo import content
    from tests.support.appserver import cookie_header, signed_in

    rates = [Rate(path, wrk_rate(wrk, base_url + path), budget=budget)
             for path, budget in ANONYMOUS.items()]
    with signed_in(base_url, DEMO_TEACHER, content.load().password) as http:
        # The cookie a browser holds once signed in: its first page gave the session its
        # CSRF secret (a cookie without one makes every answer set a new one).
        http.get(base_url + "/", timeout=10)
        cookie = cookie_header(http)
    for page in PAGES:
        path = first_plan_path(base_url, cookie) if page == "plan page" else page
        rates.append(Rate(page, wrk_rate(wrk, base_url + path, cookie),
                          budget=PAGE_RATIO_BUDGET))
    return rates


def set_ratios(speed: PageSpeed) -> PageSpeed:
    bare = sum(speed.yardstick) / len(speed.yardstick)
    for rate in speed.rates:
        rate.ratio = rate.requests_per_s / bare
    return speed


def run() -> PageSpeed:
    from tests.support.appserver import AppProcess

    speed = PageSpeed(wrk=shutil.which("wrk"))
    if not speed.wrk:
        return speed
    speed.yardstick.append(bare_rate(speed.wrk))
    with TemporaryDirectory(prefix="rembuk-speed-") as tmp:
        server = AppProcess(demo_database(Path(tmp)))
        server.start(timeout=60)
        try:
            speed.rates = measure_pages(speed.wrk, server.url)
        except RuntimeError as error:
            raise RuntimeError(f"{error}\nthe server's log:\n{server.log()}") from error
        finally:
            server.stop()
    speed.yardstick.append(bare_rate(speed.wrk))
    return set_ratios(speed)


def checks(speed: PageSpeed, where: str = "") -> list:
    from bench.report import Check

    if not speed.rates:
        return []
    found = [Check(f"wrk -c10 bare hello{where} (yardstick, mean of before and after)",
                   sum(speed.yardstick) / len(speed.yardstick), "req/s")]
    for rate in speed.rates:
        found += [Check(f"wrk -c10 {rate.path}{where}", rate.requests_per_s, "req/s"),
                  Check(f"{rate.path} / bare hello{where}", round(rate.ratio, 3), "ratio",
                        rate.budget, ">=")]
    return found


def details(speed: PageSpeed) -> dict:
    return {"wrk": speed.wrk, "yardstick_req_per_s": speed.yardstick,
            "budgets": {**ANONYMOUS, "pages": PAGE_RATIO_BUDGET},
            "rates": [asdict(r) for r in speed.rates]}


if __name__ == "__main__":
    import logging

    from bench.report import table

    logging.disable(logging.INFO)
    measured = run()
    print(table(checks(measured)))
    if not measured.wrk:
        print("wrk is not installed (make system-deps installs it): nothing measured.")
    sys.exit(1 if any(c.passed is False for c in checks(measured)) else 0)
