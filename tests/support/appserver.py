"""Rembuk served by real processes, for the scale tests and the rooms benchmark.

`make_rooms_database` builds a migrated file database holding one school, teams of
colleagues and each team's co-thinking room. `AppProcess` runs `python app.py` (Werkzeug with
Flask-SocketIO, as `make run` does) on a free port of 127.0.0.1 with the given database and,
optionally, a Socket.IO message queue; `signed_in_cookie` signs a user in over HTTP as a
browser does and returns the Cookie header for a Socket.IO client.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.pgserver import free_port
from tests.support.redisserver import end_with_parent

ROOT = Path(__file__).resolve().parents[2]
SECRET = "scale-test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery"
# Quick to check: 200 sign-ins are part of the set-up, not of what is measured.
QUICK_HASH = "pbkdf2:sha256:1000"


PRINCIPAL = "kepala@skala.sch.id"


@dataclass
class RoomSeat:
    room_id: int
    emails: list[str] = field(default_factory=list)
    team_id: int = 0
    user_ids: list[int] = field(default_factory=list)


def _config(directory: Path, database_url: str) -> dict:
    return {
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": QUICK_HASH,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "MAIL_OUTBOX": str(directory / "outbox"),
        "BACKUP_DIR": str(directory / "backups"),
        "ATTACHMENT_DIR": str(directory / "attachments"),
    }


def make_rooms_database(directory: Path, rooms: int, per_room: int,
                        template: Path | None = None,
                        url: str | None = None) -> tuple[str, list[RoomSeat]]:
    """A database with one school, its principal (PRINCIPAL), `rooms` teams of `per_room`
    teachers (password PASSWORD for all) and each team's room: a SQLite file in
    `directory`, or the empty database at `url` (PostgreSQL). `template`, an already migrated
    SQLite file, saves running the migrations. Returns the URL and the rooms' seats."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from collab import create_app
    from collab.extensions import db
    from collab.people.models import Membership, School, Team, TeamMember, User
    from collab.rooms import service as room_service

    # create_app() would otherwise make instance/secret_key in the working tree.
    os.environ.setdefault("SECRET_KEY", SECRET)
    if url is None:
        path = directory / "rooms.db"
        if template is not None:
            shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    else:
        template = None
    app = create_app(_config(directory, url))
    seats = []
    with app.app_context():
        if template is None:
            upgrade()
        password_hash = generate_password_hash(PASSWORD, method=QUICK_HASH)
        school = School(name="SMP Skala", timezone="Asia/Jakarta")
        db.session.add(school)
        db.session.flush()
        head = User(email=PRINCIPAL, name="Kepala Sekolah", password_hash=password_hash)
        db.session.add(head)
        db.session.flush()
        db.session.add(Membership(user_id=head.id, school_id=school.id, role="principal"))
        for r in range(rooms):
            team = Team(school_id=school.id, name=f"Tim {r + 1}")
            db.session.add(team)
            db.session.flush()
            people = []
            for p in range(per_room):
                user = User(email=f"guru{r + 1}.{p + 1}@skala.sch.id",
                            name=f"Guru {r + 1}.{p + 1}", password_hash=password_hash)
                db.session.add(user)
                db.session.flush()
                db.session.add(Membership(user_id=user.id, school_id=school.id,
                                          role="teacher"))
                db.session.add(TeamMember(team_id=team.id, user_id=user.id))
                people.append(user)
            db.session.flush()
            room = room_service.room_for_team(team, people[0])
            db.session.flush()
            seats.append(RoomSeat(room.id, [u.email for u in people], team.id,
                                  [u.id for u in people]))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url, seats


class AppProcess:
    """`python app.py` (or `command`) in its own process, on a free port of 127.0.0.1."""

    def __init__(self, database_url: str, message_queue: str | None = None,
                 command: list[str] | None = None, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = command or [sys.executable, "app.py"]
        self.log_dir = Path(tempfile.mkdtemp(prefix="rembuk-app-"))
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "SECRET_KEY": SECRET,
            "DATABASE_URL": database_url,
            "PASSWORD_HASH_METHOD": QUICK_HASH,
            "MAIL_OUTBOX": str(self.log_dir / "outbox"),
            "BACKUP_DIR": str(self.log_dir / "backups"),
            "ATTACHMENT_DIR": str(self.log_dir / "attachments"),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        if message_queue:
            self.env["SOCKETIO_MESSAGE_QUEUE"] = message_queue
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 20.0) -> "AppProcess":
        return self.launch().wait_ready(timeout)

    def launch(self) -> "AppProcess":
        """Start the process without waiting (several start at once, then `wait_ready`)."""
        self._log = open(self.log_dir / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env,
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        preexec_fn=end_with_parent)
        return self

    def wait_ready(self, timeout: float = 20.0) -> "AppProcess":
        """Wait until /healthz answers; stop the process and raise if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log()
                self.stop()
                raise RuntimeError(f"the app stopped at start:\n{log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        log = self.log()
        self.stop()
        raise RuntimeError(f"the app did not answer on port {self.port}:\n{log}")

    def log(self) -> str:
        path = self.log_dir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def rss_bytes(self) -> int:
        """The server process's resident memory now (Linux /proc)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        kilobytes = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1)
        return int(kilobytes) * 1024

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=5)
        finally:
            if getattr(self, "_log", None) is not None:
                self._log.close()
            shutil.rmtree(self.log_dir, ignore_errors=True)


def signed_in(base_url: str, email: str, password: str = PASSWORD):
    """A requests session signed in through the login form (CSRF token from the page), as
    a browser is. Close it when done."""
    import requests

    http = requests.Session()
    token = page_token(http, f"{base_url}/auth/login")
    answer = http.post(f"{base_url}/auth/login", timeout=10, allow_redirects=False,
                       data={"email": email, "password": password, "csrf_token": token})
    if answer.status_code != 302 or "/auth/login" in answer.headers.get("Location", ""):
        http.close()
        raise RuntimeError(f"signing in as {email} failed: HTTP {answer.status_code}")
    return http


def page_token(http, url: str) -> str:
    """The CSRF token of the page at `url`, as a form on it would send it."""
    page = http.get(url, timeout=10).text
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def cookie_header(http) -> str:
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


def signed_in_cookie(base_url: str, email: str, password: str = PASSWORD) -> str:
    """Sign in and return the session cookie as a Cookie header."""
    with signed_in(base_url, email, password) as http:
        return cookie_header(http)
