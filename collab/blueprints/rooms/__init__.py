"""Co-thinking rooms: my rooms, a room's chat and board (HTTP pages in routes.py, the
Socket.IO events in events.py; both call collab.services.rooms)."""

from flask import Blueprint

bp = Blueprint("rooms", __name__)

from collab.blueprints.rooms import facilitation, routes  # noqa: E402, F401
