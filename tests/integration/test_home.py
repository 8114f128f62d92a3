"""The home page as the place to start each day (issue 15): today's lessons and observations
with one tap to take notes, what waits for my answer, my mentor or mentees, my teams' rooms,
"Getting started" for a new teacher until done, what needs the principal; a fixed number of
queries however much there is, and a first view within its byte budget."""

from datetime import time, timedelta

import pytest
from bs4 import BeautifulSoup

from collab.assessments import service as assessments
from collab.assessments import service_rubrics as rubrics
from collab.core.models import utcnow
from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.observations.models import Observation, ObservationObserver
from collab.observations.service import school_today
from collab.plans import service as plans
from collab.rooms import service as rooms
from collab.timetables import service as timetables
from collab.timetables.service import LessonSlot
from tests.integration.test_assessment_service import small_rubric
from tests.integration.test_plans import first_view_size

HOME_FIRST_VIEW_BUDGET = 30 * 1024  # the page and its stylesheet, compressed
HOME_QUERIES = {"teacher": 6, "principal": 7}
PERIODS = [(time(7, 0), time(7, 45)), (time(7, 45), time(8, 30)), (time(8, 30), time(9, 15))]


def text(response) -> str:
    return BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)


def section(response, title_id: str):
    page = BeautifulSoup(response.text, "html.parser")
    return page.find("section", attrs={"aria-labelledby": title_id})


def words(element) -> str:
    """An element's text with its spaces made single."""
    return " ".join(element.get_text(" ").split())


@pytest.fixture
def a(world):
    """School A with periods on every day of the week and a term around today: the teacher
    teaches periods 1 and 2 today, the second teacher period 3."""
    school = world["a"]["school"]
    for weekday in range(7):
        timetables.set_periods(school, weekday, PERIODS)
    today = school_today(school)
    timetables.add_term(school, "Semester", today - timedelta(days=30),
                        today + timedelta(days=90))
    timetables.save_timetable(world["a"]["teacher"], [
        LessonSlot(today.weekday(), 1, "7A", "Matematika", "R1"),
        LessonSlot(today.weekday(), 2, "8B", "Matematika", "R2")])
    timetables.save_timetable(world["a"]["teacher2"], [
        LessonSlot(today.weekday(), 3, "9C", "IPA", "Lab")])
    db.session.commit()
    return world["a"]


@pytest.fixture
def english(client_for):
    def make(user):
        client = client_for(user)
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def observation_today(a, teacher_key: str, period: int, observers=(), state="scheduled"):
    """An observation of today's lesson in `period`, written as the service leaves it once
    the observers accepted (the service refuses lessons that have begun: a test at 10 a.m.
    must still find this morning's lesson)."""
    school = a["school"]
    today = school_today(school)
    starts, ends = PERIODS[period - 1]
    observation = Observation(
        school_id=school.id, teacher_id=a[teacher_key].id, lesson_date=today, period=period,
        class_name="9C", subject="IPA", room="Lab", focus="Siapa yang bertanya?", state=state,
        starts_at=timetables.to_utc(school, today, starts),
        ends_at=timetables.to_utc(school, today, ends))
    db.session.add(observation)
    db.session.flush()
    for key in observers:
        db.session.add(ObservationObserver(observation_id=observation.id, user_id=a[key].id,
                                           status="accepted", responded_at=utcnow()))
    db.session.commit()
    return observation


# ---------------------------------------------------------------- today


def test_today_lists_my_lessons_and_one_tap_to_take_notes(a, english):
    observation = observation_today(a, "teacher2", 3, observers=["teacher"])
    home = english(a["teacher"]).get("/")
    today = section(home, "today-title")
    rows = [words(li) for li in today.select("li")]
    assert len(rows) == 3
    assert rows[0].startswith("period 1 · 7:00") and "7A, Matematika · R1" in rows[0]
    assert rows[1].startswith("period 2 · 7:45") and "8B, Matematika · R2" in rows[1]
    assert "You observe Second A · 9C, IPA" in rows[2]
    take_notes = today.find("a", string="Take notes")
    assert take_notes["href"] == f"/observations/{observation.id}/notes"


def test_the_take_notes_tap_becomes_my_notes_once_sent(a, english):
    observation = observation_today(a, "teacher2", 3, observers=["teacher"],
                                    state="completed")
    invite = db.session.query(ObservationObserver).filter_by(
        observation_id=observation.id).one()
    invite.submitted_at = utcnow()
    db.session.commit()
    today = section(english(a["teacher"]).get("/"), "today-title")
    assert today.find("a", string="Take notes") is None
    assert today.find("a", string="My notes")["href"] == f"/observations/{observation.id}/notes"


def test_an_observed_lesson_is_listed_once_with_its_state(a, english):
    observation = observation_today(a, "teacher", 2, observers=["mentor"])
    today = section(english(a["teacher"]).get("/"), "today-title")
    rows = [words(li) for li in today.select("li")]
    assert len(rows) == 2
    assert "Your lesson · 9C, IPA · Scheduled" in rows[1]
    assert today.find("a", string="Scheduled")["href"] == f"/observations/{observation.id}"
    # The observer, not yet accepted elsewhere, sees it too; a colleague outside does not.
    assert "You observe Teacher A" in section(english(a["mentor"]).get("/"),
                                              "today-title").get_text(" ")
    assert "Teacher A" not in section(english(a["teacher2"]).get("/"),
                                      "today-title").get_text(" ")


def test_an_invitation_not_yet_accepted_is_not_on_todays_list(a, english):
    observation = observation_today(a, "teacher2", 3, state="requested")
    db.session.add(ObservationObserver(observation_id=observation.id,
                                       user_id=a["teacher"].id, status="invited"))
    db.session.commit()
    today = section(english(a["teacher"]).get("/"), "today-title")
    assert "Second A" not in words(today)


def test_no_lessons_on_a_holiday(a, english):
    timetables.add_holiday(a["school"], "Libur", school_today(a["school"]))
    db.session.commit()
    today = section(english(a["teacher"]).get("/"), "today-title")
    assert today.select("li") == []
    assert "No lessons and no observations today." in words(today)


# ---------------------------------------------------------------- waiting, mentoring, teams


def test_feedback_asked_of_me_waits_with_a_link_to_my_form(a, english):
    rubric = rubrics.create(a["school"].id, a["principal"], small_rubric(), publish_now=True)
    plan = plans.create(a["teacher"], plans.PlanFields(title="Pecahan", body="x",
                                                       visibility="school"))
    db.session.flush()
    today = school_today(a["school"])
    request = assessments.request_feedback(a["teacher"], assessments.RequestFields(
        rubric_version_id=rubrics.published(rubric).id, assessor_ids=[a["mentor"].id],
        due_on=today + timedelta(days=3), plan_id=plan.id), today)
    db.session.commit()
    mine = next(x for x in request.assessments if x.assessor_id == a["mentor"].id)
    waiting = section(english(a["mentor"]).get("/"), "waiting-title")
    link = waiting.find("a", string="Teacher A asks for your feedback")
    assert link["href"] == f"/assessments/{mine.id}"
    assert english(a["mentor"]).get(link["href"]).status_code == 200
    own = section(english(a["teacher"]).get("/"), "waiting-title")
    assert own.find("a", string="Your self-assessment") is not None


def test_notes_to_send_and_a_lesson_to_reflect_on_wait_for_me(a, english):
    observation = observation_today(a, "teacher", 1, observers=["mentor"], state="completed")
    observation.starts_at = utcnow() - timedelta(hours=2)
    observation.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    observer = section(english(a["mentor"]).get("/"), "waiting-title")
    link = observer.find("a", string="Send your notes on Teacher A's lesson")
    assert link["href"] == f"/observations/{observation.id}/notes"
    teacher = section(english(a["teacher"]).get("/"), "waiting-title")
    reflect = teacher.find("a", string="Read the notes and reflect")
    assert reflect["href"] == f"/observations/{observation.id}/debrief"
    invite = db.session.query(ObservationObserver).filter_by(
        observation_id=observation.id).one()
    invite.submitted_at = utcnow()
    observation.state = "debriefed"
    db.session.commit()
    assert section(english(a["mentor"]).get("/"), "waiting-title") is None
    assert section(english(a["teacher"]).get("/"), "waiting-title") is None


def test_mentoring_shows_my_mentor_and_my_mentees_and_requests_to_answer(a, english):
    school = a["school"]
    db.session.add(MentorPair(school_id=school.id, novice_id=a["teacher2"].id,
                              mentor_id=a["mentor"].id, place=1, status="active",
                              novice_ok=True, mentor_ok=True, started_at=utcnow()))
    db.session.add(MentorPair(school_id=school.id, novice_id=a["teacher"].id,
                              mentor_id=a["mentor"].id, place=2, status="requested",
                              asked_by_id=a["teacher"].id, novice_ok=True))
    db.session.commit()
    mentor_home = english(a["mentor"]).get("/")
    assert "You mentor: Second A" in words(section(mentor_home, "mentoring-title"))
    assert "Teacher A asks you to be their mentor" in words(section(
        mentor_home, "waiting-title"))
    novice_home = english(a["teacher2"]).get("/")
    assert "Your mentor: Mentor A" in words(section(novice_home, "mentoring-title"))
    # The one who asked waits for the mentor: nothing for them to answer.
    assert section(english(a["teacher"]).get("/"), "waiting-title") is None


def test_the_novices_mentor_comes_with_the_next_step_and_the_mentors_mentees_too(
        a, english):
    from collab.mentoring import service_space as space

    school = a["school"]
    pair = MentorPair(school_id=school.id, novice_id=a["teacher2"].id,
                      mentor_id=a["mentor"].id, place=1, status="active", novice_ok=True,
                      mentor_ok=True, started_at=utcnow())
    db.session.add(pair)
    db.session.commit()
    # No check-in yet: the next step is the first one.
    mentoring = section(english(a["teacher2"]).get("/"), "mentoring-title")
    assert "Your mentor: Mentor A" in words(mentoring)
    assert mentoring.find("a", href=f"/mentoring/pairs/{pair.id}#log") is not None
    today = school_today(school)
    space.add_checkin(pair, a["mentor"], today - timedelta(days=6), "Awal", "Langkah lama",
                      today)
    space.add_checkin(pair, a["teacher2"], today - timedelta(days=1), "Lanjut", "Coba di 9C",
                      today)
    db.session.commit()
    for user, line in ((a["teacher2"], "Your mentor: Mentor A"), (a["mentor"],
                                                                 "You mentor: Second A")):
        mentoring = words(section(english(user).get("/"), "mentoring-title"))
        assert line in mentoring and "Next step: Coba di 9C" in mentoring, mentoring
        assert "Langkah lama" not in mentoring and "Lanjut" not in mentoring


def test_my_teams_show_their_rooms_unread_messages(a, english):
    room = rooms.room_for_team(a["team"], a["mentor"])
    rooms.post_message(room, a["mentor"], "c-1", "Selamat pagi")
    rooms.post_message(room, a["mentor"], "c-2", "Rapat jam 10")
    db.session.commit()
    teams = section(english(a["teacher"]).get("/"), "teams-title")
    assert teams.find("a", string="Team A")["href"] == f"/rooms/{room.id}"
    assert "2 new messages" in teams.get_text(" ")
    assert "new message" not in section(english(a["mentor"]).get("/"),
                                        "teams-title").get_text(" ")


@pytest.mark.dialect
def test_each_team_room_counts_what_i_have_not_read_there(a, make, english):
    # Two rooms with different read markers: each room's count uses its own marker.
    second = make.team(a["school"], "Team Two", [a["teacher"], a["mentor"]])
    first_room = rooms.room_for_team(a["team"], a["mentor"])
    second_room = rooms.room_for_team(second, a["mentor"])
    for i in range(3):
        rooms.post_message(first_room, a["mentor"], f"a-{i}", f"Pesan {i}")
    rooms.mark_read(first_room, a["teacher"])
    rooms.post_message(first_room, a["mentor"], "a-9", "Satu lagi")
    for i in range(2):
        rooms.post_message(second_room, a["mentor"], f"b-{i}", f"Pesan {i}")
    rooms.mark_read(second_room, a["teacher"])
    for i in range(3):
        rooms.post_message(second_room, a["mentor"], f"b-{i + 5}", f"Lagi {i}")
    db.session.commit()
    teams = words(section(english(a["teacher"]).get("/"), "teams-title"))
    assert "Team A · 1 new message ·" in teams
    assert "Team Two · 3 new messages ·" in teams


# ---------------------------------------------------------------- getting started


def steps_of(response) -> dict[str, bool]:
    start = section(response, "start-title")
    if start is None:
        return {}
    return {li.a.get_text(strip=True): "done" in (li.get("class") or [])
            for li in start.select("li")}


def test_a_new_teacher_gets_started_step_by_step_until_done(world, english, make):
    school = world["a"]["school"]
    newcomer = make.user(school, name="Rina", years=1, subjects=(), grades=())
    c = english(newcomer)
    assert steps_of(c.get("/")) == {
        "Complete your profile: subjects, grades, years of teaching": False,
        "Enter your timetable": False, "Meet your mentor": False,
        "Ask colleagues to observe a first lesson": False, "Join your team's room": False}

    newcomer.profile.subjects, newcomer.profile.grades = ["IPA"], ["7"]
    timetables.set_periods(school, 0, PERIODS)
    timetables.save_timetable(newcomer, [LessonSlot(0, 1, "7A", "IPA")])
    db.session.add(MentorPair(school_id=school.id, novice_id=newcomer.id,
                              mentor_id=world["a"]["mentor"].id, place=1, status="active",
                              novice_ok=True, mentor_ok=True))
    db.session.commit()
    steps = steps_of(c.get("/"))
    assert [done for done in steps.values()] == [True, True, True, False, False]

    today = school_today(school)
    starts = timetables.to_utc(school, today + timedelta(days=7), time(7))
    db.session.add(Observation(school_id=school.id, teacher_id=newcomer.id,
                               lesson_date=today + timedelta(days=7), period=1,
                               class_name="7A", subject="IPA", focus="?", starts_at=starts,
                               ends_at=starts + timedelta(minutes=45)))
    team = make.team(school, "Guru IPA", [newcomer])
    room = rooms.room_for_team(team, newcomer)
    rooms.mark_read(room, newcomer)
    rooms.post_message(room, newcomer, "c-1", "Halo semua")
    db.session.commit()
    assert steps_of(c.get("/")) == {}, "done: the section goes"


def test_an_experienced_teacher_has_no_mentor_step_and_the_principal_no_steps(a, english):
    steps = steps_of(english(a["mentor"]).get("/"))
    assert "Meet your mentor" not in steps and "Enter your timetable" in steps
    assert steps_of(english(a["principal"]).get("/")) == {}


# ---------------------------------------------------------------- the principal


def test_the_principal_sees_what_needs_them(a, english, make):
    school = a["school"]
    make.user(school, name="Novice One", years=0)
    paired = make.user(school, name="Novice Two", years=1)
    db.session.add(MentorPair(school_id=school.id, novice_id=paired.id,
                              mentor_id=a["mentor"].id, place=1, status="active"))
    db.session.add(MentorPair(school_id=school.id, novice_id=a["teacher2"].id,
                              mentor_id=a["teacher"].id, place=1, status="requested",
                              created_at=utcnow() - timedelta(days=8)))
    stuck = observation_today(a, "teacher", 2, state="requested")
    stuck.lesson_date = school_today(school) + timedelta(days=2)
    stuck.starts_at = utcnow() + timedelta(days=2)
    stuck.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    needs = section(english(a["principal"]).get("/"), "needs-title").get_text(" ")
    assert "1 invitation not yet accepted" in needs
    # Second A (1 year, asked but not yet paired) and Novice One; Novice Two has a mentor.
    assert "2 novices without a mentor" in needs
    assert "1 mentoring request unanswered for a week" in needs
    assert "Teacher A's observation request has no observer yet" in needs
    assert section(english(a["teacher"]).get("/"), "needs-title") is None


def test_what_needs_the_principal_lists_no_zero_and_says_when_nothing_waits(a, english, make,
                                                                             client_for):
    """A count of zero is no task: it is not listed; with nothing at all, one sentence says so
    (in both languages)."""
    from collab.people.models import Invitation

    db.session.execute(Invitation.__table__.delete())
    # The world's only novice gets a mentor.
    db.session.add(MentorPair(school_id=a["school"].id, novice_id=a["teacher2"].id,
                              mentor_id=a["mentor"].id, place=1, status="active"))
    db.session.commit()
    needs = section(english(a["principal"]).get("/"), "needs-title")
    text = needs.get_text(" ")
    assert "Nothing waits for you now." in text
    assert "0 " not in text and needs.find("ul") is None
    indonesian = section(client_for(a["principal"]).get("/"), "needs-title").get_text(" ")
    assert "Tidak ada yang menunggu Anda sekarang." in indonesian
    make.user(a["school"], name="Novice One", years=0)
    db.session.commit()
    text = section(english(a["principal"]).get("/"), "needs-title").get_text(" ")
    assert "1 novice without a mentor" in text and "invitation" not in text
    assert "Nothing waits" not in text


# ---------------------------------------------------------------- budgets


def home_queries(client, count_queries) -> int:
    with count_queries() as statements:
        assert client.get("/").status_code == 200
    return len(statements)


def grow(a, make, n: int = 12) -> None:
    """More of everything the home page lists: colleagues in my teams, observations of today
    that I observe, mentees, feedback asked of me, notifications."""
    school = a["school"]
    for i in range(n):
        colleague = make.user(school, name=f"Extra {i:02}", years=1)
        make.team(school, f"Extra team {i:02}", [colleague, a["teacher"], a["principal"]])
        make.invitation(school, a["principal"], email=f"more{i}@test.sch.id")
        db.session.add(MentorPair(school_id=school.id, novice_id=colleague.id,
                                  mentor_id=a["teacher"].id, place=1 + i % 3,
                                  status="active" if i < 3 else "ended"))
    db.session.commit()
    for period in (1, 2, 3):
        observation_today(a, "teacher2" if period == 3 else "mentor", period,
                          observers=["teacher"])


@pytest.mark.dialect
@pytest.mark.parametrize("key", ["teacher", "principal"])
def test_the_home_page_costs_the_same_queries_however_full_the_day(a, make, client_for,
                                                                   count_queries, key):
    c = client_for(a[key])
    few = home_queries(c, count_queries)
    grow(a, make)
    many = home_queries(c, count_queries)
    assert few == many <= HOME_QUERIES[key]
    if key == "teacher":
        assert c.get("/").text.count('class="button primary" href="/observations/') >= 2


@pytest.mark.parametrize("key", ["teacher", "principal"])
def test_the_home_page_first_view_fits_the_budget(a, make, client_for, key):
    grow(a, make)
    assert first_view_size(client_for(a[key]), "/") <= HOME_FIRST_VIEW_BUDGET


def test_the_principals_home_leads_to_the_school_view_and_a_teachers_does_not(a, english):
    view = section(english(a["principal"]).get("/"), "school-view-title")
    assert view.find("a", href="/dashboard/") is not None
    assert section(english(a["teacher"]).get("/"), "school-view-title") is None


def test_a_principal_in_no_team_is_led_to_the_teams_page_not_told_to_ask_the_principal(
        a, english):
    teams = section(english(a["principal"]).get("/"), "teams-title")
    assert "Your principal puts teachers into teams" not in teams.get_text()
    assert teams.find("a", href="/settings/school/teams") is not None
    teacher = section(english(a["teacher2"]).get("/"), "teams-title").get_text()
    assert "Your principal puts teachers into teams" in teacher
