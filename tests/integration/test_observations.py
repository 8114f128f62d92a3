"""Observations from request to debrief: choosing a real lesson, suggested observers (free
colleagues only, with reasons), answers, the state machine and its refusals, no double
booking (also under a race), notifications and e-mail, privacy of notes and reflection."""

import threading
from datetime import date, time, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from collab.core.activity import ActivityEvent
from collab.core.models import utcnow
from collab.core.notify import Notification
from collab.extensions import db
from collab.observations import service as observations
from collab.observations import service_notes as observation_notes
from collab.observations.models import ActionStep, Observation, ObservationBooking
from collab.observations.service import RequestFields
from collab.timetables import service as timetables
from collab.timetables.service import LessonSlot
from tests.conftest import csrf_token, deliver_mail


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


PERIODS = [(time(7 + (i * 45) // 60, (i * 45) % 60), time(7 + ((i + 1) * 45) // 60,
                                                          ((i + 1) * 45) % 60))
           for i in range(8)]


@pytest.fixture
def a(world):
    """School A with a calendar: periods Monday to Friday, a term around today, and
    timetables: the teacher teaches periods 1 and 2 every day (Matematika, 7A and 8B),
    the second teacher teaches period 1 (IPA, 7B), the mentor period 3 (Matematika, 7C);
    the principal teaches nothing and has no subject in their profile."""
    school = world["a"]["school"]
    world["a"]["principal"].profile.subjects = []
    world["a"]["principal"].profile.grades = []
    for weekday in range(5):
        timetables.set_periods(school, weekday, PERIODS)
    today = observations.school_today(school)
    timetables.add_term(school, "Semester", today - timedelta(days=60),
                        today + timedelta(days=120))
    week = range(5)
    timetables.save_timetable(world["a"]["teacher"], [
        *(LessonSlot(d, 1, "7A", "Matematika", "R1") for d in week),
        *(LessonSlot(d, 2, "8B", "Matematika", "R2") for d in week)])
    timetables.save_timetable(world["a"]["teacher2"], [
        LessonSlot(d, 1, "7B", "IPA", "Lab") for d in week])
    timetables.save_timetable(world["a"]["mentor"], [
        LessonSlot(d, 3, "7C", "Matematika", "R3") for d in week])
    db.session.commit()
    return world["a"]


def future_lesson(teacher, period=1, skip=1):
    """A requestable lesson of the teacher in `period`, at least `skip` days ahead."""
    today = observations.school_today(teacher.membership.school)
    return next(o for o in observations.requestable_lessons(teacher)
                if o.period == period and o.on >= today + timedelta(days=skip))


def ask(a, observers, period=1, skip=1, focus="Siapa yang menjelaskan alasannya?"):
    lesson = future_lesson(a["teacher"], period, skip)
    observation = observations.request(a["teacher"], RequestFields(
        lesson=observations.lesson_key(lesson), focus=focus,
        observer_ids=[a[o].id for o in observers]))
    db.session.commit()
    return observation


def post(client, path, data, page=None):
    token = csrf_token(client.get(page or path).text)
    return client.post(path, data={**data, "csrf_token": token})


def answer(client, observation, **data):
    return post(client, f"/observations/{observation.id}/answer", data,
                page=f"/observations/{observation.id}")


def started(observation):
    """Pretend the lesson began a minute ago (notes can be taken from then on)."""
    observation.starts_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def ended(observation):
    """Pretend the lesson ran from 50 to 5 minutes ago (notes can be submitted)."""
    observation.starts_at = utcnow() - timedelta(minutes=50)
    observation.ends_at = utcnow() - timedelta(minutes=5)
    db.session.commit()


# ---------------------------------------------------------------- requesting


def test_the_teacher_picks_a_real_lesson_and_free_colleagues_are_suggested(a, client_for):
    client = client_for(a["teacher"])
    picker = soup(client.get("/observations/new"))
    links = [x["href"] for x in picker.select("main ul.choices a")]
    assert links and all("lesson=" in link for link in links)
    lesson = future_lesson(a["teacher"])
    key = observations.lesson_key(lesson)
    page = soup(client.get(f"/observations/new?lesson={key}"))
    names = [label.get_text(strip=True) for label in page.select("ul.suggestions label")]
    assert a["teacher2"].name not in names, "teaching then: never suggested"
    assert a["teacher"].name not in names
    assert names[0] == a["mentor"].name, "same subject and grade rank first"
    assert a["principal"].name in names
    reasons = page.select("ul.suggestions li")[0].get_text(" ", strip=True)
    assert "Matematika" in reasons and "0" in reasons


def test_a_request_invites_the_observers_by_notification_and_mail(a, client_for, app):
    client = client_for(a["teacher"])
    key = observations.lesson_key(future_lesson(a["teacher"]))
    response = post(client, "/observations/new", {
        "lesson": key, "focus": "Bagaimana siswa menjelaskan?", "plan_id": "",
        "observers": [str(a["mentor"].id), str(a["principal"].id)]},
        page=f"/observations/new?lesson={key}")
    assert response.status_code == 302, response.text
    observation = db.session.scalar(select(Observation))
    assert response.headers["Location"] == f"/observations/{observation.id}"
    assert observation.state == "requested" and observation.class_name == "7A"
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.recipient_id.in_([a["mentor"].id, a["principal"].id]))).all()
    assert kinds == ["observation.requested"] * 2
    deliver_mail(app)
    outbox = list((app.instance_path and __import__("pathlib").Path(
        app.config["MAIL_OUTBOX"])).glob("*.eml"))
    assert len(outbox) == 2
    assert db.session.scalar(select(ActivityEvent.verb).where(
        ActivityEvent.object_type == "observation")) == "observation.requested"


@pytest.mark.parametrize(("changes", "message"), [
    ({"focus": ""}, "Write the focus of the observation."),
    ({"observers": []}, "Choose one to 5 observers."),
    ({"observers": ["teacher2"]}, "Choose colleagues from the list: they are free then."),
    ({"focus": "x" * 501}, "At most 500 characters."),
], ids=["no focus", "no observer", "busy colleague", "long focus"])
def test_a_wrong_request_keeps_what_was_typed(a, client_for, changes, message):
    client = client_for(a["teacher"])
    key = observations.lesson_key(future_lesson(a["teacher"]))
    data = {"lesson": key, "focus": "Fokus saya", "plan_id": "",
            "observers": [str(a["mentor"].id)], **changes}
    data["observers"] = [str(a[o].id) if o in a else o for o in data["observers"]] \
        if changes.get("observers") else data["observers"]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = post(client, "/observations/new", data, page=f"/observations/new?lesson={key}")
    assert response.status_code == 400
    assert message in response.text
    assert soup(response).find("textarea", attrs={"name": "focus"}).get_text().strip() == \
        data["focus"].strip()
    assert db.session.scalar(select(func.count(Observation.id))) == 0


def test_every_problem_of_a_request_is_marked_at_once(a, client_for):
    client = client_for(a["teacher"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    key = observations.lesson_key(future_lesson(a["teacher"]))
    response = post(client, "/observations/new", {"lesson": key, "focus": "", "plan_id": ""},
                    page=f"/observations/new?lesson={key}")
    assert response.status_code == 400
    errors = [p.get_text(strip=True) for p in soup(response).select("main p.error")]
    assert errors == ["Write the focus of the observation.", "Choose one to 5 observers."]


def test_the_service_names_every_problem_too():
    with pytest.raises(observations.RequestProblems) as refused:
        raise observations.RequestProblems([
            observations.ObservationError("focus_missing", "focus"),
            observations.ObservationError("observer_count", "observers")])
    assert [p.field for p in refused.value.problems] == ["focus", "observers"]


def test_a_lesson_already_asked_for_is_marked_and_refused_with_why(a, client_for):
    observation = ask(a, ["mentor"])
    client = client_for(a["teacher"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    key = f"{observation.lesson_date.isoformat()}:{observation.period}"
    picker = soup(client.get("/observations/new"))
    taken = picker.select("main ul.choices li.taken")
    assert len(taken) == 1
    assert taken[0].a["href"] == f"/observations/{observation.id}"
    assert f"lesson={key}" not in str(picker)  # no way to ask for it again
    refused = client.get(f"/observations/new?lesson={key}")
    assert refused.status_code == 409
    assert "Colleagues are already asked to observe this lesson." in refused.text
    # A form sent for it anyway (an older tab) says so beside the lesson, keeping the focus.
    response = post(client, "/observations/new", {
        "lesson": key, "focus": "Fokus lain", "plan_id": "",
        "observers": [str(a["principal"].id)]}, page="/observations/new")
    assert response.status_code == 400
    lesson_error = soup(response).select_one("#lesson-error")
    assert lesson_error.get_text(strip=True) == (
        "Colleagues are already asked to observe this lesson.")
    assert "Fokus lain" in response.text


def test_a_plan_leads_to_a_request_that_links_it(a, client_for):
    from collab.plans import service as plans
    from collab.plans.service import PlanFields

    plan = plans.create(a["teacher"], PlanFields(title="Pelajaran riset", body="## Pembuka\n",
                                                 visibility="school"))
    db.session.commit()
    client = client_for(a["teacher"])
    assert f"/observations/new?plan={plan.id}" in client.get(f"/plans/{plan.id}").text
    picker = soup(client.get(f"/observations/new?plan={plan.id}"))
    link = picker.select_one("main ul.choices a")["href"]
    assert f"plan={plan.id}" in link
    form = soup(client.get(link))
    chosen = form.find("select", attrs={"name": "plan_id"}).find("option", selected=True)
    assert chosen["value"] == str(plan.id)


def test_a_lesson_that_is_not_the_teachers_is_refused(a, client_for):
    client = client_for(a["teacher"])
    assert client.get("/observations/new?lesson=2001-01-01:1").status_code == 400
    mentor_lesson = future_lesson(a["mentor"], period=3)
    assert client.get(
        f"/observations/new?lesson={observations.lesson_key(mentor_lesson)}").status_code == 400


@pytest.mark.dialect
def test_the_same_lesson_cannot_be_requested_twice(a):
    ask(a, ["mentor"])
    with pytest.raises(observations.IllegalMove):
        ask(a, ["principal"])


# ---------------------------------------------------------------- answers and states


@pytest.mark.smoke
def test_accepting_schedules_and_books_the_observer(a, client_for):
    observation = ask(a, ["mentor", "principal"])
    response = answer(client_for(a["mentor"]), observation, answer="accept")
    assert response.status_code == 302
    db.session.refresh(observation)
    assert observation.state == "scheduled"
    booked = db.session.scalars(select(ObservationBooking.user_id).where(
        ObservationBooking.observation_id == observation.id)).all()
    assert sorted(booked) == sorted([a["teacher"].id, a["mentor"].id])
    assert db.session.scalar(select(Notification.kind).where(
        Notification.recipient_id == a["teacher"].id)) == "observation.accepted"


def test_when_every_observer_declines_the_request_is_declined(a, client_for):
    observation = ask(a, ["mentor", "principal"])
    assert answer(client_for(a["mentor"]), observation, answer="decline",
                  note="Rapat MGMP").status_code == 302
    db.session.refresh(observation)
    assert observation.state == "requested"
    assert answer(client_for(a["principal"]), observation, answer="decline").status_code == 302
    db.session.refresh(observation)
    assert observation.state == "declined"
    assert db.session.scalar(select(func.count(ObservationBooking.id))) == 0
    assert "Rapat MGMP" in client_for(a["teacher"]).get(f"/observations/{observation.id}").text


def test_an_observer_proposes_another_lesson_and_the_teacher_moves_there(a, client_for):
    observation = ask(a, ["mentor", "principal"])
    assert answer(client_for(a["principal"]), observation, answer="accept").status_code == 302
    other = future_lesson(a["teacher"], period=2, skip=2)
    key = observations.lesson_key(other)
    # The other-lesson picker reads like the rest of the pages, not "2026-12-08".
    mentor_page = client_for(a["mentor"])
    mentor_page.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    option = soup(mentor_page.get(f"/observations/{observation.id}")).find(
        "option", attrs={"value": key})
    assert option.get_text().startswith(other.on.strftime("%A, %b %-d, %Y")), option
    assert answer(client_for(a["mentor"]), observation, answer="propose", lesson=key,
                  note="Saya mengajar pagi").status_code == 302
    teacher = client_for(a["teacher"])
    moved = post(teacher, f"/observations/{observation.id}/proposals/{a['mentor'].id}", {},
                 page=f"/observations/{observation.id}")
    assert moved.status_code == 302
    db.session.refresh(observation)
    assert (observation.lesson_date, observation.period) == (other.on, 2)
    assert observation.class_name == "8B" and observation.state == "scheduled"
    statuses = {i.user_id: i.status for i in observation.observers}
    assert statuses == {a["mentor"].id: "accepted", a["principal"].id: "invited"}, \
        "who accepted the old time is asked again"


def test_the_teacher_cancels_and_everyone_is_freed(a, client_for):
    observation = ask(a, ["mentor"])
    answer(client_for(a["mentor"]), observation, answer="accept")
    teacher = client_for(a["teacher"])
    path = f"/observations/{observation.id}"
    # The observation page only leads to the question; the question's button cancels.
    assert f'action="{path}/cancel"' not in teacher.get(path).text
    question = teacher.get(f"{path}/cancel")
    assert question.status_code == 200 and 'name="confirm"' in question.text
    assert a["mentor"].name in question.text  # who will be told
    not_yet = post(teacher, f"{path}/cancel", {}, page=f"{path}/cancel")
    assert not_yet.status_code == 200
    db.session.refresh(observation)
    assert observation.state == "scheduled"
    assert teacher.post(f"{path}/cancel", data={"confirm": "1"}).status_code == 400  # no CSRF
    response = post(teacher, f"{path}/cancel", {"confirm": "1"}, page=f"{path}/cancel")
    assert response.status_code == 302
    db.session.refresh(observation)
    assert observation.state == "cancelled"
    assert db.session.scalar(select(func.count(ObservationBooking.id))) == 0


@pytest.mark.parametrize("move", ["accept after cancel", "cancel twice", "debrief early",
                                  "submit before the lesson", "propose after accepting"])
def test_every_illegal_move_is_refused_with_409(a, client_for, move):
    observation = ask(a, ["mentor"])
    mentor, teacher = client_for(a["mentor"]), client_for(a["teacher"])
    if move == "accept after cancel":
        observations.cancel(observation, a["teacher"])
        db.session.commit()
        assert answer(mentor, observation, answer="accept").status_code == 409
    elif move == "cancel twice":
        observations.cancel(observation, a["teacher"])
        db.session.commit()
        assert post(teacher, f"/observations/{observation.id}/cancel", {"confirm": "1"},
                    page=f"/observations/{observation.id}").status_code == 409
        assert teacher.get(f"/observations/{observation.id}/cancel").status_code == 409
    elif move == "debrief early":
        assert teacher.get(f"/observations/{observation.id}/debrief").status_code == 409
        with pytest.raises(observations.IllegalMove):
            observations.debrief(observation, a["teacher"], "Refleksi", [])
    elif move == "submit before the lesson":
        observations.accept(observation, a["mentor"])
        db.session.commit()
        with pytest.raises(observations.IllegalMove):
            observations.submit_notes(observation, a["mentor"])
    else:
        observations.accept(observation, a["mentor"])
        db.session.commit()
        key = observations.lesson_key(future_lesson(a["teacher"], period=2, skip=2))
        assert answer(mentor, observation, answer="propose", lesson=key).status_code == 409
    db.session.rollback()


def test_people_who_may_not_make_a_move_are_refused(a, world, client_for):
    observation = ask(a, ["mentor"])
    path = f"/observations/{observation.id}"
    # A colleague who is not invited does not see it; another school's principal neither.
    assert client_for(a["teacher2"]).get(path).status_code == 404
    assert client_for(world["b"]["principal"]).get(path).status_code == 404
    # The invited observer may not cancel; the teacher may not answer for an observer.
    assert post(client_for(a["mentor"]), f"{path}/cancel", {"confirm": "1"},
                page=path).status_code == 403
    assert client_for(a["mentor"]).get(f"{path}/cancel").status_code == 403
    assert answer(client_for(a["teacher"]), observation, answer="accept").status_code == 403
    with pytest.raises(observations.NotAllowed):
        observations.cancel(observation, a["mentor"])


# ---------------------------------------------------------------- no double booking


@pytest.mark.dialect
def test_an_observer_already_booked_at_that_time_cannot_accept_another(a, world, make):
    first = ask(a, ["mentor"])
    observations.accept(first, a["mentor"])
    db.session.commit()
    # The principal's lesson-free time: a second teacher asks the mentor for the same slot.
    colleague = make.user(a["school"], name="Guru Lain")
    timetables.save_timetable(colleague, [LessonSlot(d, 1, "9A", "IPS", "") for d in range(5)])
    db.session.commit()
    lesson = next(o for o in observations.requestable_lessons(colleague)
                  if (o.on, o.period) == (first.lesson_date, first.period))
    with pytest.raises(observations.ObservationError) as refused:
        observations.request(colleague, RequestFields(
            lesson=observations.lesson_key(lesson), focus="Fokus",
            observer_ids=[a["mentor"].id]))
    assert refused.value.code == "observer_busy"
    db.session.rollback()


@pytest.mark.dialect
def test_two_acceptances_racing_for_one_slot_cannot_both_succeed(a, make, client_for):
    """The mentor is invited to two lessons at the same time by two teachers and accepts
    both at once, from two browsers: one acceptance wins, the other is a 409."""
    first = ask(a, ["mentor"])
    colleague = make.user(a["school"], name="Guru Lain")
    timetables.save_timetable(colleague, [LessonSlot(d, 1, "9A", "IPS", "") for d in range(5)])
    db.session.commit()
    lesson = next(o for o in observations.requestable_lessons(colleague)
                  if (o.on, o.period) == (first.lesson_date, first.period))
    second = observations.request(colleague, RequestFields(
        lesson=observations.lesson_key(lesson), focus="Fokus", observer_ids=[a["mentor"].id]))
    db.session.commit()
    clients = [client_for(a["mentor"]), client_for(a["mentor"])]
    tokens = [csrf_token(c.get(f"/observations/{o.id}").text)
              for c, o in zip(clients, (first, second), strict=True)]
    start = threading.Barrier(2)
    statuses = []

    paths = [f"/observations/{o.id}/answer" for o in (first, second)]

    def accept(index):
        # Only the clients here: the test's database session belongs to the test's thread.
        start.wait()
        response = clients[index].post(paths[index],
                                       data={"answer": "accept", "csrf_token": tokens[index]})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 409], statuses
    db.session.rollback()
    assert db.session.scalar(select(func.count(ObservationBooking.id)).where(
        ObservationBooking.user_id == a["mentor"].id)) == 1


# ---------------------------------------------------------------- after the lesson


def completed(a):
    observation = ask(a, ["mentor"])
    observations.accept(observation, a["mentor"])
    db.session.commit()
    ended(observation)
    notes = observation_notes.clean_batch({"notes": [
        {"client_id": "n1", "text": "Kelompok 3 berdebat tentang pecahan.", "tag": "learning",
         "at_seconds": 300, "seat": "r2c3"},
        {"client_id": "m1", "kind": "mode", "text": "groups", "at_seconds": 120}]},
        observation_notes.seating(observation), set())
    observation_notes.sync(observation, a["mentor"], notes)
    observations.submit_notes(observation, a["mentor"])
    db.session.commit()
    return observation


@pytest.mark.smoke
def test_the_debrief_turns_notes_into_a_reflection_and_action_steps(a, client_for):
    observation = completed(a)
    assert observation.state == "completed"
    teacher = client_for(a["teacher"])
    teacher.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = teacher.get(f"/observations/{observation.id}/debrief")
    assert page.status_code == 200
    assert "Kelompok 3 berdebat" in page.text and "Groups" in page.text
    due = (observations.school_today(a["school"]) + timedelta(days=14)).isoformat()
    bad = post(teacher, f"/observations/{observation.id}/debrief", {
        "reflection": "Saya akan memberi waktu berpikir.", "actions-0-text": "Waktu tunggu",
        "actions-0-due_on": "2001-01-01"}, page=f"/observations/{observation.id}/debrief")
    assert bad.status_code == 400
    assert "Choose a due date from today to one year ahead." in bad.text
    assert "Saya akan memberi waktu berpikir." in bad.text, "the reflection is kept"
    good = post(teacher, f"/observations/{observation.id}/debrief", {
        "reflection": "Saya akan memberi waktu berpikir.", "actions-0-text": "Waktu tunggu",
        "actions-0-due_on": due}, page=f"/observations/{observation.id}/debrief")
    assert good.status_code == 302
    db.session.refresh(observation)
    assert observation.state == "debriefed"
    step = db.session.scalar(select(ActionStep))
    assert step.text == "Waktu tunggu" and step.due_on == date.fromisoformat(due)
    assert "Waktu tunggu" in teacher.get("/").text, "the action step is on the home page"
    done = post(teacher, f"/observations/actions/{step.id}/done", {}, page="/")
    assert done.status_code == 302
    db.session.refresh(step)
    assert step.done_at is not None
    assert "Waktu tunggu" not in teacher.get("/").text


def test_the_principal_sees_that_it_happened_but_not_what_was_written(a, client_for):
    observation = completed(a)
    principal = client_for(a["principal"])  # not invited: sees it as the principal
    page = principal.get(f"/observations/{observation.id}")
    assert page.status_code == 200
    assert a["teacher"].name in page.text and a["mentor"].name in page.text
    assert "Siapa yang menjelaskan" not in page.text, "the focus is content"
    assert principal.get(f"/observations/{observation.id}/debrief").status_code == 403
    mentor = client_for(a["mentor"])
    assert "Kelompok 3 berdebat" in mentor.get(f"/observations/{observation.id}/debrief").text
