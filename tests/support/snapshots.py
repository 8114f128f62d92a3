"""Database snapshots for expensive fixtures: build once per worker, restore per test.

A fixture such as `world` or the demo data is built by the first test that asks for it, in
that test, exactly as before. Right after, the database (every row; on PostgreSQL the
sequences too), the files the build left in the app's folders (outbox, attachments,
backups), the builder's counter and the fixture's value (with each ORM object replaced by
its class and primary key) are kept. A later test that asks for the same fixture on a
database nobody has written to yet gets that state restored instead of built: SQLite
through its online backup API, PostgreSQL with one INSERT per table and the sequences set
back; its value is rebuilt with fresh ORM objects loaded from the test's own session. So
every test still starts from the state it always had, on its own copy.

A snapshot is used only when the database is known to be in the state it was taken from:
nothing written since the test's empty database was made, or since the snapshot it builds
on (fixtures that extend `world` build on the `world` snapshot). Otherwise (a fixture
wrote something first) the fixture is built as before. Snapshots are rebuilt after
MAX_AGE seconds, so times and dates written at build time stay as fresh as a slow test's.
"""

import datetime
import decimal
import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from sqlalchemy import event, inspect, text
from sqlalchemy.orm.state import InstanceState

MAX_AGE = 60.0  # seconds
FOLDERS = ("MAIL_OUTBOX", "ATTACHMENT_DIR", "BACKUP_DIR")
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "TRUNCATE",
           "COPY")
_IMMUTABLE = (str, bytes, int, float, bool, type(None), decimal.Decimal, datetime.date,
              datetime.time, datetime.timedelta, uuid.UUID, PurePath, type)


class CannotSnapshot(Exception):
    """The fixture's value holds something that cannot be rebuilt in another test."""


@dataclass(frozen=True)
class _Row:
    cls: type
    identity: tuple


@dataclass
class _Entry:
    created: float
    database: object  # SQLite: snapshot file path; PostgreSQL: (rows per table, sequences)
    folders: dict[str, Path]
    value: object
    builder_count: int
    counts: tuple  # rows per table


@dataclass
class SnapshotStore:
    """The snapshots of one worker (a session fixture)."""

    root: Path
    entries: dict[tuple, _Entry] = field(default_factory=dict)
    built: int = 0
    restored: int = 0

    def fresh(self, key: tuple) -> _Entry | None:
        entry = self.entries.get(key)
        if entry is not None and time.monotonic() - entry.created > MAX_AGE:
            self.entries.pop(key)
            return None
        return entry


class WriteTracker:
    """Notes whether anything was written through an engine since `clean()`."""

    def __init__(self, engine):
        self.engine = engine
        self.dirty = False
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if not self.dirty and statement.lstrip()[:8].upper().startswith(_WRITES):
            self.dirty = True

    def clean(self):
        self.dirty = False

    def close(self):
        if event.contains(self.engine, "before_cursor_execute", self._before):
            event.remove(self.engine, "before_cursor_execute", self._before)


class Snapshots:
    """Per test: `reuse(name, build)` returns `build()`'s value, from a snapshot when it can."""

    def __init__(self, store: SnapshotStore, app, db, tracker: WriteTracker, builder):
        self.store = store
        self.app = app
        self.db = db
        self.tracker = tracker
        self.builder = builder
        self.state: tuple | None = ()  # the snapshot the database equals; () is empty
        self.entry: _Entry | None = None  # that snapshot

    def reuse(self, name: str, build):
        db = self.db
        if (self.tracker.dirty or self.state is None or self._folders_used()
                or self._row_counts() != (self.entry.counts if self.entry else None)):
            self.state = None
            return build()
        key = (*self.state, name)
        entry = self.store.fresh(key)
        if entry is not None:
            self._restore(entry)
            loaded = _preload(entry.value, db.session)  # held: the session's map is weak
            value = _thaw(entry.value, db.session, {})
            del loaded
            self.builder.count = entry.builder_count
            self.state, self.entry = key, entry
            self.tracker.clean()
            self.store.restored += 1
            return value
        value = build()
        db.session.commit()
        try:
            frozen = _freeze(value, {})
        except CannotSnapshot:
            self.state = None
            return value
        self.entry = self.store.entries[key] = self._capture(key, frozen)
        self.store.built += 1
        self.state = key
        self.tracker.clean()
        return value

    def _row_counts(self) -> tuple | None:
        """Rows per table (None for an empty database), in one query: a second check, besides
        the write tracker, that nothing else (another engine, a raw connection) wrote."""
        from sqlalchemy import func, select

        query = select(*(select(func.count()).select_from(t).scalar_subquery()
                         for t in self.db.metadata.sorted_tables))
        with self.db.engine.connect() as conn:
            counts = tuple(conn.execute(query).one())
            conn.rollback()
        return counts if any(counts) else None

    # -------------------------------------------------------------- files

    def _folders_used(self) -> bool:
        """True when the app's folders hold other files than the state they were left in."""
        for name in FOLDERS:
            kept = self.entry.folders.get(name) if self.entry is not None else None
            if _listing(Path(self.app.config[name])) != _listing(kept):
                return True
        return False

    def _copy_folders(self, directory: Path) -> dict[str, Path]:
        kept = {}
        for name in FOLDERS:
            source = Path(self.app.config[name])
            if source.exists():
                target = directory / name
                shutil.copytree(source, target)
                kept[name] = target
        return kept

    def _restore_folders(self, folders: dict[str, Path]) -> None:
        for name in FOLDERS:
            target = Path(self.app.config[name])
            if target.exists():
                shutil.rmtree(target)
            if name in folders:
                shutil.copytree(folders[name], target)

    # -------------------------------------------------------------- database

    def _capture(self, key: tuple, frozen) -> _Entry:
        db = self.db
        directory = self.store.root / f"snapshot-{len(self.store.entries)}-{time.monotonic_ns()}"
        directory.mkdir(parents=True)
        engine = db.engine
        if engine.dialect.name == "sqlite":
            path = directory / "database.db"
            with engine.connect() as conn:
                source = conn.connection.driver_connection
                target = sqlite3.connect(path)
                try:
                    source.backup(target)
                finally:
                    target.close()
            database = path
        else:
            database = _pg_capture(engine, db.metadata)
        return _Entry(time.monotonic(), database, self._copy_folders(directory), frozen,
                      self.builder.count, self._row_counts())

    def _restore(self, entry: _Entry) -> None:
        db = self.db
        db.session.rollback()
        db.session.expunge_all()
        engine = db.engine
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(entry.database)
            try:
                with engine.connect() as conn:
                    source.backup(conn.connection.driver_connection)
            finally:
                source.close()
        else:
            _pg_restore(engine, db.metadata, entry.database, truncate=bool(self.state))
        self._restore_folders(entry.folders)


def _listing(folder: Path | None) -> set:
    if folder is None or not folder.exists():
        return set()
    return {(p.relative_to(folder), p.stat().st_size) for p in folder.rglob("*")
            if p.is_file()}


def _pg_capture(engine, metadata):
    rows = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows[table.name] = [dict(r) for r in conn.execute(table.select()).mappings()]
        sequences = conn.execute(text(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = current_schema()")).all()
        conn.rollback()
    return rows, [tuple(s) for s in sequences]


def pg_empty(conn, metadata) -> None:
    """Empty every table of `metadata` and restart the sequences, as TRUNCATE ... RESTART
    IDENTITY does, in one round trip and without TRUNCATE's new files for every table and
    index (which made it the slowest step of a test). Foreign-key triggers are off for the
    transaction (the tables are emptied whole)."""
    statements = ["SET LOCAL session_replication_role = replica"]
    statements += [f'DELETE FROM "{t.name}"'  # noqa: S608 (the models' own table names)
                   for t in reversed(metadata.sorted_tables)]
    statements.append("SELECT setval(c.oid, s.seqstart, false) FROM pg_class c "
                      "JOIN pg_sequence s ON s.seqrelid = c.oid "
                      "JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE c.relkind = 'S' AND n.nspname = current_schema()")
    statements.append("SET LOCAL session_replication_role = origin")
    conn.exec_driver_sql(";\n".join(statements))


def _pg_restore(engine, metadata, database, truncate: bool) -> None:
    rows, sequences = database
    with engine.begin() as conn:
        if truncate:
            pg_empty(conn, metadata)
        # Rows go in as they were: the foreign keys were satisfied when they were read.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
        conn.execute(text("SET LOCAL session_replication_role = origin"))
        for name, last_value in sequences:
            if last_value is None:
                conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))
            else:
                conn.execute(text("SELECT setval(:name, :value, true)"),
                             {"name": f'"{name}"', "value": last_value})


# ------------------------------------------------------------------ fixture values


def _freeze(value, memo: dict):
    if isinstance(value, _IMMUTABLE):
        return value
    if id(value) in memo:
        return memo[id(value)]
    state = inspect(value, raiseerr=False)
    if isinstance(state, InstanceState):
        if state.identity is None or state.deleted:
            raise CannotSnapshot(repr(value))
        frozen = _Row(type(value), state.identity)
    elif isinstance(value, dict):
        frozen = type(value)()
        memo[id(value)] = frozen
        for k, v in value.items():
            frozen[_freeze(k, memo)] = _freeze(v, memo)
        return frozen
    elif isinstance(value, list):
        frozen = []
        memo[id(value)] = frozen
        frozen.extend(_freeze(v, memo) for v in value)
        return frozen
    elif isinstance(value, tuple | set | frozenset):
        frozen = type(value)(_freeze(v, memo) for v in value)
    elif hasattr(value, "__dict__") and type(value).__module__.startswith("tests."):
        frozen = object.__new__(type(value))
        memo[id(value)] = frozen
        frozen.__dict__.update(_freeze(dict(vars(value)), memo))
        return frozen
    else:
        raise CannotSnapshot(f"{type(value).__name__}: {value!r}"[:200])
    memo[id(value)] = frozen
    return frozen


def _rows(frozen, found: set, seen: set) -> None:
    if isinstance(frozen, _IMMUTABLE) or id(frozen) in seen:
        return
    seen.add(id(frozen))
    if isinstance(frozen, _Row):
        found.add(frozen)
    elif isinstance(frozen, dict):
        for k, v in frozen.items():
            _rows(k, found, seen)
            _rows(v, found, seen)
    elif isinstance(frozen, list | tuple | set | frozenset):
        for v in frozen:
            _rows(v, found, seen)
    elif hasattr(frozen, "__dict__"):
        _rows(vars(frozen), found, seen)


def _preload(frozen, session) -> list:
    """Load the value's rows with one query per class (single-column keys), so that
    `_thaw`'s `session.get` finds them in the session instead of asking one by one."""
    from sqlalchemy import select

    found: set[_Row] = set()
    _rows(frozen, found, set())
    by_class: dict[type, list] = {}
    for row in found:
        by_class.setdefault(row.cls, []).append(row.identity)
    loaded = []
    for cls, identities in by_class.items():
        keys = inspect(cls).primary_key
        if len(keys) == 1 and len(identities) > 1:
            loaded += session.scalars(
                select(cls).where(keys[0].in_([i[0] for i in identities]))).all()
    return loaded


def _thaw(frozen, session, memo: dict):
    if isinstance(frozen, _IMMUTABLE):
        return frozen
    if id(frozen) in memo:
        return memo[id(frozen)]
    if isinstance(frozen, _Row):
        value = session.get(frozen.cls, frozen.identity)
        if value is None:
            raise AssertionError(f"snapshot lost {frozen}")
    elif isinstance(frozen, dict):
        value = type(frozen)()
        memo[id(frozen)] = value
        for k, v in frozen.items():
            value[_thaw(k, session, memo)] = _thaw(v, session, memo)
        return value
    elif isinstance(frozen, list):
        value = []
        memo[id(frozen)] = value
        value.extend(_thaw(v, session, memo) for v in frozen)
        return value
    elif isinstance(frozen, tuple | set | frozenset):
        value = type(frozen)(_thaw(v, session, memo) for v in frozen)
    else:
        value = object.__new__(type(frozen))
        memo[id(frozen)] = value
        value.__dict__.update(_thaw(dict(vars(frozen)), session, memo))
        return value
    memo[id(frozen)] = value
    return value
