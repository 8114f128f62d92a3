"""The rooms' Socket.IO events (docs/realtime.md): thin adapters over collab.services.rooms."""


def register(socketio) -> None:
    """Attach the rooms' event handlers to the Socket.IO server."""
