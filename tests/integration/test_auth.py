"""Signing in: the password hash, answers that give nothing away, the per-account limit,
look-alike e-mail addresses, safe `next=` redirects and the login requirement (SECURITY.md,
"Auth")."""

import re
import types
from urllib.parse import parse_qs, urlsplit

import limits.storage.memory
import pytest
from bs4 import BeautifulSoup
from itsdangerous.timed import TimestampSigner
from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, UUIDConverter
from werkzeug.security import check_password_hash, generate_password_hash

from collab import create_app
from collab.config import load_config
from collab.core.web import PUBLIC_ENDPOINTS
from collab.extensions import db
from collab.people import service as schools
from collab.people import service_accounts as accounts
from tests.conftest import FAST_HASH, PASSWORD, base_config, csrf_token, login

# Signing in and sessions are the subject: client_for signs in through the login form.
pytestmark = pytest.mark.form_login

STRONG_PREFIX = "scrypt:131072:8:1$"


def look_alikes(email: str) -> list[str]:
    """The same address in capitals, with spaces, with a zero-width space, and fullwidth."""
    return [email.upper(), f"  {email}\t", email.replace("@", "\u200b@", 1),
            "".join(chr(ord(c) + 0xFEE0) for c in email)]


def error_text(html: str) -> str:
    alert = BeautifulSoup(html, "html.parser").select_one(".error-summary")
    return alert.get_text(" ", strip=True) if alert else ""


def without_per_request_values(html: str) -> str:
    """The page with its CSRF tokens (signed, so unique per page) and the typed e-mail
    address blanked out."""
    html = re.sub(r'"[\w-]{20,}\.[\w-]+\.[\w-]+"', '"TOKEN"', html)
    return re.sub(r'(<input[^>]*name="email"[^>]*value=")[^"]*', r"\1", html)


# ---------------------------------------------------------------- password hash


def test_default_config_hashes_with_scrypt_n_2_17(tmp_path, database_url, monkeypatch):
    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    assert load_config(tmp_path)["PASSWORD_HASH_METHOD"] == "scrypt:131072:8:1"

    config = base_config(tmp_path, database_url)
    del config["PASSWORD_HASH_METHOD"]  # left at the default, unlike the fast test hash
    default_app = create_app(config)
    try:
        with default_app.app_context():
            hashed = accounts.hash_password(PASSWORD)
    finally:
        with default_app.app_context():
            db.engine.dispose()

    assert hashed.startswith(STRONG_PREFIX)
    assert check_password_hash(hashed, PASSWORD)
    assert not check_password_hash(hashed, PASSWORD + "x")


def test_a_strong_default_hash_signs_in(client, make):
    user = make.user(make.school())
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt:131072:8:1")
    db.session.commit()
    assert login(client, user.email).status_code == 302


def test_new_passwords_are_hashed_with_the_configured_method(app, world):
    teacher = world["a"]["teacher"]
    accounts.set_password(teacher, "another long password")
    assert teacher.password_hash.startswith(FAST_HASH + "$")
    assert app.config["PASSWORD_HASH_METHOD"] == FAST_HASH


# ---------------------------------------------------------------- answers that give nothing away


def test_wrong_password_and_unknown_email_get_the_same_answer(app, world):
    wrong_password = login(app.test_client(), world["a"]["teacher"].email, "wrong password")
    unknown_email = login(app.test_client(), "nobody@test.sch.id", "wrong password")

    assert wrong_password.status_code == unknown_email.status_code == 400
    assert error_text(wrong_password.text)
    assert error_text(wrong_password.text) == error_text(unknown_email.text)
    assert without_per_request_values(wrong_password.text) == without_per_request_values(
        unknown_email.text)
    assert "nobody@test.sch.id" not in without_per_request_values(unknown_email.text)


def test_unknown_email_checks_a_password_hash_like_a_known_one(app, world, monkeypatch):
    # The same work for both failures, so response time does not tell which addresses exist.
    checked = []
    real_check = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda pwhash, password: checked.append(pwhash.split("$")[0])
                        or real_check(pwhash, password))

    assert accounts.authenticate(world["a"]["teacher"].email, "wrong password") is None
    assert accounts.authenticate("nobody@test.sch.id", "wrong password") is None

    assert checked == [FAST_HASH, FAST_HASH]


# ---------------------------------------------------------------- per-account limit


def _fail(client, email):
    return login(client, email, "wrong password")


@pytest.fixture
def later(app, monkeypatch):
    """Move the rate limiter's clock forward by some seconds."""
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"  # the clock patched below

    def move(seconds: float):
        real_time = limits.storage.memory.time.time
        monkeypatch.setattr(limits.storage.memory, "time",
                            types.SimpleNamespace(time=lambda: real_time() + seconds,
                                                  sleep=limits.storage.memory.time.sleep))

    return move


def test_five_failures_lock_the_account_but_not_a_colleague_on_the_same_address(app, world):
    teacher, colleague = world["a"]["teacher"], world["a"]["teacher2"]
    attacker = app.test_client()  # every test client shares one remote address
    for _ in range(5):
        assert _fail(attacker, teacher.email).status_code == 400

    assert _fail(attacker, teacher.email).status_code == 429
    assert login(app.test_client(), colleague.email).status_code == 302
    assert login(attacker, colleague.email).status_code == 302


def test_a_limited_account_stays_limited_with_the_right_password_until_the_window_passes(
        app, world, later):
    teacher = world["a"]["teacher"]
    for _ in range(5):
        _fail(app.test_client(), teacher.email)

    refused = login(app.test_client(), teacher.email)
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers or "X-RateLimit-Reset" in refused.headers
    assert BeautifulSoup(refused.text, "html.parser").h1  # the friendly error page

    later(14 * 60)
    assert login(app.test_client(), teacher.email).status_code == 429
    later(16 * 60)
    assert login(app.test_client(), teacher.email).status_code == 302


def test_the_limit_counts_look_alike_addresses_as_one_account(app, world):
    email = world["a"]["teacher"].email
    for variant in [email, *look_alikes(email)]:
        assert _fail(app.test_client(), variant).status_code == 400
    assert login(app.test_client(), email).status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(app, world):
    teacher = world["a"]["teacher"]
    for _ in range(8):
        assert login(app.test_client(), teacher.email).status_code == 302
    assert _fail(app.test_client(), teacher.email).status_code == 400


# ---------------------------------------------------------------- look-alike e-mail addresses


@pytest.mark.parametrize("variant", range(4), ids=["upper", "spaces", "zero-width", "fullwidth"])
def test_a_look_alike_email_signs_in_to_the_same_account(app, world, variant):
    teacher = world["a"]["teacher"]
    client = app.test_client()
    assert login(client, look_alikes(teacher.email)[variant]).status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert teacher.name in home.text


@pytest.mark.dialect
@pytest.mark.parametrize("variant", range(4), ids=["upper", "spaces", "zero-width", "fullwidth"])
def test_a_look_alike_email_cannot_be_invited_as_a_second_account(app, world, variant):
    # Another school's principal is not told that the address has an account (issue 14):
    # the invitation is made as for anyone, and its link cannot make a second account.
    principal, teacher = world["b"]["principal"], world["a"]["teacher"]
    email = look_alikes(teacher.email)[variant]
    invitation = schools.invite(world["b"]["school"], principal,
                                schools.StaffDetails(name="Copy", email=email))
    db.session.commit()
    assert invitation.email == teacher.email

    assert join(app.test_client(), schools.invitation_token(invitation)).status_code == 410
    assert db.session.scalar(
        db.select(db.func.count()).select_from(accounts.User)
        .where(accounts.User.email == teacher.email)) == 1


@pytest.mark.parametrize("variant", range(4), ids=["upper", "spaces", "zero-width", "fullwidth"])
def test_a_look_alike_of_a_member_of_my_school_is_refused(world, variant):
    email = look_alikes(world["a"]["teacher"].email)[variant]
    with pytest.raises(schools.SchoolError) as refused:
        schools.invite(world["a"]["school"], world["a"]["principal"],
                       schools.StaffDetails(name="Copy", email=email))
    assert refused.value.code == "already_member"


@pytest.mark.dialect
def test_two_invitations_for_look_alike_addresses_give_only_one_account(app, world):
    address = "dewi.lestari@test.sch.id"
    first = schools.invite(world["a"]["school"], world["a"]["principal"],
                           schools.StaffDetails(name="Dewi", email=address))
    second = schools.invite(world["b"]["school"], world["b"]["principal"],
                            schools.StaffDetails(name="Dewi", email=f" {address.upper()} "))
    db.session.commit()
    assert second.email == first.email == address

    joined = join(app.test_client(), schools.invitation_token(first))
    assert joined.status_code == 302
    refused = join(app.test_client(), schools.invitation_token(second))

    assert refused.status_code == 410
    assert accounts.find_user_by_email(address).school_id == world["a"]["school"].id
    assert db.session.scalar(
        db.select(db.func.count()).select_from(accounts.User)
        .where(accounts.User.email == address)) == 1


# ---------------------------------------------------------------- next= redirects

HOSTILE_NEXT = ["//evil.example", "https://evil.example", "/\\evil.example",
                "javascript:alert(1)", "/%2F%2Fevil.example", "///evil.example",
                "\\\\evil.example", " //evil.example", "/\t/evil.example",
                "http:/evil.example", "https:evil.example", "JaVaScRiPt:alert(1)"]


def _assert_stays_on_site(client, location):
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "\\" not in location and "\t" not in location
    # Following it does not lead off-site either.
    followed = client.get(location)
    if followed.status_code in (301, 302, 303, 307, 308):
        assert urlsplit(followed.headers["Location"]).netloc in ("", "localhost")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(app, world, target):
    client = app.test_client()
    response = login(client, world["a"]["teacher"].email, next=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location in ("/", target)  # the home page, or a path of this site
    _assert_stays_on_site(client, location)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_signed_in_visit_to_login_never_redirects_off_site(client_for, world, target):
    client = client_for(world["a"]["teacher"])
    response = client.get("/auth/login", query_string={"next": target})
    assert response.status_code == 302
    _assert_stays_on_site(client, response.headers["Location"])


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_language_switch_never_redirects_off_site(client, target):
    page = client.get("/auth/login")
    response = client.post("/language", data={"csrf_token": csrf_token(page.text),
                                              "lang": "en", "next": target})
    assert response.status_code == 302
    _assert_stays_on_site(client, response.headers["Location"])


def test_login_honours_a_next_page_on_this_site(app, world):
    client = app.test_client()
    response = login(client, world["a"]["teacher"].email, next="/settings/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/profile"
    assert client.get("/settings/profile").status_code == 200


def test_the_login_form_carries_next_from_the_query_string(client):
    page = client.get("/auth/login?next=/settings/profile")
    field = BeautifulSoup(page.text, "html.parser").find("input", attrs={"name": "next"})
    assert field["value"] == "/settings/profile"


# ---------------------------------------------------------------- the login requirement


def _sample_value(converter):
    if isinstance(converter, IntegerConverter | FloatConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return "00000000-0000-0000-0000-000000000001"
    if isinstance(converter, AnyConverter):
        return converter.items[0]
    return "x"


def protected_get_urls(app) -> list[str]:
    """One URL for every GET rule that is not public, built with made-up values."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in PUBLIC_ENDPOINTS:
            values = {name: _sample_value(conv) for name, conv in rule._converters.items()}
            urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def test_the_protected_pages_include_the_known_ones_and_no_public_one(app):
    urls = protected_get_urls(app)
    assert {"/", "/settings/profile", "/settings/password", "/notifications/"} <= set(urls)
    assert not {"/auth/login", "/auth/reset", "/healthz"} & set(urls)


def test_an_anonymous_visit_to_any_protected_page_redirects_to_login_with_next(app):
    for url in protected_get_urls(app):
        response = app.test_client().get(url)
        assert response.status_code == 302, url
        location = urlsplit(response.headers["Location"])
        assert location.path == "/auth/login", url
        assert parse_qs(location.query)["next"] == [url], url


def test_the_next_of_an_anonymous_visit_keeps_the_query_string(client):
    response = client.get("/settings/profile?tab=1&x=y")
    location = urlsplit(response.headers["Location"])
    assert parse_qs(location.query)["next"] == ["/settings/profile?tab=1&x=y"]


# ---------------------------------------------------------------- joining by invitation


def english_client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def link_problem(response) -> str:
    """The explanation on the "this link no longer works" page."""
    assert response.status_code == 410
    return BeautifulSoup(response.text, "html.parser").select_one("section.card p").get_text()


def invite(world, key="a", **details):
    details = {"name": "Sari Dewi", "email": "sari.dewi@test.sch.id", **details}
    invitation = schools.invite(world[key]["school"], world[key]["principal"],
                                schools.StaffDetails(**details))
    db.session.commit()
    return invitation


def join(client, token, password=PASSWORD, confirm=None, **extra):
    """POST the join form (with a valid CSRF token even when the link itself is refused)."""
    page = client.get(f"/auth/invite/{token}")
    if page.status_code != 200:
        page = client.get("/auth/login")
    return client.post(f"/auth/invite/{token}", data={
        "csrf_token": csrf_token(page.text), "name": "Sari Dewi", "password": password,
        "confirm": password if confirm is None else confirm, **extra})


def user_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(accounts.User))


@pytest.mark.smoke
def test_joining_by_invitation_creates_the_account_in_the_school_with_its_role_and_signs_in(
        app, world):
    invitation = invite(world, email="Sari.Dewi@Test.sch.id ", role="principal",
                        subjects=["IPA"], grades=["8"], years_teaching=2)
    client = app.test_client()

    response = join(client, schools.invitation_token(invitation))

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "Sari Dewi" in home.text
    user = accounts.find_user_by_email("sari.dewi@test.sch.id")
    assert user.email == "sari.dewi@test.sch.id"
    assert user.school_id == world["a"]["school"].id
    assert user.membership.role == "principal"
    assert (user.profile.subjects, user.profile.grades, user.profile.years_teaching) == (
        ["IPA"], ["8"], 2)
    assert user.password_hash.startswith(FAST_HASH + "$")
    assert invitation.accepted_at is not None
    assert login(app.test_client(), user.email).status_code == 302


def test_joining_ignores_extra_fields_for_school_role_and_email(app, world):
    invitation = invite(world, role="teacher")
    response = join(app.test_client(), schools.invitation_token(invitation),
                    role="principal", school_id=str(world["b"]["school"].id),
                    email="someone.else@test.sch.id")
    assert response.status_code == 302
    user = accounts.find_user_by_email("sari.dewi@test.sch.id")
    assert (user.school_id, user.membership.role) == (world["a"]["school"].id, "teacher")
    assert accounts.find_user_by_email("someone.else@test.sch.id") is None


def test_the_invitation_link_works_only_once(app, world):
    token = schools.invitation_token(invite(world))
    assert join(app.test_client(), token).status_code == 302
    count = user_count()

    assert "already been used" in link_problem(
        english_client(app).get(f"/auth/invite/{token}"))
    assert join(app.test_client(), token).status_code == 410
    assert user_count() == count


def test_an_expired_invitation_link_is_refused(app, world):
    token = schools.invitation_token(invite(world))
    app.config["INVITATION_MAX_AGE"] = -1
    assert "expired" in link_problem(english_client(app).get(f"/auth/invite/{token}"))
    assert accounts.find_user_by_email("sari.dewi@test.sch.id") is None


@pytest.mark.parametrize(("days", "works"), [(6.9, True), (7.1, False)])
def test_the_invitation_link_works_for_seven_days(app, world, monkeypatch, days, works):
    token = schools.invitation_token(invite(world))
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: real(self) + int(days * 86400))
    response = join(app.test_client(), token)
    assert response.status_code == (302 if works else 410)
    assert (accounts.find_user_by_email("sari.dewi@test.sch.id") is not None) is works


def test_a_revoked_invitation_link_is_refused(app, world):
    invitation = invite(world)
    token = schools.invitation_token(invitation)
    schools.revoke_invitation(invitation, world["a"]["principal"])
    db.session.commit()

    assert "withdrawn" in link_problem(english_client(app).get(f"/auth/invite/{token}"))
    assert join(app.test_client(), token).status_code == 410
    assert accounts.find_user_by_email("sari.dewi@test.sch.id") is None


def test_a_replaced_invitation_link_is_refused(app, world):
    old_token = schools.invitation_token(invite(world))
    new_token = schools.invitation_token(invite(world))
    assert join(app.test_client(), old_token).status_code == 410
    assert join(app.test_client(), new_token).status_code == 302


@pytest.mark.parametrize("tamper", [
    # Not the last character: its low bits are padding, so some changes decode the same.
    lambda t: t[:-5] + ("A" if t[-5] != "A" else "B") + t[-4:],
    lambda t: t[:5] + ("x" if t[5] != "x" else "y") + t[6:],
    lambda t: t.rsplit(".", 1)[0],
    lambda t: "garbage",
], ids=["signature", "payload", "unsigned", "garbage"])
def test_a_tampered_invitation_link_is_refused(app, world, tamper):
    token = schools.invitation_token(invite(world))
    client = english_client(app)
    assert "not valid" in link_problem(client.get(f"/auth/invite/{tamper(token)}"))
    assert join(app.test_client(), tamper(token)).status_code == 410
    assert accounts.find_user_by_email("sari.dewi@test.sch.id") is None


def test_a_reset_token_is_not_an_invitation_link(app, world):
    token = accounts.make_reset_token(world["a"]["teacher"])
    assert app.test_client().get(f"/auth/invite/{token}").status_code == 410


@pytest.mark.parametrize(("password", "confirm", "field"), [
    ("short", "short", "password"), (PASSWORD, PASSWORD + "!", "confirm")],
    ids=["too-short", "mismatch"])
def test_joining_with_a_refused_password_creates_nothing(app, world, password, confirm, field):
    invitation = invite(world)
    token = schools.invitation_token(invitation)
    response = join(app.test_client(), token, password, confirm)
    assert response.status_code == 400
    assert BeautifulSoup(response.text, "html.parser").find(id=f"{field}-error")
    assert accounts.find_user_by_email("sari.dewi@test.sch.id") is None
    assert invitation.accepted_at is None
    assert app.test_client().get(f"/auth/invite/{token}").status_code == 200
