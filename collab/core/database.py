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

Within one process the writers also queue on a lock of ours (`SQLiteConnection`): SQLite's
own busy handler polls with sleeps that grow to 100 ms, so under load a writer waited long
after the lock was free (and under gevent it would block every greenlet); a Python lock
wakes the next writer as soon as the last one commits. SQLite's busy timeout still covers
other processes (CLI commands, a second server).
"""

import sqlite3
import threading
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, has_request_context, request

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 5000

# One writer at a time in this process (see SQLiteConnection).
_write_lock = threading.Lock()


class SQLiteConnection(sqlite3.Connection):
    """A SQLite connection that holds this process's write lock from its BEGIN IMMEDIATE
    until its commit, rollback or close."""

    holds_write_lock = False

    def take_write_lock(self) -> None:
        if not self.holds_write_lock:
            # Past the busy timeout, go on: SQLite's own wait then decides (and reports).
            self.holds_write_lock = _write_lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000)

    def give_back_write_lock(self) -> None:
        if self.holds_write_lock:
            self.holds_write_lock = False
            _write_lock.release()

    def commit(self):
        try:
            super().commit()
        finally:
            self.give_back_write_lock()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.give_back_write_lock()

    def close(self):
        try:
            super().close()
        finally:
            self.give_back_write_lock()

    def __del__(self):
        self.give_back_write_lock()


def engine_options(config: dict) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for the configured database: on SQLite, connections of the
    class above and no ping before each use (a file cannot go away like a server)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        options.pop("pool_pre_ping", None)
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("factory", SQLiteConnection)
        options["connect_args"] = connect_args
    return options


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


def on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see on_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    statement = _begin_statement()
    dbapi_connection = conn.connection.dbapi_connection
    if statement != "BEGIN IMMEDIATE" or not isinstance(dbapi_connection, SQLiteConnection):
        conn.exec_driver_sql(statement)
        return
    dbapi_connection.take_write_lock()
    try:
        conn.exec_driver_sql(statement)
    except BaseException:
        dbapi_connection.give_back_write_lock()
        raise


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def before_write(conn, cursor, statement, parameters, context, executemany):
    # A deferred transaction that comes to write queues for the lock too: under gevent,
    # SQLite's busy wait would stop every greenlet, the lock's holder among them.
    dbapi_connection = conn.connection.dbapi_connection
    if (isinstance(dbapi_connection, SQLiteConnection)
            and not dbapi_connection.holds_write_lock
            and dbapi_connection.in_transaction
            and statement.lstrip()[:7].upper().startswith(_WRITES)):
        dbapi_connection.take_write_lock()


def end_clean_transaction() -> None:
    """End the session's transaction if it holds nothing unwritten: before slow work that
    needs no lock (a password hash, about 100 ms), so that on SQLite the write lock a POST
    request takes at its first query is not held meanwhile. Callers must not have flushed
    writes they mean to roll back: only what the session still has pending is checked."""
    from collab.extensions import db

    session = db.session
    if not (session.new or session.dirty or session.deleted):
        session.commit()
