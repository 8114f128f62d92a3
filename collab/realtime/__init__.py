"""The Socket.IO server's own checks, shared by every area's events (docs/realtime.md).

Flask-SocketIO copies the session when a socket connects and runs no request hooks for its
events, so:
- anonymous sockets are refused at connect, and `socket_user()` re-reads the user on every
  event, so that a logout or password change elsewhere (which bumps the session version)
  refuses the next event;
- every socket joins its user's own room `user:<id>`; when a user's sessions end (logout,
  password change or reset, role change: anything that bumps `User.session_version`) or
  they leave the school, their sockets are disconnected once the change is committed, on
  every process;
- when a change may take a room away from someone (a colleague leaves a team, a plan is made
  private, an observer withdraws…), the sockets concerned are reviewed once it is committed,
  on every process: a socket no longer allowed in a room leaves it and is told
  `room:removed`, so it receives nothing more from that room (see `ReviewingManager`);
- rate limits are counted here with the `limits` library, in the same storage as the app's
  Flask-Limiter (memory by default, Redis when RATELIMIT_STORAGE_URI says so);
- who is online in a room (`online`) is kept by collab/realtime/presence.py: the sockets of this
  process, or with several processes all of them through Redis; sockets enter and leave
  rooms through `enter` and `leave`, which keep it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import socketio as python_socketio
from flask import current_app, request, session
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_socketio import ConnectionRefusedError as SocketRefused
from limits import parse
from limits.strategies import FixedWindowRateLimiter, SlidingWindowCounterRateLimiter
from sqlalchemy import event
from sqlalchemy.orm import Session

from collab.extensions import db, limiter, socketio
from collab.realtime import packets, presence

log = logging.getLogger(__name__)

NAMESPACE = "/"
# The largest Socket.IO packet and long-polling POST accepted (engine.io's
# max_http_buffer_size); a larger POST is answered 413 at once (PostSizeLimit).
MAX_PACKET_BYTES = 64 * 1024
SIGNED_OUT = "signed_out"
REVIEW = "rembuk:review"  # between the app's processes only: never sent to a browser
_ENDED = "rembuk_sessions_ended"
_NARROWED = "rembuk_access_narrowed"


@dataclass
class Hooks:
    """What the features tell the Socket.IO server; create_app sets them through `use`, so
    that realtime imports no feature."""

    # The user of a session's id ("<id>:<session version>"), None once that session ended.
    load_user: Callable = lambda user_id: None
    # The user with this id, whatever their session, or None.
    user_by_id: Callable = lambda user_pk: None
    # From a flush: the ids of users whose sessions it ended (logout, role change, removal).
    ended_sessions: list[Callable] = field(default_factory=list)
    # Before a flush: (user ids, room ids) that it may take a room away from.
    narrowed_access: list[Callable] = field(default_factory=list)
    # review(sid, user, room names): take the socket out of rooms its user may no longer see.
    review: Callable = lambda sid, user, rooms: None
    # left_rooms(sid, room names): a socket went away from these rooms.
    left_rooms: Callable = lambda sid, rooms: None


hooks = Hooks()


def use(*, ended_sessions=None, narrowed_access=None, **callbacks) -> None:
    """Set the features' hooks (see Hooks); listeners of flushes are added, not replaced."""
    for name, callback in callbacks.items():
        if not hasattr(hooks, name) or name in {"ended_sessions", "narrowed_access"}:
            raise TypeError(f"unknown realtime hook {name!r}")
        setattr(hooks, name, callback)
    for listeners, callback in ((hooks.ended_sessions, ended_sessions),
                                (hooks.narrowed_access, narrowed_access)):
        if callback is not None and callback not in listeners:
            listeners.append(callback)


# Who is in which room (collab/realtime/presence.py): this process alone, or all through Redis.
_presence: presence.LocalPresence = presence.LocalPresence()


def socket_user_id() -> int | None:
    """The id of the user this socket's session was signed in as, without asking the
    database (for counting rate limits; socket_user() says whether the session still holds)."""
    user_id = session.get("_user_id")
    user_pk = user_id.partition(":")[0] if isinstance(user_id, str) else ""
    return int(user_pk) if user_pk.isdigit() else None


def socket_user():
    """The user behind this socket if their session is still valid and they still belong to
    a school, else None."""
    user_id = session.get("_user_id")
    if not isinstance(user_id, str):
        return None
    user = hooks.load_user(user_id)
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
    """The people with a socket in the Socket.IO room `room` now, by name, each once, on
    every process."""
    try:
        return _presence.online(room, leaving_sid)
    except Exception:  # Redis away for a moment: this process's sockets at least
        log.exception("presence of %s could not be read", room)
        return presence.LocalPresence.online(_presence, room, leaving_sid)


def enter(sid: str, room: str) -> None:
    """Put a socket in a Socket.IO room (a co-thinking room's `room:<id>`)."""
    socketio.server.enter_room(sid, room, namespace=NAMESPACE)
    _best_effort(_presence.entered, room, sid)


def leave(sid: str, room: str) -> None:
    """Take a socket out of a Socket.IO room."""
    _best_effort(_presence.left, room, sid)
    socketio.server.leave_room(sid, room, namespace=NAMESPACE)


def _best_effort(step, room: str, sid: str) -> None:
    try:
        step(room, sid)
    except Exception:  # presence may lag (the heartbeat writes it again); the room works
        log.exception("presence of %s in %s not recorded", sid, room)


def rooms_of(sid: str) -> list[str]:
    """The Socket.IO rooms a socket is in (besides its own)."""
    return [r for r in socketio.server.rooms(sid, namespace=NAMESPACE) if r != sid]


# -- the client manager: where the sockets are ---------------------------------------------

class ReviewingManager(python_socketio.Manager):
    """python-socketio's client manager, with two events of ours handled on the process that
    holds the sockets. Whatever the app emits reaches `emit` here on every process: with a
    message queue, the queue manager delivers to this process's sockets through it, both
    what this process emits and what its listener receives from the others (`QueueManager`
    puts this class after python-socketio's queue manager in the method order). So:
    - `signed_out` to a user's room is delivered, then this process's sockets that got it
      are disconnected;
    - `rembuk:review` to a user's or a room's Socket.IO room is not delivered: this process's
      sockets in it are reviewed (`review_socket`)."""

    app = None  # the Flask app, for the database during a review

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None,
             **kwargs):
        room = to or room
        if event == REVIEW:
            self._review(namespace, room)
            return None
        sent = super().emit(event, data, namespace, room=room, skip_sid=skip_sid,
                            callback=callback, **kwargs)
        if event == SIGNED_OUT and room is not None:
            for sid in self._sids(namespace, room):
                self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        return sent

    def _sids(self, namespace, room) -> list[str]:
        return [sid for sid, _eio_sid in self.get_participants(namespace, room)]

    def _review(self, namespace, room) -> None:
        sids = self._sids(namespace, room)
        if not sids or self.app is None:
            return
        only = room if room.startswith("room:") else None
        # A context of its own: the change's session has just committed (its hook may be
        # where this runs) and on another process there is none.
        with self.app.app_context():
            for sid in sids:
                try:
                    review_socket(sid, only)
                except Exception:  # one socket's trouble must not spare the others
                    log.exception("could not review socket %s", sid)
                finally:
                    db.session.remove()


class QueueManager(python_socketio.RedisManager, ReviewingManager):
    """Several processes through Redis: RedisManager publishes and listens, and delivers to
    this process's sockets through ReviewingManager.emit."""


def client_manager(app, url: str | None) -> ReviewingManager:
    """The client manager for `app`: this process alone, or the processes sharing the Redis
    message queue at `url` (SOCKETIO_MESSAGE_QUEUE)."""
    if not url:
        manager = ReviewingManager()
    elif url.startswith(("redis://", "rediss://")):
        manager = QueueManager(url, channel="flask-socketio")
    else:
        raise ValueError("SOCKETIO_MESSAGE_QUEUE must be a redis:// or rediss:// URL")
    manager.app = app
    return manager


# -- ending a user's sockets, reviewing their rooms ----------------------------------------

def disconnect_user(user_id: int) -> None:
    """Disconnect every socket of this user, on every process (sessions ended, left the
    school): they are told `signed_out` and disconnected; to come back they must sign in
    again and rejoin, which checks everything anew."""
    socketio.emit(SIGNED_OUT, {}, to=user_room(user_id), namespace=NAMESPACE)


def review_access(users=(), rooms=()) -> None:
    """These users may have lost a room, these rooms may have lost members: every process
    checks its sockets concerned (ReviewingManager)."""
    for target in (*(user_room(u) for u in users), *(f"room:{r}" for r in rooms)):
        socketio.emit(REVIEW, {}, to=target, namespace=NAMESPACE)


def review_socket(sid: str, only: str | None = None) -> None:
    """Take a socket out of the rooms (all of its rooms, or the room `only`) its user may no
    longer be in; a user no longer in a school is disconnected."""
    person = _presence.people.get(sid)
    if person is None:
        return
    user = hooks.user_by_id(person["id"])
    if user is None or user.membership is None:
        socketio.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)
        return
    hooks.review(sid, user, [only] if only else rooms_of(sid))


def _note_ended_sessions(session_: Session, flush_context) -> None:
    ended = session_.info.setdefault(_ENDED, set())
    for sessions_ended_in in hooks.ended_sessions:
        ended.update(sessions_ended_in(session_))


def _note_narrowed_access(session_: Session, flush_context, instances) -> None:
    for narrowed_by in hooks.narrowed_access:
        users, rooms = narrowed_by(session_)
        if users or rooms:
            noted = session_.info.setdefault(_NARROWED, (set(), set()))
            noted[0].update(users)
            noted[1].update(rooms)


def _after_commit(session_: Session) -> None:
    ended = session_.info.pop(_ENDED, set())
    users, rooms = session_.info.pop(_NARROWED, (set(), set()))
    for user_id in ended:
        try:
            disconnect_user(user_id)
        except Exception:  # the commit stands; a socket left over is refused at its next event
            log.exception("could not disconnect the sockets of user %s", user_id)
    try:
        review_access(users - ended, rooms)
    except Exception:  # likewise: each event is still checked through room_for
        log.exception("could not review the sockets of users %s, rooms %s", users, rooms)


def _forget(session_: Session, previous_transaction=None) -> None:
    session_.info.pop(_ENDED, None)
    session_.info.pop(_NARROWED, None)


# -- connect and disconnect ----------------------------------------------------------------

def _refused(*_args) -> dict:
    """The answer to a packet that could not be read (collab/realtime/packets.py), as the
    features' events answer a bad payload."""
    user = socket_user()
    language = getattr(user, "language", None) or session.get("lang")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        message = str(_l("The request was not understood."))
    return {"ok": False, "error": "bad_request", "message": message}


def _connect(auth=None):
    user = socket_user()
    if user is None:
        raise SocketRefused("unauthorized")
    _presence.connected(request.sid, {"id": user.id, "name": user.name})
    socketio.server.enter_room(request.sid, user_room(user.id), namespace=NAMESPACE)
    return True


def _disconnect(reason=None):
    sid = request.sid
    try:
        rooms = rooms_of(sid)
        for room in rooms:
            _best_effort(_presence.left, room, sid)
        hooks.left_rooms(sid, rooms)
    finally:
        _presence.disconnected(sid)


def register(socketio, app) -> None:
    """Connect and disconnect, presence and the listeners of commits (the features' events
    are registered by their own packages, their hooks through `use`)."""
    global _presence
    _presence = presence.for_config(app.config)
    socketio.on_event("connect", _connect)
    socketio.on_event("disconnect", _disconnect)
    socketio.on_event(packets.REFUSED, _refused)
    app.wsgi_app = PostSizeLimit(app.wsgi_app, MAX_PACKET_BYTES,
                                 f"/{socketio.server_options.get('socketio_path', 'socket.io')}")
    if not event.contains(Session, "after_flush", _note_ended_sessions):
        event.listen(Session, "after_flush", _note_ended_sessions)
        event.listen(Session, "before_flush", _note_narrowed_access)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _forget)


class PostSizeLimit:
    """WSGI middleware in front of Socket.IO's: a long-polling POST over `limit` bytes is
    answered 413 at once, before engine.io reads it. (Engine.io answers it 400 only after
    disconnecting the socket, which waits for the socket's pending poll: minutes.) The
    connection is closed, since the body is not read."""

    def __init__(self, app, limit: int, path: str):
        self.app, self.limit, self.path = app, limit, path.rstrip("/")

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and (
                environ.get("PATH_INFO", "").rstrip("/") == self.path):
            length = environ.get("CONTENT_LENGTH") or "0"
            if not length.isascii() or not length.isdigit() or int(length) > self.limit:
                start_response("413 Request Entity Too Large", [
                    ("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")])
                return [b"Request too large\n"]
        return self.app(environ, start_response)
