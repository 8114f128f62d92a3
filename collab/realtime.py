"""The Socket.IO server's own checks, shared by every area's events (docs/realtime.md).

Flask-SocketIO copies the session when a socket connects and runs no request hooks for its
events, so:
- anonymous sockets are refused at connect, and `socket_user()` re-reads the user on every
  event, so that a logout or password change elsewhere (which bumps the session version)
  refuses the next event;
- every socket joins its user's own room `user:<id>`; when a user's sessions end (logout,
  password change or reset, role change: anything that bumps `User.session_version`) or
  they leave the school, their sockets are disconnected once the change is committed;
- rate limits are counted here with the `limits` library, in the same storage as the app's
  Flask-Limiter (memory by default, Redis when RATELIMIT_STORAGE_URI says so);
- who is online in a room is known from the sockets of this process (`online`).
"""

import logging

from flask import request, session
from flask_socketio import ConnectionRefusedError as SocketRefused
from limits import parse
from limits.strategies import FixedWindowRateLimiter, SlidingWindowCounterRateLimiter
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from collab.extensions import limiter, socketio
from collab.models import Membership, User
from collab.web import load_user

log = logging.getLogger(__name__)

NAMESPACE = "/"
_ENDED = "rembuk_sessions_ended"
# sid -> {"id", "name"} of the sockets connected to this process.
_people: dict[str, dict] = {}


def socket_user():
    """The user behind this socket if their session is still valid and they still belong to
    a school, else None."""
    user_id = session.get("_user_id")
    if not isinstance(user_id, str):
        return None
    user = load_user(user_id)
    if user is None or getattr(user, "membership", None) is None:
        return None
    return user


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


# -- rate limits ---------------------------------------------------------------------------

def allowed(limit: str, *key) -> bool:
    """Count one hit of `limit` (e.g. "20 per 10 seconds") for `key`; False once exceeded.
    A sliding window of two counters: the memory storage's moving window keeps every hit and
    sweeps them all a hundred times a second, which cost an eighth of the server's CPU with
    200 sockets sending."""
    strategy = SlidingWindowCounterRateLimiter(limiter.storage)
    return strategy.hit(parse(limit), "socket", *(str(part) for part in key))


def once_per(period: str, *key) -> bool:
    """True for the first hit of `key` in each window of `period` (e.g. "1 per 3 seconds"):
    a throttle, like typing indicators, where a window that starts afresh is what we want."""
    strategy = FixedWindowRateLimiter(limiter.storage)
    return strategy.hit(parse(period), "socket", *(str(part) for part in key))


# -- presence ------------------------------------------------------------------------------

def online(room: str, leaving_sid: str | None = None) -> list[dict]:
    """The people with a socket in the Socket.IO room `room` now, by name, each once (the
    sockets of this process: with several processes each knows its own)."""
    people = {}
    for sid, _eio_sid in socketio.server.manager.get_participants(NAMESPACE, room):
        person = _people.get(sid)
        if sid != leaving_sid and person is not None:
            people[person["id"]] = person
    return sorted(people.values(), key=lambda p: (p["name"].casefold(), p["id"]))


def rooms_of(sid: str) -> list[str]:
    """The Socket.IO rooms a socket is in (besides its own)."""
    return [r for r in socketio.server.rooms(sid, namespace=NAMESPACE) if r != sid]


# -- ending a user's sockets ---------------------------------------------------------------

def disconnect_user(user_id: int) -> None:
    """Disconnect every socket of this user (sessions ended, left the school): they must sign
    in again and rejoin, which checks everything anew. Sockets of this process are closed at
    once; with a message queue, the others are told `signed_out`, and their next event is
    refused because their session version no longer matches."""
    room = user_room(user_id)
    sids = [sid for sid, _eio in socketio.server.manager.get_participants(NAMESPACE, room)]
    for sid in sids:
        socketio.server.disconnect(sid, namespace=NAMESPACE)
    socketio.emit("signed_out", {}, to=room, namespace=NAMESPACE)


def _note_ended_sessions(session_: Session, flush_context) -> None:
    ended = session_.info.setdefault(_ENDED, set())
    for obj in session_.dirty:
        if isinstance(obj, User) and inspect(obj).attrs.session_version.history.has_changes():
            ended.add(obj.id)
        elif isinstance(obj, Membership) and inspect(obj).attrs.role.history.has_changes():
            ended.add(obj.user_id)
    ended.update(obj.user_id for obj in session_.deleted if isinstance(obj, Membership))


def _disconnect_ended_sessions(session_: Session) -> None:
    for user_id in session_.info.pop(_ENDED, set()):
        try:
            disconnect_user(user_id)
        except Exception:  # the commit stands; a socket left over is refused at its next event
            log.exception("could not disconnect the sockets of user %s", user_id)


def _forget_ended_sessions(session_: Session, previous_transaction=None) -> None:
    session_.info.pop(_ENDED, None)


# -- connect and disconnect ----------------------------------------------------------------

def _connect(auth=None):
    user = socket_user()
    if user is None:
        raise SocketRefused("unauthorized")
    _people[request.sid] = {"id": user.id, "name": user.name}
    socketio.server.enter_room(request.sid, user_room(user.id), namespace=NAMESPACE)
    return True


def _disconnect(reason=None):
    from collab.blueprints.rooms.events import left_rooms

    sid = request.sid
    try:
        left_rooms(sid, rooms_of(sid))
    finally:
        _people.pop(sid, None)


def register(socketio) -> None:
    from collab.blueprints.rooms import events as room_events

    room_events.register(socketio)
    socketio.on_event("connect", _connect)
    socketio.on_event("disconnect", _disconnect)
    if not event.contains(Session, "after_flush", _note_ended_sessions):
        event.listen(Session, "after_flush", _note_ended_sessions)
        event.listen(Session, "after_commit", _disconnect_ended_sessions)
        event.listen(Session, "after_rollback", _forget_ended_sessions)
