"""Mentoring's privacy (issue 12), over every mentoring route the url_map has, so that a new
route falls under these sweeps by itself:
- the school's principal sees that a pair exists, its start, the number and dates of its
  check-ins and of the observations between the two, never what the pair wrote (check-ins,
  goals, request and answer, reflections, thank-you notes kept private);
- another school (its principal and its teachers) sees nothing of it and changes nothing.
The access matrix (test_access_matrix.py) holds each route's status per role."""

import itertools
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from collab.core.models import utcnow
from collab.extensions import db
from collab.mentoring import service_life as life
from collab.mentoring import service_space as space
from collab.mentoring.models import CheckIn, MentoringGoal, MentoringProfile, MentorPair, ThankYou
from collab.observations import service as observations
from tests.conftest import csrf_token
from tests.integration.test_mentoring import _active_pair, school  # noqa: F401  (fixture)
from tests.integration.test_mentoring_together import lesson_of, term  # noqa: F401

SECRETS = ("Mohon bimbingan", "Dengan senang hati",  # request and answer
           "Isi rahasia pertama", "Isi rahasia kedua", "Langkah rahasia",  # check-ins
           "Tujuan rahasia", "Sukses rahasia",  # a goal
           "Terima kasih rahasia", "Refleksi rahasia Budi", "Refleksi rahasia Eko",
           "Fokus rahasia")


@pytest.fixture
def pairs(term):  # noqa: F811
    """Ana mentors Dewi (active: two check-ins, a goal, a thank-you, an observation of Dewi's
    lesson by Ana); Budi mentored Eko (ended, with both reflections)."""
    today = utcnow().date()
    active = _active_pair(term)
    space.add_checkin(active, term["dewi"], today - timedelta(days=3), "Isi rahasia pertama",
                      "Langkah rahasia", today)
    space.add_checkin(active, term["ana"], today, "Isi rahasia kedua", "", today)
    space.add_goal(active, term["ana"], "Tujuan rahasia", "Sukses rahasia", None, today)
    life.thank(active, term["dewi"], "Terima kasih rahasia")
    observation = observations.request(term["dewi"], observations.RequestFields(
        lesson=observations.lesson_key(lesson_of(term["dewi"], 1, 2)), focus="Fokus rahasia",
        observer_ids=[term["ana"].id]))
    observations.accept(observation, term["ana"])
    ended = _active_pair(term, "eko", "budi")
    life.end(ended, term["budi"], "Refleksi rahasia Budi")
    life.reflect(ended, term["eko"], "Refleksi rahasia Eko")
    db.session.commit()
    return {"active": active, "ended": ended, "observation": observation, "today": today}


def mentoring_urls(app, pair_ids, user_ids, methods=("GET",)):
    """Every mentoring rule of the url_map with the given methods, built with each of the
    ids its arguments take."""
    values = {"pair_id": pair_ids, "user_id": user_ids}
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("mentoring.") or not set(methods) & rule.methods:
                continue
            names = sorted(rule.arguments)
            if "goal_id" in names:
                goals = list(db.session.scalars(select(MentoringGoal.id)))
                values["goal_id"] = goals
            for combo in itertools.product(*(values[name] for name in names)):
                found.append(url_for(rule.endpoint, **dict(zip(names, combo, strict=True))))
    return found


def test_the_principal_sees_counts_and_dates_on_every_mentoring_page_never_content(
        app, term, pairs, client_for):  # noqa: F811
    c = client_for(term["principal"])
    people = [term[name].id for name in ("ana", "budi", "dewi", "eko")]
    urls = mentoring_urls(app, [pairs["active"].id, pairs["ended"].id], people)
    assert len(urls) >= 3 + 2 + 2 * 4  # overview, propose, csv; two pairs; novices, mentors
    for url in [*urls, "/", "/dashboard/", "/notifications/"]:
        response = c.get(url)
        assert response.status_code in (200, 404), url  # a mentor is no novice: 404
        body = response.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in body, (url, secret)
    # What the principal does see of the active pair: since when, how many check-ins and
    # when, the dates of the observations between them.
    summary = c.get(f"/mentoring/pairs/{pairs['active'].id}").text
    today, earlier = pairs["today"], pairs["today"] - timedelta(days=3)
    with app.test_request_context():
        from flask_babel import format_date

        shown = [format_date(day, "medium") for day in (today, earlier)]
        lesson_day = format_date(pairs["observation"].lesson_date, "medium")
    assert all(day in summary for day in shown), shown
    assert lesson_day in summary and summary.count('class="observed-on"') == 1


def test_another_school_sees_nothing_and_changes_nothing_on_any_mentoring_route(
        app, term, pairs, make, client_for):  # noqa: F811
    other = make.school("SMP Lain")
    strangers = [make.user(other, role="principal", name="Kepala Lain"),
                 make.user(other, name="Guru Lain", years=9)]
    a = term
    people = [a[name].id for name in ("ana", "budi", "dewi", "eko")]
    pair_ids = [pairs["active"].id, pairs["ended"].id]
    secrets = [*SECRETS, a["school"].name, *(a[n].email for n in ("ana", "dewi", "eko"))]
    before = state_of_school(a["school"].id)
    for user in strangers:
        c = client_for(user)
        for url in mentoring_urls(app, pair_ids, people):
            response = c.get(url)
            body = response.get_data(as_text=True)
            assert response.status_code in (200, 403, 404), (user.name, url)
            assert not any(secret in body for secret in secrets), (user.name, url)
        token = csrf_token(c.get("/").text)
        data = {"csrf_token": token, "talked": "x", "held_on": pairs["today"].isoformat(),
                "text": "x", "reflection": "x", "capacity": "3", "note": "x",
                "mentor_id": str(a["ana"].id), "pairs": f"{a['dewi'].id}:{a['ana'].id}",
                "share": "1", "decision": "accept", "show": "1", "focus": "ict",
                "ends_on": (pairs["today"] + timedelta(days=30)).isoformat()}
        for url in mentoring_urls(app, pair_ids, people, methods=("POST",)):
            response = c.post(url, data=data)
            assert response.status_code in (302, 400, 403, 404), (user.name, url)
            assert not any(secret in response.get_data(as_text=True) for secret in secrets)
            assert state_of_school(a["school"].id) == before, (user.name, url)


def state_of_school(school_id: int):
    """Everything mentoring holds for the school, to compare before and after."""
    db.session.expire_all()
    pairs = db.session.scalars(select(MentorPair).where(MentorPair.school_id == school_id)
                               .order_by(MentorPair.id)).all()
    ids = [p.id for p in pairs]
    return (
        [(p.id, p.novice_id, p.mentor_id, p.status, p.share_debriefs, p.ends_on,
          p.novice_ok, p.mentor_ok, p.novice_reflection, p.mentor_reflection) for p in pairs],
        db.session.scalars(select(CheckIn.id).where(CheckIn.pair_id.in_(ids))).all(),
        db.session.execute(select(MentoringGoal.id, MentoringGoal.done_at).where(
            MentoringGoal.pair_id.in_(ids))).all(),
        db.session.scalars(select(ThankYou.id).where(ThankYou.pair_id.in_(ids))).all(),
        db.session.execute(select(MentoringProfile.user_id, MentoringProfile.willing,
                                  MentoringProfile.capacity, MentoringProfile.show_thanks)
                           .where(MentoringProfile.school_id == school_id)
                           .order_by(MentoringProfile.user_id)).all(),
    )
