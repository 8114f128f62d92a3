"""The Socket.IO server's own checks, shared by every area's events.

Flask-SocketIO copies the session when a socket connects and runs no request hooks for its
events, so: anonymous sockets are refused at connect, and `socket_user()` re-reads the user on
every event so that a logout or password change elsewhere (which bumps the session version)
refuses the next event.
"""

from flask import session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError as SocketRefused

from collab.web import load_user


def socket_user():
    """The user behind this socket if their session is still valid, else None."""
    user_id = session.get("_user_id")
    return load_user(user_id) if user_id else None


def register(socketio) -> None:
    from collab.blueprints.rooms import events as room_events

    room_events.register(socketio)

    @socketio.on("connect")
    def _connect(auth=None):
        if not current_user.is_authenticated or socket_user() is None:
            raise SocketRefused("unauthorized")
        if getattr(current_user, "membership", None) is None:
            raise SocketRefused("no school")
        return True
