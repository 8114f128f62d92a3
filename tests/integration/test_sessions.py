"""Sessions: a fresh session at login, replayed cookies refused after logout and after a
password change, cookie flags and explicit lifetimes (SECURITY.md, "Sessions")."""

import time
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from itsdangerous.timed import TimestampSigner

from collab.config import load_config
from tests.conftest import PASSWORD, csrf_token, login, post_form

# Signing in and sessions are the subject: client_for signs in through the login form.
pytestmark = pytest.mark.form_login

SESSION_COOKIE = "rembuk_session"
REMEMBER_COOKIE = "remember_token"
NEW_PASSWORD = "a brand new password"


def cookie(client, name):
    found = client.get_cookie(name)
    return found.value if found else None


def session_data(app, client) -> dict:
    """What the client's session cookie holds (it is signed, not encrypted)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie(client, SESSION_COOKIE))


def replay(app, **cookies):
    """A new client (another browser) that carries only the given cookies."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def signed_in(client) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/auth/login")
        return False
    assert response.status_code == 200
    return True


def set_cookie_header(response, name) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def logout(client):
    return post_form(client, "/auth/logout", page="/")


# ---------------------------------------------------------------- a fresh session at login


@pytest.mark.smoke
def test_the_session_cookie_changes_at_login(app, world):
    client = app.test_client()
    client.get("/auth/login")
    before = cookie(client, SESSION_COOKIE)
    assert before

    assert login(client, world["a"]["teacher"].email).status_code == 302
    after = cookie(client, SESSION_COOKIE)

    assert after and after != before
    assert "_user_id" not in app.session_interface.get_signing_serializer(app).loads(before)
    assert session_data(app, client)["_user_id"].startswith(f"{world['a']['teacher'].id}:")


def test_a_session_cookie_planted_before_login_is_not_signed_in_afterwards(app, world):
    attacker = app.test_client()
    attacker.get("/auth/login")
    planted = cookie(attacker, SESSION_COOKIE)

    victim = replay(app, **{SESSION_COOKIE: planted})
    assert login(victim, world["a"]["teacher"].email).status_code == 302
    assert signed_in(victim)

    assert not signed_in(attacker)
    assert not signed_in(replay(app, **{SESSION_COOKIE: planted}))


def test_values_from_before_login_do_not_survive_it_except_the_language(app, world):
    client = app.test_client()
    page = client.get("/auth/login")
    old_token = csrf_token(page.text)
    assert client.post("/language", data={"csrf_token": old_token, "lang": "en",
                                          "next": "/auth/login"}).status_code == 302
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = session_data(app, client)
    assert {"lang", "csrf_token", "planted"} <= set(before)

    assert login(client, world["a"]["teacher"].email).status_code == 302

    after = session_data(app, client)
    assert "planted" not in after
    assert "csrf_token" not in after
    assert after["lang"] == "en"  # the chosen language is kept on purpose
    assert set(after) <= {"lang", "_user_id", "_fresh", "_id", "_remember"}
    # The CSRF token of the page before login no longer works; the new page's does.
    new_token = csrf_token(client.get("/").text)
    assert new_token != old_token
    assert client.post("/language", data={"csrf_token": old_token, "lang": "id"}
                       ).status_code == 400
    assert client.post("/language", data={"csrf_token": new_token, "lang": "id"}
                       ).status_code == 302


# ---------------------------------------------------------------- logout


def test_after_logout_a_replayed_session_cookie_is_refused(app, world):
    client = app.test_client()
    assert login(client, world["a"]["teacher"].email).status_code == 302
    copied = cookie(client, SESSION_COOKIE)
    assert signed_in(replay(app, **{SESSION_COOKIE: copied}))  # the copy works until logout

    response = logout(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"

    assert not signed_in(client)
    assert not signed_in(replay(app, **{SESSION_COOKIE: copied}))


def test_after_logout_a_replayed_remember_cookie_is_refused(app, world):
    client = app.test_client()
    assert login(client, world["a"]["teacher"].email, remember="y").status_code == 302
    session_copy, remember_copy = cookie(client, SESSION_COOKIE), cookie(client, REMEMBER_COOKIE)
    assert remember_copy
    assert signed_in(replay(app, **{REMEMBER_COOKIE: remember_copy}))

    response = logout(client)
    assert response.status_code == 302
    assert cookie(client, REMEMBER_COOKIE) is None  # the browser is told to drop it

    assert not signed_in(replay(app, **{REMEMBER_COOKIE: remember_copy}))
    assert not signed_in(replay(app, **{SESSION_COOKIE: session_copy,
                                        REMEMBER_COOKIE: remember_copy}))


def test_logout_ends_the_users_sessions_on_other_devices_too(app, world, client_for):
    laptop = client_for(world["a"]["teacher"])
    phone = client_for(world["a"]["teacher"])
    colleague = client_for(world["a"]["teacher2"])

    assert logout(laptop).status_code == 302

    assert not signed_in(phone)
    assert signed_in(colleague)  # someone else's session is untouched


# ---------------------------------------------------------------- password change


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post_form(client, "/settings/password",
                     {"current": current, "password": new, "confirm": confirm or new})


def test_a_password_change_ends_other_sessions_but_not_its_own(app, world, client_for):
    teacher = world["a"]["teacher"]
    here = client_for(teacher)
    elsewhere = app.test_client()
    assert login(elsewhere, teacher.email, remember="y").status_code == 302
    session_copy = cookie(elsewhere, SESSION_COOKIE)
    remember_copy = cookie(elsewhere, REMEMBER_COOKIE)

    response = change_password(here)
    assert response.status_code == 302

    assert here.get("/settings/profile").status_code == 200
    assert signed_in(here)
    assert not signed_in(elsewhere)
    assert not signed_in(replay(app, **{SESSION_COOKIE: session_copy}))
    assert not signed_in(replay(app, **{REMEMBER_COOKIE: remember_copy}))
    assert login(app.test_client(), teacher.email).status_code == 400
    assert login(app.test_client(), teacher.email, NEW_PASSWORD).status_code == 302


def test_a_password_change_with_the_wrong_current_password_changes_nothing(
        app, world, client_for):
    teacher = world["a"]["teacher"]
    here, elsewhere = client_for(teacher), client_for(teacher)
    hash_before = teacher.password_hash

    response = change_password(here, current="not my password")

    assert response.status_code == 400
    assert teacher.password_hash == hash_before
    assert signed_in(here) and signed_in(elsewhere)


def test_the_changing_session_keeps_a_working_csrf_token(app, world, client_for):
    client = client_for(world["a"]["teacher"])
    assert change_password(client).status_code == 302
    assert change_password(client, current=NEW_PASSWORD, new="third long password"
                           ).status_code == 302


# ---------------------------------------------------------------- cookie flags


def _login_remembered(client, email, base_url="http://localhost"):
    page = client.get("/auth/login", base_url=base_url)
    # Over https, Flask-WTF also wants a same-origin Referer, as a browser sends.
    return client.post("/auth/login", base_url=base_url, headers={"Referer": base_url + "/"},
                       data={
                           "email": email, "password": PASSWORD, "remember": "y",
                           "csrf_token": csrf_token(page.text)})


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(app, world):
    response = _login_remembered(app.test_client(), world["a"]["teacher"].email)
    assert response.status_code == 302
    for name in (SESSION_COOKIE, REMEMBER_COOKIE):
        header = set_cookie_header(response, name)
        assert "; HttpOnly" in header, header
        assert "; SameSite=Lax" in header, header


@pytest.mark.parametrize("env", [{"PREFER_HTTPS": "1"},
                                 {"REMBUK_ENV": "production", "SECRET_KEY": "s" * 48}],
                         ids=["prefer-https", "production"])
def test_cookies_are_secure_when_https_is_on(app, world, tmp_path, monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    secure = load_config(tmp_path)
    assert secure["SESSION_COOKIE_SECURE"] is True
    assert secure["REMEMBER_COOKIE_SECURE"] is True
    app.config.update(SESSION_COOKIE_SECURE=secure["SESSION_COOKIE_SECURE"],
                      REMEMBER_COOKIE_SECURE=secure["REMEMBER_COOKIE_SECURE"])

    response = _login_remembered(app.test_client(), world["a"]["teacher"].email,
                                 base_url="https://localhost")

    assert response.status_code == 302
    for name in (SESSION_COOKIE, REMEMBER_COOKIE):
        header = set_cookie_header(response, name)
        assert "; Secure" in header and "; HttpOnly" in header and "; SameSite=Lax" in header


def test_cookies_are_not_secure_in_development_without_https(app, world, tmp_path, monkeypatch):
    for name in ("PREFER_HTTPS", "REMBUK_ENV"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is False  # plain http on a school's own server
    response = _login_remembered(app.test_client(), world["a"]["teacher"].email)
    assert "; Secure" not in set_cookie_header(response, SESSION_COOKIE)


# ---------------------------------------------------------------- lifetimes


def test_session_lifetime_and_remember_duration_are_set_explicitly(app, tmp_path):
    for config in (app.config, load_config(tmp_path)):
        assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)
        assert config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    # Not Flask's 31 days nor Flask-Login's 365 days.
    assert app.permanent_session_lifetime != timedelta(days=31)


def test_the_remember_cookie_expires_after_thirty_days(app, world):
    response = _login_remembered(app.test_client(), world["a"]["teacher"].email)
    header = set_cookie_header(response, REMEMBER_COOKIE)
    expires = next(p.split("=", 1)[1] for p in header.split("; ") if p.startswith("Expires="))
    days = (parsedate_to_datetime(expires).timestamp() - time.time()) / 86400
    assert 29.9 < days < 30.1


def test_the_session_cookie_ends_with_the_browser(app, world):
    client = app.test_client()
    response = login(client, world["a"]["teacher"].email)
    header = set_cookie_header(response, SESSION_COOKIE)
    assert "Expires=" not in header and "Max-Age=" not in header


@pytest.mark.parametrize(("hours", "still_signed_in"), [(11, True), (13, False)])
def test_a_session_cookie_older_than_twelve_hours_is_refused(
        app, world, monkeypatch, hours, still_signed_in):
    client = app.test_client()
    assert login(client, world["a"]["teacher"].email).status_code == 302
    copied = cookie(client, SESSION_COOKIE)

    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: real(self) + hours * 3600)

    assert signed_in(replay(app, **{SESSION_COOKIE: copied})) is still_signed_in
