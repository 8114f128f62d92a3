"""Shared fixtures: a migrated database (SQLite, or PostgreSQL with REMBUK_TEST_POSTGRES=1),
the app, builders for schools and users, logged-in clients, a query counter, a live server and
a Playwright page on Debian's Chromium.

What makes them quick: each worker keeps its app while it stays as create_app made it
(tests/support/appcache.py); `world`, the access matrix's items and the demo data are built
once per worker and restored per test (tests/support/snapshots.py); `client_for` signs in
through the session (`sign_in`) except in tests marked `form_login`; the test password hash
costs nothing; axe does not check again a page it has seen exactly so. REMBUK_TEST_STATS=1
prints how often each was reused (run without -n to see it)."""

import contextvars
import os
import re
import shutil
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event

from collab import create_app
from collab.core import activity
from collab.extensions import db, limiter, login_manager
from collab.people.models import Invitation, Membership, Profile, School, Team, TeamMember, User
from tests.support.appcache import AppCache
from tests.support.pgserver import PostgresServer
from tests.support.snapshots import Snapshots, SnapshotStore, WriteTracker, pg_empty

PASSWORD = "correct horse battery"
# Tests only, a hash that costs nothing: the real default (scrypt N=2^17) is tested where it
# is the subject (test_auth.py), and the tests of signing in check this one for real.
FAST_HASH = "pbkdf2:sha256:1"
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
        # No sender thread: a test delivers the outbox itself (deliver_mail).
        "MAIL_SENDER_THREAD": False,
        "BACKUP_DIR": str(tmp_path / "backups"),
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "SERVER_NAME": None,
        # The rendered-page cache off, so that the pages' query budgets and what every test
        # sees are the views' own; tests/integration/test_page_cache.py turns it on, and
        # REMBUK_TEST_PAGE_CACHE=1 runs the whole suite with it.
        "PAGE_CACHE": os.environ.get("REMBUK_TEST_PAGE_CACHE") == "1",
        # No copy of the versions fed by PostgreSQL: a test's clean-up deletes rows, which
        # notifies nothing (production never deletes them); tests/integration/
        # test_version_feed.py runs the feed on apps of its own.
        "PAGE_VERSIONS_FEED": False,
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


@pytest.fixture(scope="session")
def database_path(tmp_path_factory) -> Path:
    """Where each test's SQLite database is (the same file for every test of a worker, so
    that the worker's app can be handed on: tests/support/appcache.py)."""
    return tmp_path_factory.mktemp("database") / "rembuk.db"


@pytest.fixture
def database_url(migrated_database, database_path):
    """A fresh, migrated, empty database for one test."""
    if USE_POSTGRES:
        yield migrated_database
        _truncate_all(migrated_database)
    else:
        for suffix in ("-wal", "-shm", ""):
            Path(f"{database_path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(migrated_database, database_path)
        yield f"sqlite:///{database_path}"


_admin_engines: dict = {}


def _truncate_all(url: str) -> None:
    """Empty every table and restart the sequences (tests/support/snapshots.py pg_empty)."""
    from sqlalchemy import create_engine

    if url not in _admin_engines:
        _admin_engines[url] = create_engine(url, pool_size=1)
    with _admin_engines[url].begin() as conn:
        pg_empty(conn, db.metadata)


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


_apps = AppCache()


@pytest.fixture
def app(database_url, tmp_path, request):
    """The app on the test's fresh database, its folders in tmp_path: the worker's app when
    it is still as create_app made it (tests/support/appcache.py), else a new one; a new one
    always for tests marked `fresh_app`."""
    config = base_config(tmp_path, database_url)
    if request.node.get_closest_marker("fresh_app") is not None:
        app = _apps.make(config, IsolatedClient)
    else:
        app = _apps.get(config, IsolatedClient)
    limiter.reset()
    with app.app_context():
        tracker = WriteTracker(db.engine)
        app.extensions["tests.write_tracker"] = tracker
        yield app
        tracker.close()
        db.session.remove()
        db.engine.dispose()
    _apps.check(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def deliver_mail(app) -> None:
    """Send what the outbox holds, as the server's sender would (tests run without it)."""
    from collab.core import mail

    def run():
        while mail.deliver_due().sent >= 50:
            pass

    if has_app_context():
        db.session.commit()
        run()
        db.session.expire_all()
    else:
        with app.app_context():
            run()


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


def sign_in(client, user: User) -> None:
    """Put `user`'s sign-in into the client's session as the login form leaves it
    (collab/people/routes/auth.py `_start_session`: a cleared session with Flask-Login's
    keys, the session version in the id, no remember cookie), without the form and its
    password check. tests/integration/test_sign_in_shortcut.py holds the two equal."""
    app = client.application
    with app.test_request_context(environ_base=client.environ_base):
        identifier = login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["_id"] = identifier


@pytest.fixture
def client_for(app, request):
    """A new test client signed in as the given user: through the session, or through the
    login form in tests marked `form_login` (those about signing in and sessions)."""
    through_form = request.node.get_closest_marker("form_login") is not None

    def make(user: User):
        c = app.test_client()
        if through_form:
            response = login(c, user.email)
            assert response.status_code == 302, response.text
        else:
            sign_in(c, user)
        return c

    return make


# ---------------------------------------------------------------- builders


_password_hashes: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    """PASSWORD hashed with FAST_HASH, once per process."""
    if password not in _password_hashes:
        from werkzeug.security import generate_password_hash

        _password_hashes[password] = generate_password_hash(password, method=FAST_HASH)
    return _password_hashes[password]


class Builder:
    """Makes schools, users, teams and invitations with only what a test cares about."""

    def __init__(self):
        self.count = 0
        self.password_hash = password_hash()

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


_stores: list[SnapshotStore] = []


@pytest.fixture(scope="session")
def snapshot_store(tmp_path_factory):
    store = SnapshotStore(tmp_path_factory.mktemp("snapshots"))
    _stores.append(store)
    return store


@pytest.fixture
def snapshots(app, make, snapshot_store):
    """`snapshots.reuse(name, build)`: build's value, restored from this worker's snapshot
    when the database is still as the snapshot found it (tests/support/snapshots.py)."""
    return Snapshots(snapshot_store, app, db, app.extensions["tests.write_tracker"], make)


@pytest.fixture
def world(make, snapshots):
    return snapshots.reuse("world", lambda: World(make))


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
        # Port 0: the system picks a free port as it binds, so that parallel workers never
        # race for one.
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


def seed_demo():
    from collab.demo import seed as demo

    demo.seed()
    db.session.commit()


@pytest.fixture
def demo_data(snapshots):
    """The demo data (`flask seed-demo`), seeded once per worker and restored per test."""
    snapshots.reuse("demo", seed_demo)


@pytest.fixture
def live_server(app, demo_data):
    """The app served on a free loopback port, with the demo data loaded, and the
    rendered-page cache on as `make run` has it (browsers see what users see)."""
    from collab.core.page_cache import store

    db.session.remove()
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url  # links in mails lead to this server
    cache_was = app.config["PAGE_CACHE"]
    app.config["PAGE_CACHE"] = True
    server.start()
    yield server
    server.stop()
    app.config["PAGE_CACHE"] = cache_was
    store(app).clear()


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
_axe_source: list[str] = []
# Pages axe found nothing serious on, in this worker: a page shown again exactly as it was
# (same address, DOM, form values, focus and viewport; CSRF tokens aside) is not checked
# again, since axe would find the same (journeys pass the login page and the home page
# many times).
_accessible_pages: set[str] = set()
_axe_runs = {"run": 0, "skipped": 0}
_CSRF = re.compile(r'((?:name="csrf-token" content|name="csrf_token"[^>]*value)=")[^"]*"')
_PAGE_STATE = """() => [
    location.pathname + location.search + location.hash,
    document.documentElement.outerHTML.replaceAll(location.origin, ""), innerWidth, innerHeight,
    devicePixelRatio, scrollX, scrollY,
    document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : "",
    [...document.querySelectorAll("input, textarea, select")]
        .filter(e => e.name !== "csrf_token").map(e => [e.name, e.value, e.checked])]"""


def _page_key(page) -> str:
    import hashlib
    import json

    state = page.evaluate(_PAGE_STATE)
    state[1] = _CSRF.sub(r'\1"', state[1])
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def check_accessibility(page) -> list:
    """Run axe-core in the page; return the serious and critical violations.

    A click that follows a link may still be loading the next page when a journey checks it:
    the check then waits for that page and runs again (at most a few times)."""
    from playwright.sync_api import Error

    for attempt in range(4):
        page.wait_for_load_state("load")
        try:
            return _check_loaded_page(page)
        except Error as error:
            navigating = ("context was destroyed", "reading 'outerHTML'", "navigat")
            if attempt == 3 or not any(part in str(error) for part in navigating):
                raise
    return []


def _check_loaded_page(page) -> list:
    assert AXE_PATH.exists(), "axe-core missing: run `make test` (npm ci installs it)"
    key = _page_key(page)
    if key in _accessible_pages:
        _axe_runs["skipped"] += 1
        return []
    _axe_runs["run"] += 1
    if not _axe_source:
        _axe_source.append(AXE_PATH.read_text())
    # Evaluated through DevTools, so the page's CSP (no inline script) is left as it is.
    page.evaluate(_axe_source[0])
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    if not violations and _page_key(page) == key:  # unchanged while axe ran
        _accessible_pages.add(key)
    return violations


@pytest.fixture
def axe():
    def run(page):
        violations = check_accessibility(page)
        assert not violations, "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
            for v in violations
        )

    return run


def pytest_sessionfinish(session):
    """With REMBUK_TEST_STATS=1, say how often the app and the snapshots were reused."""
    if os.environ.get("REMBUK_TEST_STATS"):
        built = sum(store.built for store in _stores)
        restored = sum(store.restored for store in _stores)
        print(f"\napps made {_apps.made}, reused {_apps.reused}; snapshots built {built}, "
              f"restored {restored}; axe run {_axe_runs['run']}, "
              f"skipped {_axe_runs['skipped']}", file=sys.stderr)
