"""Mentoring (issue 12): offers and wishes, explained suggestions, requests and answers, the
school-wide pairing, the pair's space, the rules' refusals and who sees what."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from collab.core.activity import ActivityEvent
from collab.core.models import utcnow
from collab.core.notify import Notification
from collab.extensions import db
from collab.mentoring import service as mentoring
from collab.mentoring import service_pairing as pairing
from collab.mentoring import service_space as space
from collab.mentoring.models import CheckIn, MentoringGoal, MentorPair
from collab.mentoring.service import MentoringError
from collab.mentoring.service_suggestions import load_pool, suggest
from collab.people.models import User
from collab.timetables import service as timetables
from collab.timetables.service import LessonSlot
from tests.conftest import csrf_token, post_form

TIMES = [(time(7, 0), time(7, 40)), (time(7, 40), time(8, 20)), (time(8, 20), time(9, 0)),
         (time(9, 15), time(9, 55))]


def _week(school):
    """Four periods on Monday and Tuesday: eight slots a week."""
    for weekday in (0, 1):
        timetables.set_periods(school, weekday, TIMES)
    db.session.commit()


def _teach(user, *slots):
    timetables.save_timetable(user, [LessonSlot(wd, p, cls, subject)
                                     for wd, p, cls, subject in slots])
    db.session.commit()


@pytest.fixture
def school(make):
    """A school with a principal, three experienced teachers and three novices; periods and
    timetables. Mentor Ana (maths, grade 7) and mentor Budi (IPA, grade 8) offer to mentor;
    Citra (experienced) does not. Novice Dewi teaches maths in 7A, Eko IPA in 8B, Fajar
    teaches every period (no free period in common with anyone)."""
    s = make.school("SMP Mentor")
    people = {
        "principal": make.user(s, role="principal", name="Kepala"),
        "ana": make.user(s, name="Ana", years=12, subjects=("Matematika",), grades=("7",)),
        "budi": make.user(s, name="Budi", years=8, subjects=("IPA",), grades=("8",)),
        "citra": make.user(s, name="Citra", years=6, subjects=("IPS",), grades=("9",)),
        "dewi": make.user(s, name="Dewi", years=1, subjects=("Matematika",), grades=("7",)),
        "eko": make.user(s, name="Eko", years=0, subjects=("IPA",), grades=("8",)),
        "fajar": make.user(s, name="Fajar", years=2, subjects=("Seni",), grades=("9",)),
    }
    _week(s)
    _teach(people["ana"], (0, 1, "7A", "Matematika"), (0, 2, "7B", "Matematika"))
    _teach(people["budi"], (0, 1, "8A", "IPA"), (1, 1, "8B", "IPA"))
    _teach(people["dewi"], (0, 2, "7C", "Matematika"), (1, 2, "7D", "Matematika"))
    _teach(people["eko"], (0, 3, "8B", "IPA"))
    _teach(people["fajar"], *[(wd, p, "9A", "Seni") for wd in (0, 1) for p in (1, 2, 3, 4)])
    mentoring.set_offer(people["ana"], 2, ["Matematika"], ["7"], ["questioning"], "Siap bantu")
    mentoring.set_offer(people["budi"], 1, ["IPA"], ["8"], ["classroom_management"])
    mentoring.set_wishes(people["dewi"], ["questioning", "ict"])
    db.session.commit()
    return {"school": s, **people}


def _active_pair(school, novice="dewi", mentor="ana"):
    pair = mentoring.request_mentor(school[novice], school[mentor], "Mohon bimbingan")
    mentoring.answer(pair, school[mentor], True, "Dengan senang hati")
    db.session.commit()
    return pair


# ---------------------------------------------------------------- offers and wishes


def test_capacity_outside_one_to_three_is_refused_and_the_form_keeps_what_was_typed(
        school, client_for):
    for capacity in (0, 4, None):
        with pytest.raises(MentoringError) as refused:
            mentoring.set_offer(school["citra"], capacity, [], [], [])
        assert refused.value.code == "capacity"
    c = client_for(school["citra"])
    response = post_form(c, "/mentoring/offer", {"capacity": "4", "note": "Catatan saya"},
                         page="/mentoring/")
    assert response.status_code == 400
    assert 'id="capacity-error"' in response.text
    assert 'value="4"' in response.text and 'value="Catatan saya"' in response.text
    assert mentoring.profile_of(school["citra"]) is None


def test_a_teacher_offers_to_mentor_with_defaults_from_the_profile(school, client_for):
    c = client_for(school["citra"])
    page = c.get("/mentoring/")
    assert 'value="IPS"' in page.text  # subjects default from the profile
    response = post_form(c, "/mentoring/offer", {
        "capacity": "3", "subjects": "IPS", "grades": "9", "focus": ["lesson_study", "ict"],
        "note": "Jumat siang"}, page="/mentoring/")
    assert response.status_code == 302
    offer = mentoring.profile_of(school["citra"])
    assert (offer.willing, offer.capacity, offer.focus) == (True, 3, ["lesson_study", "ict"])
    post_form(c, "/mentoring/offer/stop", page="/mentoring/")
    assert mentoring.profile_of(school["citra"]).willing is False


def test_a_novice_cannot_offer_and_wishes_at_most_three_areas(school, client_for):
    with pytest.raises(MentoringError):
        mentoring.set_offer(school["dewi"], 1, [], [], [])
    c = client_for(school["dewi"])
    response = post_form(c, "/mentoring/wishes", {
        "focus": ["questioning", "ict", "assessment", "lesson_study"]}, page="/mentoring/")
    assert response.status_code == 400
    assert "At most" in response.text or "Pilih paling banyak" in response.text \
        or "at most" in response.text
    assert mentoring.profile_of(school["dewi"]).focus == ["questioning", "ict"]


def test_the_principal_sets_and_stops_a_teachers_offer(school, client_for):
    c = client_for(school["principal"])
    url = f"/mentoring/teachers/{school['citra'].id}/offer"
    assert post_form(c, url, {"capacity": "2"}, page="/mentoring/").status_code == 302
    assert mentoring.profile_of(school["citra"]).capacity == 2
    response = post_form(c, url, {"capacity": "7"}, page="/mentoring/")
    assert response.status_code == 400
    assert f'id="capacity-{school["citra"].id}-error"' in response.text
    assert 'value="7"' in response.text
    assert mentoring.profile_of(school["citra"]).capacity == 2
    # A teacher under three years cannot be made a mentor.
    response = post_form(c, f"/mentoring/teachers/{school['dewi'].id}/offer",
                         {"capacity": "1"}, page="/mentoring/")
    assert response.status_code == 400 and mentoring.profile_of(school["dewi"]).willing \
        is False
    post_form(c, url, {"capacity": ""}, page="/mentoring/")
    assert mentoring.profile_of(school["citra"]).willing is False


def test_the_principal_neither_offers_nor_is_made_a_mentor(school, client_for):
    principal = school["principal"]  # ten years of teaching, but the principal
    with pytest.raises(MentoringError) as refused:
        mentoring.set_offer(principal, 1, [], [], [])
    assert refused.value.code == "not_experienced"
    c = client_for(principal)
    response = post_form(c, f"/mentoring/teachers/{principal.id}/offer", {"capacity": "2"},
                         page="/mentoring/")
    assert response.status_code == 400
    assert mentoring.profile_of(principal) is None


def test_a_willing_mentor_made_principal_is_no_longer_suggested_or_asked(school):
    from collab.people import service as people

    people.change_role(school["ana"], "principal", school["principal"])
    db.session.commit()
    pool = load_pool(school["school"].id)
    assert [m.mentor.user.name for m in suggest(pool, school["dewi"].id)] == ["Budi"]
    assert "Ana" not in {m.user.name for m in pool.mentors}
    with pytest.raises(MentoringError) as refused:
        mentoring.request_mentor(school["dewi"], school["ana"])
    assert refused.value.code == "unwilling"


# ---------------------------------------------------------------- suggestions


def test_suggestions_rank_willing_mentors_with_reasons(school):
    found = suggest(load_pool(school["school"].id), school["dewi"].id)
    assert [m.mentor.user.name for m in found] == ["Ana", "Budi"]  # Citra does not offer
    ana = found[0]
    assert ana.subjects == ["Matematika"] and ana.grades == [7]
    assert ana.focus == ["questioning"]
    # Eight slots; Ana teaches Mon 1-2, Dewi Mon 2 and Tue 2: five in common.
    assert ana.free == [(0, 3), (0, 4), (1, 1), (1, 3), (1, 4)]
    assert ana.score > found[1].score


def test_the_suggestions_page_names_the_reasons(school, client_for):
    page = client_for(school["dewi"]).get("/mentoring/").text
    assert "Ana" in page and "Matematika" in page
    assert "5" in page and ("Monday" in page or "Senin" in page)


def test_a_full_mentor_and_a_novice_without_common_period_get_no_suggestion(school):
    _active_pair(school, "eko", "budi")  # Budi's only place
    pool = load_pool(school["school"].id)
    assert [m.mentor.user.name for m in suggest(pool, school["dewi"].id)] == ["Ana"]
    assert suggest(pool, school["fajar"].id) == []


def test_suggestions_put_the_mentor_with_fewer_mentees_first_and_say_so(school, make,
                                                                        client_for):
    # Two mentors alike in all but load; the one first by name already has a mentee.
    s = school["school"]
    twins = [make.user(s, name=name, years=9, subjects=("Seni",), grades=("9",))
             for name in ("Agus", "Wati")]
    for twin in twins:
        _teach(twin, (0, 1, "9B", "Seni"))
        mentoring.set_offer(twin, 3, ["Seni"], ["9"], [])
    novice = make.user(s, name="Nina", years=0, subjects=("Seni",), grades=("9",))
    _teach(novice, (0, 2, "9C", "Seni"))
    _active_pair(school, "eko", "budi")
    pair = mentoring.request_mentor(school["dewi"], twins[0])
    mentoring.answer(pair, twins[0], True)
    db.session.commit()
    found = [m for m in suggest(load_pool(s.id), novice.id)
             if m.mentor.user.name in ("Agus", "Wati")]
    assert [m.mentor.user.name for m in found] == ["Wati", "Agus"]
    assert found[0].score == found[1].score + 1
    page = client_for(novice).get("/mentoring/").text
    assert page.index("Wati") < page.index("Agus")
    assert "0 guru binaan saat ini" in page and "1 guru binaan saat ini" in page  # the load


def test_suggestions_cost_the_same_queries_for_a_larger_school(school, make, count_queries):
    def queries():
        with count_queries() as statements:
            suggest(load_pool(school["school"].id), school["dewi"].id)
        return len(statements)

    few = queries()
    for n in range(15):
        mentor = make.user(school["school"], name=f"Guru {n}", years=10)
        _teach(mentor, (0, 1 + n % 4, "7A", "Matematika"))
        mentoring.set_offer(mentor, 3, ["Matematika"], ["7"], ["ict"])
        make.user(school["school"], name=f"Pemula {n}", years=1)
    db.session.commit()
    assert queries() == few


# ---------------------------------------------------------------- asking and answering


def test_a_novice_asks_and_the_mentor_accepts(school, client_for):
    novice = client_for(school["dewi"])
    response = post_form(novice, "/mentoring/ask", {
        "mentor_id": str(school["ana"].id), "message": "Saya ingin belajar bertanya"},
        page="/mentoring/")
    assert response.status_code == 302
    pair = mentoring.open_pair_of_novice(school["dewi"].id)
    assert (pair.status, pair.mentor_id) == ("requested", school["ana"].id)
    note = db.session.scalar(select(Notification).where(
        Notification.recipient_id == school["ana"].id, Notification.kind ==
        "mentoring.requested"))
    assert note is not None
    mentor = client_for(school["ana"])
    assert "Saya ingin belajar bertanya" in mentor.get("/mentoring/").text
    response = post_form(mentor, f"/mentoring/pairs/{pair.id}/answer",
                         {"decision": "accept", "note": "Mari mulai"}, page="/mentoring/")
    assert response.status_code == 302
    db.session.refresh(pair)
    assert pair.status == "active" and pair.started_at is not None
    assert db.session.scalar(select(ActivityEvent).where(
        ActivityEvent.verb == "mentoring.pair_started")).object_id == pair.id
    assert db.session.scalar(select(Notification).where(
        Notification.recipient_id == school["dewi"].id,
        Notification.kind == "mentoring.accepted")) is not None


def test_a_mentor_declines_with_a_note(school):
    pair = mentoring.request_mentor(school["dewi"], school["ana"])
    mentoring.answer(pair, school["ana"], False, "Semester ini penuh")
    db.session.commit()
    assert pair.status == "declined"
    note = db.session.scalar(select(Notification).where(
        Notification.recipient_id == school["dewi"].id, Notification.kind ==
        "mentoring.declined"))
    assert note.params["note"] == "Semester ini penuh"
    # A declined pair frees the novice and the place.
    assert mentoring.request_mentor(school["dewi"], school["ana"]).status == "requested"


def test_nobody_mentors_themselves(school):
    with pytest.raises(MentoringError) as refused:
        mentoring.propose(school["principal"], school["dewi"], school["dewi"])
    assert refused.value.code == "self"
    pair = MentorPair(school_id=school["school"].id, novice_id=school["dewi"].id,
                      mentor_id=school["dewi"].id, place=1, status="proposed")
    db.session.add(pair)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_second_open_pair_for_the_same_novice_is_refused(school, client_for):
    mentoring.request_mentor(school["dewi"], school["ana"])
    db.session.commit()
    with pytest.raises(MentoringError) as refused:
        mentoring.propose(school["principal"], school["dewi"], school["budi"])
    assert refused.value.code == "novice_paired"
    db.session.rollback()
    # The database refuses it too, whatever a service checked.
    db.session.add(MentorPair(school_id=school["school"].id, novice_id=school["dewi"].id,
                              mentor_id=school["budi"].id, place=1, status="proposed"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_mentor_over_capacity_is_refused_also_by_the_database(school, client_for):
    _active_pair(school, "eko", "budi")  # Budi: capacity 1, now full
    with pytest.raises(MentoringError) as refused:
        mentoring.request_mentor(school["dewi"], school["budi"])
    assert refused.value.code == "mentor_full"
    db.session.rollback()
    # Two principals' tabs, both having read one free place: the same place, one fails.
    db.session.add(MentorPair(school_id=school["school"].id, novice_id=school["dewi"].id,
                              mentor_id=school["budi"].id, place=1, status="proposed"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    c = client_for(school["dewi"])
    response = post_form(c, "/mentoring/ask", {"mentor_id": str(school["budi"].id),
                                               "message": "Tolong"}, page="/mentoring/")
    assert response.status_code == 400
    assert "Tolong" in response.text and 'class="error"' in response.text
    assert mentoring.open_pair_of_novice(school["dewi"].id) is None


def test_lowering_the_capacity_below_the_mentees_is_refused(school):
    _active_pair(school, "dewi", "ana")
    mentoring.request_mentor(school["eko"], school["ana"])
    db.session.commit()
    with pytest.raises(MentoringError) as refused:
        mentoring.set_offer(school["ana"], 1, [], [], [])
    assert refused.value.code == "capacity_taken"


# ---------------------------------------------------------------- the school-wide pairing


def test_propose_pairs_solves_lists_the_unpaired_with_why_and_sends(school, client_for):
    solution = pairing.solve(school["school"].id)
    proposed = {p.novice.user.name: p.match.mentor.user.name for p in solution.proposals}
    assert proposed == {"Dewi": "Ana", "Eko": "Budi"}
    assert [(left.novice.user.name, left.reason) for left in solution.unpaired] == [
        ("Fajar", pairing.NO_COMMON_PERIOD)]
    c = client_for(school["principal"])
    page = c.get("/mentoring/propose")
    assert page.status_code == 200 and "Fajar" in page.text
    response = c.post("/mentoring/propose", data={
        "csrf_token": csrf_token(page.text),
        "pairs": [f"{school['dewi'].id}:{school['ana'].id}"]})  # Eko's left out
    assert response.status_code == 302
    pair = mentoring.open_pair_of_novice(school["dewi"].id)
    assert pair.status == "proposed"
    assert mentoring.open_pair_of_novice(school["eko"].id) is None
    mentoring.answer(pair, school["ana"], True)
    assert pair.status == "proposed"  # the novice has not accepted yet
    mentoring.answer(pair, school["dewi"], True)
    assert pair.status == "active"


def test_the_principals_overview_has_the_pairs_the_unpaired_and_the_free_places(
        school, client_for):
    from bs4 import BeautifulSoup

    _active_pair(school)  # Dewi with Ana (capacity 2: one place left)
    school["principal"].language = "en"
    db.session.commit()
    page = BeautifulSoup(client_for(school["principal"]).get("/mentoring/").text,
                         "html.parser")

    def section(title_id):
        text = page.find(attrs={"aria-labelledby": title_id}).get_text(" ", strip=True)
        return " ".join(text.split())

    assert "Dewi" in section("pairs-title") and "Ana" in section("pairs-title")
    unpaired = section("unpaired-title")
    assert "Eko" in unpaired and "Fajar" in unpaired and "Dewi" not in unpaired
    mentors = section("mentors-title").replace(" :", ":")
    assert "Ana: 1 mentee · 1 free place" in mentors
    assert "Budi: 0 mentees · 1 free place" in mentors
    assert "Citra: no offer" in mentors
    assert "Kepala" not in mentors  # the principal is no teacher to pair (issue 12, item 1)
    assert page.find("a", href="/mentoring/propose") is not None


def test_a_novice_is_left_when_the_mentors_that_fit_are_full(school):
    _active_pair(school, "eko", "budi")
    mentoring.set_offer(school["ana"], 1, [], [], [])
    mentoring.set_wishes(school["dewi"], [])
    db.session.commit()
    novice = db.session.merge(school["dewi"])
    assert pairing.solve(school["school"].id).proposals[0].novice.user.id == novice.id
    mentoring.request_mentor(school["dewi"], school["ana"])
    db.session.commit()
    solution = pairing.solve(school["school"].id)
    assert solution.proposals == []
    assert [left.reason for left in solution.unpaired] == [pairing.NO_MENTOR]


def test_the_principal_proposes_one_from_the_novices_suggestions(school, client_for):
    c = client_for(school["principal"])
    url = f"/mentoring/novices/{school['dewi'].id}"
    page = c.get(url)
    assert page.status_code == 200 and "Ana" in page.text
    assert post_form(c, url, {"mentor_id": str(school["budi"].id)}).status_code == 302
    assert mentoring.open_pair_of_novice(school["dewi"].id).mentor_id == school["budi"].id
    response = post_form(c, url, {"mentor_id": str(school["ana"].id)})
    assert response.status_code == 400  # a second open pair for the novice


# ---------------------------------------------------------------- the pair's space


def test_the_pair_writes_goals_and_check_ins(school, client_for):
    pair = _active_pair(school)
    mentor = client_for(school["ana"])
    url = f"/mentoring/pairs/{pair.id}"
    assert post_form(mentor, f"{url}/goals", {
        "text": "Bertanya terbuka", "success": "Tiga pertanyaan terbuka per jam",
        "due_on": (utcnow().date() + timedelta(days=30)).isoformat()}, page=url
    ).status_code == 302
    novice = client_for(school["dewi"])
    assert post_form(novice, f"{url}/checkins", {
        "held_on": utcnow().date().isoformat(), "talked": "Pertanyaan pemantik",
        "next_step": "Coba di 7C"}, page=url).status_code == 302
    goal = db.session.scalar(select(MentoringGoal))
    assert post_form(novice, f"{url}/goals/{goal.id}/done", {"done": "1"},
                     page=url).status_code == 302
    db.session.refresh(goal)
    assert goal.done_at is not None
    verbs = set(db.session.scalars(select(ActivityEvent.verb)))
    assert {"mentoring.checkin_logged", "mentoring.goal_done"} <= verbs
    page = mentor.get(url).text
    assert "Pertanyaan pemantik" in page and "Bertanya terbuka" in page
    # The novice's shortcut: the observation request with the mentor to tick.
    assert f'href="/observations/new?observer={school["ana"].id}"' in novice.get(url).text


def test_the_pair_page_names_both_since_when_and_the_novices_focus_areas(school, client_for):
    pair = _active_pair(school)
    school["ana"].language = "en"
    db.session.commit()
    page = client_for(school["ana"]).get(f"/mentoring/pairs/{pair.id}").text
    assert "Dewi and Ana" in page
    assert "since " in page and "Questioning, ICT in class" in page


@pytest.mark.parametrize(("data", "field", "sentence"), [
    ({"held_on": "2999-01-01", "talked": "Masa depan"}, "held_on", "future"),
    ({"held_on": "", "talked": "Tanpa tanggal"}, "held_on", "date"),
    ({"talked": "   "}, "talked", "talked about"),
])
def test_a_bad_check_in_is_refused_next_to_its_field(school, client_for, data, field,
                                                      sentence):
    pair = _active_pair(school)
    c = client_for(school["dewi"])
    c.post("/language", data={"csrf_token": csrf_token(c.get("/").text), "lang": "en"})
    url = f"/mentoring/pairs/{pair.id}"
    data = {"held_on": utcnow().date().isoformat(), "next_step": "Langkah", **data}
    response = post_form(c, f"{url}/checkins", data, page=url)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text and sentence in response.text
    assert 'value="Langkah"' in response.text  # what was typed stays
    assert db.session.scalar(select(CheckIn)) is None


def test_a_check_in_in_the_future_is_refused_by_the_service(school):
    pair = _active_pair(school)
    today = utcnow().date()
    with pytest.raises(space.SpaceError) as refused:
        space.add_checkin(pair, school["dewi"], today + timedelta(days=1), "x", "", today)
    assert refused.value.code == "checkin_future"


def test_a_goal_over_500_characters_and_a_fourth_goal_are_refused(school, client_for):
    pair = _active_pair(school)
    url = f"/mentoring/pairs/{pair.id}"
    c = client_for(school["ana"])
    long_goal = "g" * 501
    response = post_form(c, f"{url}/goals", {"text": long_goal}, page=url)
    assert response.status_code == 400
    assert 'id="text-error"' in response.text and long_goal in response.text
    today = utcnow().date()
    for n in range(3):
        space.add_goal(pair, school["ana"], f"Tujuan {n}", "", None, today)
    with pytest.raises(space.SpaceError) as refused:
        space.add_goal(pair, school["ana"], "Keempat", "", None, today)
    assert refused.value.code == "goal_count"


# ---------------------------------------------------------------- who sees what


def test_the_principal_sees_that_a_pair_exists_not_its_content(school, client_for):
    pair = _active_pair(school)
    today = utcnow().date()
    space.add_checkin(pair, school["dewi"], today, "Isi rahasia check-in", "Langkah rahasia",
                      today)
    space.add_goal(pair, school["ana"], "Tujuan rahasia", "Sukses rahasia", None, today)
    db.session.commit()
    c = client_for(school["principal"])
    for url in (f"/mentoring/pairs/{pair.id}", "/mentoring/"):
        page = c.get(url)
        assert page.status_code == 200
        for secret in ("Isi rahasia", "Langkah rahasia", "Tujuan rahasia", "Sukses rahasia",
                       "Mohon bimbingan", "Dengan senang hati"):
            assert secret not in page.text, (url, secret)
    assert "Dewi" in c.get(f"/mentoring/pairs/{pair.id}").text
    assert post_form(c, f"/mentoring/pairs/{pair.id}/checkins", {"talked": "x"},
                     page="/mentoring/").status_code == 403


def test_a_colleague_outside_the_pair_and_another_school_get_404(school, make, client_for):
    pair = _active_pair(school)
    other_school = make.school("SMP Lain")
    outsider = make.user(other_school, role="principal", name="Kepala Lain")
    for user in (school["citra"], school["budi"], outsider):
        c = client_for(user)
        assert c.get(f"/mentoring/pairs/{pair.id}").status_code == 404
        token = csrf_token(c.get("/").text)
        for suffix in ("/checkins", "/goals", "/answer"):
            response = c.post(f"/mentoring/pairs/{pair.id}{suffix}",
                              data={"csrf_token": token, "talked": "x", "text": "x"})
            assert response.status_code == 404, (user.name, suffix)
    c = client_for(outsider)
    assert c.get(f"/mentoring/novices/{school['dewi'].id}").status_code == 404
    page = c.get("/mentoring/propose").text
    assert "Dewi" not in page and "Ana" not in page


def test_forms_refuse_a_missing_csrf_token(school, client_for):
    pair = _active_pair(school)
    c = client_for(school["dewi"])
    assert c.post(f"/mentoring/pairs/{pair.id}/checkins",
                  data={"talked": "x"}).status_code == 400
    assert c.post("/mentoring/ask", data={"mentor_id": school["ana"].id}).status_code == 400


# ---------------------------------------------------------------- the demo


def test_the_demo_has_pairs_unpaired_novices_and_mentors_with_room(demo_data):
    handle = {u.id: u.email.split("@")[0] for u in db.session.scalars(select(User))}
    pairs = {(handle[p.mentor_id], handle[p.novice_id]): p
             for p in db.session.scalars(select(MentorPair))}
    assert set(pairs) == {("guru01", "guru09"), ("guru05", "guru10")}
    first = pairs[("guru01", "guru09")]
    assert first.status == "active"
    assert (len(first.goals), len(first.checkins)) == (2, 3)
    assert sum(goal.done_at is not None for goal in first.goals) == 1
    # One observation each way between them, and a thank-you.
    from collab.mentoring import service_life as life
    from collab.mentoring import service_together as together
    from collab.observations.models import Observation, ObservationObserver

    each_way = set(db.session.execute(
        select(Observation.teacher_id, ObservationObserver.user_id)
        .join(ObservationObserver, ObservationObserver.observation_id == Observation.id)
        .where(ObservationObserver.status == "accepted",
               Observation.state.in_(("scheduled", "completed", "debriefed")))).all())
    assert {(first.novice_id, first.mentor_id), (first.mentor_id, first.novice_id)} <= each_way
    assert len(together.observations_between(first)) >= 2
    assert len(life.thanks_of_pair(first)) == 1
    solution = pairing.solve(first.school_id)
    assert {handle[m.user.id] for m in solution.mentors} >= {"guru01", "guru03", "guru07"}
    left = {handle[p.novice.user.id] for p in solution.proposals} | {
        handle[n.novice.user.id] for n in solution.unpaired}
    assert left == {"guru11", "guru12"}


def test_the_principals_csv_has_counts_and_dates_not_content(school, client_for):
    pair = _active_pair(school)
    today = utcnow().date()
    space.add_checkin(pair, school["dewi"], today - timedelta(days=2), "Isi rahasia", "", today)
    space.add_checkin(pair, school["ana"], today, "Isi lain", "", today)
    db.session.commit()
    response = client_for(school["principal"]).get("/mentoring/pairs.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "novice_email,mentor_email,since,check_ins,last_check_in"
    assert lines[1] == (f"{school['dewi'].email},{school['ana'].email},"
                        f"{pair.started_at.date().isoformat()},2,{today.isoformat()}")
    assert "rahasia" not in response.text
    assert client_for(school["dewi"]).get("/mentoring/pairs.csv").status_code == 403


def test_observer_suggestions_rank_the_novices_mentor_first(school):
    from collab.observations import service_suggestions as observers

    def ranked():
        return [s.user.name for s in observers.suggest(
            school["school"].id, school["dewi"].id, utcnow().date(), 3, "Matematika", "7C",
            limit=None)]

    assert ranked()[0] == "Ana"  # same subject and grade
    _active_pair(school, "dewi", "budi")
    found = observers.suggest(school["school"].id, school["dewi"].id, utcnow().date(), 3,
                              "Matematika", "7C", limit=None)
    assert found[0].user.name == "Budi" and found[0].mentor


def test_the_principal_locks_and_forbids_pairs(school, client_for):
    d, e = school["dewi"].id, school["eko"].id
    a, b = school["ana"].id, school["budi"].id
    # Locked: Dewi with Budi (Budi's only place); Eko then goes to Ana.
    solution = pairing.solve(school["school"].id, locked=[(d, b)])
    assert {(p.novice.user.id, p.match.mentor.user.id, p.locked)
            for p in solution.proposals} == {(d, b, True), (e, a, False)}
    # Dewi kept apart from Ana and from Budi: she is left without a mentor.
    solution = pairing.solve(school["school"].id, forbidden=[(d, a), (d, b)])
    assert d not in {p.novice.user.id for p in solution.proposals}
    assert solution.forbidden == sorted([(d, a), (d, b)])
    # A lock that cannot hold (Fajar has no free period in common) is left out, and said.
    solution = pairing.solve(school["school"].id, locked=[(school["fajar"].id, a)])
    assert solution.dropped_locks == [(school["fajar"].id, a)]
    c = client_for(school["principal"])
    page = c.get(f"/mentoring/propose?lock={d}:{b}&forbid={e}:{b}&lock=x")
    assert page.status_code == 200
    assert f'name="lock" value="{d}:{b}" form="recompute" checked' in page.text
    assert f'name="forbid" value="{e}:{b}" form="recompute" checked' in page.text


def test_an_answer_note_over_500_characters_is_refused_next_to_it(school, client_for):
    pair = mentoring.request_mentor(school["dewi"], school["ana"])
    db.session.commit()
    c = client_for(school["ana"])
    note = "n" * 501
    response = post_form(c, f"/mentoring/pairs/{pair.id}/answer",
                         {"decision": "accept", "note": note}, page="/mentoring/")
    assert response.status_code == 400
    assert f'id="note-{pair.id}-error"' in response.text and note in response.text
    db.session.refresh(pair)
    assert pair.status == "requested"
