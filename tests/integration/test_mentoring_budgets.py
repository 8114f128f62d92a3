"""Mentoring's budgets (issue 12), deterministic: /mentoring/ and the pair page weigh at most
40 KB on the wire as a first view (compressed HTML, stylesheets and scripts), and they cost
the same number of queries however many pairs, goals and check-ins there are."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from collab.core.models import utcnow
from collab.extensions import db
from collab.mentoring import service as mentoring
from collab.mentoring import service_space as space
from collab.mentoring.models import MentorPair
from collab.people.models import User
from tests.integration.test_mentoring import _active_pair, _teach, school  # noqa: F401

FIRST_VIEW_BUDGET = 40 * 1024
ACCEPT = {"Accept-Encoding": "br, gzip"}


def first_view(client, url: str) -> int:
    """The page and every stylesheet and script it links, as sent (compressed)."""
    page = client.get(url, headers=ACCEPT)
    assert page.status_code == 200, url
    html = client.get(url).text
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"', html)
    return len(page.get_data()) + sum(len(client.get(a, headers=ACCEPT).get_data())
                                      for a in assets)


def demo_user(handle: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{handle}@demo.sch.id"))


@pytest.mark.parametrize(("handle", "page"), [
    ("guru09", "/mentoring/"), ("guru09", "pair"), ("guru01", "/mentoring/"),
    ("guru01", "pair"), ("guru11", "/mentoring/"), ("kepsek", "/mentoring/"),
    ("kepsek", "/mentoring/propose"), ("kepsek", "pair")])
def test_the_mentoring_pages_first_view_fits_40_kb(demo_data, client_for, handle, page):
    pair = db.session.scalar(select(MentorPair).where(
        MentorPair.novice_id == demo_user("guru09").id))
    url = f"/mentoring/pairs/{pair.id}" if page == "pair" else page
    size = first_view(client_for(demo_user(handle)), url)
    assert size <= FIRST_VIEW_BUDGET, (handle, url, size)


def _queries(count_queries, client, url: str) -> int:
    client.get(url)  # warm: the first request of a client loads what every page needs
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_pair_page_costs_the_same_queries_with_more_goals_and_check_ins(
        school, client_for, count_queries):  # noqa: F811
    pair = _active_pair(school)
    c = client_for(school["dewi"])
    url = f"/mentoring/pairs/{pair.id}"
    few = _queries(count_queries, c, url)
    today = utcnow().date()
    for n in range(3):
        space.add_goal(pair, school["ana"], f"Tujuan {n}", "", None, today)
    for n in range(12):
        space.add_checkin(pair, school["dewi"], today - timedelta(days=n), f"Isi {n}", "",
                          today)
    db.session.commit()
    assert _queries(count_queries, c, url) == few


def test_the_principals_overview_costs_the_same_queries_with_more_pairs(
        school, make, client_for, count_queries):  # noqa: F811
    _active_pair(school)
    c = client_for(school["principal"])
    few = _queries(count_queries, c, "/mentoring/")
    for n in range(6):
        mentor = make.user(school["school"], name=f"Mentor {n}", years=10)
        _teach(mentor, (1, 1 + n % 4, "7A", "Matematika"))
        mentoring.set_offer(mentor, 2, ["Matematika"], ["7"], ["ict"])
        novice = make.user(school["school"], name=f"Pemula {n}", years=1)
        pair = mentoring.request_mentor(novice, mentor)
        mentoring.answer(pair, mentor, True)
    db.session.commit()
    assert _queries(count_queries, c, "/mentoring/") == few
