"""The rooms' services on a real database: who is in which room, the chat's idempotency and
limits, read markers and unread counts, the board's versions and moves, evidence cards,
outcomes sent to the plan, protocols and raised hands."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from collab.core.models import utcnow
from collab.extensions import db
from collab.observations.models import ObservationNote
from collab.plans import service as plans
from collab.rooms import service as rooms
from collab.rooms import service_board as room_board
from collab.rooms import service_protocols as protocols
from collab.rooms.access import can_facilitate, room_for
from collab.rooms.models import RoomMessage
from collab.rooms.service import RoomError


@pytest.fixture(autouse=True)
def request_context(app):
    """Protocol names and outcome headings are translated: the services run in requests."""
    with app.test_request_context():
        yield


@pytest.fixture
def team_room(world):
    a = world["a"]
    room = rooms.room_for_team(a["team"], a["teacher"])
    db.session.commit()
    return room


def make_plan(owner, visibility="private", team=None, title="Pecahan"):
    plan = plans.create(owner, plans.PlanFields(title=title, body="## Langkah\nAwal",
                                                visibility=visibility,
                                                team_id=team.id if team else None))
    db.session.commit()
    return plan


# -- membership ----------------------------------------------------------------------------

def test_a_team_room_is_for_the_team_only(world, team_room):
    a, b = world["a"], world["b"]
    assert room_for(a["teacher"], team_room.id) == team_room
    assert room_for(a["mentor"], team_room.id) == team_room
    assert room_for(a["teacher2"], team_room.id) is None  # same school, not in the team
    assert room_for(a["principal"], team_room.id) is None
    assert room_for(b["teacher"], team_room.id) is None
    assert room_for(world.outsider, team_room.id) is None
    assert rooms.member_ids(team_room) == {a["teacher"].id, a["mentor"].id}


def test_a_plan_room_follows_who_may_read_the_plan(world):
    a = world["a"]
    plan = make_plan(a["teacher"])
    room = rooms.room_for_plan(plan, a["teacher"])
    assert rooms.room_for_plan(plan, a["teacher2"]).id == room.id  # one room per plan
    assert room_for(a["teacher2"], room.id) is None
    plan.visibility = "school"
    db.session.commit()
    assert room_for(a["teacher2"], room.id) == room
    assert room_for(a["principal"], room.id) == room
    assert room_for(world["b"]["teacher"], room.id) is None
    assert a["principal"].id in rooms.member_ids(room)


def test_an_adhoc_room_is_for_its_creator_and_the_invited(world):
    a, b = world["a"], world["b"]
    room = rooms.create_adhoc(a["teacher"], "  Numerasi   kelas 7 ", {a["teacher2"].id})
    assert room.title == "Numerasi kelas 7"
    assert room_for(a["teacher2"], room.id) == room
    assert room_for(a["mentor"], room.id) is None
    with pytest.raises(RoomError) as refused:
        rooms.set_invited(room, a["teacher"], {b["teacher"].id})
    assert refused.value.code == "not_a_colleague"
    rooms.set_invited(room, a["teacher"], {a["mentor"].id})
    assert room_for(a["teacher2"], room.id) is None
    assert rooms.member_ids(room) == {a["teacher"].id, a["mentor"].id}
    with pytest.raises(RoomError):
        rooms.create_adhoc(a["teacher"], "   ", set())


def test_the_facilitator_is_the_creator_or_the_colleague_named(world, team_room):
    a = world["a"]
    assert can_facilitate(a["teacher"], team_room)
    assert not can_facilitate(a["mentor"], team_room)
    with pytest.raises(RoomError):
        rooms.set_facilitator(team_room, a["mentor"], a["mentor"].id)
    with pytest.raises(RoomError):
        rooms.set_facilitator(team_room, a["teacher"], a["teacher2"].id)  # not in the room
    rooms.set_facilitator(team_room, a["teacher"], a["mentor"].id)
    assert can_facilitate(a["mentor"], team_room)
    assert not can_facilitate(a["teacher"], team_room)


# -- chat ----------------------------------------------------------------------------------

@pytest.mark.dialect
def test_a_retried_message_is_stored_once_with_the_same_id(world, team_room):
    a = world["a"]
    first, created = rooms.post_message(team_room, a["teacher"], "c-1", "Halo")
    again, created_again = rooms.post_message(team_room, a["teacher"], "c-1", "Halo")
    assert created and not created_again and again.id == first.id
    other, _ = rooms.post_message(team_room, a["mentor"], "c-1", "Halo juga")
    assert other.id != first.id  # client ids are per author
    count = db.session.scalar(select(func.count(RoomMessage.id)))
    assert count == 2
    assert team_room.last_message_id == other.id


@pytest.mark.parametrize("client_id", [None, "", "a b", "x" * 65, 5, "<script>"])
def test_a_message_needs_a_plain_client_id(world, team_room, client_id):
    with pytest.raises(RoomError) as refused:
        rooms.post_message(team_room, world["a"]["teacher"], client_id, "Halo")
    assert refused.value.code == "bad_client_id"


@pytest.mark.parametrize("body, code", [("", "body_required"), ("  \n ", "body_required"),
                                        (None, "body_required"), (["x"], "body_required"),
                                        ("é" * 2049, "body_too_long")])
def test_a_message_body_is_checked(world, team_room, body, code):
    with pytest.raises(RoomError) as refused:
        rooms.post_message(team_room, world["a"]["teacher"], "c-1", body)
    assert refused.value.code == code


@pytest.mark.dialect
def test_a_message_of_exactly_4_kb_is_taken(world, team_room):
    message, _ = rooms.post_message(team_room, world["a"]["teacher"], "c-1", "a" * 4096)
    assert len(message.body) == 4096


def test_mentions_notify_members_of_the_room_only(world, team_room):
    from collab.core.notify import Notification

    a = world["a"]
    rooms.post_message(team_room, a["teacher"], "c-1",
                       f"@{a['mentor'].name} dan @{a['teacher2'].name}, lihat ini")
    db.session.commit()
    notified = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "room.mentioned")))
    assert notified == {a["mentor"].id}


def test_only_the_author_edits_or_deletes_and_only_for_15_minutes(world, team_room):
    a = world["a"]
    message, _ = rooms.post_message(team_room, a["teacher"], "c-1", "Halo")
    with pytest.raises(RoomError) as refused:
        rooms.edit_message(team_room, a["mentor"], message.id, "Bukan milikku")
    assert refused.value.status == 403
    rooms.edit_message(team_room, a["teacher"], message.id, "Halo semua")
    assert message.body == "Halo semua" and message.edited_at is not None
    message.created_at = utcnow() - timedelta(minutes=16)
    with pytest.raises(RoomError) as late:
        rooms.delete_message(team_room, a["teacher"], message.id)
    assert late.value.code == "too_late"
    message.created_at = utcnow()
    rooms.delete_message(team_room, a["teacher"], message.id)
    assert rooms.message_json(message)["deleted"] and rooms.message_json(message)["body_html"] == ""
    with pytest.raises(RoomError):
        rooms.edit_message(team_room, a["teacher"], message.id, "lagi")


def test_history_catches_up_exactly_after_since_id(world, team_room):
    a = world["a"]
    ids = [rooms.post_message(team_room, a["teacher"], f"c-{n}", f"pesan {n}")[0].id
           for n in range(60)]
    last50, more = rooms.history(team_room)
    assert [m.id for m in last50] == ids[-50:] and more
    missed, more = rooms.history(team_room, since_id=ids[-4])
    assert [m.id for m in missed] == ids[-3:] and not more
    older, more = rooms.earlier(team_room, before_id=ids[10])
    assert [m.id for m in older] == ids[:10] and not more


@pytest.mark.dialect
def test_unread_counts_others_messages_after_my_marker(world, team_room):
    a = world["a"]
    rooms.post_message(team_room, a["mentor"], "c-1", "satu")
    rooms.post_message(team_room, a["teacher"], "c-2", "dua")
    rooms.post_message(team_room, a["teacher"], "c-3", "tiga")
    db.session.commit()
    mine = {s.room.id: s.unread for s in rooms.my_rooms(a["mentor"])}
    assert mine == {team_room.id: 2}
    # Writing in a room reads it up to there.
    assert {s.room.id: s.unread for s in rooms.my_rooms(a["teacher"])} == {team_room.id: 0}
    rooms.mark_read(team_room, a["mentor"])
    assert rooms.my_rooms(a["mentor"])[0].unread == 0
    assert rooms.my_rooms(a["teacher2"]) == []


@pytest.mark.dialect
def test_unread_counts_are_per_room_when_i_am_in_several(world, team_room):
    """Each room's count uses my marker in that room (the marker of another room was used
    for all of them on SQLite, and PostgreSQL refused the list)."""
    a = world["a"]
    other = rooms.create_adhoc(a["teacher"], "Refleksi", {a["mentor"].id})
    db.session.commit()
    for n in range(3):
        rooms.post_message(team_room, a["teacher"], f"t-{n}", f"tim {n}")
    rooms.post_message(other, a["teacher"], "o-1", "lain")
    db.session.commit()
    rooms.mark_read(team_room, a["mentor"])
    rooms.post_message(team_room, a["teacher"], "t-9", "baru")
    db.session.commit()
    mine = {s.room.id: s.unread for s in rooms.my_rooms(a["mentor"])}
    assert mine == {team_room.id: 1, other.id: 1}


# -- the board -----------------------------------------------------------------------------

@pytest.mark.dialect
def test_a_stale_note_update_is_refused_with_the_current_note(world, team_room):
    a = world["a"]
    note, created = room_board.add_note(team_room, a["teacher"], "n-1", "wonderings", "Mengapa?")
    assert created and note.version == 1
    same, created = room_board.add_note(team_room, a["teacher"], "n-1", "wonderings", "Mengapa?")
    assert not created and same.id == note.id
    room_board.update_note(team_room, a["mentor"], note.id, 1, text="Mengapa siswa diam?")
    db.session.commit()
    assert note.version == 2
    with pytest.raises(room_board.StaleNote) as stale:
        room_board.update_note(team_room, a["teacher"], note.id, 1, text="Versi lama")
    assert stale.value.status == 409
    assert stale.value.note.text == "Mengapa siswa diam?"
    with pytest.raises(room_board.StaleNote):
        room_board.delete_note(team_room, a["teacher"], note.id, 1)
    room_board.delete_note(team_room, a["teacher"], note.id, 2)
    assert room_board.board(team_room)["wonderings"] == []


@pytest.mark.dialect
def test_moving_a_note_renumbers_the_column_without_touching_versions(world, team_room):
    a = world["a"]
    notes = [room_board.add_note(team_room, a["teacher"], f"n-{n}", "suggestions",
                                 f"saran {n}")[0] for n in range(3)]
    moved, _ = room_board.add_note(team_room, a["teacher"], "n-x", "evidence", "bukti")
    room_board.update_note(team_room, a["teacher"], moved.id, 1, column="suggestions",
                           position=1)
    db.session.commit()
    column = room_board.board(team_room)["suggestions"]
    assert [n.text for n in column] == ["saran 0", "bukti", "saran 1", "saran 2"]
    assert [n.position for n in column] == [0, 1, 2, 3]
    assert [n.version for n in notes] == [1, 1, 1]
    room_board.update_note(team_room, a["teacher"], notes[2].id, 1, position=0)
    db.session.commit()
    assert [n.text for n in room_board.board(team_room)["suggestions"]] == [
        "saran 2", "saran 0", "bukti", "saran 1"]


@pytest.mark.parametrize("column, text, code", [("nowhere", "x", "bad_column"),
                                                ("evidence", "", "text_required"),
                                                ("evidence", "x" * 1001, "text_too_long"),
                                                ("evidence", 5, "text_required")])
def test_a_bad_note_is_refused(world, team_room, column, text, code):
    with pytest.raises(RoomError) as refused:
        room_board.add_note(team_room, world["a"]["teacher"], "n-1", column, text)
    assert refused.value.code == code


def test_evidence_cards_come_from_my_own_notes_of_that_observation(world):
    a = world["a"]
    observation = _completed_observation(world)
    room = rooms.room_for_observation(observation, a["teacher"])
    mine = db.session.scalar(select(ObservationNote).where(
        ObservationNote.author_id == a["mentor"].id))
    card, created = room_board.add_evidence(room, a["mentor"], "e-1", mine.id,
                                            "Siswa memakai garis bilangan", "Kenapa bukan 7B?")
    assert created and card.column == "evidence" and card.is_evidence
    assert (card.text, card.seat, card.at_seconds) == (mine.text, mine.seat, mine.at_seconds)
    with pytest.raises(RoomError):
        room_board.add_evidence(room, a["teacher"], "e-2", mine.id, "", "")  # not my note
    assert room_board.my_observation_notes(room, a["mentor"]) == [mine]


def _completed_observation(world):
    """An observation of the teacher of school a that the mentor watched and noted."""
    from collab.observations.models import Observation, ObservationObserver

    a = world["a"]
    now = utcnow()
    observation = Observation(school_id=a["school"].id, teacher_id=a["teacher"].id,
                              lesson_date=now.date(), period=1, class_name="7A",
                              subject="Matematika", starts_at=now - timedelta(hours=2),
                              ends_at=now - timedelta(hours=1), focus="Fokus",
                              state="completed")
    observation.observers.append(ObservationObserver(user_id=a["mentor"].id, status="accepted"))
    db.session.add(observation)
    db.session.flush()
    db.session.add(ObservationNote(observation_id=observation.id, author_id=a["mentor"].id,
                                   client_id="o-1", text="Siswa di kursi 3 menggambar",
                                   tag="learning", at_seconds=420, seat="r1c3"))
    db.session.commit()
    return observation


def test_outcomes_go_to_the_plan_as_a_new_revision(world):
    a = world["a"]
    plan = make_plan(a["teacher"], visibility="school")
    room = rooms.room_for_plan(plan, a["teacher"])
    room_board.add_note(room, a["teacher2"], "n-1", "next_steps", "Tambah soal cerita")
    room_board.add_note(room, a["teacher2"], "n-2", "wonderings", "Apa itu?")
    db.session.commit()
    with pytest.raises(RoomError):
        room_board.send_outcomes(room, a["teacher2"])  # not the facilitator
    before = plan.revision_number
    assert room_board.send_outcomes(room, a["teacher"]) == "plan"
    db.session.commit()
    assert plan.revision_number == before + 1
    assert "- Tambah soal cerita" in plan.body and "Apa itu?" not in plan.body
    assert "## Langkah" in plan.body  # the plan is kept, the outcomes follow it


def test_no_outcomes_no_revision(world, team_room):
    with pytest.raises(RoomError) as refused:
        room_board.send_outcomes(team_room, world["a"]["teacher"])
    assert refused.value.code == "no_outcomes"


# -- protocols and hands -------------------------------------------------------------------

def test_the_facilitator_moves_through_the_phases(world, team_room):
    a = world["a"]
    with pytest.raises(RoomError):
        protocols.start(team_room, a["mentor"], "lesson_study")
    with pytest.raises(RoomError):
        protocols.start(team_room, a["teacher"], "nope")
    protocols.start(team_room, a["teacher"], "lesson_study")
    state = protocols.phase_json(team_room)
    assert state["index"] == 0 and [p["minutes"] for p in state["phases"]] == [5, 5, 15, 15,
                                                                                10, 5]
    assert state["ends_at"] is not None and not state["finished"]
    protocols.set_phase(team_room, a["teacher"], 5)
    with pytest.raises(RoomError):
        protocols.set_phase(team_room, a["teacher"], 6)
    protocols.next_phase(team_room, a["teacher"])  # past the last: finished
    state = protocols.phase_json(team_room)
    assert state["finished"] and state["index"] is None
    with pytest.raises(RoomError):
        protocols.next_phase(team_room, a["teacher"])


@pytest.mark.dialect
def test_hands_queue_in_order_and_the_floor_takes_one_down(world, team_room):
    a = world["a"]
    protocols.start(team_room, a["teacher"], "tuning")
    protocols.raise_hand(team_room, a["mentor"])
    protocols.raise_hand(team_room, a["teacher"])
    protocols.raise_hand(team_room, a["mentor"])  # keeps the place
    assert [h["id"] for h in protocols.hands_json(team_room)] == [a["mentor"].id, a["teacher"].id]
    with pytest.raises(RoomError):
        protocols.lower_hand(team_room, a["mentor"], a["teacher"].id)
    protocols.give_floor(team_room, a["teacher"], a["mentor"].id)
    assert protocols.phase_json(team_room)["floor"]["id"] == a["mentor"].id
    assert [h["id"] for h in protocols.hands_json(team_room)] == [a["teacher"].id]
    with pytest.raises(RoomError):
        protocols.give_floor(team_room, a["teacher"], a["teacher2"].id)  # not in the room
    protocols.lower_hand(team_room, a["teacher"])
    assert protocols.hands_json(team_room) == []



def test_a_heading_in_a_message_gets_no_id_that_could_clash_with_the_page(world, team_room):
    message, _ = rooms.post_message(team_room, world["a"]["teacher"], "c-1", "# Members\n\nhai")
    html = rooms.message_json(message)["body_html"]
    assert "<h1>Members</h1>" in html and "id=" not in html
