"""Socket.IO packets read with the app's rule for text (collab.core.text), before any handler.

python-socketio decodes a packet's JSON before it dispatches the event, so the checks of the
handlers come too late for JSON nested thousands deep: CPython's parser raises RecursionError
there, which python-socketio logs with its traceback, and no answer goes back. Here:
- the JSON of every engine.io and Socket.IO packet is read by `CheckedJSON`: nested beyond
  MAX_NESTING, or holding a NUL byte or a lone surrogate, it is a ValueError, found cheaply
  (the parser stops at its recursion limit; the check looks no deeper than MAX_NESTING);
- a Socket.IO packet that cannot be read so becomes the event REFUSED, which the server
  answers `bad_request` (with the sentence in the user's language) when the client asked
  for an answer, as every handler answers a bad payload (collab/realtime: `_refused`).
  One line is logged, no traceback; the connection goes on.
"""

import logging

from socketio import packet

from collab.core.text import CheckedJSON

log = logging.getLogger(__name__)

REFUSED = "rembuk:refused"


class CheckedPacket(packet.Packet):
    """python-socketio's packet (its `serializer`), turning an unreadable one into REFUSED."""

    json = CheckedJSON

    def decode(self, encoded_packet):
        try:
            return super().decode(encoded_packet)
        except ValueError as exc:
            log.info("refused a Socket.IO packet: %s", exc)
            # The namespace and the answer's id, when read before the JSON, are kept.
            self.packet_type, self.data = packet.EVENT, [REFUSED]
            return 0


def server_options() -> dict:
    """What Flask-SocketIO's init_app passes on to python-socketio and engine.io."""
    return {"serializer": CheckedPacket, "json": CheckedJSON}
