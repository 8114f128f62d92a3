"""The demo data of `flask seed-demo`: two schools with 13 and 4 people, novices, teams,
timetables and observations in every state (one today, observed by guru01); running it again
changes nothing, `--if-empty` leaves a used database alone, the logins work."""

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from collab.assessments.models import (
    Assessment,
    AssessmentRating,
    AssessmentRequest,
    CalibrationRound,
    Rubric,
    RubricVersion,
)
from collab.core.notify import Notification
from collab.demo import seed as demo
from collab.extensions import db
from collab.observations import service as observations
from collab.observations import service_ical as ical
from collab.observations.models import (
    ActionStep,
    Observation,
    ObservationBooking,
    ObservationNote,
    ObservationObserver,
)
from collab.people.models import Membership, Profile, School, Team, TeamMember, User
from collab.rooms.models import BoardNote, Room, RoomMember, RoomMessage
from collab.timetables import service as timetables
from collab.timetables.models import Holiday, Lesson, Period, SchoolClass, Term
from tests.conftest import login

TABLES = (School, User, Membership, Profile, Team, TeamMember, Period, Term, Holiday, Lesson,
          SchoolClass, Observation, ObservationObserver, ObservationBooking, ObservationNote,
          ActionStep, Notification, Room, RoomMember, RoomMessage, BoardNote, Rubric,
          RubricVersion, AssessmentRequest, Assessment, AssessmentRating, CalibrationRound)


def row_counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in TABLES}


def seed(runner, *options):
    result = runner.invoke(args=["seed-demo", *options])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def school_named(name: str) -> School:
    return db.session.scalar(select(School).where(School.name == name))


def people_of(school: School) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.school_id == school.id)))


@pytest.mark.smoke
def test_seeding_twice_gives_the_same_rows(runner):
    first = seed(runner)
    counts = row_counts()

    seed(runner)

    assert row_counts() == counts
    assert "Demo data ready." in first.output
    assert "rembuk-demo" in first.output  # the logins are printed for the newcomer


def test_the_demo_has_two_schools_with_13_and_4_people(runner):
    seed(runner)

    smp, sd = school_named(demo.SMP), school_named(demo.SD)
    assert row_counts()["schools"] == 2
    assert smp.timezone == sd.timezone == "Asia/Jakarta"
    smp_people, sd_people = people_of(smp), people_of(sd)
    assert len(smp_people) == 13
    assert len(sd_people) == 4
    principals = {u.email for u in smp_people + sd_people if u.is_principal}
    assert principals == {"kepsek@demo.sch.id", "kepsek.sd@demo.sch.id"}


def test_guru09_to_guru12_are_the_smp_novices(runner):
    seed(runner)

    smp = people_of(school_named(demo.SMP))
    novices = {u.email for u in smp if u.profile.is_novice}
    assert novices == {f"guru{n:02}@demo.sch.id" for n in range(9, 13)}
    assert all(u.profile.years_teaching < 3 for u in smp if u.email in novices)
    assert all(u.profile.years_teaching >= 3 for u in smp if u.email not in novices)


def test_both_schools_have_teams_of_their_own_teachers(runner):
    seed(runner)

    for school_name, teams in ((demo.SMP, demo.SMP_TEAMS), (demo.SD, demo.SD_TEAMS)):
        school = school_named(school_name)
        found = db.session.scalars(select(Team).where(Team.school_id == school.id)).all()
        assert {t.name for t in found} == set(teams)
        for team in found:
            assert {m.email.split("@")[0] for m in team.members} == set(teams[team.name])
            assert all(m.school_id == school.id for m in team.members)


def test_if_empty_does_nothing_on_a_seeded_database(runner):
    seed(runner)
    counts = row_counts()

    result = seed(runner, "--if-empty")

    assert "demo not seeded" in result.output
    assert row_counts() == counts


def test_if_empty_does_nothing_on_a_database_with_a_real_school(runner, make):
    make.user(make.school("SMP Sungguhan"), role="principal")
    counts = row_counts()

    seed(runner, "--if-empty")

    assert row_counts() == counts
    assert school_named(demo.SMP) is None


def test_if_empty_seeds_an_empty_database(runner):
    result = seed(runner, "--if-empty")
    assert "Demo data ready." in result.output
    assert school_named(demo.SMP) is not None


def test_seeding_again_restores_what_was_deleted(runner):
    seed(runner)
    counts = row_counts()
    team = db.session.scalar(select(Team).where(Team.name == "MGMP IPA"))
    db.session.delete(db.session.get(TeamMember, (team.id, team.members[0].id)))
    db.session.commit()

    seed(runner)

    assert row_counts() == counts


@pytest.mark.parametrize(("email", "principal"), [
    ("kepsek@demo.sch.id", True),
    ("guru09@demo.sch.id", False),
    ("guru.sd03@demo.sch.id", False),
])
def test_demo_logins_work_with_the_demo_password(app, runner, email, principal):
    seed(runner)
    client = app.test_client()

    response = login(client, email, demo.DEMO_PASSWORD)

    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/settings/school/").status_code == (200 if principal else 403)


def test_a_wrong_password_does_not_open_a_demo_account(app, runner):
    seed(runner)
    assert login(app.test_client(), "guru01@demo.sch.id", "rembuk-demo-x").status_code == 400


# ---------------------------------------------------------------- calendar and timetables

TODAY = date(2026, 11, 30)  # the demo's "today": a Monday in the odd semester


def test_the_smp_has_eight_periods_monday_to_thursday_and_a_shorter_friday(runner):
    seed(runner)
    periods = timetables.periods_by_weekday(school_named(demo.SMP).id)
    assert sorted(periods) == [0, 1, 2, 3, 4]  # no lessons on Saturday or Sunday
    monday = periods[0]
    assert len(monday) == 8
    assert (monday[0].starts_at, monday[0].ends_at) == (time(7, 0), time(7, 45))
    assert monday[4].starts_at > monday[3].ends_at  # the break
    assert len(periods[4]) < len(monday)


def test_every_demo_teacher_has_a_timetable_with_free_periods(runner):
    seed(runner)
    for school_name in (demo.SMP, demo.SD):
        school = school_named(school_name)
        slots = sum(len(day) for day in timetables.periods_by_weekday(school.id).values())
        for user in people_of(school):
            if user.is_principal:
                continue
            lessons = timetables.timetable(user)
            assert lessons, user.email
            assert len(lessons) < slots, f"{user.email} has no free period"
            subjects = {lesson.subject for lesson in lessons}
            if school_name == demo.SMP:
                assert subjects <= set(user.profile.subjects), user.email


def test_no_class_and_no_teacher_is_double_booked(runner):
    seed(runner)
    per_class = db.session.execute(
        select(Lesson.school_id, Lesson.class_name, Lesson.weekday, Lesson.period,
               func.count()).group_by(Lesson.school_id, Lesson.class_name, Lesson.weekday,
                                      Lesson.period).having(func.count() > 1)).all()
    assert per_class == []


def test_the_demo_term_covers_today_with_holidays_skipped(runner):
    seed(runner)
    guru01 = db.session.scalar(select(User).where(User.email == "guru01@demo.sch.id"))
    upcoming = timetables.upcoming_lessons(guru01, TODAY, weeks=4)
    dates = {lesson.on for lesson in upcoming}
    assert TODAY in dates or date(2026, 12, 1) in dates
    assert date(2026, 12, 9) not in dates  # the teachers' meeting day
    assert max(dates) <= date(2026, 12, 18)  # the odd semester ends
    school = school_named(demo.SMP)
    assert any(t.starts_on <= TODAY <= t.ends_on for t in timetables.terms(school.id))


def test_someone_is_free_whenever_someone_teaches(runner):
    seed(runner)
    school = school_named(demo.SMP)
    teachers = {u.id for u in people_of(school) if not u.is_principal}
    for weekday, day in timetables.periods_by_weekday(school.id).items():
        on = TODAY + timedelta(days=weekday)
        for period in day:
            busy = timetables.busy_teachers(school.id, on, period.number)
            assert len(teachers - busy) >= 3, (weekday, period.number)


# ---------------------------------------------------------------- observations


def smp_observations() -> list[Observation]:
    school = school_named(demo.SMP)
    return list(db.session.scalars(select(Observation).where(
        Observation.school_id == school.id).order_by(Observation.id)))


def guru01() -> User:
    return db.session.scalar(select(User).where(User.email == "guru01@demo.sch.id"))


def test_guru01_observes_a_lesson_today(runner):
    seed(runner)
    today = observations.school_today(school_named(demo.SMP))
    observer = guru01()
    [observation] = [o for o in smp_observations() if o.lesson_date == today
                     and observations.role_of(o, observer) == "observer"]
    assert observation.state == "scheduled"
    assert observation.teacher_id != observer.id
    booked = db.session.scalars(select(ObservationBooking.user_id).where(
        ObservationBooking.observation_id == observation.id)).all()
    assert sorted(booked) == sorted([observer.id, observation.teacher_id])
    assert not db.session.scalar(select(func.count(Lesson.id)).where(
        Lesson.teacher_id == observer.id, Lesson.weekday == observation.lesson_date.weekday(),
        Lesson.period == observation.period)), "guru01 teaches nothing then"


def test_the_demo_has_an_observation_in_every_state(runner):
    seed(runner)
    school = school_named(demo.SMP)
    today = observations.school_today(school)
    if not any(t.starts_on - timedelta(days=14) <= today <= t.ends_on
               for t in timetables.terms(school.id)):
        pytest.skip("no demo term around today: the demo has only today's observation")
    found = {o.state: o for o in smp_observations()}
    assert set(found) == {"requested", "scheduled", "completed", "debriefed", "declined",
                          "cancelled"}
    completed, debriefed = found["completed"], found["debriefed"]
    assert db.session.scalar(select(func.count(ObservationNote.id)).where(
        ObservationNote.observation_id == completed.id)) > 0, "an observer's notes"
    assert debriefed.reflection
    assert db.session.scalar(select(func.count(ActionStep.id)).where(
        ActionStep.observation_id == debriefed.id)) in (1, 2, 3)
    assert completed.lesson_date < today and debriefed.lesson_date < today
    assert found["requested"].lesson_date > today
    # The bookings are those the services make: the teacher, and each who accepted.
    for observation in smp_observations():
        booked = set(db.session.scalars(select(ObservationBooking.user_id).where(
            ObservationBooking.observation_id == observation.id)))
        accepted = {i.user_id for i in observation.observers if i.status == "accepted"}
        if observation.state in ("declined", "cancelled"):
            assert booked == set(), observation.state
        else:
            assert booked == accepted | {observation.teacher_id}, observation.state


def test_guru01s_feed_has_events_and_the_demo_sends_no_mail(app, runner):
    seed(runner)
    calendar = Calendar.from_ical(ical.feed(guru01(), "http://localhost/"))
    assert len(calendar.walk("VEVENT")) >= 1
    assert not list(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.recipient_id == guru01().id)) > 0, "told in the app"


def test_observations_are_not_made_twice(runner):
    seed(runner)
    before = [(o.teacher_id, o.focus, o.state) for o in smp_observations()]
    seed(runner)
    seed(runner, "--if-empty")
    assert [(o.teacher_id, o.focus, o.state) for o in smp_observations()] == before


def test_the_team_room_of_guru01_and_guru02_has_a_talk_a_board_and_a_finished_protocol(runner):
    from collab.rooms import service_board as room_board
    from collab.rooms.access import room_for
    from collab.rooms.models import BoardNote, Room, RoomMessage

    seed(runner)
    room = db.session.scalar(select(Room).where(Room.kind == "team"))
    guru01, guru02 = (db.session.scalar(select(User).where(User.email == f"{h}@demo.sch.id"))
                      for h in ("guru01", "guru02"))
    assert room_for(guru01, room.id) == room and room_for(guru02, room.id) == room
    authors = set(db.session.scalars(select(RoomMessage.author_id).where(
        RoomMessage.room_id == room.id)))
    assert {guru01.id, guru02.id} <= authors
    board = room_board.board(room)
    assert all(board[column] for column in ("evidence", "wonderings", "suggestions",
                                            "next_steps"))
    assert room.protocol == "lesson_study" and room.protocol_finished_at is not None
    debrief = db.session.scalar(select(Room).where(Room.kind == "observation"))
    cards = db.session.scalars(select(BoardNote).where(BoardNote.room_id == debrief.id)).all()
    assert cards and all(card.source_note_id and card.is_evidence for card in cards)
    assert room_for(guru01, debrief.id) == debrief  # an observer of that lesson


def test_the_demo_has_rubrics_four_assessors_on_one_lesson_and_a_finished_calibration(runner):
    from collab.assessments.models import Assessment, AssessmentRequest, CalibrationRound, Rubric

    seed(runner)
    keys = set(db.session.scalars(select(Rubric.library_key)))
    assert {"pkg", "lesson_study_observation", "plan_quality", None} <= keys
    lesson = db.session.scalar(select(AssessmentRequest).where(
        AssessmentRequest.observation_id.is_not(None)))
    peers = [a for a in lesson.assessments if a.kind == "peer" and a.is_submitted]
    assert len(peers) == 4
    round_ = db.session.scalar(select(CalibrationRound))
    assert round_.closed_at is not None
    assert all(a.is_submitted for a in db.session.scalars(
        select(Assessment).where(Assessment.round_id == round_.id)))
    guru01 = db.session.scalar(select(User).where(User.email == "guru01@demo.sch.id"))
    from collab.assessments import service as assessments

    assert assessments.to_do(guru01)  # the novice's plan waits for guru01's feedback
