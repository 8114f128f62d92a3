"""The rendered-page cache (collab/core/page_cache.py, docs/page-cache.md): a page served
again costs one statement and no user, and every change that could alter it gives a fresh
page: a colleague's write (HTTP, Socket.IO, a service, the CLI), a language switch, a flash,
a sign-out, a password change, a removal from the school, the next minute; a page is never
served to another user or another session; another school's write keeps it."""

import sqlite3

import pytest
from flask import session as flask_session
from flask_wtf.csrf import validate_csrf
from sqlalchemy import event

from collab import create_app
from collab.core import page_cache
from collab.extensions import db
from collab.people import service as schools
from collab.people import service_accounts as accounts
from collab.people.models import User
from tests.conftest import base_config, csrf_token, login, post_form, sign_in
from tests.integration import test_observation_notes as notes_tests
from tests.integration import test_observations as observation_tests
from tests.integration.test_plan_comments import make_plan
from tests.integration.test_rooms_socket import Socket

a = observation_tests.a
scheduled = notes_tests.scheduled

PAGES = ("/", "/plans/", "/observations/", "/rooms/")


@pytest.fixture(autouse=True)
def cache_on(app):
    app.config["PAGE_CACHE"] = True
    page_cache.store(app).clear()
    yield
    page_cache.store(app).clear()


class Served:
    """How the page cache answered the requests made inside the `with` block."""

    def __init__(self, app):
        self.pages = page_cache.store(app)

    def __enter__(self):
        self.hits, self.misses = self.pages.hits, self.pages.misses
        return self

    def __exit__(self, *exc):
        self.hit = self.pages.hits - self.hits
        self.miss = self.pages.misses - self.misses


def fetch(app, client, path):
    """(response, True when it came from the cache)."""
    with Served(app) as served:
        response = client.get(path)
    return response, served.hit == 1


def warm(app, client, path):
    """Request `path` until it is kept; the text of the kept page."""
    first, _ = fetch(app, client, path)
    assert first.status_code == 200, (path, first.status_code)
    again, hit = fetch(app, client, path)
    assert hit, f"{path} was not served from the cache the second time"
    return again


def plan_path(world):
    plan = make_plan(world["a"]["teacher"], title="Rencana Pecahan")
    return f"/plans/{plan.id}"


# ---------------------------------------------------------------- a hit


@pytest.mark.parametrize("path", [*PAGES, "plan"])
def test_every_cached_page_is_served_again_with_one_statement_and_no_user(
        app, world, client_for, count_queries, path):
    if path == "plan":
        path = plan_path(world)
    c = client_for(world["a"]["teacher"])
    first, _ = fetch(app, c, path)
    statements = []
    engine = db.engine
    trace = _trace_sqlite(engine, statements)
    try:
        with count_queries() as through_sqlalchemy:
            again, hit = fetch(app, c, path)
    finally:
        event.remove(engine, "connect", trace)
    assert hit
    assert through_sqlalchemy == []  # no ORM session, no user loaded
    if engine.dialect.name == "sqlite":
        reads = [s for s in statements if not s.startswith(("BEGIN", "PRAGMA", "ROLLBACK"))]
        assert len(reads) == 1 and "page_versions" in reads[0], statements
    assert again.text.replace(csrf_token(again.text), "") == first.text.replace(
        csrf_token(first.text), "")


def _trace_sqlite(engine, statements):
    """Record every statement SQLite runs on the pool's connections (a cache hit reads on a
    DBAPI connection, past SQLAlchemy's own events)."""
    engine.dispose()

    def on_connect(dbapi_connection, record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(statements.append)

    event.listen(engine, "connect", on_connect)
    return on_connect


def test_viewing_the_cached_pages_writes_nothing(app, world, client_for):
    """A GET that wrote would raise the school's version at every view and keep nothing."""
    path = plan_path(world)
    c = client_for(world["a"]["teacher"])
    before = page_cache.current_versions(world["a"]["school"].id)
    for each in (*PAGES, path, "/notifications/"):
        c.get(each)
        c.get(each)
    db.session.rollback()
    assert page_cache.current_versions(world["a"]["school"].id) == before


def test_a_client_that_keeps_no_cookie_is_served_too(app, world, client_for):
    """wrk, or a browser's first requests after signing in: the session has no CSRF secret
    yet, so every answer makes one; the kept page is served with a token of that secret."""
    c = client_for(world["a"]["teacher"])
    with c.session_transaction() as session:
        signed_in = dict(session)
    assert "csrf_token" not in signed_in
    c.get("/plans/")
    tokens = set()
    for _ in range(2):
        with c.session_transaction() as session:
            session.clear()
            session.update(signed_in)
        response, hit = fetch(app, c, "/plans/")
        assert hit
        token = csrf_token(response.text)
        with c.session_transaction() as session:
            secret = session["csrf_token"]
        with app.test_request_context():
            flask_session["csrf_token"] = secret
            validate_csrf(token)  # raises if the token is not of this session's secret
        tokens.add(token)
    assert len(tokens) == 2


def test_the_token_on_a_kept_page_is_this_sessions_and_works(app, world, client_for):
    c = client_for(world["a"]["teacher"])
    page = warm(app, c, "/plans/")
    token = csrf_token(page.text)
    response = c.post("/language", data={"lang": "en", "next": "/plans/", "csrf_token": token})
    assert response.status_code == 302
    # Another session of the same user has its own token, and its own pages.
    other = client_for(world["a"]["teacher"])
    response, hit = fetch(app, other, "/plans/")
    assert not hit and csrf_token(response.text) != token


def test_the_security_headers_are_on_a_kept_page(app, world, client_for):
    c = client_for(world["a"]["teacher"])
    first = c.get("/plans/")
    again = warm(app, c, "/plans/")
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                 "Referrer-Policy", "Permissions-Policy", "Cache-Control", "Content-Type"):
        assert again.headers[name] == first.headers[name], name
    assert again.headers["Cache-Control"] == "no-store"


def test_an_unknown_host_is_refused_before_the_cache(app, world, client_for):
    c = client_for(world["a"]["teacher"])
    warm(app, c, "/plans/")
    app.config["TRUSTED_HOSTS"] = ["rembuk.sekolah.example"]
    assert c.get("/plans/").status_code == 400  # Host: localhost


# ---------------------------------------------------------------- who gets a page


def test_a_page_is_never_served_to_another_user(app, world, client_for):
    teacher, colleague = client_for(world["a"]["teacher"]), client_for(world["a"]["teacher2"])
    warm(app, teacher, "/")
    response, hit = fetch(app, colleague, "/")
    assert not hit
    assert "Second A" in response.text and "Teacher A" not in response.text


def test_a_session_used_from_another_browser_is_not_served(app, world, client_for):
    c = client_for(world["a"]["teacher"])
    warm(app, c, "/plans/")
    c.environ_base["HTTP_USER_AGENT"] = "another browser"
    _, hit = fetch(app, c, "/plans/")
    assert not hit


def test_signed_out_nothing_is_served(app, world, client_for):
    c = client_for(world["a"]["teacher"])
    warm(app, c, "/plans/")
    with c.session_transaction() as session:
        kept_cookie = dict(session)
    post_form(c, "/auth/logout", page="/plans/")
    response, hit = fetch(app, c, "/plans/")
    assert not hit and response.status_code == 302
    # The cookie from before the sign-out, replayed: its session has ended.
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(kept_cookie)
    response, hit = fetch(app, thief, "/plans/")
    assert not hit and response.status_code == 302


@pytest.mark.parametrize("revocation", ["password changed", "role changed"])
def test_a_revoked_session_gets_no_kept_page(app, world, client_for, revocation):
    teacher = world["a"]["teacher"]
    c = client_for(teacher)
    warm(app, c, "/plans/")
    user = db.session.get(User, teacher.id)
    if revocation == "password changed":
        accounts.set_password(user, "a new long password 123")
    else:
        assert schools.change_role(user, "principal", by=world["a"]["principal"])
    db.session.commit()
    response, hit = fetch(app, c, "/plans/")
    assert not hit and response.status_code == 302


# ---------------------------------------------------------------- what makes a page fresh


def test_a_colleagues_plan_makes_the_list_fresh(app, world, client_for):
    c = client_for(world["a"]["teacher"])
    warm(app, c, "/plans/")
    make_plan(world["a"]["teacher2"], title="Rencana Baru Rekan")
    response, hit = fetch(app, c, "/plans/")
    assert not hit and "Rencana Baru Rekan" in response.text


def test_a_colleagues_comment_through_the_form_makes_the_plan_page_fresh(app, world, client_for):
    path = plan_path(world)
    c = client_for(world["a"]["teacher"])
    warm(app, c, path)
    colleague = client_for(world["a"]["teacher2"])
    sent = post_form(colleague, f"{path}/comments", {"body": "Komentar dari rekan"}, page=path)
    assert sent.status_code == 302, sent.text
    response, hit = fetch(app, c, path)
    assert not hit and "Komentar dari rekan" in response.text


def test_a_chat_message_over_socketio_makes_the_rooms_fresh(app, world, client_for):
    from collab.rooms import service as rooms

    room = rooms.room_for_team(world["a"]["team"], world["a"]["teacher"])
    db.session.commit()
    c = client_for(world["a"]["teacher"])
    warm(app, c, "/rooms/")
    mentor = Socket(app, client_for(world["a"]["mentor"]))
    assert mentor.ask("room:join", {"room_id": room.id, "since_id": None})["ok"]
    ack = mentor.ask("message:send", {"room_id": room.id, "client_id": "pc-1",
                                      "body": "Pesan lewat soket"})
    assert ack["ok"], ack
    mentor.disconnect()
    _, hit = fetch(app, c, "/rooms/")
    assert not hit


def test_an_observation_note_makes_the_pages_fresh(app, a, scheduled, client_for):
    c = client_for(a["teacher"])
    warm(app, c, "/observations/")
    sent = notes_tests.send(client_for(a["mentor"]), scheduled, {"notes": [notes_tests.NOTE]})
    assert sent.status_code == 200, sent.text
    _, hit = fetch(app, c, "/observations/")
    assert not hit


def test_a_cli_write_makes_every_schools_pages_fresh(app, world, client_for, runner):
    c = client_for(world["b"]["teacher"])
    warm(app, c, "/")
    db.session.commit()
    result = runner.invoke(args=["create-school", "--name", "SMP Baru", "--principal-email",
                                 "kepala@baru.sch.id", "--principal-name", "Kepala Baru"],
                           input="a long enough password\na long enough password\n")
    assert result.exit_code == 0, result.output
    _, hit = fetch(app, c, "/")
    assert not hit


@pytest.mark.dialect
def test_a_write_served_by_another_process_makes_the_page_fresh(app, world, client_for,
                                                                database_url, tmp_path):
    """Two servers on one database (gunicorn ×2 on PostgreSQL): the other one's store knows
    nothing of this one's, the version in the database is what both read."""
    path = plan_path(world)
    c = client_for(world["a"]["teacher"])
    warm(app, c, path)
    other = create_app(base_config(tmp_path / "other", database_url))
    other.config["PAGE_CACHE"] = True
    colleague = other.test_client()
    sign_in(colleague, world["a"]["teacher2"])
    sent = post_form(colleague, f"{path}/comments", {"body": "Dari server lain"}, page=path)
    assert sent.status_code == 302, sent.text
    with other.app_context():
        db.session.remove()
        db.engine.dispose()  # its pooled connections closed now, not by the collector later
    response, hit = fetch(app, c, path)
    assert not hit and "Dari server lain" in response.text


def test_another_schools_write_keeps_the_page(app, world, client_for):
    plan_b = make_plan(world["b"]["teacher"], title="Rencana Sekolah Lain")
    c = client_for(world["a"]["teacher"])
    warm(app, c, "/plans/")
    colleague_b = client_for(world["b"]["teacher2"])
    assert post_form(colleague_b, "/language", {"lang": "en", "next": "/"},
                     page="/").status_code == 302
    assert post_form(colleague_b, f"/plans/{plan_b.id}/comments", {"body": "Dari sekolah B"},
                     page=f"/plans/{plan_b.id}").status_code == 302
    _, hit = fetch(app, c, "/plans/")
    assert hit


def test_a_language_switch_gives_the_page_in_the_new_language(app, world, client_for):
    c = client_for(world["a"]["teacher"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    warm(app, c, "/plans/")
    post_form(c, "/language", {"lang": "en", "next": "/plans/"}, page="/plans/")
    response, hit = fetch(app, c, "/plans/")
    assert not hit and '<html lang="en">' in response.text


def test_a_pending_flash_is_shown_not_a_kept_page(app, world, client_for):
    c = client_for(world["a"]["teacher"])
    warm(app, c, "/plans/")
    with c.session_transaction() as session:
        session["_flashes"] = [("info", "Pesan kilat sekali")]
    response, hit = fetch(app, c, "/plans/")
    assert not hit and "Pesan kilat sekali" in response.text
    # The page that showed the flash is not kept: the next view has no flash.
    response, hit = fetch(app, c, "/plans/")
    assert "Pesan kilat sekali" not in response.text


def test_the_next_minute_gives_a_fresh_page(app, world, client_for, monkeypatch):
    c = client_for(world["a"]["teacher"])
    warm(app, c, "/")
    now = page_cache.time.time()
    monkeypatch.setattr(page_cache.time, "time", lambda: now + app.config["PAGE_CACHE_SECONDS"])
    _, hit = fetch(app, c, "/")
    assert not hit


def test_a_full_store_drops_the_oldest_pages(app, world, client_for):
    pages = page_cache.store(app)
    c = client_for(world["a"]["teacher"])
    c.get("/")  # the session's CSRF secret
    pages.clear()
    warm(app, c, "/plans/")
    warm(app, c, "/rooms/")
    assert len(pages) == 2
    both = pages.bytes
    pages.clear()
    pages.max_bytes = both - 1  # room for one of them only
    warm(app, c, "/plans/")
    warm(app, c, "/rooms/")
    assert len(pages) == 1 and pages.bytes <= pages.max_bytes
    _, hit = fetch(app, c, "/plans/")
    assert not hit


def test_a_write_bumps_once_per_transaction_and_again_after_a_rolled_back_savepoint(
        app, world, count_queries):
    school = world["a"]["school"]
    db.session.commit()
    before = page_cache.current_versions(school.id)
    db.session.commit()
    with count_queries() as statements:
        school.name = "SMP Alpha Raya"
        db.session.flush()
        school.timezone = "Asia/Makassar"
        db.session.flush()
    assert sum("INSERT INTO page_versions" in s for s in statements) == 1
    db.session.rollback()
    assert page_cache.current_versions(school.id) == before  # rolled back with the write
    db.session.rollback()
    savepoint = db.session.begin_nested()
    school.name = "Dalam savepoint"
    db.session.flush()
    savepoint.rollback()
    school.timezone = "Asia/Jayapura"
    db.session.commit()
    after = page_cache.current_versions(school.id)
    assert after[0] != before[0]  # written outside a request: every school's version


# ---------------------------------------------------------------- the sign-in page


def test_the_sign_in_page_is_kept_with_each_visitors_own_token(app, world):
    first, second = app.test_client(), app.test_client()
    warm(app, first, "/auth/login")
    response, hit = fetch(app, second, "/auth/login")
    assert hit
    token = csrf_token(response.text)
    assert token != csrf_token(first.get("/auth/login").text)
    signed_in = second.post("/auth/login", data={
        "email": world["a"]["teacher"].email, "password": "correct horse battery",
        "csrf_token": token})
    assert signed_in.status_code == 302
    # Signed in, the sign-in page is not the kept one: it sends the user home.
    response, hit = fetch(app, second, "/auth/login")
    assert not hit and response.status_code == 302


def test_the_sign_in_page_follows_the_browsers_language(app):
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    warm(app, c, "/auth/login")
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    response, hit = fetch(app, other, "/auth/login")
    assert not hit and '<html lang="id">' in response.text


def test_a_failed_sign_in_keeps_nothing(app, world):
    c = app.test_client()
    response = login(c, world["a"]["teacher"].email, password="wrong password here")
    assert response.status_code == 400
    assert len(page_cache.store(app)) == 1  # the form's GET, not the POST's answer
    response, hit = fetch(app, c, "/auth/login")
    assert hit and "alert" not in response.text


# ---------------------------------------------------------------- /healthz


def test_healthz_answers_as_flask_would(app):
    c = app.test_client()
    quick = c.get("/healthz")
    through_flask = c.get("/healthz?from=flask")
    assert quick.status_code == through_flask.status_code == 200
    assert quick.text == through_flask.text == "ok"
    assert sorted(quick.headers.items()) == sorted(through_flask.headers.items())


def test_healthz_refuses_an_unknown_host(app):
    app.config["TRUSTED_HOSTS"] = ["rembuk.sekolah.example"]
    c = app.test_client()
    assert c.get("/healthz").status_code == 400
    assert c.get("/healthz", base_url="http://rembuk.sekolah.example").status_code == 200


# ---------------------------------------------------------------- answered in WSGI


def _page_headers(response) -> list:
    """The headers that belong to the page, not to this one answer."""
    return sorted((name, value) for name, value in response.headers.items()
                  if name not in ("Set-Cookie", "Date", "Content-Length"))


@pytest.mark.parametrize("encoding", ["", "br, gzip", "gzip", "identity"])
def test_a_hit_goes_out_as_flasks_answer_did(app, world, client_for, encoding):
    """A hit is answered before Flask (core/page_hits.py), with the headers of the page's
    first answer, after every after-request hook, and compressed as Flask-Compress would."""
    c = client_for(world["a"]["teacher"])
    c.environ_base["HTTP_ACCEPT_ENCODING"] = encoding
    before_request = []
    app.before_request_funcs[None].insert(0, lambda: before_request.append(1))
    try:
        first, hit = fetch(app, c, "/plans/")
        assert not hit and before_request
        before_request.clear()
        again, hit = fetch(app, c, "/plans/")
    finally:
        app.before_request_funcs[None].pop(0)
    assert hit and before_request == []  # Flask's request machinery never ran
    assert _page_headers(again) == _page_headers(first)
    assert again.headers.get("Content-Encoding") == first.headers.get("Content-Encoding")
    assert int(again.headers["Content-Length"]) == len(again.get_data())
    # The test client decodes nothing: compare the pages as the browser reads them.
    assert _decoded(again) == _decoded(first)
    assert "Set-Cookie" not in again.headers  # the session already had its secret


def _decoded(response) -> str:
    import gzip

    import brotli

    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        data = brotli.decompress(data)
    elif encoding == "gzip":
        data = gzip.decompress(data)
    return data.decode()


@pytest.mark.parametrize("encoding", ["", "br, gzip"])
def test_a_new_visitors_hit_of_the_sign_in_page_goes_out_as_flasks_answer_did(app, encoding):
    first_visitor, second_visitor = app.test_client(), app.test_client()
    for c in (first_visitor, second_visitor):
        c.environ_base["HTTP_ACCEPT_ENCODING"] = encoding
    first, _ = fetch(app, first_visitor, "/auth/login")
    again, hit = fetch(app, second_visitor, "/auth/login")
    assert hit
    assert _page_headers(again) == _page_headers(first)
    # Each gets a session of its own, with a cookie set as Flask sets it.
    first_cookie, again_cookie = first.headers["Set-Cookie"], again.headers["Set-Cookie"]
    assert first_cookie.split(";", 1)[1] == again_cookie.split(";", 1)[1]
    assert first_cookie.split(";")[0] != again_cookie.split(";")[0]
    with second_visitor.session_transaction() as session:
        assert set(session) == {"csrf_token"}
        secret = session["csrf_token"]
    token = csrf_token(_decoded(again))
    with app.test_request_context():
        flask_session["csrf_token"] = secret
        validate_csrf(token)
    assert _decoded(again).replace(token, "") == _decoded(first).replace(
        csrf_token(_decoded(first)), "")


@pytest.mark.parametrize("headers", [
    {},
    {"User-Agent": "Mozilla/5.0 (Linux; Android 13) Chrome/120"},
    {"User-Agent": "Kiosk", "X-Forwarded-For": "10.1.2.3, 127.0.0.1"},
    {"X-Forwarded-For": "2001:db8::1"},
    {"User-Agent": "Ponsel ñandú ☂"},
])
def test_the_browser_id_is_flask_logins(app, headers):
    from flask import request
    from flask_login.utils import _create_identifier

    with app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        assert page_cache.browser_id(request) == _create_identifier()


def test_a_tampered_session_cookie_is_never_served_a_page(app, world, client_for):
    c = client_for(world["a"]["teacher"])
    warm(app, c, "/plans/")
    cookie = c.get_cookie("rembuk_session")
    value = cookie.value
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    thief = app.test_client()
    thief.set_cookie("rembuk_session", forged)
    response, hit = fetch(app, thief, "/plans/")
    assert not hit and response.status_code == 302
