"""Issue 14, item 8: the per-account login limit stays, but a browser that has signed in to
the account before (a signed device cookie, as OWASP recommends) counts on a limit of its
own, so that a stranger's wrong passwords do not lock the owner out."""

import pytest

from collab.people import service_devices as devices
from tests.conftest import login, post_form

pytestmark = pytest.mark.form_login


def _fail(client, email):
    return login(client, email, "wrong password")


def _cookie(client):
    return client.get_cookie(devices.COOKIE_NAME, path="/auth/login")


def trusted_browser(app, user):
    """A browser that has signed in to `user`'s account (and signed out again)."""
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    assert _cookie(browser) is not None
    assert post_form(browser, "/auth/logout", page="/").status_code == 302
    assert _cookie(browser) is not None  # signing out keeps it
    return browser


def lock(app, email):
    stranger = app.test_client()
    for _ in range(5):
        assert _fail(stranger, email).status_code == 400
    assert login(stranger, email).status_code == 429  # even with the right password
    return stranger


def test_a_browser_that_signed_in_before_gets_through_a_locked_account(app, world):
    teacher = world["a"]["teacher"]
    own = trusted_browser(app, teacher)

    lock(app, teacher.email)

    assert login(app.test_client(), teacher.email).status_code == 429  # a new browser
    assert login(own, teacher.email).status_code == 302


def test_the_device_cookie_is_signed_http_only_long_lived_and_sent_to_the_login_only(
        app, world):
    browser = app.test_client()
    response = login(browser, world["a"]["teacher"].email)
    [header] = [h for h in response.headers.getlist("Set-Cookie")
                if h.startswith(devices.COOKIE_NAME + "=")]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Path=/auth/login" in header
    assert f"Max-Age={180 * 24 * 3600}" in header
    assert world["a"]["teacher"].email not in header  # signed and encoded, not plain


def test_a_device_cookie_of_another_account_or_forged_does_not_help(app, world):
    teacher, attacker_account = world["a"]["teacher"], world["a"]["teacher2"]
    attacker = trusted_browser(app, attacker_account)  # a real cookie, for their own account
    value = _cookie(trusted_browser(app, teacher)).value  # the owner's
    lock(app, teacher.email)

    assert login(attacker, teacher.email).status_code == 429
    forged = app.test_client()
    forged.set_cookie(devices.COOKIE_NAME, value[:-3] + "AAA", path="/auth/login")
    assert login(forged, teacher.email).status_code == 429


def test_a_trusted_browser_has_its_own_limit(app, world):
    teacher = world["a"]["teacher"]
    own, other_own = trusted_browser(app, teacher), trusted_browser(app, teacher)
    for _ in range(5):
        assert _fail(own, teacher.email).status_code == 400

    assert login(own, teacher.email).status_code == 429  # guessing from it is limited too
    assert login(other_own, teacher.email).status_code == 302
    assert login(app.test_client(), teacher.email).status_code == 302  # account not locked


def test_an_expired_device_cookie_counts_as_none(app, world, monkeypatch):
    teacher = world["a"]["teacher"]
    own = trusted_browser(app, teacher)
    lock(app, teacher.email)
    monkeypatch.setattr(devices, "max_age", lambda: -1)  # every cookie is past its age now

    assert login(own, teacher.email).status_code == 429
