"""A change that takes a room away from someone reaches their open sockets at once: a colleague
taken out of a team, a plan made private, a colleague no longer invited, an observer who
withdraws. Their socket leaves the room, is told `room:removed` and receives nothing more from
it, while the others go on (collab.realtime.ReviewingManager; across processes in
tests/scale). Flask-SocketIO's test client, the real routes and services."""

import pytest
import socketio as python_socketio

from collab import realtime
from collab.extensions import db, socketio
from collab.observations.models import ObservationObserver
from collab.rooms import service as rooms
from tests.conftest import post_form
from tests.integration.test_rooms_service import _completed_observation, make_plan
from tests.integration.test_rooms_socket import Socket, _joined, _send


@pytest.fixture
def connect(app, client_for):
    def make(user):
        return Socket(app, client_for(user))

    return make


@pytest.fixture
def team_room(world):
    room = rooms.room_for_team(world["a"]["team"], world["a"]["teacher"])
    db.session.commit()
    return room


def _removed(socket) -> list[int]:
    return [event["args"][0]["room_id"] for event in socket.received("room:removed")]


def _messages(socket) -> list[str]:
    return [event["args"][0]["client_id"] for event in socket.received("message:new")]


def test_a_colleague_taken_out_of_a_team_stops_receiving_its_room(
        app, world, team_room, connect, client_for):
    a = world["a"]
    teacher, mentor = connect(a["teacher"]), connect(a["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    teacher.received()

    principal = client_for(a["principal"])
    response = post_form(principal, f"/settings/school/teams/{a['team'].id}",
                         {"members": [str(a["teacher"].id)]},
                         page=f"/settings/school/teams/{a['team'].id}")
    assert response.status_code == 302

    assert _removed(mentor) == [team_room.id]
    assert mentor.connected  # only that room is gone: the socket serves their other rooms
    presence = teacher.received("presence")
    assert [p["id"] for p in presence[-1]["args"][0]["online"]] == [a["teacher"].id]

    assert _send(teacher, team_room, "after")["ok"]
    assert _messages(mentor) == []
    assert _messages(teacher) == ["after"]
    refused = _send(mentor, team_room, "mine")
    assert refused["ok"] is False and refused["error"] == "not_found"


def test_adding_a_colleague_to_a_team_removes_nobody(world, team_room, connect, client_for):
    a = world["a"]
    mentor = connect(a["mentor"])
    _joined(mentor, team_room)

    post_form(client_for(a["principal"]), f"/settings/school/teams/{a['team'].id}",
              {"members": [str(u.id) for u in (a["teacher"], a["mentor"], a["teacher2"])]},
              page=f"/settings/school/teams/{a['team'].id}")

    assert _removed(mentor) == []
    assert _send(mentor, team_room, "still")["ok"]


def test_a_plan_made_private_takes_its_room_from_the_readers(world, connect):
    a = world["a"]
    plan = make_plan(a["teacher"], visibility="school")
    room = rooms.room_for_plan(plan, a["teacher"])
    db.session.commit()
    owner, reader = connect(a["teacher"]), connect(a["teacher2"])
    _joined(owner, room)
    _joined(reader, room)

    plan.visibility = "private"
    db.session.commit()

    assert _removed(reader) == [room.id]
    assert _removed(owner) == []
    ack = _send(owner, room, "private-now")
    assert ack["ok"], ack
    assert _messages(reader) == []


def test_a_plan_saved_without_a_change_of_readers_removes_nobody(world, connect,
                                                                  count_queries):
    a = world["a"]
    plan = make_plan(a["teacher"], visibility="school")
    room = rooms.room_for_plan(plan, a["teacher"])
    db.session.commit()
    reader = connect(a["teacher2"])
    _joined(reader, room)

    plan.title = "Pecahan senilai"
    with count_queries() as statements:
        db.session.commit()

    assert not any("rooms" in s for s in statements)  # no lookup of the plan's room
    assert _removed(reader) == []


def test_a_colleague_no_longer_invited_leaves_an_adhoc_room(world, connect, client_for):
    a = world["a"]
    room = rooms.create_adhoc(a["teacher"], "Refleksi", {a["teacher2"].id, a["mentor"].id})
    db.session.commit()
    creator, guest, kept = connect(a["teacher"]), connect(a["teacher2"]), connect(a["mentor"])
    for socket in (creator, guest, kept):
        _joined(socket, room)

    rooms.set_invited(room, a["teacher"], {a["mentor"].id})
    db.session.commit()

    assert _removed(guest) == [room.id]
    assert _removed(kept) == [] and _removed(creator) == []


def test_an_observer_who_withdraws_leaves_the_debrief_room(world, connect):
    a = world["a"]
    observation = _completed_observation(world)
    room = rooms.room_for_observation(observation, a["teacher"])
    db.session.commit()
    observer = connect(a["mentor"])
    _joined(observer, room)

    row = db.session.scalar(db.select(ObservationObserver).where(
        ObservationObserver.observation_id == observation.id,
        ObservationObserver.user_id == a["mentor"].id))
    row.status = "declined"
    db.session.commit()

    assert _removed(observer) == [room.id]


def test_the_review_itself_never_reaches_a_browser(world, team_room, connect):
    mentor = connect(world["a"]["mentor"])
    _joined(mentor, team_room)

    realtime.review_access(users={world["a"]["mentor"].id}, rooms={team_room.id})

    assert mentor.received() == []  # still a member: nothing is sent, not even the review


def test_with_a_message_queue_the_review_passes_through_the_reviewing_manager():
    """With Redis, RedisManager publishes and listens, and what reaches this process's
    sockets goes through ReviewingManager.emit: the order tests/scale relies on."""
    order = realtime.QueueManager.__mro__
    assert order.index(python_socketio.PubSubManager) < order.index(realtime.ReviewingManager)
    assert order.index(realtime.ReviewingManager) < order.index(python_socketio.Manager)
    manager = realtime.client_manager(None, "redis://127.0.0.1:1/0")
    assert isinstance(manager, realtime.QueueManager) and manager.channel == "flask-socketio"
    with pytest.raises(ValueError):
        realtime.client_manager(None, "amqp://127.0.0.1//")
    assert isinstance(socketio.server.manager, realtime.ReviewingManager)
