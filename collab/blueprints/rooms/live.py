"""What a change in a room tells the people in it over Socket.IO, the same whether the change
came by a socket event or by a plain form: the room's Socket.IO room name and the broadcast
of a message, a note, the protocol and the raised hands. Call them after the commit."""

from collab import realtime
from collab.extensions import socketio
from collab.services import protocols, room_board, rooms


def room_name(room_id: int) -> str:
    return f"room:{room_id}"


def broadcast(room_id: int, event: str, payload: dict, skip_sid: str | None = None) -> None:
    socketio.emit(event, payload, to=room_name(room_id), namespace=realtime.NAMESPACE,
                  skip_sid=skip_sid)


def message_payload(message) -> dict:
    return rooms.message_json(message)


def note_payload(room, note, *columns) -> dict:
    """A note as it is now, with the order of the columns it touched (a move renumbers its
    neighbours)."""
    notes = room_board.board(room)
    return {"room_id": room.id, "note": room_board.note_json(note),
            "order": {c: [n.id for n in notes.get(c, [])] for c in {*columns, note.column}}}


def protocol_payloads(room) -> tuple[dict, dict]:
    return ({"room_id": room.id, "phase": protocols.phase_json(room)},
            {"room_id": room.id, "hands": protocols.hands_json(room)})


def protocol_changed(room):
    """The protocol and the hands as they are now, to broadcast after the commit."""
    phase, hands = protocol_payloads(room)
    room_id = room.id  # not the room: it is expired after the commit

    def send():
        broadcast(room_id, "phase", phase)
        broadcast(room_id, "hands", hands)

    return send
