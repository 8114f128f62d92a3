"""Issue 14, reliability as a test: `python app.py` (as `make run` serves) is killed with
SIGKILL while teachers save plans and sync observation notes at the same time; a new process
starts on the same SQLite file, and every write the old one acknowledged (a 302 after a plan
save, a 200 listing the note's id after a sync) is there, and PRAGMA integrity_check is ok."""

import json
import shutil
import signal
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from tests.support.appserver import QUICK_HASH, SECRET, AppProcess, page_token, signed_in

WRITERS = 3
KILL_AFTER = 40  # acknowledged writes before the kill
PASSWORD = "correct horse battery"


def _database(tmp_path: Path, template: Path) -> tuple[str, dict]:
    """A school with an observed teacher and WRITERS observers, each with a plan of their
    own, all watching one lesson now under way."""
    from werkzeug.security import generate_password_hash

    from collab import create_app
    from collab.core.models import utcnow
    from collab.extensions import db
    from collab.observations.models import Observation, ObservationObserver
    from collab.people.models import Membership, School, User
    from collab.plans import service as plans

    path = tmp_path / "killed.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url,
                      "MAIL_SENDER_THREAD": False, "MAIL_OUTBOX": str(tmp_path / "outbox")})
    with app.app_context():
        school = School(name="SMP Tahan Banting", timezone="Asia/Jakarta")
        db.session.add(school)
        db.session.flush()
        hashed = generate_password_hash(PASSWORD, method=QUICK_HASH)
        people = []
        for n in range(WRITERS + 1):
            user = User(email=f"guru{n}@tahan.sch.id", name=f"Guru {n}", password_hash=hashed)
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, school_id=school.id, role="teacher"))
            people.append(user)
        db.session.flush()
        now = utcnow()
        observation = Observation(
            school_id=school.id, teacher_id=people[0].id, lesson_date=now.date(), period=1,
            class_name="7A", subject="Matematika", starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=2), focus="Fokus", state="scheduled")
        for user in people[1:]:
            observation.observers.append(ObservationObserver(user_id=user.id,
                                                             status="accepted"))
        db.session.add(observation)
        seats = {}
        for user in people[1:]:
            plan = plans.create(user, plans.PlanFields(title=f"Rencana {user.name}", body="0",
                                                       visibility="private"))
            seats[user.email] = plan.id
        db.session.commit()
        info = {"observation": observation.id, "plans": seats}
        db.session.remove()
        db.engine.dispose()
    return url, info


class Writer(threading.Thread):
    """One teacher: saves their plan and syncs a note, in turns, until the server is gone."""

    def __init__(self, base: str, email: str, plan_id: int, observation_id: int, acked: list,
                 lock: threading.Lock):
        super().__init__(daemon=True)
        self.base, self.email, self.plan_id = base, email, plan_id
        self.observation_id, self.acked, self.lock = observation_id, acked, lock

    def run(self):
        try:
            http = signed_in(self.base, self.email, PASSWORD)
        except (requests.RequestException, RuntimeError):
            return
        notes = f"{self.base}/observations/{self.observation_id}/notes"
        n = 0
        try:
            note_token = page_token(http, notes)
            while True:
                n += 1
                self._save_plan(http, n)
                self._sync_note(http, notes, note_token, n)
        except requests.RequestException:
            return  # the server was killed
        finally:
            http.close()

    def _save_plan(self, http, n):
        edit = f"{self.base}/plans/{self.plan_id}/edit"
        page = http.get(edit, timeout=10).text
        base = page.split('name="base_revision"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
        answer = http.post(edit, timeout=10, allow_redirects=False, data={
            "csrf_token": page_token(http, edit), "title": f"Rencana {self.email}",
            "body": f"save {self.email} {n}", "visibility": "private", "base_revision": base,
            "message": ""})
        if answer.status_code == 302 and "/edit" not in answer.headers.get("Location", ""):
            with self.lock:
                self.acked.append(("plan", self.plan_id, f"save {self.email} {n}"))

    def _sync_note(self, http, url, token, n):
        client_id = f"{self.email.split('@')[0]}-{n}"
        answer = http.post(url, timeout=10, headers={"X-CSRFToken": token,
                                                      "Content-Type": "application/json"},
                           data=json.dumps({"notes": [{
                               "client_id": client_id, "text": f"catatan {n}",
                               "tag": "learning", "at_seconds": 10}]}))
        if answer.status_code == 200 and answer.json()["saved"]:
            with self.lock:
                self.acked.append(("note", self.observation_id, client_id))


@pytest.fixture
def template(migrated_database):
    if not isinstance(migrated_database, Path):
        pytest.skip("kills a served process on its SQLite file (PostgreSQL: its own WAL)")
    return migrated_database


def test_every_acknowledged_write_survives_a_kill_9_and_a_restart(tmp_path, template):
    url, info = _database(tmp_path, template)
    env = {"MAIL_SENDER_THREAD": "0"}
    server = AppProcess(url, env=env).start(timeout=60)
    acked, lock = [], threading.Lock()
    writers = [Writer(server.url, email, plan_id, info["observation"], acked, lock)
               for email, plan_id in info["plans"].items()]
    try:
        for writer in writers:
            writer.start()
        for _ in range(1200):  # waits for writes; asserts nothing about time
            if len(acked) >= KILL_AFTER or not any(w.is_alive() for w in writers):
                break
            threading.Event().wait(0.05)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        for writer in writers:
            writer.join(timeout=30)
    finally:
        server.stop()
    with lock:
        acknowledged = list(acked)
    assert len(acknowledged) >= KILL_AFTER, "the writers did not get going"
    assert {kind for kind, *_ in acknowledged} == {"plan", "note"}

    restarted = AppProcess(url, env=env).start(timeout=60)
    try:
        assert requests.get(f"{restarted.url}/healthz", timeout=10).status_code == 200
        signed_in(restarted.url, next(iter(info["plans"])), PASSWORD).close()
    finally:
        restarted.stop()

    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        bodies = set(conn.execute("SELECT plan_id, body FROM plan_revisions").fetchall())
        notes = {row[0] for row in conn.execute(
            "SELECT client_id FROM observation_notes WHERE observation_id = ?",
            (info["observation"],))}
    lost = [write for write in acknowledged
            if (write[0] == "plan" and (write[1], write[2]) not in bodies)
            or (write[0] == "note" and write[2] not in notes)]
    assert lost == []
