"""Page speed on the scale-out path (issue 16, item 5): two `gunicorn -k gevent -w 1`
processes behind nginx, on PostgreSQL, sharing Redis (Socket.IO's queue and the rate limits),
as docs/deploy.md sets them up; the ratios of bench/page_speed.py measured through nginx
against two bare hello processes behind the same nginx configuration, in the same run.

nginx (Debian's package, `make system-deps`), PostgreSQL and Redis are started by the bench
on loopback ports and stopped after it. The upstream is round-robin, not the `ip_hash` of
docs/deploy.md: every wrk connection comes from 127.0.0.1, and `ip_hash` would send them all
to one process (HTTP needs no stickiness; Socket.IO's long-polling does, and is not measured
here — bench/rooms_load.py measures the rooms across two processes).

Without wrk or nginx the bench says so and measures nothing.
`python -m bench.scale_out` runs this one alone and prints its table.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.page_speed import (
    BARE_COMMAND,
    PageSpeed,
    demo_database,
    measure_pages,
    set_ratios,
    wrk_rate,
)

PROCESSES = 2
WHERE = ", 2 × gunicorn behind nginx, PostgreSQL"

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream rembuk {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        location / {{
            proxy_pass http://rembuk;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


class Nginx:
    """nginx on a free loopback port in front of `ports`, with its files in a temp folder."""

    def __init__(self, ports: list[int]):
        from tests.support.pgserver import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root = Path(tempfile.mkdtemp(prefix="rembuk-nginx-"))
        servers = "\n".join(f"        server 127.0.0.1:{p};" for p in ports)
        # As root, nginx's workers would otherwise run as nobody, who cannot use the folder.
        user = "user root;" if os.geteuid() == 0 else ""
        (self.root / "nginx.conf").write_text(NGINX_CONF.format(
            root=self.root, user=user, servers=servers, port=self.port))
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> "Nginx":
        from tests.support.redisserver import end_with_parent

        self.process = subprocess.Popen(
            [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(self.root), "-c",
             str(self.root / "nginx.conf")], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=end_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:  # noqa: S310 (our own loopback URL)
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not answer on port {self.port}")

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                self.process.wait(timeout=10)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _gunicorn(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1",
            "-b", f"127.0.0.1:{port}", "app:app"]


def _behind_nginx(processes: list, measure):
    """Start `processes` and nginx before them, run `measure(nginx url)`, stop them all."""
    started = []
    try:
        for process in processes:
            started.append(process.launch())
        for process in processes:
            process.wait_ready(timeout=60)
        nginx = Nginx([p.port for p in processes]).start()
        try:
            return measure(nginx.url)
        finally:
            nginx.stop()
    finally:
        for process in started:
            process.stop()


def bare_rate(wrk: str) -> float:
    from tests.support.appserver import AppProcess

    bare = [AppProcess("sqlite://", command=BARE_COMMAND) for _ in range(PROCESSES)]
    return _behind_nginx(bare, lambda url: wrk_rate(wrk, url + "/"))


def run() -> PageSpeed:
    from tests.support.appserver import AppProcess
    from tests.support.pgserver import PostgresServer
    from tests.support.redisserver import RedisServer

    speed = PageSpeed(wrk=shutil.which("wrk"))
    if not speed.wrk or not nginx_binary():
        speed.wrk = None
        return speed
    speed.yardstick.append(bare_rate(speed.wrk))
    postgres = PostgresServer().start()
    redis = RedisServer().start()
    try:
        with TemporaryDirectory(prefix="rembuk-scale-") as tmp:
            url = demo_database(Path(tmp), postgres.create_database("speed"))
            shared = {"RATELIMIT_STORAGE_URI": redis.url, "PROXY_COUNT": "1"}
            processes = [AppProcess(url, redis.url, env=shared) for _ in range(PROCESSES)]
            for process in processes:
                process.command = _gunicorn(process.port)
            speed.rates = _behind_nginx(processes,
                                        lambda base: measure_pages(speed.wrk, base))
    finally:
        redis.stop()
        postgres.stop()
    speed.yardstick.append(bare_rate(speed.wrk))
    return set_ratios(speed)


def checks(speed: PageSpeed) -> list:
    from bench import page_speed

    return page_speed.checks(speed, WHERE)


def details(speed: PageSpeed) -> dict:
    from bench import page_speed

    return {"processes": PROCESSES, **page_speed.details(speed)}


if __name__ == "__main__":
    import logging

    from bench.report import table

    logging.disable(logging.INFO)
    measured = run()
    print(table(checks(measured)))
    if not measured.wrk:
        print("wrk or nginx is not installed (make system-deps installs them): nothing "
              "measured.")
    sys.exit(1 if any(c.passed is False for c in checks(measured)) else 0)
