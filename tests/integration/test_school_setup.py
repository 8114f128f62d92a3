"""First run: the /setup page creates the first school and its principal, refuses bad input
next to the field without losing what was typed, and disappears once a school exists; the
`flask create-school` command does the same from a shell."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from collab.extensions import db
from collab.people.models import Membership, School, User
from tests.conftest import PASSWORD, login, post_form

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


# ---------------------------------------------------------------- the setup page


def test_a_fresh_install_shows_the_setup_form(client):
    response = client.get("/setup")
    assert response.status_code == 200
    for name in ("school_name", "timezone", "name", "email", "password", "confirm"):
        assert f'name="{name}"' in response.text
    assert typed_value(response.text, "timezone") == "Asia/Jakarta"


@pytest.mark.smoke
def test_setup_creates_the_school_and_its_principal_and_signs_them_in(client):
    response = post_form(client, "/setup", GOOD_SETUP)

    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/school/"
    school = db.session.scalar(select(School))
    assert (school.name, school.timezone) == ("SMP Negeri 3 Harapan", "Asia/Makassar")
    principal = db.session.scalar(select(User))
    assert principal.email == "kepsek@harapan.sch.id"
    assert principal.membership.school_id == school.id
    assert principal.membership.role == "principal"
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
def test_setup_with_the_address_of_an_existing_account_is_refused_next_to_the_email(
    client, make
):
    make.user(None, email="kepsek@harapan.sch.id")  # an account that belongs to no school

    response = post_form(client, "/setup", {**GOOD_SETUP, "email": "KEPSEK@harapan.sch.id"})

    assert response.status_code == 400
    assert "already has an account" in field_error(response.text, "email")
    assert typed_value(response.text, "school_name") == GOOD_SETUP["school_name"]
    assert count(School) == 0


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


def test_create_school_command_refuses_a_short_password(runner):
    result = runner.invoke(args=create_school_args(**{"--password": "short"}))

    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert "--password" in result.output
    assert count(School) == 0
    assert count(User) == 0


def test_create_school_command_refuses_an_address_that_already_has_an_account(runner, make):
    make.user(make.school("Existing"), email="hadi@pelita.sch.id")

    result = runner.invoke(args=create_school_args())

    assert result.exit_code != 0
    assert "cannot create the school: email_taken" in result.output
    assert count(School) == 1
