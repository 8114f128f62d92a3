"""Running a room through plain forms: an observer's evidence cards, the facilitator's
outcomes sent to the plan or the debrief, naming another facilitator, invitations to an
ad-hoc room and giving the floor; who may do each, and what the others in the room receive."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from collab.extensions import db
from collab.observations.models import ObservationNote
from collab.plans import service as plans
from collab.rooms import service as rooms
from collab.rooms import service_board as room_board
from collab.rooms import service_protocols as protocols
from collab.rooms.models import BoardNote
from tests.conftest import csrf_token
from tests.integration.test_rooms_service import _completed_observation


@pytest.fixture
def client_for(client_for):
    def make(user):
        client = client_for(user)
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def post(client, url, data, page=None):
    token = csrf_token(client.get(page or url).text)
    return client.post(url, data={**data, "csrf_token": token})


def text(response) -> str:
    return BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)


@pytest.fixture
def debrief(world):
    observation = _completed_observation(world)
    room = rooms.room_for_observation(observation, world["a"]["teacher"])
    db.session.commit()
    return room


def test_an_observer_brings_a_note_to_the_board_once(world, debrief, client_for):
    a = world["a"]
    mentor = client_for(a["mentor"])
    url = f"/rooms/{debrief.id}/evidence"
    page = text(mentor.get(url))
    assert "Siswa di kursi 3 menggambar" in page and "seat r1c3" in page
    note = db.session.scalar(select(ObservationNote))
    data = {"note_id": note.id, "interpretation": "Dia mencoba model", "question": "Mengapa?"}
    assert post(mentor, url, data).status_code == 302
    assert post(mentor, url, data).status_code == 302  # the same card, not a second one
    cards = db.session.scalars(select(BoardNote).where(BoardNote.room_id == debrief.id)).all()
    assert len(cards) == 1 and cards[0].seat == "r1c3" and cards[0].question == "Mengapa?"
    assert "On the board." in text(mentor.get(url))
    room_page = text(mentor.get(f"/rooms/{debrief.id}"))
    assert "→ Dia mencoba model" in room_page and "seat r1c3" in room_page


def test_the_observed_teacher_has_no_notes_to_bring_and_cannot_take_anothers(world, debrief,
                                                                            client_for):
    a = world["a"]
    teacher = client_for(a["teacher"])
    note = db.session.scalar(select(ObservationNote))
    assert "You have no notes of this lesson." in text(teacher.get(f"/rooms/{debrief.id}/evidence"))
    response = post(teacher, f"/rooms/{debrief.id}/evidence", {"note_id": note.id})
    assert response.status_code == 404
    assert client_for(a["teacher2"]).get(f"/rooms/{debrief.id}/evidence").status_code == 404


def test_outcomes_go_to_the_plan_as_a_revision_by_the_facilitator_only(world, client_for):
    a = world["a"]
    plan = plans.create(a["teacher"], plans.PlanFields(title="Pecahan", body="## Awal",
                                                       visibility="school"))
    room = rooms.room_for_plan(plan, a["teacher"])
    step, _ = room_board.add_note(room, a["teacher2"], "n1", "next_steps", "Soal cerita")
    room_board.add_note(room, a["teacher2"], "n2", "wonderings", "Bagaimana jika?")
    db.session.commit()
    url = f"/rooms/{room.id}/outcomes"
    assert client_for(a["teacher2"]).get(url).status_code == 403
    teacher = client_for(a["teacher"])
    form = BeautifulSoup(teacher.get(url).text, "html.parser")
    assert form.find("input", {"value": str(step.id)}).has_attr("checked")
    response = post(teacher, url, {"notes": [step.id]})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/plans/{plan.id}")
    db.session.expire_all()
    assert "- Soal cerita" in plan.body and "Bagaimana jika?" not in plan.body
    assert plan.revision_number == 2
    refused = post(teacher, url, {})
    assert refused.status_code == 400 and "Choose at least one note" in text(refused)


def test_outcomes_of_a_debrief_go_to_its_reflection(world, debrief, client_for):
    a = world["a"]
    room_board.add_note(debrief, a["mentor"], "n1", "next_steps", "Waktu tunggu lebih lama")
    db.session.commit()
    response = post(client_for(a["teacher"]), f"/rooms/{debrief.id}/outcomes", {})
    assert response.status_code == 400  # nothing chosen: nothing sent
    notes = [n.id for n in room_board.board(debrief)["next_steps"]]
    response = post(client_for(a["teacher"]), f"/rooms/{debrief.id}/outcomes",
                    {"notes": notes})
    assert response.status_code == 302
    db.session.expire_all()
    assert "Waktu tunggu lebih lama" in debrief.observation.reflection


def test_the_facilitator_hands_over_and_invites(world, client_for):
    a, b = world["a"], world["b"]
    room = rooms.create_adhoc(a["teacher"], "Numerasi", {a["teacher2"].id})
    db.session.commit()
    teacher = client_for(a["teacher"])
    url = f"/rooms/{room.id}/settings"
    refused = post(teacher, url, {"members": [b["teacher"].id]})
    assert refused.status_code == 400
    response = post(teacher, url, {"members": [a["teacher2"].id, a["mentor"].id],
                                   "facilitator": a["mentor"].id})
    assert response.status_code == 302
    db.session.expire_all()
    assert rooms.member_ids(room) == {a["teacher"].id, a["teacher2"].id, a["mentor"].id}
    assert room.facilitator_id == a["mentor"].id
    assert teacher.get(url).status_code == 403  # no longer the facilitator
    assert client_for(a["mentor"]).get(url).status_code == 200


def test_the_facilitator_gives_the_floor_from_the_queue(world, client_for):
    a = world["a"]
    room = rooms.room_for_team(a["team"], a["teacher"])
    protocols.start(room, a["teacher"], "lesson_study")
    protocols.raise_hand(room, a["mentor"])
    db.session.commit()
    teacher = client_for(a["teacher"])
    page = teacher.get(f"/rooms/{room.id}")
    assert "Give the floor" in text(page)
    response = post(teacher, f"/rooms/{room.id}/floor", {"user_id": a["mentor"].id},
                    page=f"/rooms/{room.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert room.floor_user_id == a["mentor"].id and protocols.hands_json(room) == []
    mentor = client_for(a["mentor"])
    assert post(mentor, f"/rooms/{room.id}/floor", {"user_id": a["mentor"].id},
                page=f"/rooms/{room.id}").status_code == 403
