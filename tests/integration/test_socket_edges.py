"""Socket.IO edges (issue 14, item 7): a long-polling POST over the 64 KB limit is answered
413 at once; a lone surrogate or a NUL byte in a payload is refused as `bad_request`, with
nothing stored and no exception logged, the same rule (collab.core.text) as over HTTP."""

import json
import logging

import pytest
from sqlalchemy import func, select

from collab.extensions import db
from collab.realtime import MAX_PACKET_BYTES
from collab.rooms import service as rooms
from collab.rooms.models import BoardNote, RoomMessage
from tests.integration.test_rooms_socket import Socket, _joined, _send


@pytest.fixture
def team_room(world):
    room = rooms.room_for_team(world["a"]["team"], world["a"]["teacher"])
    db.session.commit()
    return room


def _count(model, room) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.room_id == room.id))


def test_an_oversized_long_polling_post_is_answered_413_at_once(app, world, client_for):
    client = client_for(world["a"]["teacher"])
    handshake = client.get("/socket.io/?EIO=4&transport=polling")
    assert handshake.status_code == 200
    sid = json.loads(handshake.text[1:])["sid"]
    url = f"/socket.io/?EIO=4&transport=polling&sid={sid}"
    response = client.post(url, data=b"4" + b"x" * MAX_PACKET_BYTES,
                           content_type="text/plain;charset=UTF-8")
    assert response.status_code == 413
    assert response.headers["Connection"] == "close"
    # Within the limit, the same session is served as before.
    assert client.post(url, data=b"40", content_type="text/plain;charset=UTF-8"
                       ).status_code == 200


@pytest.mark.parametrize("body", ["\ud800", "a\udfffb", "a\x00b", "\x00"])
def test_a_lone_surrogate_or_nul_in_a_message_is_a_bad_request(app, world, client_for,
                                                                team_room, body, caplog):
    socket = Socket(app, client_for(world["a"]["teacher"]))
    _joined(socket, team_room)
    with caplog.at_level(logging.ERROR):
        sent = _send(socket, team_room, "odd-1", body)
        note = socket.ask("note:add", {"room_id": team_room.id, "client_id": "odd-2",
                                       "column": "noticed", "text": body})
    assert (sent["ok"], sent["error"]) == (False, "bad_request")
    assert (note["ok"], note["error"]) == (False, "bad_request")
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert _count(RoomMessage, team_room) == 0 and _count(BoardNote, team_room) == 0
    assert _send(socket, team_room, "odd-3", "Halo")["ok"]  # the socket still works


def test_the_same_text_is_refused_over_http(world, client_for, team_room):
    from tests.conftest import csrf_token

    client = client_for(world["a"]["teacher"])
    token = csrf_token(client.get(f"/rooms/{team_room.id}").text)
    response = client.post(f"/rooms/{team_room.id}/messages", data={
        "csrf_token": token, "client_id": "a" * 32, "body": "a\x00b"})
    assert response.status_code == 400
    assert _count(RoomMessage, team_room) == 0


# ---------------------------------------------------------------- JSON nested deep


class Polling:
    """A Socket.IO client speaking the long-polling transport by hand through the test
    client, so that a test can send packets no well-behaved client would encode."""

    def __init__(self, client):
        self.client = client
        handshake = client.get("/socket.io/?EIO=4&transport=polling")
        assert handshake.status_code == 200
        self.url = ("/socket.io/?EIO=4&transport=polling&sid="
                    f"{json.loads(handshake.text[1:])['sid']}")
        self.post("40")
        assert self.poll()[0].startswith("40{")

    def post(self, payload: str) -> int:
        return self.client.post(self.url, data=payload.encode(),
                                content_type="text/plain;charset=UTF-8").status_code

    def poll(self) -> list[str]:
        answer = self.client.get(self.url)
        assert answer.status_code == 200, answer.text
        return answer.text.split("\x1e")

    def ack(self, number: int) -> list:
        """The acknowledgement of the event sent with `number` (handlers run in threads of
        their own, so it may come after other packets: each poll waits for the next ones)."""
        seen = []
        for _ in range(5):
            for packet in self.poll():
                if packet.startswith(f"43{number}["):
                    return json.loads(packet[len(f"43{number}"):])
                if packet == "2":
                    self.post("3")  # a ping is answered, as a browser does
                seen.append(packet[:80])
        raise AssertionError(f"no acknowledgement, only {seen}")


DEEP = [
    "[" * 60_000,                                   # a list 60,000 deep, never closed
    "[" * 30_000 + "]" * 30_000,                    # closed: valid JSON, 30,000 deep
    '{"a":' * 10_000 + "1" + "}" * 10_000,          # objects
    '["message:send",' + "[" * 40 + "]" * 40 + "]",  # deeper than MAX_NESTING, not deep
]


@pytest.mark.parametrize("payload", DEEP, ids=["open", "closed", "objects", "forty"])
def test_a_socket_packet_nested_deep_is_refused_and_the_connection_lives_on(
        app, world, client_for, team_room, payload, caplog):
    socket = Polling(client_for(world["a"]["teacher"]))
    with caplog.at_level(logging.WARNING):
        assert socket.post(f"42{7}{payload}") == 200
        assert socket.ack(7) == [{"ok": False, "error": "bad_request",
                                  "message": "Permintaan tidak dapat dipahami."}]
        # An engine.io message that is no Socket.IO packet at all: dropped, no exception.
        assert socket.post("4" + "[" * 60_000) == 200
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    # The same connection goes on: a join is answered.
    assert socket.post('428["room:join",' + json.dumps({"room_id": team_room.id}) + "]") == 200
    assert socket.ack(8)[0]["ok"]
