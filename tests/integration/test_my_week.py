"""My week (/observations/): my lessons on the school days of the week with their times, the
observations of my lessons marked on them, those I observe, the invitations waiting for my
answer, my action steps and the calendar feed's state; the same few queries however full the
week."""

from datetime import time, timedelta

import pytest
from bs4 import BeautifulSoup

from collab.extensions import db
from collab.observations.models import ActionStep, CalendarFeed, Observation, ObservationObserver
from collab.observations.service import school_today
from collab.timetables import service as timetables
from collab.timetables.service import LessonSlot

PERIODS = [(time(7, 0), time(7, 45)), (time(7, 45), time(8, 30)), (time(8, 30), time(9, 15))]
# The signed-in user, the week's terms, holidays, action steps and feed, its observations and
# invitations, my lessons, the bell's count.
MY_WEEK_QUERIES = 5


@pytest.fixture
def a(world):
    """School A, periods Monday to Friday, a term around today; the teacher teaches 7A in
    period 1 and 8B in period 2 every school day."""
    school = world["a"]["school"]
    for weekday in range(5):
        timetables.set_periods(school, weekday, PERIODS)
    today = school_today(school)
    timetables.add_term(school, "Semester", today - timedelta(days=60),
                        today + timedelta(days=120))
    timetables.save_timetable(world["a"]["teacher"], [
        *(LessonSlot(d, 1, "7A", "Matematika", "R1") for d in range(5)),
        *(LessonSlot(d, 2, "8B", "Matematika", "R2") for d in range(5))])
    db.session.commit()
    return world["a"]


@pytest.fixture
def monday(a):
    """Next week's Monday: every day of it lies ahead."""
    today = school_today(a["school"])
    return today + timedelta(days=7 - today.weekday())


def page(client_for, user, monday):
    c = client_for(user)
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = c.get(f"/observations/?week={monday.isoformat()}")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def days(soup) -> dict[str, str]:
    """{day heading: the day's text} of the week's cards."""
    return {li.h2.get_text(" ", strip=True): " ".join(li.get_text(" ").split())
            for li in soup.select("li.week-day")}


def observation(a, teacher_key, on, period, observers=(), state="requested"):
    school = a["school"]
    starts, ends = PERIODS[period - 1]
    found = Observation(
        school_id=school.id, teacher_id=a[teacher_key].id, lesson_date=on, period=period,
        class_name="7A", subject="Matematika", room="R1", focus="Siapa yang bertanya?",
        state=state, starts_at=timetables.to_utc(school, on, starts),
        ends_at=timetables.to_utc(school, on, ends))
    db.session.add(found)
    db.session.flush()
    for key, status in observers:
        db.session.add(ObservationObserver(observation_id=found.id, user_id=a[key].id,
                                           status=status))
    db.session.commit()
    return found


def test_my_lessons_are_listed_on_school_days_with_their_times_and_none_on_a_holiday(
        a, client_for, monday):
    timetables.add_holiday(a["school"], "Libur", monday + timedelta(days=2))
    db.session.commit()
    week = days(page(client_for, a["teacher"], monday))
    assert len(week) == 5, "the weekend has no lessons and is left out"
    first = next(text for heading, text in week.items() if heading.startswith("Monday"))
    assert "Period 1 07:00–07:45 · 7A · Matematika" in first
    assert "Period 2 07:45–08:30 · 8B · Matematika" in first
    assert first.index("Period 1") < first.index("Period 2")
    holiday = next(text for heading, text in week.items() if heading.startswith("Wednesday"))
    assert "No lessons." in holiday and "Period" not in holiday


def test_an_observed_lesson_is_marked_and_the_observer_sees_it_and_the_invitation(
        a, client_for, monday):
    tuesday = monday + timedelta(days=1)
    observed = observation(a, "teacher", tuesday, 2,
                           observers=[("mentor", "invited"), ("teacher2", "declined")])
    mine = days(page(client_for, a["teacher"], monday))
    text = next(text for heading, text in mine.items() if heading.startswith("Tuesday"))
    assert "8B · Matematika · observed: Waiting for answers" in text
    assert text.count("observed:") == 1

    invited = page(client_for, a["mentor"], monday)
    waiting = invited.find("section", attrs={"aria-labelledby": "waiting-title"})
    assert waiting.a["href"] == f"/observations/{observed.id}"
    assert "Teacher A" in waiting.get_text() and "period 2" in waiting.get_text()
    day = next(text for heading, text in days(invited).items()
               if heading.startswith("Tuesday"))
    assert "Period 2 07:45–08:30 · Observing Teacher A, class 7A · Waiting for answers" in day

    declined = page(client_for, a["teacher2"], monday)
    assert declined.find("section", attrs={"aria-labelledby": "waiting-title"}) is None
    assert "Observing" not in declined.get_text()


def test_a_cancelled_observation_and_one_of_another_week_are_not_listed(
        a, client_for, monday):
    observation(a, "teacher", monday, 1, observers=[("mentor", "accepted")],
                state="cancelled")
    observation(a, "teacher", monday + timedelta(days=7), 1,
                observers=[("mentor", "accepted")], state="scheduled")
    assert "Observing" not in page(client_for, a["mentor"], monday).get_text()
    assert "observed:" not in page(client_for, a["teacher"], monday).get_text()


def test_my_action_steps_and_my_calendar_feed_are_shown(a, client_for, monday):
    lesson = observation(a, "teacher", monday - timedelta(days=14), 1, state="debriefed")
    db.session.add_all([
        ActionStep(observation_id=lesson.id, owner_id=a["teacher"].id, text="Tanya lebih",
                   due_on=monday + timedelta(days=3)),
        ActionStep(observation_id=lesson.id, owner_id=a["teacher"].id, text="Kelompok kecil",
                   due_on=monday + timedelta(days=1))])
    db.session.commit()
    soup = page(client_for, a["teacher"], monday)
    steps = soup.find("section", attrs={"aria-labelledby": "actions-title"})
    assert [li.get_text().split(" · ")[0] for li in steps.select("li")] == [
        "Kelompok kecil", "Tanya lebih"]
    assert "Make my calendar address" in soup.get_text()
    db.session.add(CalendarFeed(user_id=a["teacher"].id, token_hash="0" * 64))
    db.session.commit()
    assert "Make a new address" in page(client_for, a["teacher"], monday).get_text()
    assert page(client_for, a["mentor"], monday).find(
        "section", attrs={"aria-labelledby": "actions-title"}) is None


@pytest.mark.dialect
def test_my_week_costs_the_same_few_queries_however_full(a, client_for, count_queries,
                                                         monday):
    c = client_for(a["mentor"])
    url = f"/observations/?week={monday.isoformat()}"
    with count_queries() as few:
        assert c.get(url).status_code == 200
    for day in range(5):
        for period in (1, 2):
            observation(a, "teacher", monday + timedelta(days=day), period,
                        observers=[("mentor", "accepted" if period == 1 else "invited")])
    timetables.add_holiday(a["school"], "Libur", monday + timedelta(days=4))
    db.session.commit()
    with count_queries() as many:
        assert c.get(url).status_code == 200
    assert len(many) == len(few) <= MY_WEEK_QUERIES, "\n".join(many)
