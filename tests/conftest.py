"""Shared fixtures: a migrated database (SQLite, or PostgreSQL with REMBUK_TEST_POSTGRES=1),
the app, builders for schools and users, logged-in clients, a query counter, a live server and
a Playwright page on Debian's Chromium."""

import contextvars
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, text

from collab import create_app
from collab.core import activity
from collab.extensions import db, limiter
from collab.people.models import Invitation, Membership, Profile, School, Team, TeamMember, User
from tests.support.pgserver import PostgresServer, free_port

PASSWORD = "correct horse battery"
FAST_HASH = "scrypt:16384:8:1"  # tests only: the real default (N=2^17) is tested separately
USE_POSTGRES = os.environ.get("REMBUK_TEST_POSTGRES") == "1"


def base_config(tmp_path: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "WTF_CSRF_ENABLED": True,  # tests run with CSRF on
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "SERVER_NAME": None,
    }


def migrate_to_head(tmp_path: Path, database_url: str) -> None:
    """Build the schema the way production does: `flask db upgrade`."""
    from flask_migrate import upgrade

    app = create_app(base_config(tmp_path, database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


# ---------------------------------------------------------------- database


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory, request):
    """A database at the newest migration, made once per test session."""
    root = tmp_path_factory.mktemp("db")
    if USE_POSTGRES:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database("rembuk_test")
        migrate_to_head(root, url)
        return url
    template = root / "template.db"
    migrate_to_head(root, f"sqlite:///{template}")
    return template


@pytest.fixture
def database_url(migrated_database, tmp_path):
    """A fresh, migrated, empty database for one test."""
    if USE_POSTGRES:
        yield migrated_database
        _truncate_all(migrated_database)
    else:
        path = tmp_path / "rembuk.db"
        shutil.copyfile(migrated_database, path)
        yield f"sqlite:///{path}"


def _truncate_all(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


# ---------------------------------------------------------------- app and clients


class IsolatedClient(FlaskClient):
    """A test client whose every request runs as in production: in a fresh context with its
    own app context, `g` and database session, not inside the test's app context. The test's
    own transaction ends first (outside a request every SQLite transaction holds the write
    lock, see collab/core/database.py); afterwards the test's session is expired, so the test reads
    what the request committed."""

    def open(self, *args, **kwargs):
        in_test_context = has_app_context()  # False in a test's own worker threads
        if in_test_context:
            db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if in_test_context:
            db.session.expire_all()
        return response


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(base_config(tmp_path, database_url))
    app.test_client_class = IsolatedClient
    limiter.reset()
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(html: str) -> str:
    """The CSRF token of a rendered page (from the meta tag every page carries)."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no csrf-token meta tag"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD, **extra):
    page = client.get("/auth/login")
    data = {"email": email, "password": password, "csrf_token": csrf_token(page.text), **extra}
    return client.post("/auth/login", data=data)


def post_form(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    """POST `data` to `url` with the CSRF token read from `page` (default: the same URL)."""
    html = client.get(page or url).text
    return client.post(url, data={"csrf_token": csrf_token(html), **(data or {})}, **kwargs)


@pytest.fixture
def client_for(app):
    """A new test client signed in as the given user."""

    def make(user: User):
        c = app.test_client()
        response = login(c, user.email)
        assert response.status_code == 302, response.text
        return c

    return make


# ---------------------------------------------------------------- builders


class Builder:
    """Makes schools, users, teams and invitations with only what a test cares about."""

    def __init__(self):
        self.count = 0
        from werkzeug.security import generate_password_hash

        self.password_hash = generate_password_hash(PASSWORD, method=FAST_HASH)

    def school(self, name: str = "SMP Uji", timezone: str = "Asia/Jakarta") -> School:
        school = School(name=name, timezone=timezone)
        db.session.add(school)
        db.session.commit()
        return school

    def user(self, school: School | None = None, role: str = "teacher", email: str | None = None,
             name: str | None = None, years: int | None = 10, subjects=("Matematika",),
             grades=("7",)) -> User:
        self.count += 1
        user = User(email=email or f"user{self.count}@test.sch.id",
                    name=name or f"User {self.count}", password_hash=self.password_hash)
        db.session.add(user)
        db.session.flush()
        if school is not None:
            db.session.add(Membership(user_id=user.id, school_id=school.id, role=role))
            db.session.add(Profile(user_id=user.id, subjects=list(subjects),
                                   grades=list(grades), years_teaching=years))
        db.session.commit()
        return user

    def team(self, school: School, name: str, members=()) -> Team:
        team = Team(school_id=school.id, name=name)
        db.session.add(team)
        db.session.flush()
        for member in members:
            db.session.add(TeamMember(team_id=team.id, user_id=member.id))
        db.session.commit()
        return team

    def invitation(self, school: School, inviter: User, email: str = "new@test.sch.id",
                   name: str = "New Teacher") -> Invitation:
        invitation = Invitation(school_id=school.id, email=email, name=name, role="teacher",
                                subjects=[], grades=[], invited_by_id=inviter.id)
        db.session.add(invitation)
        db.session.commit()
        return invitation


@pytest.fixture
def make(app):
    return Builder()


class World:
    """Two schools, each with a teacher, a second teacher, a mentor and a principal; an
    outsider with no school; one item of every kind per school (SECURITY.md)."""

    def __init__(self, make: Builder):
        self.schools = {}
        for key, name in (("a", "SMP Alpha"), ("b", "SMP Beta")):
            school = make.school(name)
            people = {
                "teacher": make.user(school, name=f"Teacher {key.upper()}", years=5),
                "teacher2": make.user(school, name=f"Second {key.upper()}", years=1),
                "mentor": make.user(school, name=f"Mentor {key.upper()}", years=20),
                "principal": make.user(school, role="principal", name=f"Head {key.upper()}"),
            }
            team = make.team(school, f"Team {key.upper()}", [people["teacher"], people["mentor"]])
            invitation = make.invitation(school, people["principal"],
                                         email=f"invitee.{key}@test.sch.id")
            activity.record(school.id, people["teacher"], "test.seeded", "school", school.id)
            db.session.commit()
            self.schools[key] = {"school": school, "team": team, "invitation": invitation,
                                 **people}
        self.outsider = make.user(None, name="Outsider")

    def __getitem__(self, key):
        return self.schools[key]


@pytest.fixture
def world(make):
    return World(make)


# ---------------------------------------------------------------- measuring


@contextmanager
def counting_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def count_queries(app):
    return counting_queries


# ---------------------------------------------------------------- live server and browser


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port, with the demo data loaded."""
    from collab.demo import seed as demo

    demo.seed()
    db.session.commit()
    db.session.remove()
    server = LiveServer(app).start()
    yield server
    server.stop()


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: run `make test` (it installs it)")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(locale="id-ID", viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


AXE_PATH = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def check_accessibility(page) -> list:
    """Run axe-core in the page; return the serious and critical violations."""
    assert AXE_PATH.exists(), "axe-core missing: run `make test` (npm ci installs it)"
    # Evaluated through DevTools, so the page's CSP (no inline script) is left as it is.
    page.evaluate(AXE_PATH.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe():
    def run(page):
        violations = check_accessibility(page)
        assert not violations, "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
            for v in violations
        )

    return run
