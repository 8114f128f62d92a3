"""Twenty concurrent writers on file-based SQLite: no "database is locked" reaches a user and
every write is counted."""

import threading

from sqlalchemy import func, select

from collab.extensions import db
from collab.models import Team
from tests.conftest import csrf_token

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
