"""Password reset by e-mail: the same answer for every address, a link that works once, for one
hour and for one user, and a new password that ends every old session (SECURITY.md, "Auth")."""

import base64
import json
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from itsdangerous.timed import TimestampSigner

from collab.people import service_accounts as accounts
from tests.conftest import PASSWORD, deliver_mail, login, post_form

# Signing in and sessions are the subject: client_for signs in through the login form.
pytestmark = pytest.mark.form_login

NEW_PASSWORD = "a fresh reset password"
LINK = re.compile(r"https?://[^/\s]+(/auth/reset/[\w.-]+)")


def english_client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def outbox(app) -> list:
    deliver_mail(app)
    folder = Path(app.config["MAIL_OUTBOX"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def request_reset(client, email):
    return post_form(client, "/auth/reset", {"email": email})


def reset_path(app, user) -> str:
    """Ask for a reset link for `user` and return its path from the e-mail."""
    before = len(outbox(app))
    assert request_reset(app.test_client(), user.email).status_code == 200
    messages = outbox(app)[before:]
    assert len(messages) == 1
    assert messages[0]["To"] == user.email
    return LINK.search(messages[0].get_content()).group(1)


def choose_password(client, path, password=NEW_PASSWORD, confirm=None):
    return post_form(client, path, {"password": password,
                                    "confirm": password if confirm is None else confirm})


def problem(response) -> str:
    """The explanation on the "this link no longer works" page."""
    assert response.status_code == 410
    return BeautifulSoup(response.text, "html.parser").select_one("section.card p").get_text()


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def blank_tokens(html: str) -> str:
    return re.sub(r'"[\w-]{20,}\.[\w-]+\.[\w-]+"', '"TOKEN"', html)


# ---------------------------------------------------------------- asking for a link


def test_a_reset_request_gets_the_same_answer_for_known_and_unknown_addresses(app, world):
    known = request_reset(app.test_client(), world["a"]["teacher"].email)
    unknown = request_reset(app.test_client(), "nobody@test.sch.id")

    assert known.status_code == unknown.status_code == 200
    assert blank_tokens(known.text) == blank_tokens(unknown.text)
    messages = outbox(app)
    assert [m["To"] for m in messages] == [world["a"]["teacher"].email]


def test_a_reset_request_for_a_look_alike_address_mails_the_account(app, world):
    teacher = world["a"]["teacher"]
    assert request_reset(app.test_client(), f" {teacher.email.upper()} ").status_code == 200
    assert [m["To"] for m in outbox(app)] == [teacher.email]


def test_a_reset_request_for_an_invalid_address_is_a_field_error(app):
    response = request_reset(app.test_client(), "not an address")
    assert response.status_code == 400
    assert BeautifulSoup(response.text, "html.parser").find(id="email-error")
    assert outbox(app) == []


def test_reset_requests_for_one_address_are_limited_but_not_for_others(app, world):
    for _ in range(5):
        assert request_reset(app.test_client(), world["a"]["teacher"].email).status_code == 200
    assert request_reset(app.test_client(), world["a"]["teacher"].email).status_code == 429
    assert request_reset(app.test_client(), world["a"]["mentor"].email).status_code == 200
    assert len(outbox(app)) == 6


# ---------------------------------------------------------------- using the link


def test_the_reset_link_sets_a_new_password(app, world):
    teacher = world["a"]["teacher"]
    path = reset_path(app, teacher)
    client = app.test_client()

    assert client.get(path).status_code == 200
    response = choose_password(client, path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert login(app.test_client(), teacher.email, NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), teacher.email, PASSWORD).status_code == 400


def test_the_reset_link_works_only_once(app, world):
    path = reset_path(app, world["a"]["teacher"])
    client = english_client(app)
    assert choose_password(client, path).status_code == 302

    assert "already been used" in problem(client.get(path))
    again = choose_password(english_client(app), path, "yet another password")
    assert again.status_code == 410
    assert login(app.test_client(), world["a"]["teacher"].email, NEW_PASSWORD
                 ).status_code == 302


def test_an_older_reset_link_stops_working_once_a_newer_one_is_used(app, world):
    teacher = world["a"]["teacher"]
    older, newer = reset_path(app, teacher), reset_path(app, teacher)
    assert choose_password(app.test_client(), newer).status_code == 302
    assert "already been used" in problem(english_client(app).get(older))


def test_the_reset_link_changes_only_its_own_users_password(app, world):
    teacher, colleague = world["a"]["teacher"], world["a"]["teacher2"]
    teacher_path = reset_path(app, teacher)
    colleague_path = reset_path(app, colleague)

    assert choose_password(app.test_client(), teacher_path).status_code == 302

    assert login(app.test_client(), teacher.email, NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), colleague.email, PASSWORD).status_code == 302
    assert login(app.test_client(), colleague.email, NEW_PASSWORD).status_code == 400
    assert app.test_client().get(colleague_path).status_code == 200  # still unused


def test_a_reset_link_with_another_users_id_is_refused(app, world):
    teacher, principal = world["a"]["teacher"], world["a"]["principal"]
    token = reset_path(app, teacher).rsplit("/", 1)[1]
    payload, rest = token.split(".", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert data["u"] == teacher.id
    data["u"] = principal.id
    forged = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    forged_token = forged.decode().rstrip("=") + "." + rest

    client = english_client(app)
    assert "not valid" in problem(client.get(f"/auth/reset/{forged_token}"))
    assert choose_password(client, f"/auth/reset/{forged_token}").status_code == 410
    assert login(app.test_client(), principal.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-5] + ("A" if t[-5] != "A" else "B") + t[-4:],  # the signature
    lambda t: t[:5] + ("x" if t[5] != "x" else "y") + t[6:],  # the payload
    lambda t: t.rsplit(".", 1)[0],  # no signature
    lambda t: "garbage",
], ids=["signature", "payload", "unsigned", "garbage"])
def test_a_tampered_reset_link_is_refused(app, world, tamper):
    token = reset_path(app, world["a"]["teacher"]).rsplit("/", 1)[1]
    client = english_client(app)
    response = client.get(f"/auth/reset/{tamper(token)}")
    assert "not valid" in problem(response)
    assert choose_password(client, f"/auth/reset/{tamper(token)}").status_code == 410
    assert login(app.test_client(), world["a"]["teacher"].email).status_code == 302


def test_a_token_signed_for_something_else_is_not_a_reset_link(app, world):
    # Same secret, other purpose (an invitation): the salt keeps them apart.
    from collab.people.service import invitation_token

    token = invitation_token(world["a"]["invitation"])
    assert app.test_client().get(f"/auth/reset/{token}").status_code == 410


@pytest.mark.parametrize(("seconds", "works"), [(3500, True), (3601, False)])
def test_the_reset_link_works_for_one_hour(app, world, monkeypatch, seconds, works):
    path = reset_path(app, world["a"]["teacher"])
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + seconds)

    client = english_client(app)
    if works:
        assert client.get(path).status_code == 200
        assert choose_password(client, path).status_code == 302
    else:
        assert "expired" in problem(client.get(path))
        assert choose_password(client, path).status_code == 410
        assert login(app.test_client(), world["a"]["teacher"].email).status_code == 302


def test_a_reset_link_is_refused_when_the_maximum_age_has_passed(app, world):
    path = reset_path(app, world["a"]["teacher"])
    app.config["RESET_MAX_AGE"] = -1
    assert "expired" in problem(english_client(app).get(path))


def test_after_a_reset_old_sessions_and_remember_cookies_are_refused(app, world, client_for):
    teacher = world["a"]["teacher"]
    old_session = client_for(teacher)
    remembered = app.test_client()
    assert login(remembered, teacher.email, remember="y").status_code == 302
    remember_cookie = remembered.get_cookie("remember_token").value
    colleague = client_for(world["a"]["teacher2"])

    assert choose_password(app.test_client(), reset_path(app, teacher)).status_code == 302

    assert not signed_in(old_session)
    assert not signed_in(remembered)
    replayed = app.test_client()
    replayed.set_cookie("remember_token", remember_cookie)
    assert not signed_in(replayed)
    assert signed_in(colleague)


def test_a_reset_does_not_sign_anybody_in(app, world):
    client = app.test_client()
    assert choose_password(client, reset_path(app, world["a"]["teacher"])).status_code == 302
    assert not signed_in(client)


# ---------------------------------------------------------------- refused new passwords


@pytest.mark.parametrize(("password", "confirm", "field"), [
    ("short", "short", "password"),
    ("x" * (accounts.MIN_PASSWORD_LENGTH - 1),) * 2 + ("password",),
    (NEW_PASSWORD, NEW_PASSWORD + "!", "confirm"),
    ("", "", "password"),
], ids=["too-short", "one-below-minimum", "mismatch", "empty"])
def test_a_refused_new_password_shows_a_field_error_and_changes_nothing(
        app, world, client_for, password, confirm, field):
    teacher = world["a"]["teacher"]
    old_session = client_for(teacher)
    hash_before = teacher.password_hash
    path = reset_path(app, teacher)
    client = app.test_client()

    response = choose_password(client, path, password, confirm)

    assert response.status_code == 400
    page = BeautifulSoup(response.text, "html.parser")
    assert page.find(id=f"{field}-error")
    assert page.find("input", attrs={"name": field})["aria-invalid"] == "true"
    assert teacher.password_hash == hash_before
    assert signed_in(old_session)
    assert client.get(path).status_code == 200  # the link still works
    assert login(app.test_client(), teacher.email).status_code == 302


def test_a_new_password_of_the_minimum_length_is_accepted(app, world):
    teacher = world["a"]["teacher"]
    password = "kopi tubruk"[:accounts.MIN_PASSWORD_LENGTH]  # not a repetition (issue 14)
    assert choose_password(app.test_client(), reset_path(app, teacher), password
                           ).status_code == 302
    assert login(app.test_client(), teacher.email, password).status_code == 302
