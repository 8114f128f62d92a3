"""Rendered pages kept per user, served again while nothing they show can have changed
(issue 16, item 3; docs/page-cache.md has the whole design and its arguments).

A full page (ORM reads and a Jinja render) costs several milliseconds of CPU; the pages a
teacher opens all day are served again from memory when the same session asks for the same
address, in the same language, within the same minute, and no write has touched the school
since. A view opts in with `@cached_page` (signed-in pages) or `@cached_page(public=True)`
(a page that shows no stored data: the sign-in form), placed right under its `@bp.route`.

The key: the session's user id (Flask-Login's "<id>:<session version>"), its CSRF secret and
its Flask-Login identifier, the language inputs (the session's choice, Accept-Language), the
host, path and query, and the time bucket (the current minute: a minute boundary is one in
every time zone, so "today" or "in 5 minutes" is never older than the bucket). The entry
records the school and the data versions it was rendered under; it is served only while
`page_versions` still holds those versions (one query), and never to a request that has
flashed messages waiting or a remember-me sign-in pending.

The versions (`PageVersion`, one row per school and row 0 for every school) are bumped in the
transaction of every write: `before_flush` for the unit of work, `do_orm_execute` for bulk
INSERT/UPDATE/DELETE. The school is the written rows' `school_id`, else the acting user's
school; a write with neither (the CLI, a background job, an anonymous request) bumps row 0,
which every entry depends on. The bump commits or rolls back with the write, so every
process (gunicorn on PostgreSQL) reading the table sees the new version exactly when it sees
the new data; a hit on PostgreSQL reads a copy fed at commit (core/version_feed.py).

A hit loads no user and runs no view: it answers before `_require_login`, after the trusted-host
and text checks; the security headers, compression and session saving run after it as on any
page. The CSRF token in the stored page is replaced by this request's own token.
"""

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import Flask, Response, current_app, g, has_request_context, request, session
from sqlalchemy import text
from sqlalchemy.orm import Session

from collab.core.version_feed import CHANNEL
from collab.extensions import db

GLOBAL = 0  # the version row every page depends on
# Tables whose rows no page shows: writing them invalidates nothing.
NEUTRAL_TABLES = {"page_versions", "outgoing_mail"}
# What the WSGI layer leaves in the request's environ for Flask: the key of a cached view's
# request it could not answer, and the entry the view kept (whose headers it then records).
KEY = "rembuk.page_cache.key"
KEPT = "rembuk.page_cache.kept"
# What a view may change in the session and still have its page kept.
_SESSION_KEYS_IGNORED = frozenset({"csrf_token"})
# A new random version, not version + 1: a version never comes back (a restored backup, a
# test database made again), so an entry can never match data it was not rendered from.
_UPSERT = text(
    "INSERT INTO page_versions (school_id, version) VALUES (:school, :version) "
    "ON CONFLICT (school_id) DO UPDATE SET version = :version")
# PostgreSQL delivers the notification at commit, and never for a rolled-back write.
_UPSERT_NOTIFY = text(
    "WITH bumped AS (INSERT INTO page_versions (school_id, version) VALUES (:school, :version) "
    "ON CONFLICT (school_id) DO UPDATE SET version = :version RETURNING school_id, version) "
    "SELECT pg_notify(:channel, school_id || ':' || version) FROM bumped")
_VERSIONS = text("SELECT school_id, version FROM page_versions WHERE school_id IN (0, :school)")


class PageVersion(db.Model):
    """A school's data version (school_id 0: every school's), a new random number in every
    transaction that writes the school's data; 0 (no row) before the first write."""

    __tablename__ = "page_versions"
    # No foreign key: row 0 is no school, and a school's row may outlive nothing it guards.
    school_id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    version = db.Column(db.BigInteger, nullable=False, default=0)


# --- the versions -------------------------------------------------------------------------

def _acting_school() -> int | None:
    """The school of the request's user, when the request has loaded one."""
    if not has_request_context():
        return None
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(getattr(user, "membership", None), "school_id", None)


def _schools_written(objects) -> set[int]:
    """The versions the written `objects` change: with an acting user, their school's and
    those of the rows' own `school_id`; without one (the CLI, a background job, an anonymous
    request), only GLOBAL, which every page depends on. (On PostgreSQL a bump locks its row
    to the end of the transaction: a request locks its school's, the rest the global one,
    so no two transactions take two of them in opposite orders.)"""
    written = [obj for obj in objects if getattr(obj, "__tablename__", None) not in NEUTRAL_TABLES]
    if not written:
        return set()
    acting = _acting_school()
    if acting is None:
        return {GLOBAL}
    schools = {acting}
    for obj in written:
        school = obj.id if obj.__tablename__ == "schools" else getattr(obj, "school_id", None)
        if isinstance(school, int):
            schools.add(school)
    return schools


def bump(session: Session, schools: set[int]) -> None:
    """Give `schools` new versions in the session's current transaction, once per school and
    transaction (a rolled-back savepoint may have taken a bump with it: then again). On
    PostgreSQL the same statement notifies the other processes (core/version_feed.py)."""
    bumped = session.info.setdefault("page_cache_bumped", {})
    new = schools - bumped.keys()
    if not new:
        return
    connection = session.connection()
    notify = connection.dialect.name == "postgresql"
    for school in sorted(new):
        version = secrets.randbits(62)
        if notify:
            connection.execute(_UPSERT_NOTIFY,
                               {"school": school, "version": version, "channel": CHANNEL})
        else:
            connection.execute(_UPSERT, {"school": school, "version": version})
        bumped[school] = version


def forget_bumps(session: Session, *args) -> None:
    session.info.pop("page_cache_bumped", None)


# A new transaction bumps again; any rollback, a savepoint's too, may have undone a bump.
def transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction, not a savepoint or a flush
        forget_bumps(session)


def bump_for_flush(session: Session, flush_context, instances) -> None:
    if not (session.new or session.dirty or session.deleted):
        return
    with session.no_autoflush:
        dirty = [obj for obj in session.dirty if session.is_modified(obj)]
        schools = _schools_written([*session.new, *dirty, *session.deleted])
        if schools:
            bump(session, schools)


def bump_for_statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in NEUTRAL_TABLES:
        return
    with state.session.no_autoflush:
        acting = _acting_school()
        bump(state.session, {GLOBAL if acting is None else acting})


def current_versions(school: int | None) -> tuple[int, int]:
    """(every school's version, this school's version), as this transaction sees them."""
    rows = dict(db.session.execute(_VERSIONS, {"school": GLOBAL if school is None else school})
                .all())
    return rows.get(GLOBAL, 0), (rows.get(school, 0) if school is not None else 0)


# The statement of a hit in each DBAPI parameter style.
_READ = "SELECT school_id, version FROM page_versions WHERE school_id IN (0, {})"
_READS = {"qmark": _READ.format("?"), "format": _READ.format("%s"),
          "pyformat": _READ.format("%s"), "numeric": _READ.format(":1"),
          "named": _READ.format(":school")}


def committed_versions(school: int | None, engine) -> tuple[int, int]:
    """current_versions for a cache hit, which reads nothing else: one statement on a pooled
    DBAPI connection, without an ORM session or a transaction of ours (a quarter of a
    millisecond less per hit)."""
    school = GLOBAL if school is None else school
    paramstyle = engine.dialect.paramstyle
    statement = _READS[paramstyle]
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(statement, {"school": school} if paramstyle == "named" else (school,))
            rows = dict(cursor.fetchall())
        finally:
            cursor.close()
    finally:
        connection.close()
    return rows.get(GLOBAL, 0), (rows.get(school, 0) if school != GLOBAL else 0)


# --- the store ----------------------------------------------------------------------------

class Entry:
    """A kept page: its status, body and the versions it was rendered under; the headers it
    goes out with are taken from the first answer that carried it (`wire_headers`, set by
    the WSGI layer once Flask's after-request hooks have run)."""

    __slots__ = (
        "encoded",
        "parts",
        "school",
        "secret",
        "size",
        "status",
        "token",
        "versions",
        "wire_headers",
    )

    def __init__(self, school: int | None, versions: tuple[int, int] | None, status: int,
                 parts: tuple[bytes, ...], token: bytes, secret: str | None, size: int):
        self.school = school
        self.versions = versions  # None: a public page, which shows no stored data
        self.status = status
        self.parts = parts  # the page's bytes around its CSRF token(s)
        self.token = token  # the token it was rendered with,
        self.secret = secret  # signed from this session secret
        self.size = size
        self.wire_headers: tuple[tuple[str, str], ...] | None = None
        self.encoded: dict[str, bytes] = {}  # the whole page compressed, per algorithm

    def whole(self) -> bytes:
        return self.token.join(self.parts)


class PageStore:
    """Least recently used entries up to `max_bytes` of page text (thread- and gevent-safe:
    no operation waits under the lock)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = self.misses = self.stored = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._entries[key] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= dropped.size
            self.stored += 1

    def drop(self, key: tuple) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


def store(app: Flask | None = None) -> PageStore:
    return (app or current_app).extensions["rembuk_page_cache"]


# --- the views ----------------------------------------------------------------------------

def cached_page(view=None, *, public: bool = False):
    """Mark a GET view's page as kept per user (signed in) or per language (`public`: the
    page must show no stored data). Put it right under `@bp.route(...)`."""

    def mark(function):
        @wraps(function)
        def wrapper(*args, **kwargs):
            return _render_and_keep(function, public, args, kwargs)

        wrapper.page_cache_public = public
        return wrapper

    return mark(view) if view is not None else mark


def skip() -> None:
    """This response is not to be kept (a view that shows something only once)."""
    g.page_cache_skip = True


def browser_id(request) -> str:
    """Flask-Login's identifier of a browser (`_create_identifier`: the first forwarded or the
    remote address, and the User-Agent), computed from any Werkzeug request, so the WSGI
    layer can apply the session protection a hit skips (a test compares the two)."""
    agent = request.headers.get("User-Agent")
    address = request.headers.get("X-Forwarded-For", request.remote_addr)
    if address is not None:
        address = address.encode("utf-8").split(b",")[0].strip()
    base = f"{address}|{agent.encode('utf-8') if agent is not None else None}"
    return hashlib.sha512(base.encode("utf8")).hexdigest()


def page_key(app: Flask, request, session) -> tuple | None:
    """The request's key (any Werkzeug request and its opened session), or None when its
    page may not come from the cache at all: flashed messages waiting, a remember-me change
    pending, a session used from another browser, a remember-me cookie without a session
    user (the ordinary path signs it in)."""
    if "_flashes" in session or "_remember" in session:
        return None
    owner = session.get("_user_id")
    if owner is not None:
        # Flask-Login's session protection: a session used from another browser is not
        # served from here (the ordinary path applies the protection).
        if not isinstance(owner, str) or session.get("_id") != browser_id(request):
            return None
    elif request.cookies.get(app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        return None
    return _key(owner, session, request, app.config["PAGE_CACHE_SECONDS"])


def _key(owner: str | None, session, request, seconds: int) -> tuple:
    return (
        # A public page's token is replaced whatever its session: no secret in its key.
        owner, owner and session.get("csrf_token"), session.get("lang"),
        request.headers.get("Accept-Language"), request.host, request.scheme,
        request.path, request.query_string, int(time.time() // seconds),
    )


def note_miss():
    """before_request, after the host and text checks and before the login requirement: a
    cached view's request that the WSGI layer (core/page_hits.py) could not answer from the
    store is a miss; the key it computed is where the view's page will be kept."""
    key = request.environ.get(KEY)
    if key is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    public = getattr(view, "page_cache_public", None)
    if public is None or (key[0] is None) != public:
        return  # not a cached view; or a signed-in page for no one, a public one for someone
    g.page_cache_key = key
    store().misses += 1


def _session_snapshot() -> dict:
    return {key: value for key, value in session.items() if key not in _SESSION_KEYS_IGNORED}


def _render_and_keep(view, public: bool, args, kwargs):
    key = g.pop("page_cache_key", None)
    if key is None:
        return view(*args, **kwargs)
    versions = school = None
    if not public:
        from flask_login import current_user

        membership = getattr(current_user, "membership", None)
        school = getattr(membership, "school_id", None)
        # Read before the view reads anything: data newer than these versions may end up
        # under them (harmless), never older data under newer versions.
        versions = current_versions(school)
    before = _session_snapshot()
    response = current_app.make_response(view(*args, **kwargs))
    if _keepable(response, before):
        body = response.get_data()
        token = g.get("csrf_token")
        parts = tuple(body.split(token.encode())) if token else (body,)
        entry = Entry(school, versions, response.status_code, parts,
                      token.encode() if token else b"", session.get("csrf_token"),
                      len(body) + 200)
        pages = store()
        pages.put(key, entry)
        # A session's first page makes its CSRF secret: kept under the session as the view
        # left it too (the browser's next request), and as it came (a client that keeps no
        # cookie asks again without the secret; its hit makes a new one).
        if not public and "_flashes" not in session and "_remember" not in session:
            after = _key(key[0], session, request, current_app.config["PAGE_CACHE_SECONDS"])
            if after != key:
                pages.put(after, entry)
        request.environ[KEPT] = entry
    return response


def _keepable(response: Response, session_before: dict) -> bool:
    return (response.status_code == 200
            and not g.get("page_cache_skip")
            and response.mimetype == "text/html"
            and not response.direct_passthrough
            and response.is_sequence
            and "Set-Cookie" not in response.headers
            and "_flashes" not in session
            and _session_snapshot() == session_before)


def init_app(app: Flask) -> None:
    app.config.setdefault("PAGE_CACHE", True)
    app.config.setdefault("PAGE_CACHE_SECONDS", 60)
    app.config.setdefault("PAGE_CACHE_BYTES", 32 * 1024 * 1024)
    app.config.setdefault("PAGE_VERSIONS_FEED", True)
    app.extensions["rembuk_page_cache"] = PageStore(app.config["PAGE_CACHE_BYTES"])
    # Its listeners are core's (core/listeners.py): the versions are bumped in every
    # process, whether or not it serves pages from a cache.
