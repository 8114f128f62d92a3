"""A request that holds gevent's loop is named in the log (issue 16, item 4;
collab/core/serving.py, watch_the_loop). A served app in its own process, gevent-patched as
`python app.py` and `gunicorn -k gevent` are, with one extra route that computes for a second
without yielding: its request is reported, /healthz's is not."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.appserver import ROOT, SECRET

SCRIPT = r"""
from gevent import monkey
monkey.patch_all()

import json, logging, time, urllib.request
import gevent
from gevent.pywsgi import WSGIServer

from collab import create_app
from collab.core import web
from collab.core.serving import watch_the_loop

records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger("rembuk.loop").addHandler(Keep())

app = create_app()

@app.get("/spin")
def spin():
    end = time.process_time() + 1.0
    while time.process_time() < end:
        pass
    return "done"

web.PUBLIC_ENDPOINTS = web.PUBLIC_ENDPOINTS | {"spin"}  # no sign-in for this one

watching = watch_the_loop(app, 50)
server = WSGIServer(("127.0.0.1", 0), app, log=None)
server.start()
base = f"http://127.0.0.1:{server.server_port}"
quiet = []
for _ in range(5):
    urllib.request.urlopen(base + "/healthz").read()
quiet = list(records)
assert urllib.request.urlopen(base + "/spin").read() == b"done"
gevent.sleep(0.2)
server.stop()
print(json.dumps({"watching": watching, "quiet": quiet, "records": records}))
"""


@pytest.fixture
def database(tmp_path, migrated_database) -> str:
    if isinstance(migrated_database, Path):
        path = tmp_path / "watch.db"
        shutil.copyfile(migrated_database, path)
        return f"sqlite:///{path}"
    return migrated_database


def test_a_request_holding_the_loop_is_named_in_the_log(database, tmp_path):
    env = {**os.environ, "SECRET_KEY": SECRET, "DATABASE_URL": database,
           "MAIL_OUTBOX": str(tmp_path / "outbox"), "BACKUP_DIR": str(tmp_path / "backups")}
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["watching"]
    assert seen["quiet"] == []
    assert seen["records"], run.stderr[-3000:]
    spin = [record for record in seen["records"] if "by GET /spin" in record]
    assert spin, seen["records"]
    # The monitor checks every 50 ms and reads the frames when it reports: a report made as
    # the route returns finds the loop's own frames, the others the route's.
    assert any(record.startswith("loop held for 50 ms or more by GET /spin; innermost: "
                                 "<string>:") and " spin" in record.split("innermost:")[1]
               for record in spin), spin


def test_every_template_is_compiled_before_the_first_request(app):
    """app.py compiles them at start (a page's first view compiled its templates on the
    loop); a template that does not compile fails here, not at a user's first view."""
    from collab.core.serving import compile_templates

    app.jinja_env.cache.clear()
    compiled = compile_templates(app)
    assert compiled == len(app.jinja_env.list_templates()) > 50
    assert len(app.jinja_env.cache) >= compiled
