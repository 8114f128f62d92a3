"""Mentoring under races (issue 12, "Bad input"): a mentor is never over capacity and a novice
never has two open pairs, also when two principals' tabs or two novices send at once. Real
threads, each request in its own session, on SQLite and on PostgreSQL."""

import threading

import pytest

from collab.extensions import db
from collab.mentoring import service as mentoring
from tests.conftest import csrf_token
from tests.integration.test_mentoring import school  # noqa: F401  (fixture)

pytestmark = pytest.mark.dialect  # the capacity holds by the database's locks and constraint


def _race(requests):
    """Send each (client, url, data) at the same moment; their status codes, in order."""
    start = threading.Barrier(len(requests))
    statuses: list[int | None] = [None] * len(requests)

    def send(index):
        # Only the clients here: the test's database session belongs to the test's thread.
        client, url, data = requests[index]
        start.wait()
        statuses[index] = client.post(url, data=data).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()  # end the test's snapshot to see what the requests committed
    return statuses


def test_two_principals_tabs_proposing_the_last_place_of_a_mentor_make_one_pair(
        school, client_for):  # noqa: F811
    budi = school["budi"]  # capacity 1
    tabs = [client_for(school["principal"]) for _ in range(2)]
    requests = []
    for tab, novice in zip(tabs, ("dewi", "eko"), strict=True):
        url = f"/mentoring/novices/{school[novice].id}"
        requests.append((tab, url, {"csrf_token": csrf_token(tab.get(url).text),
                                    "mentor_id": str(budi.id)}))
    assert sorted(_race(requests)) == [302, 400]
    assert len(mentoring.open_pairs_of_mentor(budi.id)) == 1


def test_two_novices_asking_the_last_place_of_a_mentor_at_once_make_one_pair(
        school, client_for):  # noqa: F811
    budi = school["budi"]
    requests = []
    for novice in ("dewi", "eko"):
        c = client_for(school[novice])
        requests.append((c, "/mentoring/ask", {
            "csrf_token": csrf_token(c.get("/mentoring/").text), "mentor_id": str(budi.id),
            "message": f"Mohon, saya {novice}"}))
    assert sorted(_race(requests)) == [302, 400]
    assert len(mentoring.open_pairs_of_mentor(budi.id)) == 1


def test_one_novice_proposed_to_two_mentors_at_once_gets_one_open_pair(
        school, client_for):  # noqa: F811
    tabs = [client_for(school["principal"]) for _ in range(2)]
    url = f"/mentoring/novices/{school['dewi'].id}"
    requests = [(tab, url, {"csrf_token": csrf_token(tab.get(url).text),
                            "mentor_id": str(school[mentor].id)})
                for tab, mentor in zip(tabs, ("ana", "budi"), strict=True)]
    assert sorted(_race(requests)) == [302, 400]
    assert mentoring.open_pair_of_novice(school["dewi"].id) is not None
    assert sum(len(mentoring.open_pairs_of_mentor(school[m].id)) for m in ("ana", "budi")) == 1
