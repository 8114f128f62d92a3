"""The real servers answer a kept-alive connection without Nagle's stall (issue 16): headers
and body leave in two small writes, and without TCP_NODELAY the second waited about 40 ms for
the client's delayed ACK on every request. Checked against `python app.py` (gevent, as
`make run` serves) and `gunicorn -k gevent` (production), each in its own process on a free
loopback port. (ASYNC_MODE=threading serves with Werkzeug, which closes the connection after
each response.) A behaviour, not a timing budget: a stall is 40 ms,
the bound 5 ms, and the median ignores a slow moment of a loaded machine."""

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.appserver import ROOT, SECRET, AppProcess

REQUESTS = 50


@pytest.fixture
def database(tmp_path, migrated_database) -> str:
    if isinstance(migrated_database, Path):
        path = tmp_path / "serving.db"
        shutil.copyfile(migrated_database, path)
        return f"sqlite:///{path}"
    return migrated_database  # PostgreSQL: /healthz reads nothing


def kept_alive_times(port: int, path: str = "/healthz") -> list[float]:
    """Milliseconds per request of REQUESTS sequential GETs on one kept-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times = []
    try:
        for n in range(REQUESTS + 3):
            started = time.perf_counter()
            connection.request("GET", path)
            answer = connection.getresponse()
            body = answer.read()
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status == 200 and answer.getheader("Connection") != "close", body
            if n >= 3:  # the first requests warm the app up
                times.append(elapsed)
        # One connection throughout: http.client would reconnect silently otherwise.
        assert connection.sock is not None
    finally:
        connection.close()
    return times


SERVERS = {
    "app.py, gevent": (None, {}),
    "gunicorn -k gevent": ("gunicorn", {}),
}


@pytest.mark.parametrize("served_by", list(SERVERS))
def test_kept_alive_requests_do_not_wait_for_the_delayed_ack(database, served_by):
    command, env = SERVERS[served_by]
    server = AppProcess(database, env=env)
    if command == "gunicorn":
        server.command = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1",
                          "-b", f"127.0.0.1:{server.port}", "app:app"]
    server.start(timeout=60)
    try:
        times = kept_alive_times(server.port)
    finally:
        server.stop()
    median = statistics.median(times)
    assert median < 5, f"{served_by}: median {median:.1f} ms per request ({sorted(times)})"


# Run in a process of its own: importing app.py builds the app and gevent patches the process.
READ_BACK = """
from gevent import monkey
monkey.patch_all()
import json, socket
import app
listener = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(listener.getsockname())
accepted, address = listener.accept()
before = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
options = app.no_delay_handler(app.socketio.async_mode)
options["handler_class"](accepted, address, None)
after = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
print(json.dumps({"before": before, "after": after, "options": sorted(options)}))
"""


def test_the_gevent_handler_sets_tcp_nodelay_on_the_accepted_socket(database, tmp_path):
    env = {**os.environ, "SECRET_KEY": SECRET, "DATABASE_URL": database,
           "MAIL_OUTBOX": str(tmp_path / "outbox")}
    run = subprocess.run([sys.executable, "-c", READ_BACK], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    read_back = json.loads(run.stdout.strip().splitlines()[-1])
    assert read_back == {"before": 0, "after": 1, "options": ["handler_class"]}
