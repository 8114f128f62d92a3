"""Notifications: the bell shows the unread count, the list reads in the current language,
marking all read empties the count, nobody sees another person's notifications, links stay on
the site; and the home page costs a fixed handful of queries however big the school."""

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale
from sqlalchemy import select

from collab.core import notify
from collab.core.models import utcnow
from collab.core.notify import Notification
from collab.extensions import db
from tests.conftest import post_form


def bell_count(html: str) -> int:
    return int(BeautifulSoup(html, "html.parser").select_one(".bell .count").get_text(strip=True))


def listed(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [a.get_text(strip=True) for a in soup.select("main li a")]


def english(c):
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


@pytest.fixture
def teacher_with_notes(world, make):
    """School A's teacher with three notifications, one of them already read."""
    teacher = world["a"]["teacher"]
    notify.notify(teacher, "team.added", "/", team="MGMP IPA")
    notify.notify(teacher, "member.joined", "/", name="Rina")
    read = notify.notify(teacher, "role.principal", "/")
    read.read_at = utcnow()
    db.session.commit()
    return teacher


def test_the_bell_shows_the_unread_count(world, client_for, teacher_with_notes):
    c = client_for(teacher_with_notes)
    for path in ("/", "/notifications/", "/settings/profile"):
        assert bell_count(c.get(path).text) == 2 == notify.unread_count(teacher_with_notes.id)


def test_a_user_without_notifications_sees_zero(world, client_for):
    assert bell_count(client_for(world["a"]["teacher2"]).get("/").text) == 0


def test_the_list_reads_in_english(world, client_for, teacher_with_notes):
    page = english(client_for(teacher_with_notes)).get("/notifications/")
    assert page.status_code == 200
    assert listed(page.text) == [
        "You are now a principal of the school.",
        "Rina joined your school.",
        "You were added to the team MGMP IPA.",
    ]


def test_the_same_notifications_read_in_indonesian(app, world, client_for, teacher_with_notes):
    c = client_for(teacher_with_notes)
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    page = c.get("/notifications/")
    with app.test_request_context(), force_locale("id"):
        expected = [notify.text(n) for n in notify.recent(teacher_with_notes.id)]
    assert "Anda ditambahkan ke tim MGMP IPA." in expected
    assert listed(page.text) == expected


def test_the_users_chosen_language_wins_over_the_browser(world, client_for, teacher_with_notes):
    teacher_with_notes.language = "id"
    db.session.commit()
    page = english(client_for(teacher_with_notes)).get("/notifications/")
    assert "Anda ditambahkan ke tim MGMP IPA." in listed(page.text)


def test_marking_all_read_sets_the_count_to_zero(world, client_for, teacher_with_notes):
    c = client_for(teacher_with_notes)

    response = post_form(c, "/notifications/read", page="/notifications/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"
    page = c.get("/notifications/")
    assert bell_count(page.text) == 0
    assert len(listed(page.text)) == 3  # still listed, only read
    assert BeautifulSoup(page.text, "html.parser").select("li.unread") == []
    assert notify.unread_count(teacher_with_notes.id) == 0


def test_marking_read_without_a_csrf_token_is_refused(world, client_for, teacher_with_notes):
    c = client_for(teacher_with_notes)
    assert c.post("/notifications/read").status_code == 400
    assert notify.unread_count(teacher_with_notes.id) == 2


def test_nobody_sees_or_marks_another_users_notifications(world, client_for, teacher_with_notes):
    for key in ("teacher2", "principal"):
        colleague = english(client_for(world["a"][key]))
        page = colleague.get("/notifications/")
        assert listed(page.text) == []
        assert bell_count(page.text) == 0
        assert "MGMP IPA" not in colleague.get("/").text
        post_form(colleague, "/notifications/read", page="/notifications/")
    other_school = english(client_for(world["b"]["teacher"])).get("/notifications/")
    assert listed(other_school.text) == []
    assert notify.unread_count(teacher_with_notes.id) == 2


def test_signed_out_visitors_are_sent_to_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("link", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "",
    "/\n//evil.example",
])
def test_notify_refuses_a_link_off_the_site(world, link):
    with pytest.raises(ValueError):
        notify.notify(world["a"]["teacher"], "team.added", link, team="X")
    assert db.session.scalar(select(Notification.id)) is None


def test_notify_accepts_a_path_with_a_query(world):
    note = notify.notify(world["a"]["teacher"], "team.added", "/plans/?team=3#top", team="X")
    assert note.link == "/plans/?team=3#top"


def test_notify_refuses_an_unknown_kind(world):
    with pytest.raises(KeyError):
        notify.notify(world["a"]["teacher"], "no.such.kind")


# ---------------------------------------------------------------- the home page's query budget

HOME_QUERY_BUDGET = 5


def home_queries(c, count_queries) -> int:
    with count_queries() as statements:
        response = c.get("/")
    assert response.status_code == 200
    return len(statements)


def grow_the_school(make, world, extra: int = 30):
    """`extra` more teachers, each in a new team with the world's teacher and principal, and
    notifications for everyone involved."""
    a = world["a"]
    for i in range(extra):
        colleague = make.user(a["school"], name=f"Extra {i:02}")
        make.team(a["school"], f"Extra team {i:02}", [colleague, a["teacher"], a["principal"]])
        make.invitation(a["school"], a["principal"], email=f"extra{i}@test.sch.id")
        for person in (a["teacher"], a["principal"], colleague):
            notify.notify(person, "team.added", "/", team=f"Extra team {i:02}")
    db.session.commit()


@pytest.mark.parametrize("key", ["teacher", "principal"])
def test_the_home_page_stays_within_its_query_budget_as_the_school_grows(
    world, make, client_for, count_queries, key
):
    c = client_for(world["a"][key])
    small = home_queries(c, count_queries)

    grow_the_school(make, world)
    large = home_queries(c, count_queries)

    assert small <= HOME_QUERY_BUDGET
    assert large == small
    page = c.get("/")
    assert "Extra team 29" in page.text  # the new data is really on the page
    assert bell_count(page.text) == 30
