"""A copy of the page cache's data versions in each serving process on PostgreSQL, kept by
LISTEN/NOTIFY (issue 16, item 5; docs/page-cache.md, "Versions without a round trip").

A hit of the page cache compares the entry's versions with the database's: on SQLite a read
of a few microseconds, on PostgreSQL a round trip that cost two gunicorn processes behind
nginx more than the rest of the hit. Every bump on PostgreSQL also notifies
`rembuk_page_versions` with "<school>:<version>", in the same statement and so in the same
transaction: PostgreSQL delivers it at commit, never for a rolled-back write. Each serving
process listens on a connection of its own (a thread: a greenlet under gevent, where
psycopg waits cooperatively), loads the whole table once it listens, then applies each
notification in commit order. The process that wrote applies its own bumps at commit
(`applied_at_commit`), before it answers, so a browser that comes back to it (nginx's
`ip_hash`) reads its own write; another process reads it once the notification arrives,
well under a millisecond on one machine.

While the feed is not listening (starting, the connection lost, PostgreSQL restarting) it
answers nothing, and a hit reads the database as before; a new connection loads the table
again, so nothing missed while it was away counts. An entry is never older than its minute
(the key's time bucket) in any case.
"""

import logging
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

CHANNEL = "rembuk_page_versions"
APPLICATION_NAME = "rembuk-page-versions-feed"  # in pg_stat_activity
RETRY_SECONDS = 1.0
# How long one wait for notifications lasts before the feed checks whether it should stop.
WAIT_SECONDS = 5.0

log = logging.getLogger(__name__)


class VersionFeed:
    """This process's copy of `page_versions`, fed by PostgreSQL's notifications."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.live = False  # listening, and the copy is the table's
        self.reloads = 0
        self._copy: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="page-versions-feed")
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def versions(self, school: int | None) -> tuple[int, int] | None:
        """As page_cache.committed_versions, or None while the copy cannot be trusted."""
        if not self.live:
            return None
        copy = self._copy
        return copy.get(0, 0), (copy.get(school, 0) if school else 0)

    def apply(self, versions: dict[int, int]) -> None:
        if self.live:
            self._copy.update(versions)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True,
                                     application_name=APPLICATION_NAME) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    # Listening first: a write committed from here on is notified, and
                    # the notifications received meanwhile wait in psycopg's backlog.
                    rows = connection.execute(
                        "SELECT school_id, version FROM page_versions").fetchall()
                    self._copy = {school: version for school, version in rows}
                    self.live = True
                    self.reloads += 1
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=WAIT_SECONDS):
                            school, _, version = notice.payload.partition(":")
                            self._copy[int(school)] = int(version)
            except Exception as error:
                log.warning("page versions feed lost (%s); hits read the database", error)
            finally:
                self.live = False
            self._stop.wait(RETRY_SECONDS)


def conninfo_of(engine) -> str | None:
    """libpq's connection string for a PostgreSQL engine; None for another database."""
    if engine.dialect.name != "postgresql":
        return None
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def for_app(app: Flask, engine) -> VersionFeed | None:
    """The app's feed, started on first use (in the serving process: under gunicorn after
    the fork), or None when the app has none (SQLite, PAGE_VERSIONS_FEED off)."""
    feed = app.extensions.get("rembuk_version_feed", False)
    if feed is False:
        conninfo = conninfo_of(engine) if app.config.get("PAGE_VERSIONS_FEED", True) else None
        feed = VersionFeed(conninfo) if conninfo else None
        app.extensions["rembuk_version_feed"] = feed
        if feed is not None:
            feed.start()
    return feed


def applied_at_commit(session: Session) -> None:
    """after_commit: this process's own bumps reach its copy before the request answers."""
    bumped = session.info.get("page_cache_bumped")
    if not bumped or not has_app_context():
        return
    feed = current_app.extensions.get("rembuk_version_feed")
    if feed:
        feed.apply(bumped)
