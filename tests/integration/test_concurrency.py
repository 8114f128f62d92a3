"""Twenty concurrent writers on file-based SQLite: no "database is locked" reaches a user and
every write is counted; the writers of one process queue on its lock (collab/core/database.py)."""

import threading

import pytest
from sqlalchemy import func, select, text

from collab.core.database import SQLiteConnection, immediate_transactions
from collab.extensions import db
from collab.people.models import Team
from tests.conftest import csrf_token

pytestmark = pytest.mark.dialect  # locking and concurrent writers

WRITERS = 20
TEAMS_EACH = 5


def test_twenty_concurrent_writers_all_succeed(world, client_for):
    principal = world["a"]["principal"]
    clients = [client_for(principal) for _ in range(WRITERS)]
    tokens = [csrf_token(c.get("/settings/school/teams").text) for c in clients]
    before = db.session.scalar(select(func.count(Team.id)))
    statuses: list[int] = []
    start = threading.Barrier(WRITERS)

    def write(index: int):
        start.wait()
        for n in range(TEAMS_EACH):
            # create_team reads (is the name taken?) then writes: the pattern that fails
            # with "database is locked" unless the transaction begins IMMEDIATE.
            response = clients[index].post(
                "/settings/school/teams",
                data={"name": f"Team {index}-{n}", "csrf_token": tokens[index]},
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(302) == WRITERS * TEAMS_EACH, sorted(set(statuses))
    db.session.rollback()  # end the test's own snapshot to see what the writers committed
    after = db.session.scalar(select(func.count(Team.id)))
    assert after - before == WRITERS * TEAMS_EACH


@pytest.fixture
def engine(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the process's write lock is for SQLite")
    return db.engine


def _raw(connection) -> SQLiteConnection:
    raw = connection.connection.dbapi_connection
    assert isinstance(raw, SQLiteConnection)
    return raw


def test_a_second_writer_waits_on_the_lock_and_goes_on_at_the_first_ones_commit(engine):
    first = engine.connect()
    with immediate_transactions():
        first.begin()
    assert _raw(first).holds_write_lock
    began, done = threading.Event(), threading.Event()

    def second_writer():
        with immediate_transactions(), engine.connect() as second:
            second.begin()
            began.set()
            second.execute(text("UPDATE schools SET name = name"))
            second.commit()
            done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert not began.wait(0.5)  # queued behind the first writer, not failing
    first.commit()
    assert done.wait(10)
    thread.join()
    assert not _raw(first).holds_write_lock
    first.close()


def test_a_rollback_or_a_close_gives_the_lock_back(engine):
    with engine.connect() as connection:
        with immediate_transactions():
            connection.begin()
        assert _raw(connection).holds_write_lock
        connection.rollback()
        assert not _raw(connection).holds_write_lock
        with immediate_transactions():
            connection.begin()  # left open: the pool rolls it back when the connection closes
    with engine.connect() as connection:
        with immediate_transactions():
            connection.begin()
        assert _raw(connection).holds_write_lock  # it was free (else: 5 s, then not held)
        connection.commit()
        assert not _raw(connection).holds_write_lock


def test_a_deferred_transaction_takes_the_lock_when_it_comes_to_write(engine):
    with engine.connect() as connection:
        connection.begin()  # deferred: reading holds no lock
        connection.execute(text("SELECT count(*) FROM schools"))
        assert not _raw(connection).holds_write_lock
        connection.execute(text("UPDATE schools SET name = name"))
        assert _raw(connection).holds_write_lock
        connection.commit()
        assert not _raw(connection).holds_write_lock
