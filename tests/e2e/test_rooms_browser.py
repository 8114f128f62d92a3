"""The rooms in Chromium against the live server with the demo data: guru01 and guru02 chat
live in their team room, in two browsers, and move a note on the board; a message written
while offline waits in the outbox and arrives after the reconnect; the pages pass axe in both
languages and fit a 360-pixel phone."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from collab.extensions import db
from collab.people.models import Team
from collab.rooms.models import Room
from tests.e2e.conftest import TEACHER, Site
from tests.e2e.test_journeys import horizontal_overflow

pytestmark = [pytest.mark.browser]

COLLEAGUE = "guru02@demo.sch.id"  # with guru01 in the MGMP Matematika team
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "instance" / "screenshots"


@pytest.fixture
def room_id(live_server):
    found = db.session.scalar(select(Room.id).join(Team, Team.id == Room.team_id)
                              .where(Team.name == "MGMP Matematika"))
    db.session.remove()
    assert found is not None
    return found


@pytest.fixture
def second_site(browser, live_server, axe):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Site(page, live_server.url, axe)
    context.close()


def enter_room(site, email, room_id):
    site.log_in(email)
    site.open("/rooms/")
    site.submit(f"main a[href='/rooms/{room_id}']")
    assert site.path() == f"/rooms/{room_id}"
    connected(site)


def connected(site):
    site.page.wait_for_selector("#room-status:not([hidden]):not(.waiting)")


def test_two_teachers_chat_live_and_move_a_note(site, second_site, room_id):
    enter_room(site, TEACHER, room_id)
    enter_room(second_site, COLLEAGUE, room_id)
    guru01, guru02 = site.page, second_site.page

    # Presence: each sees the other online.
    guru01.wait_for_function(
        "document.querySelectorAll('#members .presence:not([hidden])').length >= 2")

    guru01.fill("#body", "Kelompok 2 sudah menemukan pola **kelipatan**.")
    guru01.press("#body", "Enter")
    arrived = guru02.locator("#messages li.message", has_text="Kelompok 2 sudah menemukan pola")
    arrived.wait_for()
    assert arrived.locator("strong", has_text="kelipatan").count() == 1, "Markdown rendered"
    assert guru01.input_value("#body") == "", "the box is emptied after sending"
    sent = guru01.locator("#messages li.message", has_text="Kelompok 2 sudah menemukan pola")
    sent.locator(".message-actions").wait_for()  # acknowledged: now editable
    assert sent.count() == 1, "shown once, not once pending and once from the broadcast"
    # Both got the server's one rendering of the item; each page adds what is its reader's
    # alone: "mine" and, on my own message, the edit and delete forms with my CSRF token.
    assert "mine" in sent.get_attribute("class").split()
    assert "mine" not in arrived.get_attribute("class").split()
    assert arrived.locator(".message-actions").count() == 0
    message_id = sent.get_attribute("data-id")
    edit = sent.locator(f"form[action$='/messages/{message_id}/edit']")
    assert edit.locator("input[name=csrf_token]").input_value()
    sent.locator("summary").click()
    edit.locator("textarea").fill("Kelompok 2 sudah menemukan pola **kelipatan** tiga.")
    edit.locator("button[type=submit]").click()
    guru02.locator("#messages li.message", has_text="kelipatan tiga").locator(
        "[data-label=edited]").wait_for()

    guru02.fill("#body", "Setuju. Baris baru:")
    guru02.press("#body", "Shift+Enter")
    guru02.type("#body", "kedua")
    assert guru02.input_value("#body") == "Setuju. Baris baru:\nkedua"
    guru02.press("#body", "Enter")
    guru01.locator("#messages li.message", has_text="kedua").wait_for()

    # A note added by guru02 appears for guru01, who moves it one column right.
    guru02.select_option("#column", "wonderings")
    guru02.fill("#text", "Mengapa kelompok 3 diam saja?")
    guru02.click("#note-form button[type=submit]")
    note = guru01.locator("[data-column=wonderings] .note-card",
                          has_text="Mengapa kelompok 3 diam saja?")
    note.wait_for()
    note.locator("button[data-move=right]").click()
    guru02.locator("ol[data-column=suggestions] .note-card",
                   has_text="Mengapa kelompok 3 diam saja?").wait_for()
    assert guru02.locator("ol[data-column=wonderings] .note-card",
                          has_text="Mengapa kelompok 3 diam saja?").count() == 0
    site.check()
    second_site.check()

    # Nothing was lost or doubled: after a reload the server's page has each message once.
    guru02.reload()
    assert guru02.locator("#messages li.message", has_text="kedua").count() == 1
    assert guru02.locator("#messages li.message",
                          has_text="Kelompok 2 sudah menemukan pola").count() == 1


def test_a_message_written_offline_is_sent_after_the_reconnect(site, second_site, room_id):
    enter_room(site, TEACHER, room_id)
    enter_room(second_site, COLLEAGUE, room_id)
    guru01, guru02 = site.page, second_site.page

    guru01.context.set_offline(True)
    guru01.wait_for_selector("#room-status.waiting")
    guru01.fill("#body", "Ditulis saat sinyal hilang")
    guru01.press("#body", "Enter")
    guru01.locator("#messages li.pending", has_text="Ditulis saat sinyal hilang").wait_for()
    guru01.context.set_offline(False)

    guru02.locator("#messages li.message", has_text="Ditulis saat sinyal hilang").wait_for(
        timeout=30_000)
    guru01.wait_for_selector("#messages li.pending", state="detached", timeout=30_000)
    guru02.reload()
    assert guru02.locator("#messages li.message",
                          has_text="Ditulis saat sinyal hilang").count() == 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_room_pages_pass_axe(site, room_id, lang):
    site.open("/auth/login")
    if lang != "id":
        site.switch_language(lang)
    site.log_in(TEACHER)
    site.open("/rooms/")
    site.open(f"/rooms/{room_id}")
    connected(site)
    site.check()  # with what the script added: status, controls, note tools
    site.open(f"/rooms/{room_id}?before=999999")  # the no-JS "load earlier" page


def test_the_room_fits_a_360_pixel_phone(browser, live_server, axe, room_id):
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    phone = Site(page, live_server.url, axe)
    try:
        phone.log_in(TEACHER)
        phone.open("/rooms/")
        assert horizontal_overflow(page) <= 0, "/rooms/ scrolls sideways"
        phone.open(f"/rooms/{room_id}")
        connected(phone)
        assert horizontal_overflow(page) <= 0, "the room scrolls sideways"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "room-360.png"), full_page=True)
    finally:
        context.close()


def test_a_colleague_taken_out_of_the_team_is_told_on_the_room_page(site, room_id, translate):
    """guru02 has the team room open on a phone when the team loses them: the page says so at
    once, the message and note forms go away, and the page still passes axe."""
    from collab.people.models import TeamMember, User

    site.page.set_viewport_size({"width": 360, "height": 740})
    enter_room(site, COLLEAGUE, room_id)

    guru02 = db.session.scalar(select(User).where(User.email == COLLEAGUE))
    team_id = db.session.scalar(select(Room.team_id).where(Room.id == room_id))
    db.session.delete(db.session.get(TeamMember, (team_id, guru02.id)))
    db.session.commit()  # as the principal's team page does; the hook reviews the sockets

    removed = translate("You are no longer a member of this room, so nothing new arrives here.",
                        "id")
    site.page.wait_for_function(
        "text => document.getElementById('room-status').textContent === text", arg=removed)
    assert site.page.locator("#message-form").is_hidden()
    assert site.page.locator("#note-form").is_hidden()
    site.check()
    assert horizontal_overflow(site.page) <= 0


def test_a_colleague_added_to_the_team_appears_in_the_members_list(site, second_site, room_id):
    """guru01 has the team room open when a colleague is added to the team and comes in: they
    appear in the members list, online, without a reload."""
    from collab.people.models import TeamMember, User

    enter_room(site, TEACHER, room_id)
    team_id = db.session.scalar(select(Room.team_id).where(Room.id == room_id))
    inside = set(db.session.scalars(select(TeamMember.user_id)
                                    .where(TeamMember.team_id == team_id)))
    newcomer = db.session.scalar(select(User).where(User.email.like("guru%"),
                                                    User.id.not_in(inside)).order_by(User.id))
    assert site.page.locator(f"#members li[data-user-id='{newcomer.id}']").count() == 0
    db.session.add(TeamMember(team_id=team_id, user_id=newcomer.id))
    db.session.commit()

    enter_room(second_site, newcomer.email, room_id)
    arrived = site.page.locator(f"#members li[data-user-id='{newcomer.id}']")
    arrived.locator(".presence").wait_for()
    assert arrived.locator(".member-name").inner_text() == newcomer.name
    names = site.page.locator("#members .member-name").all_inner_texts()
    assert names == sorted(names, key=str.casefold), "in name order"
    site.check()


def test_typing_ends_with_the_message_and_phases_read_in_each_language(site, second_site,
                                                                       room_id):
    """Issue 15: the typing line stayed after the message arrived, and the protocol's phase
    reached colleagues in the language of whoever pressed the button."""
    from flask_babel import force_locale

    from collab.rooms.service_protocols import PROTOCOLS

    enter_room(site, TEACHER, room_id)
    second_site.log_in(COLLEAGUE)
    second_site.switch_language("en")
    second_site.open(f"/rooms/{room_id}")
    connected(second_site)
    guru01, guru02 = site.page, second_site.page

    guru02.type("#body", "Saya setuju dengan")
    guru01.wait_for_selector("#typing:not(:empty)", state="attached")
    guru02.press("#body", "Enter")
    guru01.locator("#messages li.message", has_text="Saya setuju dengan").wait_for()
    # Gone with the message, not four seconds after the last key.
    guru01.wait_for_selector("#typing:empty", state="attached", timeout=1000)
    # The browser writes the live message's time as the server writes it on the page.
    live = guru01.locator("#messages li.message", has_text="Saya setuju dengan").locator(
        "time").inner_text()
    served = guru01.request.get(site.url(f"/rooms/{room_id}")).text()
    assert f">{live}</time>" in served, live

    facilitator, other = (guru01, guru02) if guru01.locator(
        "#protocol[data-facilitator]").count() else (guru02, guru01)
    facilitator.select_option("#protocol-choice", "lesson_study")
    facilitator.click("#protocol button[data-action=start]")
    first = PROTOCOLS["lesson_study"].phases[0]
    for page, lang in ((guru01, "id"), (guru02, "en")):
        with force_locale(lang):
            label, name = str(first.label), str(PROTOCOLS["lesson_study"].name)
        page.locator("#protocol-phase", has_text=label).wait_for()
        assert page.locator("#protocol-name").inner_text() == name
        # The live line is the line the server writes, the speaker named once.
        live = " ".join(page.locator("#protocol-phase").inner_text().split())
        served = BeautifulSoup(page.request.get(site.url(f"/rooms/{room_id}")).text(),
                               "html.parser").select_one("#protocol-phase")
        assert live == served.get_text(" ", strip=True), live
        assert "muted" not in (page.locator("#protocol-phase").get_attribute("class") or "")
        assert "muted" not in served.get("class", []), "a running phase is not greyed out"
    assert other.locator("#protocol-phase").inner_text() != facilitator.locator(
        "#protocol-phase").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    guru02.screenshot(path=str(SCREENSHOTS / "room-protocol-en.png"))
    site.check()
    second_site.check()
