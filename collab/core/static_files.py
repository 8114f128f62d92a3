"""Static files compressed like pages, once each.

Flask sends a static file as a stream, which Flask-Compress leaves alone (COMPRESS_STREAMS
is off: it would wrap the file and leave it open). The stylesheet and scripts are text of a few
dozen kilobytes that a phone on a weak signal pays for in full, the Socket.IO client among
them: they are read whole here, so that Flask-Compress compresses them (brotli or gzip, as the
browser accepts), and the compressed bytes are kept per file and encoding for the life of
the process. Conditional requests (ETag, 304) work as before.

Fingerprinted URLs, so that a page view does not revalidate its stylesheet and scripts over a
slow link (issue 16): `url_for("static", filename="css/rembuk.css")` builds
`/static/css/rembuk.<first 12 hex digits of the file's SHA-256>.css`, answered with
`Cache-Control: public, max-age=31536000, immutable`. The fingerprint is part of the path, not
a query, so that every cache on the way keys on it. A changed file gets a new address (the
digest is kept per file and computed again when its size or modification time changes). A
well-formed fingerprint that is not the file's current one (a page from before an update) is
redirected (302, not cached) to the current address, so a stale page still gets its
stylesheet; any other name of a file that does not exist is a 404. The plain address
(`/static/css/rembuk.css`) still answers, with `Cache-Control: no-cache`, for bookmarks and
the service worker's older copies.
"""

import hashlib
import os
import re

from flask import Flask, redirect, request
from werkzeug.security import safe_join

# Text types worth compressing; images and fonts are compressed already or tiny.
TEXT_TYPES = frozenset({"text/css", "text/javascript", "application/javascript",
                        "image/svg+xml", "application/json"})


# "<name>.<12 hex digits>.<extension>": a fingerprinted address of "<name>.<extension>".
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
IMMUTABLE = "public, max-age=31536000, immutable"
# Where send_static_file leaves the digest it served, for the compressed copies' key.
DIGEST_KEY = "rembuk.static_digest"


class Fingerprints:
    """The short SHA-256 of each static file, kept per path with the size and modification
    time it was computed for (a stat per lookup, the file read again only when it changed)."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, int, str]] = {}

    def digest(self, folder: str | None, filename: str) -> str | None:
        path = safe_join(folder, filename) if folder else None
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        known = self._known.get(path)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        try:
            with open(path, "rb") as file:
                digest = hashlib.sha256(file.read()).hexdigest()[:12]
        except OSError:  # a folder, or gone since the stat
            return None
        self._known[path] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


def fingerprinted_name(filename: str, digest: str) -> str:
    """css/rembuk.css -> css/rembuk.<digest>.css (a name without extension stays as it is)."""
    folder, _, name = filename.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return filename
    return f"{folder}/{stem}.{digest}.{ext}" if folder else f"{stem}.{digest}.{ext}"


class RembukFlask(Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.static_fingerprints = Fingerprints()

    def inject_url_defaults(self, endpoint: str, values: dict) -> None:
        """url_for("static", filename=…) builds the file's fingerprinted address."""
        super().inject_url_defaults(endpoint, values)
        if endpoint == "static" and isinstance(values.get("filename"), str):
            filename = values["filename"]
            digest = self.static_fingerprints.digest(self.static_folder, filename)
            if digest is not None:
                values["filename"] = fingerprinted_name(filename, digest)

    def send_static_file(self, filename: str):
        plain = self._unfingerprinted(filename) if request.endpoint == "static" else None
        if plain is None:  # the plain address, or no such file (404)
            self._note_digest(filename)
            return self._send_static(filename)
        name, wanted = plain
        if wanted != self._note_digest(name):
            # A page from before the file changed: the current version, not a stale one.
            moved = redirect(self.url_for("static", filename=name), 302)
            moved.headers["Cache-Control"] = "no-cache"
            return moved
        response = self._send_static(name)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = IMMUTABLE
        return response

    def _note_digest(self, filename: str) -> str | None:
        digest = self.static_fingerprints.digest(self.static_folder, filename)
        if digest is not None:
            request.environ[DIGEST_KEY] = digest
        return digest

    def _unfingerprinted(self, filename: str) -> tuple[str, str] | None:
        """(plain name, fingerprint) when `filename` is a fingerprinted address of a file that
        exists; None for a plain name (or a file whose own name looks fingerprinted)."""
        match = FINGERPRINTED.match(filename)
        if match is None or self.static_folder is None:
            return None
        own = safe_join(self.static_folder, filename)
        if own is not None and os.path.isfile(own):
            return None
        name = match["stem"] + match["ext"]
        path = safe_join(self.static_folder, name)
        if path is None or not os.path.isfile(path):
            return None
        return name, match["digest"]

    def _send_static(self, filename: str):
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
    """A static file's path and the digest of the version served (a changed file is
    compressed afresh); "" for every other response (not kept)."""
    req = req or request
    if req.endpoint != "static":
        return ""
    return f"{req.path}@{req.environ.get(DIGEST_KEY, '')}"
