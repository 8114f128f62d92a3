"""Co-thinking rooms: my rooms, a room's chat, board and protocol (HTTP pages in routes/, the
Socket.IO events in events.py; both call the rooms service)."""

from flask import Blueprint

bp = Blueprint("rooms", __name__)
