"""Mentoring, what the pair does together (issue 12): the pair page's shortcuts (an
observation either way, feedback as the mentor, a plan with both as authors, the pair's
room), the mentor in the mentee's debrief rooms, the observer-suggestion rules for novices,
past collaboration in the mentor suggestions."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from collab.assessments import service as assessments
from collab.assessments import service_rubrics as rubrics
from collab.assessments.models import Assessment
from collab.core.notify import Notification
from collab.extensions import db
from collab.mentoring import service as mentoring
from collab.mentoring import service_life as life
from collab.mentoring.service_suggestions import load_pool, suggest
from collab.observations import service as observations
from collab.observations import service_suggestions as observers
from collab.observations.models import Observation
from collab.plans import service as plans
from collab.plans.models import Plan
from collab.rooms import access as room_access
from collab.rooms import service as rooms
from collab.rooms.models import Room
from collab.timetables import service as timetables
from tests.conftest import csrf_token, post_form
from tests.integration.test_assessment_service import small_rubric
from tests.integration.test_mentoring import _active_pair, school  # noqa: F401  (fixture)


@pytest.fixture
def term(school):  # noqa: F811
    """A term around today, so that the timetables give real lessons to observe."""
    today = observations.school_today(school["school"])
    timetables.add_term(school["school"], "Semester", today - timedelta(days=30),
                        today + timedelta(days=120))
    db.session.commit()
    return school


def lesson_of(teacher, weekday, period):
    today = observations.school_today(teacher.membership.school)
    return next(o for o in observations.requestable_lessons(teacher)
                if o.weekday == weekday and o.period == period and o.on > today)


def notes_of(user, kind):
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == kind)))


# ---------------------------------------------------------------- the shortcuts


def test_ask_my_mentor_to_observe_me_prefills_the_request_with_the_mentor(term, client_for):
    pair = _active_pair(term)
    ana, dewi = term["ana"], term["dewi"]
    novice = client_for(dewi)
    assert f'/observations/new?observer={ana.id}' in novice.get(
        f"/mentoring/pairs/{pair.id}").text
    novice.post("/language", data={"lang": "en", "csrf_token": csrf_token(novice.get("/").text)})
    picking = novice.get(f"/observations/new?observer={ana.id}").text
    assert f"observer={ana.id}" in picking  # the lessons keep the mentor
    # Tuesday period 2: Ana is free, so the lesson is marked, she is ticked, and first.
    free = observations.lesson_key(lesson_of(dewi, 1, 2))
    busy = observations.lesson_key(lesson_of(dewi, 0, 2))
    marked = {re.search(r"lesson=([\d-]+(?:%3A|:)\d+)", item).group(1).replace("%3A", ":")
              for item in picking.split('<li><a class="button"')[1:]
              if "your colleague is free then" in item}
    assert free in marked and busy not in marked
    page = novice.get(f"/observations/new?lesson={free}&observer={ana.id}").text
    assert f'name="observers" value="{ana.id}" checked' in page
    assert page.index("Ana") < page.index("Citra")
    # Monday period 2: Ana teaches 7B then; nobody is ticked, and the page says why.
    page = novice.get(f"/observations/new?lesson={busy}&observer={ana.id}").text
    assert "checked" not in page.split('name="observers"', 1)[1].split("</fieldset>")[0]
    assert "has a class or another observation then" in page


def test_observe_my_mentors_lesson_asks_the_mentor_with_the_novice_prefilled(term, client_for):
    pair = _active_pair(term)
    url = f"/mentoring/pairs/{pair.id}"
    assert post_form(client_for(term["dewi"]), f"{url}/watch", page=url).status_code == 302
    note, = notes_of(term["ana"], "mentoring.watch_asked")
    assert note.href == f"/observations/new?observer={term['dewi'].id}"
    # Only the novice asks so; the mentor's tap is refused and nothing is sent.
    post_form(client_for(term["ana"]), f"{url}/watch", page=url)
    assert notes_of(term["dewi"], "mentoring.watch_asked") == []


def test_a_second_wish_to_watch_waits_until_the_mentor_chose_a_lesson_or_a_week_passed(
        term, client_for):
    pair = _active_pair(term)
    ana, dewi = term["ana"], term["dewi"]
    url = f"/mentoring/pairs/{pair.id}"
    novice = client_for(dewi)
    novice.post("/language", data={"lang": "en", "csrf_token": csrf_token(novice.get("/").text)})
    post_form(novice, f"{url}/watch", page=url)
    for _ in range(3):  # more taps tell the mentor nothing more, and the novice why
        again = post_form(novice, f"{url}/watch", page=url, follow_redirects=True)
        assert "Your mentor is already asked and has not chosen a lesson yet" in again.text
    assert len(notes_of(ana, "mentoring.watch_asked")) == 1

    # The mentor asks for an observation of one of her lessons with the novice ticked: the
    # novice may wish again.
    observations.request(ana, observations.RequestFields(
        lesson=observations.lesson_key(lesson_of(ana, 0, 1)), focus="Bertanya",
        observer_ids=[dewi.id]))
    db.session.commit()
    post_form(novice, f"{url}/watch", page=url)
    assert len(notes_of(ana, "mentoring.watch_asked")) == 2
    post_form(novice, f"{url}/watch", page=url)
    assert len(notes_of(ana, "mentoring.watch_asked")) == 2

    # Unanswered for a week: the wish may be said again.
    for note in notes_of(ana, "mentoring.watch_asked"):
        note.created_at -= timedelta(days=8)
    db.session.commit()
    post_form(novice, f"{url}/watch", page=url)
    assert len(notes_of(ana, "mentoring.watch_asked")) == 3


def test_feedback_from_my_mentor_is_of_the_mentor_kind(school, client_for):  # noqa: F811
    pair = _active_pair(school)
    rubric = rubrics.create(school["school"].id, school["principal"], small_rubric(),
                            publish_now=True)
    plan = plans.create(school["dewi"], plans.PlanFields(title="Pecahan", body="x"))
    db.session.commit()
    page = client_for(school["dewi"]).get(f"/assessments/new?assessor={school['ana'].id}")
    ticked = re.findall(r'name="assessors" value="(\d+)" checked', page.text)
    assert ticked == [str(school["ana"].id)]
    assert f'/assessments/new?assessor={school["ana"].id}' in client_for(
        school["dewi"]).get(f"/mentoring/pairs/{pair.id}").text
    today = observations.school_today(school["school"])
    assessments.request_feedback(school["dewi"], assessments.RequestFields(
        rubric_version_id=rubrics.published(rubric).id,
        assessor_ids=[school["ana"].id, school["citra"].id],
        due_on=today + timedelta(days=7), plan_id=plan.id), today)
    kinds = {a.assessor_id: a.kind for a in db.session.scalars(select(Assessment))}
    assert kinds == {school["ana"].id: "mentor", school["citra"].id: "peer",
                     school["dewi"].id: "self"}


def test_plan_together_makes_a_plan_with_both_as_authors(school, client_for):  # noqa: F811
    pair = _active_pair(school)
    url = f"/mentoring/pairs/{pair.id}"
    response = post_form(client_for(school["ana"]), f"{url}/plan", page=url)
    plan = db.session.scalar(select(Plan))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/plans/{plan.id}/edit")
    assert plan.owner_id == school["ana"].id and plan.visibility == "private"
    assert [u.id for u in plan.coauthors] == [school["dewi"].id]
    assert "Dewi" in plan.title and "Ana" in plan.title
    assert len(notes_of(school["dewi"], "plan.coauthor_added")) == 1
    assert client_for(school["dewi"]).get(f"/plans/{plan.id}/edit").status_code == 200
    assert plan.title in client_for(school["dewi"]).get(url).text  # listed as theirs
    # An ended pair makes no new plan.
    life.end(pair, school["dewi"], "Terima kasih atas setahun ini.")
    db.session.commit()
    post_form(client_for(school["ana"]), f"{url}/plan", page=url)
    assert db.session.query(Plan).count() == 1


def test_the_pairs_room_is_theirs_alone_and_stays_after_the_end(school, make, client_for):  # noqa: F811
    pair = _active_pair(school)
    url = f"/mentoring/pairs/{pair.id}"
    response = post_form(client_for(school["dewi"]), f"{url}/room", page=url)
    room = db.session.scalar(select(Room).where(Room.mentor_pair_id == pair.id))
    assert room.kind == "mentoring"
    assert response.headers["Location"].endswith(f"/rooms/{room.id}")
    again = post_form(client_for(school["ana"]), f"{url}/room", page=url)
    assert again.headers["Location"].endswith(f"/rooms/{room.id}")  # the same room
    assert rooms.member_ids(room) == {school["dewi"].id, school["ana"].id}
    outsider = make.user(make.school("SMP Lain"), role="principal")
    for user in (school["citra"], school["principal"], outsider):
        assert room_access.room_for(user, room.id) is None
        assert client_for(user).get(f"/rooms/{room.id}").status_code in (403, 404)
    page = client_for(school["ana"]).get(f"/rooms/{room.id}")
    assert page.status_code == 200 and "Dewi · Ana" in page.text
    assert room.id in {s.room.id for s in rooms.my_rooms(school["dewi"])}
    life.end(pair, school["ana"], "Cukup untuk tahun ini.")
    db.session.commit()
    assert client_for(school["dewi"]).get(f"/rooms/{room.id}").status_code == 200


def test_the_mentor_joins_the_debrief_room_only_while_the_mentee_shares(term, client_for):
    pair = _active_pair(term)
    dewi, ana, citra = term["dewi"], term["ana"], term["citra"]
    lesson = lesson_of(dewi, 1, 2)
    observation = observations.request(dewi, observations.RequestFields(
        lesson=observations.lesson_key(lesson), focus="Pertanyaan", observer_ids=[citra.id]))
    db.session.commit()
    room = rooms.room_for_observation(observation, dewi)
    db.session.commit()
    assert room_access.room_for(ana, room.id) is None
    url = f"/mentoring/pairs/{pair.id}"
    assert post_form(client_for(ana), f"{url}/share", {"share": "1"}, page=url) \
        .status_code == 302
    db.session.refresh(pair)
    assert pair.share_debriefs is False  # only the mentee decides
    post_form(client_for(dewi), f"{url}/share", {"share": "1"}, page=url)
    db.session.refresh(pair)
    assert pair.share_debriefs is True
    assert room_access.room_for(ana, room.id) is not None
    assert ana.id in rooms.member_ids(room)
    page = client_for(ana).get(f"/rooms/{room.id}")
    assert page.status_code == 200
    # In the room, the mentor reaches the debrief the mentee shares with them.
    assert f"/observations/{observation.id}/debrief" in page.text
    # Taking it back, or the pair ending, takes the mentor out; their sockets are reviewed.
    pair.share_debriefs = False
    users, _rooms = room_access.narrowed_by(db.session)
    assert ana.id in users
    db.session.commit()
    assert room_access.room_for(ana, room.id) is None


def _completed_with_notes(term):
    """Dewi's lesson observed by Citra, with Citra's notes submitted."""
    from collab.observations import service_notes as observation_notes
    from tests.integration.test_observations import ended

    dewi, citra = term["dewi"], term["citra"]
    observation = observations.request(dewi, observations.RequestFields(
        lesson=observations.lesson_key(lesson_of(dewi, 1, 2)), focus="Fokus Dewi",
        observer_ids=[citra.id]))
    observations.accept(observation, citra)
    db.session.commit()
    ended(observation)
    notes = observation_notes.clean_batch({"notes": [
        {"client_id": "n1", "text": "Catatan Citra tentang kelompok", "tag": "learning",
         "at_seconds": 300}]}, observation_notes.seating(observation), set())
    observation_notes.sync(observation, citra, notes)
    observations.submit_notes(observation, citra)
    db.session.commit()
    return observation


def test_the_mentor_reads_the_mentees_debrief_only_while_the_mentee_shares(term, client_for):
    pair = _active_pair(term)
    observation = _completed_with_notes(term)
    dewi, ana, budi = term["dewi"], term["ana"], term["budi"]
    view, debrief = f"/observations/{observation.id}", f"/observations/{observation.id}/debrief"
    url = f"/mentoring/pairs/{pair.id}"

    def refused_everywhere(user):
        c = client_for(user)
        assert c.get(view).status_code == 404
        assert c.get(debrief).status_code == 404
        assert post_form(c, f"/rooms/observation/{observation.id}", page="/").status_code == 404
        assert debrief not in c.get(url).text

    refused_everywhere(ana)  # not shared yet
    post_form(client_for(dewi), f"{url}/share", {"share": "1"}, page=url)
    mentor = client_for(ana)
    assert f'href="{debrief}"' in mentor.get(url).text  # the pair page leads to it
    page = mentor.get(debrief)
    assert page.status_code == 200 and "Catatan Citra tentang kelompok" in page.text
    assert 'name="reflection"' not in page.text  # the reflection is the mentee's to write
    assert post_form(mentor, debrief, {"reflection": "Bukan milik saya"}).status_code == 409
    db.session.refresh(observation)
    assert observation.state == "completed" and not observation.reflection
    assert mentor.get(view).status_code == 200  # the observation, for the mentor too
    opened = post_form(mentor, f"/rooms/observation/{observation.id}", page=debrief)
    assert opened.status_code == 302
    room_page = mentor.get(opened.headers["Location"])
    assert room_page.status_code == 200 and f'href="{debrief}"' in room_page.text
    # Another mentor, and the principal (who sees that it happened, not what was said).
    refused_everywhere(budi)
    assert client_for(term["principal"]).get(debrief).status_code == 403
    # The mentee stops sharing: the mentor is out again.
    post_form(client_for(dewi), f"{url}/share", {"share": "0"}, page=url)
    refused_everywhere(ana)
    # Shared again, then the pair ends: out too.
    post_form(client_for(dewi), f"{url}/share", {"share": "1"}, page=url)
    assert client_for(ana).get(debrief).status_code == 200
    life.end(db.session.merge(pair), dewi, "Terima kasih")
    db.session.commit()
    refused_everywhere(ana)


# ---------------------------------------------------------------- observer suggestions


def test_observer_suggestions_show_years_and_put_experienced_colleagues_first_for_a_novice(
        term, make, client_for):
    s = term["school"]
    make.user(s, name="Gita", years=1, subjects=("Matematika",), grades=("7",))
    db.session.commit()
    lesson = lesson_of(term["dewi"], 1, 2)
    found = observers.suggest(s.id, term["dewi"].id, lesson.on, lesson.period, "Matematika",
                              "7D", limit=None)
    names = [x.user.name for x in found]
    # Gita shares subject and grade but is a novice: the experienced come first.
    assert names.index("Gita") > max(names.index(n) for n in ("Ana", "Citra", "Budi"))
    assert next(x for x in found if x.user.name == "Ana").years == 12
    # For an experienced teacher the subject still ranks first.
    found = observers.suggest(s.id, term["citra"].id, lesson.on, lesson.period, "Matematika",
                              "7D", limit=None)
    assert [x.user.name for x in found].index("Gita") < [
        x.user.name for x in found].index("Budi")
    key = observations.lesson_key(lesson)
    page = client_for(term["dewi"]).get(f"/observations/new?lesson={key}").text
    assert "12 tahun mengajar" in page or "12 years of teaching" in page


def test_a_novice_is_never_observed_by_novices_only(term, make, client_for):
    s = term["school"]
    gita = make.user(s, name="Gita", years=1)
    db.session.commit()
    dewi = term["dewi"]
    key = observations.lesson_key(lesson_of(dewi, 1, 2))
    with pytest.raises(observations.ObservationError) as refused:
        observations.request(dewi, observations.RequestFields(
            lesson=key, focus="Bertanya", observer_ids=[gita.id, term["eko"].id]))
    assert refused.value.code == "observers_novices"
    db.session.rollback()
    c = client_for(dewi)
    response = post_form(c, f"/observations/new?lesson={key}", {
        "lesson": key, "focus": "Fokus saya", "observers": [str(gita.id)]})
    assert response.status_code == 400
    assert 'id="observers-error"' in response.text and "Fokus saya" in response.text
    assert db.session.query(Observation).count() == 0
    # With an experienced colleague it goes; and an experienced teacher may ask a novice.
    observations.request(dewi, observations.RequestFields(
        lesson=key, focus="Bertanya", observer_ids=[gita.id, term["citra"].id]))
    db.session.commit()
    assert db.session.query(Observation).count() == 1
    # An experienced teacher may be observed by novices only.
    ana_lesson = observations.lesson_key(lesson_of(term["ana"], 0, 1))
    observations.request(term["ana"], observations.RequestFields(
        lesson=ana_lesson, focus="Bertanya", observer_ids=[dewi.id]))
    db.session.commit()
    assert db.session.query(Observation).count() == 2


# ---------------------------------------------------------------- past collaboration


def test_past_collaboration_adds_to_the_score_and_is_named(school, client_for):  # noqa: F811
    before = {m.mentor.user.name: m.score
              for m in suggest(load_pool(school["school"].id), school["dewi"].id)}
    plan = plans.create(school["budi"], plans.PlanFields(title="IPA bersama", body="x"))
    plans.set_coauthors(plan, {school["dewi"].id}, school["budi"])
    db.session.commit()
    after = {m.mentor.user.name: m for m in suggest(load_pool(school["school"].id),
                                                     school["dewi"].id)}
    assert after["Budi"].plans == 1 and after["Budi"].observations == 0
    assert after["Budi"].score == before["Budi"] + life_points(1)
    assert after["Ana"].score == before["Ana"]
    page = client_for(school["dewi"]).get("/mentoring/").text
    assert "1 rencana ditulis bersama" in page or "1 plan written together" in page


def life_points(collaborations: int) -> int:
    from collab.mentoring import service_suggestions as scoring

    return min(scoring.MAX_COLLABORATION_POINTS, scoring.PER_COLLABORATION * collaborations)


def test_shortcut_buttons_need_the_csrf_token_and_the_pair(school, make, client_for):  # noqa: F811
    pair = _active_pair(school)
    c = client_for(school["dewi"])
    for suffix in ("/plan", "/room", "/watch", "/share", "/thanks", "/end"):
        assert c.post(f"/mentoring/pairs/{pair.id}{suffix}").status_code == 400, suffix
    other = client_for(school["citra"])
    token = csrf_token(other.get("/").text)
    for suffix in ("/plan", "/room", "/watch", "/share", "/thanks", "/end", "/reflection",
                   "/withdraw"):
        assert other.post(f"/mentoring/pairs/{pair.id}{suffix}",
                          data={"csrf_token": token}).status_code == 404, suffix
    assert mentoring.open_pair_of_novice(school["dewi"].id).status == "active"


def test_the_principal_sees_the_dates_of_observations_between_the_pair_not_their_focus(
        term, client_for):
    pair = _active_pair(term)
    lesson = lesson_of(term["dewi"], 1, 2)
    observation = observations.request(term["dewi"], observations.RequestFields(
        lesson=observations.lesson_key(lesson), focus="Fokus rahasia pasangan",
        observer_ids=[term["ana"].id]))
    db.session.commit()
    page = client_for(term["principal"]).get(f"/mentoring/pairs/{pair.id}").text
    assert 'id="observed"' in page and 'class="observed-on"' not in page  # none accepted
    assert "Fokus rahasia" not in page
    observations.accept(observation, term["ana"])
    db.session.commit()
    page = client_for(term["principal"]).get(f"/mentoring/pairs/{pair.id}").text
    assert 'id="observed"' in page and "Fokus rahasia" not in page
    assert len(re.findall(r'<li class="observed-on">', page)) == 1


def test_the_pairs_room_over_socket_io_is_for_the_two_only(app, school, client_for):  # noqa: F811
    from tests.integration.test_rooms_socket import Socket, _joined, _send, _stored

    pair = _active_pair(school)
    room = rooms.room_for_pair(pair, school["dewi"])
    db.session.commit()
    novice = Socket(app, client_for(school["dewi"]))
    mentor = Socket(app, client_for(school["ana"]))
    _joined(novice, room)
    _joined(mentor, room)
    novice.received()
    assert _send(novice, room, "m1", "Halo Bu Ana")["ok"]
    [new] = mentor.received("message:new")
    assert new["args"][0]["client_id"] == "m1" and "Halo Bu Ana" in new["args"][0]["html"]
    for user in (school["citra"], school["principal"]):
        stranger = Socket(app, client_for(user))
        for event, payload in (("room:join", {}), ("message:send", {"client_id": "x",
                                                                    "body": "masuk?"})):
            ack = stranger.ask(event, {"room_id": room.id, **payload})
            assert ack["ok"] is False and ack["error"] == "not_found", (user.name, event)
    assert mentor.received("message:new") == [] and _stored(room) == 1
