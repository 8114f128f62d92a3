"""Static files compressed like pages, once each.

Flask sends a static file as a stream, which Flask-Compress leaves alone (COMPRESS_STREAMS
is off: it would wrap the file and leave it open). The stylesheet and scripts are text of a few
dozen kilobytes that a phone on a weak signal pays for in full, the Socket.IO client among
them: they are read whole here, so that Flask-Compress compresses them (brotli or gzip, as the
browser accepts), and the compressed bytes are kept per file and encoding for the life of
the process. Conditional requests (ETag, 304) work as before.
"""

from flask import Flask, request

# Text types worth compressing; images and fonts are compressed already or tiny.
TEXT_TYPES = frozenset({"text/css", "text/javascript", "application/javascript",
                        "image/svg+xml", "application/json"})


class RembukFlask(Flask):
    def send_static_file(self, filename: str):
        response = super().send_static_file(filename)
        if response.status_code == 200 and response.mimetype in TEXT_TYPES:
            response.direct_passthrough = False
            response.make_sequence()  # the file read whole...
            response.close()  # ...and closed now, not when the server gets to it
        return response


class StaticCache:
    """Flask-Compress's cache, for static files only: every other response (pages, with their
    user's data) is compressed afresh. Keys are "<encoding>;<path>"; a page's key has no
    path."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def get(self, key: str):
        return None if key.endswith(";") else self._store.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            self._store[key] = value


def cache_key(req=None) -> str:
    req = req or request
    return req.path if req.endpoint == "static" else ""
