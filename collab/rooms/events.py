"""The rooms' Socket.IO events (the contract is docs/realtime.md): thin adapters over
collab.rooms.service.

Every event goes through `_run`, which does what Flask's request hooks would do for a page
and more, since none of them run for socket events: it takes the user from the socket's
session (refused once signed out), counts the per-user rate limit, checks that the payload
is an object, checks membership through collab.rooms.access on every event, turns a refusal
into an `ok: false` acknowledgement in the user's language, commits, and only then joins
rooms and broadcasts; a failure rolls back, and the database session is always removed.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, g, request, session
from flask_babel import force_locale
from flask_socketio import disconnect

from collab import realtime
from collab.core.database import reads_only_from_now
from collab.core.text import refused
from collab.extensions import db, socketio
from collab.rooms import live
from collab.rooms import service as rooms
from collab.rooms import service_board as room_board
from collab.rooms import service_protocols as protocols
from collab.rooms.access import room_for
from collab.rooms.models import BoardNote
from collab.rooms.refusals import REFUSALS
from collab.rooms.service import RoomError

log = logging.getLogger(__name__)

MAX_ID = 2**31 - 1
# Per user, whatever the room; the app's config may override them (SOCKET_RATE_LIMITS).
RATE_LIMITS = {
    "any": "60 per 10 seconds",  # every event
    "message": "20 per 10 seconds",  # message:send, message:edit, message:delete
    "note": "30 per 10 seconds",  # note:*, evidence:add
    "join": "30 per minute",  # room:join, message:earlier (they read many rows)
}
TYPING_EVERY = "1 per 3 seconds"  # per user and room: more often is not broadcast

ERRORS = REFUSALS


class BadRequest(Exception):
    """A payload that is not what the event expects."""


@dataclass
class Reply:
    """What a handler answers: the acknowledgement's fields, and what to do once the
    change is committed (join rooms, broadcast)."""

    ack: dict = field(default_factory=dict)
    after: Callable[[], None] | None = None


_HANDLERS: dict[str, tuple[Callable, tuple[str, ...], bool]] = {}
# Events whose message body is rendered before the event's transaction begins.
_RENDERS_BODY = {"message:send", "message:edit"}


def on(event: str, limits: tuple[str, ...] = (), writes: bool = True):
    """Register a handler `fn(user, room, data) -> Reply` for a room event."""

    def wrap(fn):
        _HANDLERS[event] = (fn, limits, writes)
        return fn

    return wrap


def register(socketio) -> None:
    """Attach the rooms' event handlers to the Socket.IO server."""
    for event, (handler, limits, writes) in _HANDLERS.items():
        socketio.on_event(event, _adapter(event, handler, limits, writes))


def _adapter(event, handler, limits, writes):
    def run(data=None, *ignored):
        return _run(event, handler, limits, writes, data)

    run.__name__ = f"on_{event.replace(':', '_')}"
    return run


# -- the pipeline every event goes through -------------------------------------------------

def _run(event, handler, limits, writes, data) -> dict:
    user = None
    try:
        if not writes:
            reads_only_from_now()  # on SQLite, no write lock for a read-only event
        within = _within_limits(event, limits, data)
        user = realtime.socket_user()
        if user is None:
            return _signed_out()
        # Flask-Login's current_user for this event is that user, not loaded a second time
        # (the item macros read the language and time zone through it: collab/core/i18n.py).
        g._login_user = user
        if not within:
            return _refusal(user, "rate_limited")
        if not isinstance(data, dict) or refused(data):  # core.text: the rule of HTTP too
            raise BadRequest("payload")
        room = room_for(user, _id(data, "room_id"))
        if room is None:
            return _refusal(user, "not_found")
        reply = handler(user, room, data)
        db.session.commit()
        if reply.after is not None:
            reply.after()
        return {"ok": True, **reply.ack}
    except BadRequest:
        db.session.rollback()
        return _refusal(user, "bad_request")
    except RoomError as exc:
        db.session.rollback()
        return _refusal(user, exc.code, **_details(exc))
    except Exception:
        db.session.rollback()
        log.exception("socket event %s failed", event)
        return _refusal(user, "error")
    finally:
        db.session.remove()


def _within_limits(event, limits, data) -> bool:
    """Count the event against the user's rate limits and, if within them, render a message
    body: both before the first query, since on SQLite a writing event's transaction (and
    the process's write lock) begins with it."""
    user_id = realtime.socket_user_id()
    within = user_id is not None and all(
        realtime.allowed(_limit(kind), kind, user_id) for kind in ("any", *limits))
    if within and event in _RENDERS_BODY:
        g.rendered_body = _prerendered(data)
    return within


def _prerendered(data) -> str | None:
    """A message body's HTML, rendered before the first query (on SQLite a writing event's
    transaction, and the write lock, begin with it); None if the body is not one to store."""
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, str) or refused(body):
        return None
    try:
        return rooms.rendered(rooms.clean_body(body))
    except RoomError:
        return None


def _limit(kind: str) -> str:
    return current_app.config.get("SOCKET_RATE_LIMITS", {}).get(kind, RATE_LIMITS[kind])


def _signed_out() -> dict:
    # The socket outlived its session: it is served no more (it may sign in and reconnect).
    answer = _refusal(None, "signed_out")
    disconnect()
    return answer


def _refusal(user, code: str, **extra) -> dict:
    language = getattr(user, "language", None) or session.get("lang")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        message = str(ERRORS.get(code, ERRORS["error"]))
    return {"ok": False, "error": code, "message": message, **extra}


def _details(exc: RoomError) -> dict:
    extra = {"field": exc.field} if exc.field else {}
    note = getattr(exc, "note", None)
    if note is not None:
        extra["note"] = live.note_item(note)
    return extra


# -- reading the payload -------------------------------------------------------------------

def _id(data: dict, key: str, optional: bool = False, minimum: int = 1) -> int | None:
    """A database id from the payload (a JSON integer within the database's range)."""
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= MAX_ID:
        raise BadRequest(key)
    return value


def _text(data: dict, key: str, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise BadRequest(key)
    return value


def _broadcast(room_id: int, event: str, payload: dict, skip_self: bool = False) -> None:
    live.broadcast(room_id, event, payload, skip_sid=request.sid if skip_self else None)


def _broadcasting(room, event: str, payload: dict, skip_self: bool = False):
    """The broadcast to run after the commit. It holds the room's id, not the room: after
    the commit the room is expired, and reading it again would open a new transaction (on
    SQLite a write lock) while the broadcast is sent."""
    room_id = room.id
    return lambda: _broadcast(room_id, event, payload, skip_self=skip_self)


def _presence(room_id: int, leaving_sid: str | None = None) -> dict:
    return {"room_id": room_id,
            "online": realtime.online(live.room_name(room_id), leaving_sid=leaving_sid)}


def left_rooms(sid: str, socket_rooms: list[str]) -> None:
    """A socket went away: tell each room it was in who is still there."""
    for name in socket_rooms:
        prefix, _, room_id = name.partition(":")
        if prefix == "room" and room_id.isdigit():
            socketio.emit("presence", _presence(int(room_id), leaving_sid=sid), to=name,
                          namespace=realtime.NAMESPACE, skip_sid=sid)


def review(sid: str, user, socket_rooms: list[str]) -> None:
    """A change may have taken rooms away from `user` (realtime.review_socket): the socket
    leaves each of its rooms the user is no longer in, is told `room:removed`, and the room
    who is still there. It receives nothing more from that room."""
    for name in socket_rooms:
        prefix, _, room_id = name.partition(":")
        if prefix != "room" or not room_id.isdigit() or room_for(user, int(room_id)):
            continue
        realtime.leave(sid, name)
        socketio.emit("room:removed", {"room_id": int(room_id)}, to=sid,
                      namespace=realtime.NAMESPACE)
        left_rooms(sid, [name])


# -- joining and leaving -------------------------------------------------------------------

@on("room:join", limits=("join",))
def join(user, room, data):
    since_id = _id(data, "since_id", optional=True, minimum=0)
    messages, more = rooms.history(room, since_id)
    ack = {
        "room_id": room.id,
        "history": [live.message_payload(m) for m in messages],
        "more": more,
        "last_read_id": rooms.last_read(room, user),
        "board": {column: [live.note_item(n) for n in notes]
                  for column, notes in room_board.board(room).items()},
        "phase": protocols.phase_json(room),
        "hands": protocols.hands_json(room),
    }
    rooms.mark_read(room, user)
    sid, room_id = request.sid, room.id

    def after():
        realtime.enter(sid, live.room_name(room_id))
        presence = _presence(room_id)
        ack["online"] = presence["online"]
        _broadcast(room_id, "presence", presence)

    return Reply(ack, after)


@on("room:leave", writes=False)
def leave(user, room, data):
    sid, room_id = request.sid, room.id

    def after():
        realtime.leave(sid, live.room_name(room_id))
        _broadcast(room_id, "presence", _presence(room_id))

    return Reply(after=after)


@on("room:read")
def read(user, room, data):
    message_id = _id(data, "message_id")
    rooms.mark_read(room, user, min(message_id, room.last_message_id or 0))
    return Reply()


# -- chat ----------------------------------------------------------------------------------

@on("message:send", limits=("message",))
def send(user, room, data):
    message, created = rooms.post_message(room, user, data.get("client_id"),
                                          _text(data, "body"), g.get("rendered_body"))
    payload = live.message_payload(message)
    ack = {"id": message.id, "created_at": payload["created_at"], "created": created}
    return Reply(ack, _broadcasting(room, "message:new", payload) if created else None)


@on("message:edit", limits=("message",))
def edit(user, room, data):
    message = rooms.edit_message(room, user, _id(data, "message_id"), _text(data, "body"),
                                 g.get("rendered_body"))
    payload = live.message_payload(message)
    return Reply({"message": payload}, _broadcasting(room, "message:updated", payload))


@on("message:delete", limits=("message",))
def delete(user, room, data):
    message = rooms.delete_message(room, user, _id(data, "message_id"))
    payload = live.deleted_payload(message)
    return Reply({"id": message.id}, _broadcasting(room, "message:deleted", payload))


@on("message:earlier", limits=("join",), writes=False)
def earlier(user, room, data):
    messages, more = rooms.earlier(room, _id(data, "before_id"))
    return Reply({"messages": [live.message_payload(m) for m in messages], "more": more})


@on("typing", writes=False)
def typing(user, room, data):
    if not realtime.once_per(TYPING_EVERY, "typing", user.id, room.id):
        return Reply({"sent": False})
    payload = {"room_id": room.id, "user": {"id": user.id, "name": user.name}}
    return Reply({"sent": True}, _broadcasting(room, "typing", payload, skip_self=True))


# -- the board -----------------------------------------------------------------------------

def _note_changed(room, note, *columns) -> Callable[[], None]:
    return _broadcasting(room, "note:changed", live.note_payload(room, note, *columns))


@on("note:add", limits=("note",))
def add_note(user, room, data):
    note, created = room_board.add_note(room, user, data.get("client_id"),
                                        _text(data, "column"), _text(data, "text"))
    return Reply({"note": live.note_item(note), "created": created},
                 _note_changed(room, note) if created else None)


@on("note:update", limits=("note",))
def update_note(user, room, data):
    note_id, version = _id(data, "note_id"), _id(data, "version")
    text, column = _text(data, "text", optional=True), _text(data, "column", optional=True)
    position = _id(data, "position", optional=True, minimum=0)
    if text is None and column is None and position is None:
        raise BadRequest("nothing to change")
    before = db.session.get(BoardNote, note_id)
    old_column = before.column if before is not None and before.room_id == room.id else None
    note = room_board.update_note(room, user, note_id, version, text=text, column=column,
                                  position=position)
    changed = _note_changed(room, note, *([old_column] if old_column else []))
    return Reply({"note": live.note_item(note)}, changed)


@on("note:delete", limits=("note",))
def delete_note(user, room, data):
    note = room_board.delete_note(room, user, _id(data, "note_id"), _id(data, "version"))
    payload = {"room_id": room.id, "id": note.id}
    return Reply({"id": note.id}, _broadcasting(room, "note:deleted", payload))


@on("evidence:add", limits=("note",))
def add_evidence(user, room, data):
    note, created = room_board.add_evidence(
        room, user, data.get("client_id"), _id(data, "source_note_id"),
        _text(data, "interpretation", optional=True) or "",
        _text(data, "question", optional=True) or "")
    return Reply({"note": live.note_item(note), "created": created},
                 _note_changed(room, note) if created else None)


# -- the facilitated protocol and raised hands -----------------------------------------------

def _protocol_changed(room) -> Callable[[], None]:
    return live.protocol_changed(room)


def _start(user, room, data):
    protocols.start(room, user, _text(data, "protocol"))


def _set(user, room, data):
    protocols.set_phase(room, user, _id(data, "index", minimum=0))


def _floor(user, room, data):
    protocols.give_floor(room, user, _id(data, "user_id", optional=True))


PHASE_ACTIONS = {
    "start": _start,
    "next": lambda user, room, data: protocols.next_phase(room, user),
    "set": _set,
    "finish": lambda user, room, data: protocols.finish(room, user),
    "floor": _floor,
}


@on("phase:set")
def set_phase(user, room, data):
    action = PHASE_ACTIONS.get(_text(data, "action"))
    if action is None:
        raise BadRequest("action")
    action(user, room, data)
    return Reply({"phase": protocols.phase_json(room)}, _protocol_changed(room))


def _hands_changed(room) -> Reply:
    hands = protocols.hands_json(room)
    payload = {"room_id": room.id, "hands": hands}
    return Reply({"hands": hands}, _broadcasting(room, "hands", payload))


@on("hand:raise")
def raise_hand(user, room, data):
    protocols.raise_hand(room, user)
    return _hands_changed(room)


@on("hand:lower")
def lower_hand(user, room, data):
    protocols.lower_hand(room, user, _id(data, "user_id", optional=True))
    return _hands_changed(room)
