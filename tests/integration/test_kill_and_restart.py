"""Issue 14, reliability as a test: `python app.py` (as `make run` serves) is killed with
SIGKILL while teachers save plans and sync observation notes at the same time; a new process
starts on the same database, and every write the old one acknowledged (a 302 after a plan
save, a 200 listing the note's id after a sync) is there, and the database is intact.

On SQLite (`make check`) the database is the served file: PRAGMA integrity_check must say ok.
On PostgreSQL (`make test`'s dialect pass) the test runs a server of its own with
PostgreSQL's durable settings (the suite's shared server runs with fsync off) and crashes it
too, right after the app (`pg_ctl stop -m immediate`: no checkpoint, the log replayed at the
next start); amcheck's bt_index_check must pass on every index."""

import json
import shutil
import signal
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import USE_POSTGRES, migrate_to_head
from tests.support.appserver import QUICK_HASH, SECRET, AppProcess, page_token, signed_in
from tests.support.pgserver import PostgresServer

pytestmark = pytest.mark.dialect  # the database's own crash safety

WRITERS = 3
KILL_AFTER = 40  # acknowledged writes before the kill
PASSWORD = "correct horse battery"


def _database(tmp_path: Path, url: str) -> dict:
    """A school with an observed teacher and WRITERS observers, each with a plan of their
    own, all watching one lesson now under way, in the migrated, empty database at `url`."""
    from werkzeug.security import generate_password_hash

    from collab import create_app
    from collab.core.models import utcnow
    from collab.extensions import db
    from collab.observations.models import Observation, ObservationObserver
    from collab.people.models import Membership, School, User
    from collab.plans import service as plans

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
    return info


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


class Database:
    """The database the served process writes to, and how it crashes and is checked."""

    def __init__(self, url: str, server: PostgresServer | None = None):
        self.url, self.server = url, server

    def crash_and_restart(self) -> None:
        """PostgreSQL: crash the server too, and start it again (SQLite: nothing to do)."""
        if self.server is not None:
            self.server.crash()
            self.server.start()

    def problems(self) -> list[str]:
        """What an integrity check finds wrong (nothing: [])."""
        engine = create_engine(self.url)
        try:
            with engine.begin() as conn:
                if self.server is None:
                    found = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
                    return [] if found == ["ok"] else found
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
                indexes = conn.execute(text(
                    "SELECT c.oid::regclass::text FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am a ON a.oid = c.relam "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE a.amname = 'btree' AND n.nspname = 'public'")).scalars().all()
                assert indexes, "no index found to check"
                for name in indexes:  # raises on a corrupt index
                    conn.execute(text("SELECT bt_index_check(CAST(:name AS regclass), true)"),
                                 {"name": name})
                return []
        finally:
            engine.dispose()

    def rows(self, observation_id: int) -> tuple[set, set]:
        """The (plan_id, body) of every revision, and the client ids of the lesson's notes."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                bodies = {tuple(row) for row in conn.execute(
                    text("SELECT plan_id, body FROM plan_revisions"))}
                notes = set(conn.execute(text(
                    "SELECT client_id FROM observation_notes WHERE observation_id = :id"),
                    {"id": observation_id}).scalars())
            return bodies, notes
        finally:
            engine.dispose()


@pytest.fixture
def database(tmp_path, request):
    if not USE_POSTGRES:
        path = tmp_path / "killed.db"
        shutil.copyfile(request.getfixturevalue("migrated_database"), path)
        yield Database(f"sqlite:///{path}")
        return
    server = PostgresServer(durable=True).start()
    try:
        url = server.create_database("killed")
        migrate_to_head(tmp_path, url)
        yield Database(url, server)
    finally:
        server.stop()


def test_every_acknowledged_write_survives_a_kill_9_and_a_restart(tmp_path, database):
    url = database.url
    info = _database(tmp_path, url)
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

    database.crash_and_restart()
    restarted = AppProcess(url, env=env).start(timeout=60)
    try:
        assert requests.get(f"{restarted.url}/healthz", timeout=10).status_code == 200
        signed_in(restarted.url, next(iter(info["plans"])), PASSWORD).close()
    finally:
        restarted.stop()

    assert database.problems() == []
    bodies, notes = database.rows(info["observation"])
    lost = [write for write in acknowledged
            if (write[0] == "plan" and (write[1], write[2]) not in bodies)
            or (write[0] == "note" and write[2] not in notes)]
    assert lost == []
