"""What a change in a room tells the people in it over Socket.IO, the same whether the change
came by a socket event or by a plain form: the room's Socket.IO room name and the broadcast
of a message, a note, the protocol and the raised hands. Call them after the commit."""

from flask import get_template_attribute

from collab import realtime
from collab.extensions import socketio
from collab.rooms import service as rooms
from collab.rooms import service_board as room_board
from collab.rooms import service_protocols as protocols


def room_name(room_id: int) -> str:
    return f"room:{room_id}"


def broadcast(room_id: int, event: str, payload: dict, skip_sid: str | None = None) -> None:
    socketio.emit(event, payload, to=room_name(room_id), namespace=realtime.NAMESPACE,
                  skip_sid=skip_sid)


def _macro(name: str):
    return get_template_attribute("rooms/_items.html", name)


def message_payload(message) -> dict:
    """A message as clients get it (rooms.message_json) with `html`, its list item rendered
    once by the macro the page uses (templates/rooms/_items.html). The item is the same for
    every reader: whatever is theirs alone (mine, edit and delete) the page's script adds."""
    body = rooms.message_body(message)
    payload = rooms.message_json(message, body)
    payload["html"] = str(_macro("message_item")(message, body))
    return payload


def deleted_payload(message) -> dict:
    """`message:deleted`: the message's id and `html`, its item as it is now."""
    return {"room_id": message.room_id, "id": message.id,
            "html": message_payload(message)["html"]}


def note_item(note) -> dict:
    """A note as clients get it (room_board.note_json) with `html`, its card rendered by the
    page's macro; the script adds the tools to move, change and delete it."""
    return {**room_board.note_json(note), "html": str(_macro("note_card")(note))}


def note_payload(room, note, *columns) -> dict:
    """A note as it is now, with the order of the columns it touched (a move renumbers its
    neighbours), and `html`, the note's card (also in `note.html`)."""
    notes = room_board.board(room)
    item = note_item(note)
    return {"room_id": room.id, "note": item, "html": item["html"],
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
