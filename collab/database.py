"""SQLite connection settings that keep concurrent requests safe.

Every SQLite connection runs in WAL mode with a busy timeout and foreign keys on. Python's
sqlite3 module would otherwise start transactions lazily and let a transaction that read
first fail with "database is locked" when it later writes; so we take over BEGIN ourselves:
read-only HTTP requests (GET, HEAD, OPTIONS) begin a deferred transaction, while other
requests, Socket.IO events and CLI commands (inside `immediate_transactions()`) begin with
BEGIN IMMEDIATE, which waits for the write lock up front instead of failing half-way.
A request that has decided not to write (a refused edit) calls `reads_only_from_now()` after
its rollback, so that rendering the refusal does not take the lock again.
Outside those (tests, scripts) a transaction is deferred, so a read never holds the lock.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 5000


_immediate = ContextVar("rembuk_immediate_transactions", default=False)


@contextmanager
def immediate_transactions():
    """Make every SQLite transaction begun inside take the write lock first (CLI commands)."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


def reads_only_from_now() -> None:
    """The rest of this request only reads: its next transactions begin deferred. Call it
    after rolling back a refused write, before building the page that explains it (the 409
    conflict page diffs two texts; other writers need not wait for that)."""
    g.rembuk_reads_only = True


def _begin_statement() -> str:
    if _immediate.get():
        return "BEGIN IMMEDIATE"
    if not has_request_context() or g.get("rembuk_reads_only"):
        return "BEGIN"
    # Socket.IO handlers run inside the GET request that opened the socket (request.sid set).
    if request.method in READ_ONLY_METHODS and getattr(request, "sid", None) is None:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] not in {"sqlite3", "pysqlite2"}:
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_begin_statement())
