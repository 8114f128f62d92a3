"""The calendar feed and .ics files (parsed with icalendar: events, time zone, status, who
sees the focus), the secret feed address (no session needed, replaced, revoked, rate
limited), and the day-before reminders (tomorrow only, once, in the app and by e-mail)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from collab.core.notify import Notification
from collab.extensions import db
from collab.observations import service as observations
from collab.observations import service_ical as ical
from collab.observations.models import CalendarFeed
from tests.conftest import deliver_mail
from tests.integration.test_observations import a, ask, post  # noqa: F401  (fixture `a`)

# Every absolute link and event uid is built from BASE_URL, whatever the Host header.
SITE = "http://127.0.0.1:5000"
FOCUS = "Siapa yang menjelaskan alasannya?"


def fetch(client, token):
    return client.get(f"/observations/calendar.ics?token={token}")


def parsed(response) -> Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def feed_of(app, user) -> str:
    """A new feed token of the user (committed, as the route does)."""
    token = ical.create_feed(user)
    db.session.commit()
    return token


@pytest.fixture
def two(a):  # noqa: F811
    """A scheduled observation of the teacher (the mentor accepted, the principal did not
    answer) and a requested one in period 2 (the mentor invited)."""
    scheduled = ask(a, ["mentor", "principal"])
    observations.accept(scheduled, a["mentor"])
    requested = ask(a, ["mentor"], period=2, skip=2, focus="Apakah kelompok berdiskusi?")
    db.session.commit()
    return scheduled, requested


# ---------------------------------------------------------------- the feed


@pytest.mark.dialect
def test_the_feed_is_valid_icalendar_in_the_schools_time_zone(app, a, two, client):  # noqa: F811
    scheduled, requested = two
    token = feed_of(app, a["teacher"])
    response = fetch(client, token)  # no session: a calendar service fetching
    calendar = parsed(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    assert b"DTSTART;TZID=Asia/Jakarta:" in response.get_data()
    found = events(calendar)
    assert len(found) == 2
    event = found[ical.uid(scheduled, SITE)]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert str(start.tzinfo) == "Asia/Jakarta"
    assert start == scheduled.starts_at and end == scheduled.ends_at
    assert event["STATUS"] == "CONFIRMED"
    assert found[ical.uid(requested, SITE)]["STATUS"] == "TENTATIVE"
    assert str(event["LOCATION"]) == "R1"
    assert FOCUS in str(event["DESCRIPTION"]), "the teacher may read the focus"
    assert str(event["URL"]) == f"{SITE}/observations/{scheduled.id}"
    assert int(event["SEQUENCE"]) == scheduled.version
    assert event.decoded("LAST-MODIFIED") == scheduled.updated_at.replace(microsecond=0)
    assert "7A" in str(event["SUMMARY"]) and "Matematika" in str(event["SUMMARY"])


@pytest.mark.dialect
def test_an_event_keeps_its_uid_and_grows_its_sequence_when_the_observation_changes(
        app, a, two, client):  # noqa: F811
    scheduled, _ = two
    token = feed_of(app, a["mentor"])
    before = events(parsed(fetch(client, token)))[ical.uid(scheduled, SITE)]
    observations.decline(scheduled, a["mentor"], "Sakit")
    observations.accept(scheduled, a["mentor"])
    db.session.commit()
    after = events(parsed(fetch(client, token)))[ical.uid(scheduled, SITE)]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_cancelled_and_declined_observations_leave_the_feed(app, a, two, client):  # noqa: F811
    scheduled, requested = two
    token = feed_of(app, a["mentor"])
    assert len(events(parsed(fetch(client, token)))) == 2
    observations.cancel(scheduled, a["teacher"])
    observations.decline(requested, a["mentor"])
    db.session.commit()
    assert events(parsed(fetch(client, token))) == {}


def test_the_feed_is_in_the_users_language(app, a, two, client):  # noqa: F811
    a["teacher"].language = "id"
    token = feed_of(app, a["teacher"])
    summaries = {str(e["SUMMARY"]) for e in parsed(fetch(client, token)).walk("VEVENT")}
    assert all(s.startswith("Pelajaran saya diamati") for s in summaries), summaries
    a["teacher"].language = "en"
    db.session.commit()
    summaries = {str(e["SUMMARY"]) for e in parsed(fetch(client, token)).walk("VEVENT")}
    assert all(s.startswith("Observed lesson") for s in summaries), summaries


def test_unknown_and_revoked_tokens_are_404(app, a, two, client):  # noqa: F811
    assert client.get("/observations/calendar.ics").status_code == 404
    assert fetch(client, "not-a-token").status_code == 404
    old = feed_of(app, a["teacher"])
    new = feed_of(app, a["teacher"])
    assert fetch(client, old).status_code == 404, "a new address replaces the old one"
    assert fetch(client, new).status_code == 200
    assert ical.revoke_feed(a["teacher"])
    db.session.commit()
    assert fetch(client, new).status_code == 404
    stored = db.session.scalars(select(CalendarFeed.token_hash)).all()
    assert new not in stored and old not in stored, "only hashes are kept"


def test_my_feed_never_holds_another_users_observations(app, a, two, world, client):  # noqa: F811
    token = feed_of(app, a["teacher2"])  # takes part in nothing
    response = fetch(client, token)
    assert events(parsed(response)) == {}
    assert FOCUS.encode() not in response.get_data()
    other = feed_of(app, world["b"]["principal"])
    assert events(parsed(fetch(client, other))) == {}


def test_a_principal_invited_but_not_accepted_gets_no_focus(app, a, two, client):  # noqa: F811
    scheduled, _ = two
    token = feed_of(app, a["principal"])
    response = fetch(client, token)
    found = events(parsed(response))
    assert list(found) == [ical.uid(scheduled, SITE)], \
        "only what the principal was invited to, not every observation of the school"
    assert FOCUS.encode() not in response.get_data()
    assert b"Apakah kelompok" not in response.get_data()
    assert found[ical.uid(scheduled, SITE)]["STATUS"] == "TENTATIVE", \
        "scheduled, but the principal has not said they come"


def test_guessing_tokens_is_rate_limited(app, a, two, client):  # noqa: F811
    app.config["CALENDAR_FEED_MISS_LIMIT"] = "3 per hour"
    token = feed_of(app, a["teacher"])
    assert fetch(client, token).status_code == 200, "a working address costs nothing"
    assert [fetch(client, f"guess{i}").status_code for i in range(4)] == [404, 404, 404, 429]


# ---------------------------------------------------------------- my week's feed section


def test_my_week_makes_shows_once_and_stops_the_address(app, a, two, client_for, client):  # noqa: F811
    teacher = client_for(a["teacher"])
    teacher.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = teacher.get("/observations/")
    assert "Subscribe in Google Calendar or on your phone" in page.text
    assert 'id="feed-address"' not in page.text
    made = post(teacher, "/observations/calendar/token", {}, page="/observations/")
    assert made.status_code == 302
    shown = teacher.get("/observations/").text
    address = re.search(r'id="feed-address" type="url" readonly value="([^"]+)"', shown)[1]
    assert address.startswith(f"{SITE}/observations/calendar.ics?token=")
    assert "webcal://127.0.0.1:5000/observations/calendar.ics?token=" in shown
    assert 'id="feed-address"' not in teacher.get("/observations/").text, "shown only once"
    token = address.split("token=")[1]
    assert len(events(parsed(fetch(client, token)))) == 2
    stopped = post(teacher, "/observations/calendar/token/delete", {}, page="/observations/")
    assert stopped.status_code == 302
    assert fetch(client, token).status_code == 404
    assert db.session.scalar(select(CalendarFeed)) is None


def test_the_address_cannot_be_made_without_the_csrf_token(a, client_for):  # noqa: F811
    teacher = client_for(a["teacher"])
    assert teacher.post("/observations/calendar/token").status_code == 400
    assert db.session.scalar(select(CalendarFeed)) is None


# ---------------------------------------------------------------- one observation's file


def test_one_observation_as_an_ics_file(a, two, world, client_for):  # noqa: F811
    scheduled, _ = two
    path = f"/observations/{scheduled.id}.ics"
    teacher = client_for(a["teacher"])
    assert f'href="{path}"' in teacher.get(f"/observations/{scheduled.id}").text
    response = teacher.get(path)
    calendar = parsed(response)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == scheduled.starts_at
    assert FOCUS in str(event["DESCRIPTION"])
    principal = client_for(a["principal"])  # invited, not answered: no content
    assert FOCUS.encode() not in principal.get(path).get_data()
    assert client_for(a["teacher2"]).get(path).status_code == 404
    assert client_for(world["b"]["principal"]).get(path).status_code == 404


# ---------------------------------------------------------------- reminders


def outbox(app, deliver: bool = True) -> list[Path]:
    """The mails sent: what the outbox's sender sends of the committed rows (`deliver`), or
    only what it has sent so far."""
    if deliver:
        deliver_mail(app)
    return sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))


def test_reminders_go_the_day_before_once_to_the_teacher_and_accepted_observers(
        app, a, runner):  # noqa: F811
    today = observations.school_today(a["school"])
    tomorrow = ask(a, ["mentor", "principal"])
    observations.accept(tomorrow, a["mentor"])  # the principal does not answer
    later = ask(a, ["mentor"], period=2)
    observations.accept(later, a["mentor"])
    waiting = ask(a, ["principal"], period=1, skip=3)  # requested: nobody comes yet
    db.session.commit()
    # The dates are what matters here, whatever weekday the test runs on.
    tomorrow.lesson_date = waiting.lesson_date = today + timedelta(days=1)
    later.lesson_date = today + timedelta(days=2)
    db.session.commit()
    mails_before = len(outbox(app))

    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    assert "2 reminder(s) sent." in first.output
    db.session.expire_all()
    reminded = db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "observation.reminder")).all()
    assert sorted(reminded) == sorted([a["teacher"].id, a["mentor"].id])
    assert tomorrow.teacher_reminded_at is not None
    assert {i.user_id: i.reminded_at is not None for i in tomorrow.observers} == {
        a["mentor"].id: True, a["principal"].id: False}
    mails = outbox(app)[mails_before:]
    assert len(mails) == 2
    text = mails[0].read_text()
    assert "7A" in text and f"{app.config['BASE_URL']}/observations/{tomorrow.id}" in text

    second = runner.invoke(args=["send-reminders"])
    assert "0 reminder(s) sent." in second.output
    assert len(outbox(app)) == mails_before + 2
    assert db.session.scalar(select(Notification.id).where(
        Notification.kind == "observation.reminder").offset(2)) is None


@pytest.mark.dialect
def test_a_savepoint_does_not_send_the_mails_of_its_transaction_early(app, a):  # noqa: F811
    before = len(outbox(app))
    observation = ask(a, ["mentor", "principal"])  # committed: two invitation mails
    assert len(outbox(app)) == before + 2
    observations.decline(observation, a["principal"])  # a mail to the teacher, queued
    observations.accept(observation, a["mentor"])  # books in a savepoint
    assert len(outbox(app, deliver=False)) == before + 2, "nothing sent before the commit"
    db.session.rollback()
    assert len(outbox(app)) == before + 2, "a rolled-back change sends nothing"
