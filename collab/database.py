"""SQLite connection settings that keep concurrent requests safe.

Every SQLite connection runs in WAL mode with a busy timeout and foreign keys on. Python's
sqlite3 module would otherwise start transactions lazily and let a transaction that read
first fail with "database is locked" when it later writes; so we take over BEGIN ourselves:
read-only HTTP requests (GET, HEAD, OPTIONS) begin a deferred transaction and everything
else (writes, Socket.IO events, CLI commands) begins with BEGIN IMMEDIATE, which waits for
the write lock up front instead of failing half-way.
"""

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 5000


def _begin_statement() -> str:
    # Socket.IO handlers run inside the GET request that opened the socket (request.sid set).
    read_only = (
        has_request_context()
        and request.method in READ_ONLY_METHODS
        and getattr(request, "sid", None) is None
    )
    return "BEGIN" if read_only else "BEGIN IMMEDIATE"


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
