"""The rooms' pages without JavaScript: my rooms with unread counts, opening the room of a
plan, an observation or a team (members only), the room with its last 50 messages, posting
once on a double submit, refused messages that keep their text, load earlier, editing and
deleting my message, and a bounded number of queries."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from collab.extensions import db
from collab.observations.models import Observation, ObservationObserver
from collab.plans import service as plans
from collab.plans.service import PlanFields
from collab.rooms import service as rooms
from collab.rooms import service_board as room_board
from collab.rooms import service_protocols as protocols
from collab.rooms.models import RoomMessage
from tests.conftest import csrf_token


@pytest.fixture
def a(world):
    return world["a"]


def team_room(a):
    room = rooms.room_for_team(a["team"], a["teacher"])
    db.session.commit()
    return room


def say(room, author, body, client_id=None):
    message, _ = rooms.post_message(room, author, client_id or f"c{datetime.now().timestamp()}"
                                    .replace(".", "-"), body)
    db.session.commit()
    return message


def post(c, url, data, page):
    token = csrf_token(c.get(page).text)
    return c.post(url, data={"csrf_token": token, **data})


def message_count(room) -> int:
    return db.session.scalar(select(func.count()).select_from(RoomMessage)
                             .where(RoomMessage.room_id == room.id))


# -- my rooms ------------------------------------------------------------------------------

@pytest.mark.dialect
def test_my_rooms_lists_only_my_rooms_with_their_unread_counts(a, world, client_for):
    mine = team_room(a)
    for text in ("Satu", "Dua", "Tiga"):
        say(mine, a["mentor"], text)
    say(mine, a["teacher"], "Punyaku sendiri")  # my own message marks all before it read
    say(mine, a["mentor"], "Empat")
    say(mine, a["mentor"], "Lima")
    theirs = rooms.create_adhoc(a["mentor"], "Ruang rahasia mentor", set())
    other_school = rooms.room_for_team(world["b"]["team"], world["b"]["teacher"])
    db.session.commit()

    page = client_for(a["teacher"]).get("/rooms/")
    assert page.status_code == 200
    assert f'href="/rooms/{mine.id}"' in page.text
    assert "Team A" in page.text
    assert "2 unread" in page.text or "2 belum dibaca" in page.text
    assert f'href="/rooms/{theirs.id}"' not in page.text
    assert "Ruang rahasia mentor" not in page.text
    assert f'href="/rooms/{other_school.id}"' not in page.text


# The signed-in user, the colleagues to invite, my rooms with their titles and unread
# counts, my teams, the bell's count.
ROOMS_LIST_QUERIES = 5


@pytest.mark.dialect
def test_my_rooms_of_every_kind_are_titled_in_the_same_few_queries(
        a, make, client_for, count_queries):
    from collab.mentoring.models import MentorPair

    c = client_for(a["teacher"])
    with count_queries() as few:
        assert c.get("/rooms/").status_code == 200
    team_room(a)
    rooms.create_adhoc(a["teacher"], "Kerja kelompok kelas 8", set())
    plan = plans.create(a["teacher"], PlanFields(title="Pecahan senilai", visibility="school"))
    rooms.room_for_plan(plan, a["teacher"])
    lesson = Observation(
        school_id=a["school"].id, teacher_id=a["teacher"].id, lesson_date=date(2026, 3, 2),
        period=1, class_name="7A", subject="Matematika", focus="Siapa bertanya?",
        state="completed", starts_at=datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 2, 0, 45, tzinfo=UTC))
    db.session.add(lesson)
    db.session.flush()
    rooms.room_for_observation(lesson, a["teacher"])
    pair = MentorPair(school_id=a["school"].id, novice_id=a["teacher2"].id,
                      mentor_id=a["teacher"].id, place=1, status="active")
    db.session.add(pair)
    db.session.flush()
    rooms.room_for_pair(pair, a["teacher"])
    for n in range(4):
        colleague = make.user(a["school"], name=f"Rekan {n}")
        rooms.create_adhoc(colleague, f"Ruang {n}", {a["teacher"].id})
    db.session.commit()
    with count_queries() as many:
        page = c.get("/rooms/")
    assert page.status_code == 200
    titles = [link.strip() for link in re.findall(r'<a href="/rooms/\d+">([^<]*)</a>',
                                                   page.text)]
    assert {"Team A", "Kerja kelompok kelas 8", "Pecahan senilai", "Second A · Teacher A",
            "Ruang 0", "Ruang 3"} <= set(titles)
    assert any(t.startswith("7A · Matematika · ") and "2026" in t for t in titles)
    assert len(many) == len(few) <= ROOMS_LIST_QUERIES, "\n".join(many)


def test_the_empty_list_says_what_rooms_are_for_and_offers_my_teams(a, client_for):
    c = client_for(a["teacher"])
    c.post("/language", data={"lang": "en", "csrf_token": csrf_token(c.get("/").text)})
    page = c.get("/rooms/")
    assert "where colleagues think together" in page.text
    assert "My teams without a room yet" in page.text
    assert f'action="/rooms/team/{a["team"].id}"' in page.text


@pytest.mark.smoke
def test_starting_an_ad_hoc_room_invites_colleagues_and_opens_it(a, world, client_for):
    c = client_for(a["teacher"])
    response = post(c, "/rooms/", {"title": "Kerja kelompok kelas 8",
                                   "members": [str(a["teacher2"].id)]}, "/rooms/")
    assert response.status_code == 302
    room_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client_for(a["teacher2"]).get(f"/rooms/{room_id}").status_code == 200
    assert client_for(a["mentor"]).get(f"/rooms/{room_id}").status_code == 404
    assert client_for(world["b"]["teacher"]).get(f"/rooms/{room_id}").status_code == 404


def test_an_ad_hoc_room_without_title_or_with_a_stranger_is_refused_and_kept(a, world,
                                                                              client_for):
    c = client_for(a["teacher"])
    response = post(c, "/rooms/", {"title": "", "members": [str(a["teacher2"].id)]}, "/rooms/")
    assert response.status_code == 400
    assert 'id="title-error"' in response.text
    assert re.search(rf'value="{a["teacher2"].id}"[^>]*checked|checked[^>]*value="'
                     rf'{a["teacher2"].id}"', response.text)
    stranger = post(c, "/rooms/", {"title": "Ruang", "members": [str(world["b"]["teacher"].id)]},
                    "/rooms/")
    assert stranger.status_code == 400
    assert 'value="Ruang"' in stranger.text


# -- opening rooms -------------------------------------------------------------------------

def test_a_plans_room_opens_for_its_readers_only(a, world, client_for):
    plan = plans.create(a["teacher"], PlanFields(title="Pecahan", body="Isi",
                                                 visibility="team", team_id=a["team"].id))
    db.session.commit()
    url = f"/plans/{plan.id}"
    reader = client_for(a["mentor"])  # in the plan's team
    assert "Discuss in a room" in reader.get(url).text or "Diskusikan" in reader.get(url).text
    first = post(reader, f"/rooms/plan/{plan.id}", {}, url)
    again = post(client_for(a["teacher"]), f"/rooms/plan/{plan.id}", {}, url)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"], "one room per plan"
    for outsider in (a["teacher2"], world["b"]["teacher"]):
        c = client_for(outsider)
        assert post(c, f"/rooms/plan/{plan.id}", {}, "/").status_code == 404
        assert c.get(first.headers["Location"]).status_code == 404


def _observation(a, observer_status="accepted"):
    starts = datetime(2026, 12, 1, tzinfo=UTC)
    observation = Observation(
        school_id=a["school"].id, teacher_id=a["teacher"].id, lesson_date=date(2026, 12, 1),
        period=1, class_name="7A", subject="Matematika", starts_at=starts,
        ends_at=starts + timedelta(minutes=45), focus="Fokus", state="completed")
    db.session.add(observation)
    db.session.flush()
    db.session.add(ObservationObserver(observation_id=observation.id, user_id=a["mentor"].id,
                                       status=observer_status))
    db.session.commit()
    return observation


def test_a_debriefs_room_opens_for_the_teacher_and_accepted_observers_only(a, world,
                                                                            client_for):
    observation = _observation(a)
    url = f"/rooms/observation/{observation.id}"
    debrief = client_for(a["mentor"]).get(f"/observations/{observation.id}/debrief").text
    assert f'action="{url}"' in debrief, "the debrief page offers the room"
    opened = post(client_for(a["mentor"]), url, {}, "/")
    assert opened.status_code == 302
    assert post(client_for(a["teacher"]), url, {}, "/").headers["Location"] == (
        opened.headers["Location"])
    assert post(client_for(a["principal"]), url, {}, "/").status_code == 403
    assert post(client_for(a["teacher2"]), url, {}, "/").status_code == 404
    assert post(client_for(world["b"]["teacher"]), url, {}, "/").status_code == 404
    assert client_for(a["principal"]).get(opened.headers["Location"]).status_code == 404


def test_an_invited_observer_who_did_not_accept_may_not_open_the_debriefs_room(a, client_for):
    observation = _observation(a, observer_status="invited")
    assert post(client_for(a["mentor"]), f"/rooms/observation/{observation.id}", {},
                "/").status_code == 403


def test_a_teams_room_opens_for_its_members_only(a, world, client_for):
    url = f"/rooms/team/{a['team'].id}"
    opened = post(client_for(a["mentor"]), url, {}, "/")
    assert opened.status_code == 302
    assert post(client_for(a["teacher2"]), url, {}, "/").status_code == 403
    assert post(client_for(world["b"]["teacher"]), url, {}, "/").status_code == 404
    assert client_for(a["teacher2"]).get(opened.headers["Location"]).status_code == 404


def test_opening_a_room_needs_the_csrf_token(a, client_for):
    c = client_for(a["teacher"])
    assert c.post(f"/rooms/team/{a['team'].id}").status_code == 400


# -- the room ------------------------------------------------------------------------------

def test_the_room_shows_its_last_50_messages_and_links_to_earlier_ones(a, client_for):
    room = team_room(a)
    for n in range(60):
        rooms.post_message(room, a["mentor"], f"m{n}", f"Pesan nomor {n:02d}")
    db.session.commit()
    c = client_for(a["teacher"])
    page = c.get(f"/rooms/{room.id}").text
    shown = re.findall(r"Pesan nomor (\d\d)", page)
    assert shown == [f"{n:02d}" for n in range(10, 60)]
    earlier = re.search(r'id="load-earlier" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    older = c.get(earlier).text
    assert re.findall(r"Pesan nomor (\d\d)", older) == [f"{n:02d}" for n in range(10)]
    assert 'id="load-earlier"' not in older


def test_the_unread_marker_stands_before_the_first_message_i_have_not_read(a, client_for):
    room = team_room(a)
    say(room, a["teacher"], "Sudah kubaca")
    say(room, a["mentor"], "Belum kamu baca")
    c = client_for(a["teacher"])
    page = c.get(f"/rooms/{room.id}").text
    assert page.index('id="unread"') < page.index("Belum kamu baca")
    assert page.index("Sudah kubaca") < page.index('id="unread"')
    post(c, f"/rooms/{room.id}/read", {}, f"/rooms/{room.id}")
    assert 'id="unread"' not in c.get(f"/rooms/{room.id}").text


def test_message_bodies_are_sanitised_markdown_and_deleted_ones_say_so(a, client_for):
    room = team_room(a)
    say(room, a["mentor"], "**tebal** <script>alert(1)</script> [x](javascript:alert(2))")
    gone = say(room, a["mentor"], "Salah kirim")
    rooms.delete_message(room, a["mentor"], gone.id)
    db.session.commit()
    c = client_for(a["teacher"])
    c.post("/language", data={"lang": "en", "csrf_token": csrf_token(c.get("/").text)})
    page = c.get(f"/rooms/{room.id}").text
    assert "<strong>tebal</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page
    assert "Salah kirim" not in page
    assert "message deleted" in page


@pytest.mark.dialect
def test_a_message_sent_twice_without_javascript_is_stored_once(a, client_for):
    room = team_room(a)
    c = client_for(a["teacher"])
    page = c.get(f"/rooms/{room.id}").text
    client_id = re.search(r'name="client_id" type="hidden" value="([^"]+)"|'
                          r'id="client_id" name="client_id" type="hidden" value="([^"]+)"',
                          page)
    client_id = client_id.group(1) or client_id.group(2)
    data = {"csrf_token": csrf_token(page), "client_id": client_id, "body": "Halo semua"}
    first = c.post(f"/rooms/{room.id}/messages", data=data)
    second = c.post(f"/rooms/{room.id}/messages", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert message_count(room) == 1
    assert "Halo semua" in c.get(f"/rooms/{room.id}").text


@pytest.mark.parametrize(("body", "status", "words"), [
    ("   ", 400, "Write a message."),
    ("kata " * 1000, 413, "at most 4096 bytes"),
])
def test_a_refused_message_keeps_the_text_and_says_why(a, client_for, body, status, words):
    room = team_room(a)
    c = client_for(a["teacher"])
    c.post("/language", data={"lang": "en", "csrf_token": csrf_token(c.get("/").text)})
    page = c.get(f"/rooms/{room.id}").text
    response = c.post(f"/rooms/{room.id}/messages", data={
        "csrf_token": csrf_token(page), "client_id": "abc123", "body": body})
    assert response.status_code == status
    assert 'id="body-error"' in response.text and words in response.text
    assert body.strip()[:50] in response.text
    assert message_count(room) == 0


def test_the_refusal_is_in_the_users_language(a, client_for):
    room = team_room(a)
    c = client_for(a["teacher"])
    c.post("/language", data={"lang": "id", "csrf_token": csrf_token(c.get("/").text)})
    response = post(c, f"/rooms/{room.id}/messages", {"client_id": "abc", "body": ""},
                    f"/rooms/{room.id}")
    assert response.status_code == 400
    assert "Write a message." not in response.text
    assert 'id="body-error"' in response.text


def test_posting_needs_the_csrf_token_and_membership(a, world, client_for):
    room = team_room(a)
    c = client_for(a["teacher"])
    assert c.post(f"/rooms/{room.id}/messages",
                  data={"client_id": "abc", "body": "x"}).status_code == 400
    stranger = client_for(a["teacher2"])
    assert post(stranger, f"/rooms/{room.id}/messages", {"client_id": "abc", "body": "x"},
                "/").status_code == 404
    assert message_count(room) == 0


def test_i_edit_and_delete_my_message_without_javascript(a, client_for):
    room = team_room(a)
    mine = say(room, a["teacher"], "Typo disini")
    theirs = say(room, a["mentor"], "Punya mentor")
    c = client_for(a["teacher"])
    page = c.get(f"/rooms/{room.id}").text
    assert f"/messages/{mine.id}/edit" in page and f"/messages/{theirs.id}/edit" not in page
    url = f"/rooms/{room.id}"
    assert post(c, f"{url}/messages/{mine.id}/edit", {"body": "Typo di sini"},
                url).status_code == 302
    assert "Typo di sini" in c.get(url).text
    assert post(c, f"{url}/messages/{theirs.id}/edit", {"body": "Diubah"},
                url).status_code == 403
    refused = post(c, f"{url}/messages/{mine.id}/edit", {"body": " "}, url)
    assert refused.status_code == 400 and f'id="edit-{mine.id}-error"' in refused.text
    assert post(c, f"{url}/messages/{mine.id}/delete", {}, url).status_code == 302
    db.session.refresh(mine)
    assert mine.deleted_at is not None and mine.body == ""


def test_an_old_message_can_no_longer_be_changed(a, client_for):
    room = team_room(a)
    mine = say(room, a["teacher"], "Lama")
    mine.created_at = mine.created_at - timedelta(minutes=16)
    db.session.commit()
    c = client_for(a["teacher"])
    url = f"/rooms/{room.id}"
    assert f"/messages/{mine.id}/edit" not in c.get(url).text
    assert post(c, f"{url}/messages/{mine.id}/edit", {"body": "Baru"}, url).status_code == 409


@pytest.mark.dialect
def test_the_room_page_needs_a_bounded_number_of_queries(a, make, client_for, count_queries):
    room = team_room(a)
    authors = [a["mentor"], a["teacher"]] + [make.user(a["school"]) for _ in range(5)]
    for author in authors[2:]:
        db.session.add(rooms.TeamMember(team_id=a["team"].id, user_id=author.id))
    db.session.commit()
    c = client_for(a["teacher"])
    url = f"/rooms/{room.id}"
    say(room, a["mentor"], "Pertama")
    with count_queries() as few:
        c.get(url)
    for n in range(60):
        rooms.post_message(room, authors[n % len(authors)], f"q{n}", f"Pesan {n}")
    for n, author in enumerate(authors):
        room_board.add_note(room, author, f"n{n}", "evidence", f"Catatan {n}")
        protocols.raise_hand(room, author)
    protocols.start(room, a["teacher"], "lesson_study")
    db.session.commit()
    with count_queries() as many:
        assert c.get(url).status_code == 200
    assert len(many) == len(few), "queries grow with messages, notes, hands or authors"
    assert len(many) <= 20


# -- the board and the protocol panel ------------------------------------------------------

@pytest.mark.dialect
def test_a_note_added_without_javascript_is_on_the_board_once(a, client_for):
    room = team_room(a)
    c = client_for(a["teacher"])
    page = c.get(f"/rooms/{room.id}").text
    client_id = re.search(r'id="note-client_id" name="client_id" type="hidden" value="([^"]+)"',
                          page).group(1)
    data = {"csrf_token": csrf_token(page), "client_id": client_id, "column": "wonderings",
            "text": "Mengapa kelompok 3 diam?"}
    assert c.post(f"/rooms/{room.id}/notes", data=data).status_code == 302
    assert c.post(f"/rooms/{room.id}/notes", data=data).status_code == 302
    notes = room_board.board(room)["wonderings"]
    assert [n.text for n in notes] == ["Mengapa kelompok 3 diam?"]
    shown = c.get(f"/rooms/{room.id}").text
    column = shown[shown.index('data-column="wonderings"'):shown.index('data-column="suggestions"')]
    assert "Mengapa kelompok 3 diam?" in column


def test_an_empty_note_is_refused_with_the_column_kept(a, client_for):
    room = team_room(a)
    c = client_for(a["teacher"])
    response = post(c, f"/rooms/{room.id}/notes", {"client_id": "n1", "column": "next_steps",
                                                   "text": "  "}, f"/rooms/{room.id}")
    assert response.status_code == 400
    assert 'id="text-error"' in response.text
    assert re.search(r'<option selected value="next_steps">|<option value="next_steps" '
                     r'selected>', response.text)
    assert room_board.board(room)["next_steps"] == []


def test_the_protocol_panel_shows_the_phase_the_floor_and_the_hands(a, client_for):
    room = team_room(a)  # opened by the teacher, who facilitates
    protocols.start(room, a["teacher"], "lesson_study")
    protocols.give_floor(room, a["teacher"], a["mentor"].id)
    protocols.raise_hand(room, a["teacher"])
    db.session.commit()
    c = client_for(a["mentor"])
    c.post("/language", data={"lang": "en", "csrf_token": csrf_token(c.get("/").text)})
    page = c.get(f"/rooms/{room.id}").text
    assert "Phase 1 of 6: Reflection on the lesson (The teacher who taught)" in page
    assert f"Has the floor: {a['mentor'].name}" in page
    hands = page[page.index('id="hands"'):page.index('id="no-hands"')]
    assert a["teacher"].name in hands
    assert "data-facilitator" not in page, "only the facilitator gets the controls"
    assert "data-facilitator" in client_for(a["teacher"]).get(f"/rooms/{room.id}").text


def _speaker_name(speaker: str) -> str:
    """The words that name a speaker: "The observers" → "observers", "Para pengamat" →
    "pengamat", "Narasumber (knowledgeable other)" → "narasumber"."""
    name = re.sub(r"\s*\(.*\)", "", speaker).lower()
    return re.sub(r"^(the|para) ", "", name)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("key", sorted(protocols.PROTOCOLS))
def test_the_phase_line_names_its_speaker_once(a, client_for, lang, key):
    """The line read "The teacher who taught reflects (The teacher who taught)": a label
    named the speaker that the line adds after it. Every phase, in both languages."""
    from bs4 import BeautifulSoup

    room = team_room(a)
    protocols.start(room, a["teacher"], key)
    db.session.commit()
    c = client_for(a["mentor"])
    c.post("/language", data={"lang": lang, "csrf_token": csrf_token(c.get("/").text)})
    words = None
    for index in range(len(protocols.PROTOCOLS[key].phases)):
        protocols.set_phase(room, a["teacher"], index)
        db.session.commit()
        page = BeautifulSoup(c.get(f"/rooms/{room.id}").text, "html.parser")
        words = words or json.loads(page.select_one("#protocol")["data-words"])
        line = page.select_one("#protocol-phase").get_text(" ", strip=True)
        speaker = words["speakers"][protocols.PROTOCOLS[key].phases[index].speaker]
        assert line.endswith(f"({speaker})"), line
        assert line.lower().count(_speaker_name(speaker)) == 1, line


def test_the_room_page_has_no_duplicate_ids(a, client_for):
    room = team_room(a)
    for n in range(3):
        say(room, a["teacher"], f"**Pesan** {n}")
    room_board.add_note(room, a["mentor"], "n1", "evidence", "Bukti")
    db.session.commit()
    c = client_for(a["teacher"])
    for url in (f"/rooms/{room.id}", "/rooms/"):
        ids = re.findall(r'\sid="([^"]+)"', c.get(url).text)
        assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
