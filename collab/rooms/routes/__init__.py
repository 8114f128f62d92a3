"""The pages of rooms: the room (pages.py) and its facilitation."""

from collab.rooms.routes import facilitation, pages  # noqa: F401  (their views attach to bp)
