"""Notifications: the bell shows the unread count, the list reads in the current language,
marking all read empties the count, nobody sees another person's notifications, links stay on
the site; and the home page costs a fixed handful of queries however big the school."""

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.routing import BuildError

from collab.core import notify
from collab.core.links import Target
from collab.core.mail import OutgoingMail
from collab.core.models import utcnow
from collab.core.notify import Notification
from collab.extensions import db
from tests.conftest import post_form


def bell_count(html: str) -> int:
    return int(BeautifulSoup(html, "html.parser").select_one(".bell .count").get_text(strip=True))


def listed(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [a.get_text(strip=True) for a in soup.select("main li a")]


HOME = Target("main.home_page")


def english(c):
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


@pytest.fixture
def teacher_with_notes(world, make):
    """School A's teacher with three notifications, one of them already read."""
    teacher = world["a"]["teacher"]
    notify.notify(teacher, "team.added", HOME, team="MGMP IPA")
    notify.notify(teacher, "member.joined", HOME, name="Rina")
    read = notify.notify(teacher, "role.principal", HOME)
    read.read_at = utcnow()
    db.session.commit()
    return teacher


@pytest.mark.dialect
def test_the_bell_shows_the_unread_count(world, client_for, teacher_with_notes):
    c = client_for(teacher_with_notes)
    for path in ("/", "/settings/profile"):
        assert bell_count(c.get(path).text) == 2 == notify.unread_count(teacher_with_notes.id)


@pytest.mark.dialect
def test_the_home_counts_unread_notifications_beyond_the_latest_five(world, client_for):
    """Home reads the bell's count with its latest five notifications (one statement): the
    count is of every unread one, and it is right when the latest five are all read."""
    teacher = world["a"]["teacher"]
    for n in range(4):
        notify.notify(teacher, "team.added", HOME, team=f"Tim {n}")
    db.session.commit()
    latest = [notify.notify(teacher, "team.added", HOME, team=f"Baru {n}") for n in range(6)]
    for note in latest:
        note.read_at = utcnow()
    db.session.commit()
    c = client_for(teacher)
    assert bell_count(c.get("/").text) == 4 == notify.unread_count(teacher.id)
    db.session.execute(Notification.__table__.delete())
    db.session.commit()
    assert bell_count(c.get("/").text) == 0


@pytest.mark.dialect
def test_opening_the_list_clears_the_count_and_marks_what_was_new(world, client_for,
                                                                  teacher_with_notes):
    c = english(client_for(teacher_with_notes))
    page = c.get("/notifications/")
    assert bell_count(page.text) == 0 == notify.unread_count(teacher_with_notes.id)
    new = BeautifulSoup(page.text, "html.parser").select("li.unread a")
    assert [a.get_text(strip=True) for a in new] == [
        "Rina joined your school.", "You were added to the team MGMP IPA."]
    again = c.get("/notifications/")
    assert BeautifulSoup(again.text, "html.parser").select("li.unread") == []
    assert bell_count(c.get("/").text) == 0


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


@pytest.mark.dialect
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
    "/",
    "/plans/1",
])
def test_notify_refuses_a_hand_built_link(world, link):
    with pytest.raises(TypeError):
        notify.notify(world["a"]["teacher"], "team.added", link, team="X")
    assert db.session.scalar(select(Notification.id)) is None


def test_notify_accepts_a_target_with_a_query_and_an_anchor(world):
    note = notify.notify(world["a"]["teacher"], "team.added",
                         Target("plans.index", {"team": 3}, "top"), team="X")
    assert note.link == "/plans/?team=3#top"


def test_a_hostile_anchor_stays_on_the_site(world):
    note = notify.notify(world["a"]["teacher"], "team.added",
                         Target("main.home_page", anchor="\n//evil.example"), team="X")
    assert note.link == "/#%0A//evil.example"


@pytest.mark.parametrize("target", [
    Target("no.such.endpoint"),
    Target("plans.view"),  # the plan_id is missing
])
def test_notify_refuses_a_target_that_does_not_build(world, target):
    with pytest.raises(BuildError):
        notify.notify(world["a"]["teacher"], "team.added", target, team="X")
    assert db.session.scalar(select(Notification.id)) is None


def test_a_target_that_builds_off_the_site_is_refused(world, monkeypatch):
    monkeypatch.setattr(notify, "path_for", lambda target: "//evil.example/")
    with pytest.raises(ValueError):
        notify.notify(world["a"]["teacher"], "team.added", HOME, team="X")
    assert db.session.scalar(select(Notification.id)) is None


def test_the_target_key_is_reserved(world):
    with pytest.raises(ValueError):
        notify.notify(world["a"]["teacher"], "team.added", HOME, team="X", _target="/")


def test_notify_refuses_an_unknown_kind(world):
    with pytest.raises(KeyError):
        notify.notify(world["a"]["teacher"], "no.such.kind", HOME)


# ---------------------------------------------------------------- the home page's query budget

HOME_QUERY_BUDGET = 9  # the user, the unread count and the sections of main/home.html


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
            notify.notify(person, "team.added", HOME, team=f"Extra team {i:02}")
    db.session.commit()


@pytest.mark.dialect
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


# ---------------------------------------------------------------- links built when shown


def links(html: str) -> dict[str, str]:
    """Each listed notification's sentence and where its link leads."""
    soup = BeautifulSoup(html, "html.parser")
    return {a.get_text(strip=True): a["href"] for a in soup.select("main li a")}


def stored_row(teacher, team: str, link: str, target=None) -> None:
    """A row written straight to the table: `target` as stored (None: a row from before)."""
    params = {"team": team} if target is None else {"team": team, "_target": target}
    db.session.add(Notification(recipient_id=teacher.id, school_id=teacher.school_id,
                                kind="team.added", params=params, link=link))
    db.session.commit()


def test_a_row_stores_its_target_and_the_page_builds_the_link_with_url_for(world, client_for):
    teacher = world["a"]["teacher"]
    note = notify.notify(teacher, "team.added", Target("plans.view", {"plan_id": 42}, "c-7"),
                         team="MGMP IPA")
    assert note.params == {"team": "MGMP IPA", "_target": {
        "endpoint": "plans.view", "values": {"plan_id": 42}, "anchor": "c-7"}}
    assert note.link == "/plans/42#c-7"
    assert notify.values(note) == {"team": "MGMP IPA"}  # what the sentence is written with
    note.link = "/stale"  # the page reads the target, not the stored path
    db.session.commit()
    c = english(client_for(teacher))

    assert links(c.get("/notifications/").text) == {
        "You were added to the team MGMP IPA.": "/plans/42#c-7"}
    home = BeautifulSoup(c.get("/").text, "html.parser")
    assert home.find("a", string="You were added to the team MGMP IPA.")["href"] == "/plans/42#c-7"
    # Under a path prefix, url_for adds it: a stored path could not.
    page = c.get("/notifications/", base_url="http://localhost/rembuk")
    assert links(page.text) == {"You were added to the team MGMP IPA.": "/rembuk/plans/42#c-7"}


def test_a_row_without_a_target_shows_its_stored_link(world, client_for):
    teacher = world["a"]["teacher"]
    stored_row(teacher, "Lama", "/plans/7#comment-3")

    page = english(client_for(teacher)).get("/notifications/")

    assert page.status_code == 200
    assert links(page.text) == {"You were added to the team Lama.": "/plans/7#comment-3"}
    [note] = notify.recent(teacher.id)
    assert notify.values(note) == {"team": "Lama"} and note.href == "/plans/7#comment-3"


@pytest.mark.parametrize("target", [
    {"endpoint": "gone.page", "values": {}, "anchor": ""},  # an endpoint since removed
    {"endpoint": "plans.view", "values": {}, "anchor": ""},  # its values no longer fit
    {"endpoint": "plans.view", "values": {"_external": True, "plan_id": 1}, "anchor": ""},
    {"values": {"plan_id": 1}},
    "plans.view",
    ["plans.view"],
])
def test_a_target_that_no_longer_builds_falls_back_to_the_stored_link(
        world, client_for, target):
    teacher = world["a"]["teacher"]
    stored_row(teacher, "Lama", "/observations/", target)
    c = english(client_for(teacher))

    page = c.get("/notifications/")
    home = c.get("/")

    assert page.status_code == home.status_code == 200
    assert links(page.text) == {"You were added to the team Lama.": "/observations/"}
    assert 'href="/observations/"' in home.text
    [note] = notify.recent(teacher.id)
    assert note.href == "/observations/"  # outside a request too


def test_a_mail_carries_the_link_built_from_the_target(app, world):
    teacher = world["a"]["teacher"]
    notify.notify(teacher, "team.added", Target("rooms.room", {"room_id": 5}, "m9"),
                  email=True, team="X")
    db.session.commit()

    [body] = db.session.scalars(select(OutgoingMail.body)).all()
    assert f"{app.config['BASE_URL'].rstrip('/')}/rooms/5#m9\n" in body
    assert "_target" not in body



def test_dates_in_sentences_and_times_read_in_the_readers_language(world, client_for):
    """Issue 15: notifications showed ISO dates ("2026-12-08") and "02/12/26 06.03"."""
    teacher = world["a"]["teacher"]
    notify.notify(teacher, "observation.requested", HOME, name="Rina", class_name="7A",
                  date="2026-12-08", period=2)
    db.session.commit()
    for lang, day in (("en", "Dec 8, 2026"), ("id", "8 Des 2026")):
        c = client_for(teacher)
        c.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
        page = BeautifulSoup(c.get("/notifications/").text, "html.parser")
        assert day in listed(str(page))[0] and "2026-12-08" not in str(page.main)
        shown = page.select_one("main li time").get_text()
        assert "/" not in shown and ", " in shown  # "3 Des 2026, 09.11", not "02/12/26 06.03"
