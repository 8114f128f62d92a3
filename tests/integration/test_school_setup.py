"""First run: the /setup page creates the first school and its principal, refuses bad input
next to the field without losing what was typed, and disappears once a school exists; the
`flask create-school` command does the same from a shell. Neither tells whether an address
already has an account: the answer is the same, and the address's owner gets a mail."""

from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from collab.extensions import db
from collab.people.models import Membership, School, User
from tests.conftest import PASSWORD, deliver_mail, login, post_form

GOOD_SETUP = {
    "school_name": "SMP Negeri 3 Harapan",
    "timezone": "Asia/Makassar",
    "name": "Ibu Kartini",
    "email": "kepsek@harapan.sch.id",
    "password": PASSWORD,
    "confirm": PASSWORD,
}


@pytest.fixture
def client(client):
    """The anonymous client, reading the pages in English."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def field_error(html: str, name: str) -> str:
    """The error text shown inside the field block of input `name` ('' if none)."""
    soup = BeautifulSoup(html, "html.parser")
    block = soup.find(attrs={"name": name}).find_parent(class_="field")
    error = block.select_one(".error")
    return error.get_text(" ", strip=True) if error else ""


def typed_value(html: str, name: str) -> str | None:
    return BeautifulSoup(html, "html.parser").find("input", attrs={"name": name}).get("value")


def mails(app) -> list[str]:
    """The mails sent so far (the outbox's sender run first)."""
    deliver_mail(app)
    folder = Path(app.config["MAIL_OUTBOX"])
    return [p.read_text() for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


# Every setup, whatever the address, answers so: to the sign-in page, then the school page.
SETUP_ANSWER = (302, "/auth/login?next=/settings/school/")


def answer(response) -> tuple[int, str]:
    return response.status_code, unquote(response.headers.get("Location", ""))


# ---------------------------------------------------------------- the setup page


def test_a_fresh_install_shows_the_setup_form(client):
    response = client.get("/setup")
    assert response.status_code == 200
    for name in ("school_name", "timezone", "name", "email", "password", "confirm"):
        assert f'name="{name}"' in response.text
    assert typed_value(response.text, "timezone") == "Asia/Jakarta"


@pytest.mark.smoke
def test_setup_creates_the_school_and_its_principal_who_signs_in_to_the_school_page(client):
    response = post_form(client, "/setup", GOOD_SETUP)

    assert answer(response) == SETUP_ANSWER
    school = db.session.scalar(select(School))
    assert (school.name, school.timezone) == ("SMP Negeri 3 Harapan", "Asia/Makassar")
    principal = db.session.scalar(select(User))
    assert principal.email == "kepsek@harapan.sch.id"
    assert principal.membership.school_id == school.id
    assert principal.membership.role == "principal"
    sign_in_page = client.get(response.headers["Location"])
    assert "The school is created. Sign in" in sign_in_page.text
    signed_in = login(client, "kepsek@harapan.sch.id", next="/settings/school/")
    assert signed_in.headers["Location"] == "/settings/school/"
    staff_page = client.get("/settings/school/")
    assert staff_page.status_code == 200
    assert "SMP Negeri 3 Harapan" in staff_page.text


def test_the_new_principal_can_sign_in_again_with_the_chosen_password(app, client):
    post_form(client, "/setup", GOOD_SETUP)
    assert login(app.test_client(), "kepsek@harapan.sch.id").status_code == 302


def test_setup_is_gone_once_a_school_exists(client):
    post_form(client, "/setup", GOOD_SETUP)
    anonymous = client.application.test_client()
    assert anonymous.get("/setup").status_code == 404
    second = post_form(anonymous, "/setup", {**GOOD_SETUP, "email": "other@harapan.sch.id"},
                       page="/auth/login")
    assert second.status_code == 404
    assert count(School) == 1


def test_setup_is_404_when_the_demo_or_another_school_exists(client, make):
    make.school()
    assert client.get("/setup").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("school_name", "", "Enter the school's name."),
        ("school_name", "   ", "Enter the school's name."),
        ("timezone", "Mars/Base", "Unknown time zone"),
        ("timezone", "", "Enter a time zone."),
        ("password", "short", "at least 10 characters"),
        ("confirm", PASSWORD + "x", "The two passwords are not the same."),
        ("email", "not-an-address", "not a valid e-mail address"),
        ("email", "", "Enter your e-mail address."),
        ("name", "", "Enter your name."),
    ],
)
def test_bad_setup_input_is_refused_next_to_the_field_and_keeps_the_typed_values(
    client, field, value, message
):
    data = {**GOOD_SETUP, field: value}
    if field == "password":
        data["confirm"] = value

    response = post_form(client, "/setup", data)

    assert response.status_code == 400
    assert message in field_error(response.text, field)
    for other in ("school_name", "timezone", "name", "email"):
        assert (typed_value(response.text, other) or "") == data[other]
    # Passwords are never sent back into the page.
    assert PASSWORD not in response.text
    assert count(School) == 0
    assert count(User) == 0


def test_setup_with_a_time_zone_typed_with_spaces_is_accepted(client):
    response = post_form(client, "/setup", {**GOOD_SETUP, "timezone": " Asia/Jayapura "})
    assert response.status_code == 302
    assert db.session.scalar(select(School.timezone)) == "Asia/Jayapura"


@pytest.mark.dialect
def test_setup_with_the_address_of_an_existing_account_answers_as_for_any_address(
    app, client, make
):
    owner = make.user(None, email="kepsek@harapan.sch.id")  # an account that belongs to no school
    owner_hash = owner.password_hash

    response = post_form(client, "/setup", {**GOOD_SETUP, "email": "KEPSEK@harapan.sch.id",
                                            "password": "another phrase of mine",
                                            "confirm": "another phrase of mine"})

    assert answer(response) == SETUP_ANSWER
    assert "already" not in client.get(response.headers["Location"]).text
    assert count(User) == 1  # no second account
    school = db.session.scalar(select(School))
    db.session.refresh(owner)
    assert owner.password_hash == owner_hash  # the typed password opens nothing
    assert (owner.membership.school_id, owner.membership.role) == (school.id, "principal")
    [mail] = mails(app)
    assert "kepsek@harapan.sch.id" in mail and "SMP Negeri 3 Harapan" in mail
    assert login(app.test_client(), "kepsek@harapan.sch.id",
                 "another phrase of mine").status_code != 302


def test_an_account_without_a_school_sees_a_page_that_says_so(client, make):
    make.user(None, email="lost@test.sch.id", name="Lost Teacher")
    login(client, "lost@test.sch.id")
    page = client.get("/")
    assert page.status_code == 200
    assert "Hello, Lost Teacher" in page.text
    assert "does not belong to a school yet" in page.text


def test_setup_post_without_csrf_token_creates_nothing(client):
    response = client.post("/setup", data=GOOD_SETUP)
    assert response.status_code == 400
    assert count(School) == 0


# ---------------------------------------------------------------- flask create-school


def create_school_args(**overrides):
    options = {
        "--name": "SD Negeri 5 Pelita",
        "--timezone": "Asia/Jakarta",
        "--principal-name": "Pak Hadi",
        "--principal-email": "Hadi@Pelita.sch.id",
        "--password": PASSWORD,
        **overrides,
    }
    args = ["create-school"]
    for option, value in options.items():
        args += [option, value]
    return args


def test_create_school_command_creates_the_school_and_its_principal(runner):
    result = runner.invoke(args=create_school_args())

    assert result.exit_code == 0, result.output
    school = db.session.scalar(select(School))
    assert f"Created school {school.id}: SD Negeri 5 Pelita" in result.output
    membership = db.session.scalar(select(Membership))
    assert membership.school_id == school.id
    assert membership.role == "principal"
    assert membership.user.email == "hadi@pelita.sch.id"  # stored normalised
    assert login(runner.app.test_client(), "hadi@pelita.sch.id").status_code == 302


def test_create_school_command_refuses_an_unknown_time_zone(runner):
    result = runner.invoke(args=create_school_args(**{"--timezone": "Mars/Base"}))

    assert result.exit_code != 0
    assert "unknown time zone 'Mars/Base'" in result.output
    assert "--timezone" in result.output
    assert count(School) == 0
    assert count(User) == 0


@pytest.mark.parametrize(("password", "reason"), [
    ("short", "Use at least 10 characters."),
    ("password123", "one of the most common passwords"),
    ("aaaaaaaaaaaa", "a repetition or a sequence"),
    ("hadi pelita 5", "made of your e-mail address, your name or your school"),
    ("Pak Hadi Pelita", "made of your e-mail address, your name or your school"),
])
def test_create_school_command_refuses_a_password_the_forms_refuse_and_says_why(
        runner, monkeypatch, password, reason):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    result = runner.invoke(args=create_school_args(**{"--password": password}))

    assert result.exit_code != 0
    assert reason in " ".join(result.output.split())
    assert "--password" in result.output
    assert count(School) == 0
    assert count(User) == 0


def test_create_school_command_says_why_in_indonesian_for_an_indonesian_shell(
        runner, monkeypatch):
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    result = runner.invoke(args=create_school_args(**{"--password": "aaaaaaaaaaaa"}))

    assert result.exit_code != 0
    assert "pengulangan" in " ".join(result.output.split())


def output_words(result) -> str:
    return result.output.replace(str(db.session.scalar(select(func.max(School.id)))), "N")


def test_create_school_command_answers_the_same_for_an_address_that_has_an_account(
        app, runner, make):
    fresh = runner.invoke(args=create_school_args(**{"--name": "SD Baru",
                                                     "--principal-email": "baru@baru.sch.id"}))
    fresh_words = output_words(fresh)
    owner = make.user(make.school("Existing"), email="hadi@pelita.sch.id")

    result = runner.invoke(args=create_school_args(**{"--principal-email": "hadi@pelita.sch.id"}))

    assert result.exit_code == fresh.exit_code == 0, result.output
    assert output_words(result) == fresh_words.replace("SD Baru", "SD Negeri 5 Pelita")
    assert count(User) == 2  # the first school's principal and the owner: no second account
    db.session.refresh(owner)
    assert owner.membership.school.name == "Existing"  # still there, not moved
    [mail] = [m for m in mails(app) if "hadi@pelita.sch.id" in m]
    assert "SD Negeri 5 Pelita" in mail
