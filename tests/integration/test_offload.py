"""Password hashing runs beside the gevent loop, not on it (issue 16, item 4): while a
scrypt hash of the production cost runs, another greenlet keeps being scheduled. The same
hash called on the loop lets it run not once, which is what froze every request before.
Counts of scheduled turns, not timings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from collab.extensions import db

ROOT = Path(__file__).resolve().parents[2]

# Its own process: gevent patches the whole interpreter.
SCRIPT = """
from gevent import monkey
monkey.patch_all()
import json
import gevent
from werkzeug.security import generate_password_hash
from collab import create_app
from collab.core import offload, rendering
from collab.people import service_accounts

COST = "scrypt:131072:8:1"
turns = []

def ticker():
    while True:
        turns.append(1)
        gevent.sleep(0.001)

def turns_during(work):
    gevent.sleep(0.01)
    before = len(turns)
    work()
    return len(turns) - before

gevent.spawn(ticker)
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "PASSWORD_HASH_METHOD": COST,
                  "MAIL_OUTBOX": OUTBOX})
TABLE = "<table>" + "<tr><td>1</td><td><b>tuntas</b></td></tr>" * 30000 + "</table>"
with app.app_context():
    hashed = service_accounts.hash_password("correct horse battery")
    print(json.dumps({
        "pool": offload._cpu_pool().maxsize,
        "sanitise_on_loop": turns_during(lambda: rendering._nh3_clean(TABLE)),
        "sanitise": turns_during(lambda: rendering.sanitise(TABLE)),
        "on_loop": turns_during(lambda: generate_password_hash("x" * 12, method=COST)),
        "hash": turns_during(lambda: service_accounts.hash_password("correct horse battery")),
        "check": turns_during(lambda: service_accounts._matches(hashed, "wrong password!")),
        "matches": service_accounts._matches(hashed, "correct horse battery"),
    }))
"""


def test_scrypt_runs_beside_the_gevent_loop(tmp_path):
    env = {**os.environ, "SECRET_KEY": "offload-test-secret-key-long-enough-0123456789"}
    script = f"OUTBOX = {str(tmp_path / 'outbox')!r}\n" + SCRIPT
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    turns = json.loads(run.stdout.strip().splitlines()[-1])
    assert turns["on_loop"] == 0  # the yardstick: on the loop, nothing else runs
    # One thread fewer than the cores: the loop keeps a core during a burst of sign-ins.
    assert turns["pool"] == max(1, (os.cpu_count() or 2) - 1)
    assert turns["hash"] > 3 and turns["check"] > 3
    assert turns["matches"] is True
    # nh3 releases the GIL too: a long text's cleaning in the pool lets the loop run.
    assert turns["sanitise_on_loop"] == 0 and turns["sanitise"] > 3


@pytest.mark.parametrize("characters", [200, 60_000])
def test_only_a_long_texts_cleaning_leaves_the_loop(app, monkeypatch, characters):
    from collab.core import rendering

    handed = []

    def watching(func, *args):
        handed.append(func)
        return func(*args)

    monkeypatch.setattr(rendering, "off_loop", watching)
    text = "| a | b |\n| --- | --- |\n" + "| 1 | **tuntas** |\n" * (characters // 18)
    html = rendering.render_markdown(text)
    assert "<table>" in html and "<script" not in html
    if characters > 20_000:  # each pass of the cleaner (at least two)
        assert len(handed) >= 2 and set(handed) == {rendering._nh3_clean}
    else:
        assert handed == []


def test_without_gevent_the_hash_is_a_plain_call(app):
    from collab.people import service_accounts

    with app.app_context():
        hashed = service_accounts.hash_password("correct horse battery")
        assert service_accounts._matches(hashed, "correct horse battery")
        assert not service_accounts._matches(hashed, "wrong horse battery")


@pytest.mark.form_login
@pytest.mark.parametrize("who", ["known", "unknown"])
def test_a_sign_in_holds_no_transaction_while_it_hashes(app, world, monkeypatch, who):
    """A login POST begins with BEGIN IMMEDIATE (SQLite's write lock, and this process's
    writer queue); while its hash runs beside the loop, other writers must not wait."""
    from collab.core import database
    from collab.people import service_accounts
    from tests.conftest import login

    seen = []

    def watching(func, *args):
        seen.append((db.session().in_transaction(), database._write_lock.locked()))
        return func(*args)

    monkeypatch.setattr(service_accounts, "off_loop", watching)
    email = world["a"]["teacher"].email if who == "known" else "nobody@test.sch.id"
    assert login(app.test_client(), email).status_code == (302 if who == "known" else 400)
    assert seen and all(state == (False, False) for state in seen)
