"""Kept pages answered in WSGI, before Flask's request machinery (issue 16, item 3;
docs/page-cache.md, "A hit").

A hit of the rendered-page cache (core/page_cache.py) needs no view, no user and no Flask
request context: the signed session cookie, the key, one statement for the data versions,
and the bytes. Flask's own request context, before- and after-request hooks cost about
0.25 ms per request, more than the hit itself; `CachedPages` answers the hit from the
environ as `HealthCheck` answers `/healthz`, with the headers the page's first answer went
out with (recorded from that answer, after every after-request hook), and hands every other
request to Flask untouched, with the key it computed (`page_cache.KEY`) for the view to keep
its page under.

The session is opened once: Flask's session interface reuses the one opened here
(`SESSION`). What a hit still does, as the ordinary path would:
- the trusted-host check (`Request.host` raises for another host: the request goes on to
  Flask, which refuses it);
- Flask-Login's session protection (`page_cache.browser_id`);
- the data versions, from this process's copy on PostgreSQL while it is fed
  (core/version_feed.py), else one statement;
- the CSRF token: the kept page's own when the session has the secret it was signed from,
  else one signed now from the session's secret, made first when the session has none (the
  session cookie is then set, as Flask would);
- compression as Flask-Compress would choose it, the compressed page kept with the entry
  when its bytes are the same for every hit.
"""

import secrets

from flask import Flask
from flask_compress.flask_compress import _choose_algorithm, _compress_data
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import SecurityError
from werkzeug.http import dump_cookie, http_date
from werkzeug.wrappers import Request

from collab.core import page_cache, version_feed
from collab.extensions import compress, db

# The opened session, for Flask's session interface to reuse (core/web.py).
SESSION = "rembuk.session"
# Headers of an answer that belong to that answer, not to the page.
_OWN_HEADERS = frozenset({"set-cookie", "content-length", "content-encoding", "date"})


class CachedPages:
    """WSGI: a GET that the page cache can answer is answered here; everything else goes
    on to `wsgi_app` (Flask), which keeps cached views' pages under the key computed here."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app, self.app = wsgi_app, app
        self._engine = None
        self._tokens: URLSafeTimedSerializer | None = None

    def __call__(self, environ, start_response):
        app = self.app
        if environ.get("REQUEST_METHOD") != "GET" or not app.config["PAGE_CACHE"]:
            return self.wsgi_app(environ, start_response)
        request = Request(environ)
        request.trusted_hosts = app.config["TRUSTED_HOSTS"]
        try:
            session = app.session_interface.open_session(app, request)
            key = page_cache.page_key(app, request, session) if session is not None else None
        except SecurityError:  # an unknown host: Flask refuses it
            return self.wsgi_app(environ, start_response)
        if key is None:
            return self.wsgi_app(environ, start_response)
        environ[SESSION] = session
        pages = page_cache.store(app)
        entry = pages.get(key)
        if entry is not None and entry.wire_headers is not None:
            if entry.versions is None or self._versions(entry.school) == entry.versions:
                pages.hits += 1
                return self._answer(entry, request, session, start_response)
            pages.drop(key)
        environ[page_cache.KEY] = key
        return self.wsgi_app(environ, self._recording(environ, start_response))

    def _versions(self, school: int | None) -> tuple[int, int]:
        """The committed versions: this process's copy on PostgreSQL while it is fed
        (core/version_feed.py), else one statement."""
        feed = version_feed.for_app(self.app, self.engine)
        versions = feed.versions(school) if feed is not None else None
        if versions is None:
            versions = page_cache.committed_versions(school, self.engine)
        return versions

    @property
    def engine(self):
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    @staticmethod
    def _recording(environ, start_response):
        """start_response that gives a page kept by the view the headers it went out with."""

        def record(status, headers, exc_info=None):
            entry = environ.get(page_cache.KEPT)
            if entry is not None and status.startswith("200"):
                entry.wire_headers = tuple(
                    (name, value) for name, value in headers
                    if name.lower() not in _OWN_HEADERS)
            return start_response(status, headers, exc_info)

        return record

    def _answer(self, entry, request, session, start_response):
        app = self.app
        headers = list(entry.wire_headers)
        secret = session.get("csrf_token")
        if entry.secret is not None and secret == entry.secret:
            body, same_for_every_hit = entry.whole(), True
        else:
            if secret is None:  # 40 hex digits, as flask_wtf.csrf.generate_csrf makes it
                secret = session["csrf_token"] = secrets.token_hex(20)
                headers.append(("Set-Cookie", self._session_cookie(session)))
            body, same_for_every_hit = self.tokens.dumps(secret).encode().join(entry.parts), False
        algorithm = _choose_algorithm(compress.enabled_algorithms,
                                      request.headers.get("Accept-Encoding", ""))
        if algorithm is not None and len(body) >= app.config["COMPRESS_MIN_SIZE"]:
            encoded = entry.encoded.get(algorithm) if same_for_every_hit else None
            if encoded is None:
                encoded = _compress_data(app, body, algorithm)
                if same_for_every_hit:
                    entry.encoded[algorithm] = encoded
            body = encoded
            # As Flask-Compress: the encoding, and the Date its make_conditional adds.
            headers += [("Content-Encoding", algorithm), ("Date", http_date())]
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{entry.status} OK", headers)
        return [body]

    @property
    def tokens(self) -> URLSafeTimedSerializer:
        """flask_wtf's token serializer (WTF_CSRF_SECRET_KEY or SECRET_KEY)."""
        if self._tokens is None:
            key = self.app.config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
            self._tokens = URLSafeTimedSerializer(key, salt="wtf-csrf-token")
        return self._tokens

    def _session_cookie(self, session) -> str:
        """The Set-Cookie value Flask's session interface would send for `session`."""
        app, interface = self.app, self.app.session_interface
        return dump_cookie(
            interface.get_cookie_name(app),
            interface.get_signing_serializer(app).dumps(dict(session)),
            expires=interface.get_expiration_time(app, session),
            httponly=interface.get_cookie_httponly(app),
            domain=interface.get_cookie_domain(app),
            path=interface.get_cookie_path(app),
            secure=interface.get_cookie_secure(app),
            partitioned=interface.get_cookie_partitioned(app),
            samesite=interface.get_cookie_samesite(app),
        )
