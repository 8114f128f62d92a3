"""Mentoring, a pair's life (issue 12): the 14-day nudge of `flask send-reminders`, the
novice's thank-you notes and the mentor's profile, ending with both reflections (by a
teacher or on the principal's end date), and a novice taking back their request."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from collab.core.models import utcnow
from collab.core.notify import Notification
from collab.extensions import db
from collab.mentoring import service as mentoring
from collab.mentoring import service_life as life
from collab.mentoring import service_space as space
from collab.mentoring.models import MentorPair, ThankYou
from collab.mentoring.service_life import LifeError
from tests.conftest import post_form
from tests.integration.test_mentoring import _active_pair, school  # noqa: F401  (fixture)


def notes_of(user, kind):
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == kind)))


def started_days_ago(pair, days):
    pair.started_at = utcnow() - timedelta(days=days)
    pair.created_at = pair.started_at
    db.session.commit()


# ---------------------------------------------------------------- the 14-day nudge


def test_a_quiet_pair_is_nudged_once_by_send_reminders(school, runner):  # noqa: F811
    pair = _active_pair(school)
    started_days_ago(pair, 13)
    runner.invoke(args=["send-reminders"])
    assert notes_of(school["dewi"], "mentoring.quiet") == []  # 13 days: not yet
    started_days_ago(pair, 15)
    result = runner.invoke(args=["send-reminders"])
    assert "2 reminder(s) sent" in result.output
    for person in ("dewi", "ana"):
        note, = notes_of(school[person], "mentoring.quiet")
        assert note.href == f"/mentoring/pairs/{pair.id}#log"
    assert "0 reminder(s) sent" in runner.invoke(args=["send-reminders"]).output  # once


def test_a_check_in_starts_a_new_quiet_spell(school):  # noqa: F811
    pair = _active_pair(school)
    started_days_ago(pair, 40)
    today = utcnow().date()
    space.add_checkin(pair, school["ana"], today - timedelta(days=20), "Awal", "", today)
    db.session.commit()
    assert life.daily() == 2
    db.session.commit()
    assert life.daily() == 0
    # A check-in today: quiet again only 14 days later, then nudged once more.
    space.add_checkin(pair, school["dewi"], today, "Lanjut", "", today)
    db.session.commit()
    assert life.nudge_quiet(school["school"], today + timedelta(days=13)) == 0
    assert life.nudge_quiet(school["school"], today + timedelta(days=14)) == 2
    db.session.commit()
    assert life.nudge_quiet(school["school"], today + timedelta(days=20)) == 0
    assert len(notes_of(school["ana"], "mentoring.quiet")) == 2


def test_a_pair_checking_in_is_not_nudged_and_an_ended_one_neither(school):  # noqa: F811
    pair = _active_pair(school)
    started_days_ago(pair, 30)
    today = utcnow().date()
    space.add_checkin(pair, school["ana"], today - timedelta(days=3), "Rutin", "", today)
    other = _active_pair(school, "eko", "budi")
    started_days_ago(other, 30)
    life.end(other, school["budi"], "Selesai lebih awal.")
    db.session.commit()
    assert life.daily() == 0


# ---------------------------------------------------------------- thank-you notes


def test_the_novice_thanks_the_mentor_who_may_show_it_on_their_profile(school, client_for):  # noqa: F811
    pair = _active_pair(school)
    url = f"/mentoring/pairs/{pair.id}"
    novice = client_for(school["dewi"])
    response = post_form(novice, f"{url}/thanks", {"text": "Terima kasih, Bu Ana!"}, page=url)
    assert response.status_code == 302
    note, = notes_of(school["ana"], "mentoring.thanked")
    assert note.href == f"{url}#thanks"
    assert "Terima kasih, Bu Ana!" in client_for(school["ana"]).get(url).text
    colleague = client_for(school["citra"])
    profile = f"/mentoring/mentors/{school['ana'].id}"
    assert "Terima kasih, Bu Ana!" not in colleague.get(profile).text  # not allowed yet
    post_form(client_for(school["ana"]), "/mentoring/thanks/visibility", {"show": "1"},
              page="/mentoring/")
    page = colleague.get(profile).text
    assert "Terima kasih, Bu Ana!" in page and "Dewi" in page
    post_form(client_for(school["ana"]), "/mentoring/thanks/visibility", {"show": "0"},
              page="/mentoring/")
    assert "Terima kasih, Bu Ana!" not in colleague.get(profile).text


@pytest.mark.parametrize(("text", "words"), [("   ", "Write your thank-you note"),
                                             ("t" * 501, "At most 500")])
def test_a_bad_thank_you_is_refused_next_to_it_and_kept(school, client_for, text, words):  # noqa: F811
    pair = _active_pair(school)
    url = f"/mentoring/pairs/{pair.id}"
    c = client_for(school["dewi"])
    c.post("/language", data={"lang": "en", "csrf_token": _token(c)})
    response = post_form(c, f"{url}/thanks", {"text": text}, page=url)
    assert response.status_code == 400
    assert 'id="text-error"' in response.text and words in response.text
    if text.strip():
        assert text in response.text
    assert db.session.query(ThankYou).count() == 0


def test_only_the_novice_thanks(school):  # noqa: F811
    pair = _active_pair(school)
    with pytest.raises(LifeError):
        life.thank(pair, school["ana"], "Terima kasih kembali")


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client.get("/").text)


# ---------------------------------------------------------------- ending


def test_a_teacher_ends_the_pair_with_a_reflection_and_the_other_adds_theirs(
        school, client_for):  # noqa: F811
    pair = _active_pair(school)
    space.add_checkin(pair, school["dewi"], utcnow().date(), "Isi pertemuan", "",
                      utcnow().date())
    db.session.commit()
    url = f"/mentoring/pairs/{pair.id}"
    mentor = client_for(school["ana"])
    empty = post_form(mentor, f"{url}/end", {"reflection": "  "}, page=url)
    assert empty.status_code == 400 and 'id="reflection-error"' in empty.text
    db.session.refresh(pair)
    assert pair.status == "active"
    assert post_form(mentor, f"{url}/end", {"reflection": "Dewi tumbuh pesat."},
                     page=url).status_code == 302
    db.session.refresh(pair)
    assert (pair.status, pair.mentor_reflection, pair.novice_reflection) == (
        "ended", "Dewi tumbuh pesat.", "")
    assert len(notes_of(school["dewi"], "mentoring.ended")) == 1
    novice = client_for(school["dewi"])
    page = novice.get(url).text
    assert "Isi pertemuan" in page and "Dewi tumbuh pesat." in page  # history stays
    assert post_form(novice, f"{url}/reflection", {"reflection": "Saya belajar bertanya."},
                     page=url).status_code == 302
    db.session.refresh(pair)
    assert pair.novice_reflection == "Saya belajar bertanya."
    # Written once; nothing more is added to an ended pair.
    post_form(novice, f"{url}/reflection", {"reflection": "Ganti"}, page=url)
    db.session.refresh(pair)
    assert pair.novice_reflection == "Saya belajar bertanya."
    assert post_form(novice, f"{url}/checkins", {"talked": "x"}, page=url).status_code == 400
    # The principal still sees only that it existed, not the reflections.
    summary = client_for(school["principal"]).get(url).text
    assert "tumbuh pesat" not in summary and "belajar bertanya" not in summary
    # The mentor's place is free again; Dewi may be paired anew.
    assert mentoring.open_pair_of_novice(school["dewi"].id) is None


def test_a_reflection_over_1000_characters_is_refused(school):  # noqa: F811
    pair = _active_pair(school)
    with pytest.raises(LifeError) as refused:
        life.end(pair, school["dewi"], "r" * 1001)
    assert refused.value.code == "reflection_long"


def test_a_pair_ends_on_the_date_the_principal_sets(school, client_for):  # noqa: F811
    pair = _active_pair(school)
    today = utcnow().date()
    assert pair.ends_on is not None and (pair.ends_on - today).days in (364, 365, 366)
    url = f"/mentoring/pairs/{pair.id}"
    principal = client_for(school["principal"])
    bad = post_form(principal, f"{url}/ends-on", {"ends_on": today.isoformat()}, page=url)
    assert bad.status_code == 400 and 'id="ends_on-error"' in bad.text
    assert today.isoformat() in bad.text  # what was typed is kept
    soon = today + timedelta(days=10)
    assert post_form(principal, f"{url}/ends-on", {"ends_on": soon.isoformat()},
                     page=url).status_code == 302
    db.session.refresh(pair)
    assert pair.ends_on == soon
    assert post_form(client_for(school["dewi"]), f"{url}/ends-on",
                     {"ends_on": soon.isoformat()}, page=url).status_code == 403
    assert life.end_due(school["school"], soon - timedelta(days=1)) == 0
    assert life.end_due(school["school"], soon) == 2
    db.session.commit()
    db.session.refresh(pair)
    assert pair.status == "ended"
    assert len(notes_of(school["dewi"], "mentoring.ended_on_date")) == 1


def test_a_pair_ended_on_its_date_gets_both_reflections_and_stays_readable_by_both(
        school, client_for):  # noqa: F811
    pair = _active_pair(school)
    today = utcnow().date()
    space.add_checkin(pair, school["dewi"], today, "Isi pertemuan kami", "Langkah kami", today)
    space.add_goal(pair, school["ana"], "Tujuan kami", "", None, today)
    life.thank(pair, school["dewi"], "Terima kasih kami")
    db.session.commit()
    assert life.end_due(school["school"], pair.ends_on) == 2
    db.session.commit()
    url = f"/mentoring/pairs/{pair.id}"
    for name, text in (("dewi", "Refleksi Dewi"), ("ana", "Refleksi Ana")):
        note, = notes_of(school[name], "mentoring.ended_on_date")
        assert note.href == f"{url}#closing"
        c = client_for(school[name])
        assert 'action="' + url + '/reflection"' in c.get(url).text
        assert post_form(c, f"{url}/reflection", {"reflection": text}, page=url) \
            .status_code == 302
    db.session.refresh(pair)
    assert (pair.status, pair.novice_reflection, pair.mentor_reflection) == (
        "ended", "Refleksi Dewi", "Refleksi Ana")
    for name in ("dewi", "ana"):
        c = client_for(school[name])
        page = c.get(url).text
        for kept in ("Isi pertemuan kami", "Langkah kami", "Tujuan kami", "Terima kasih kami",
                     "Refleksi Dewi", "Refleksi Ana"):
            assert kept in page, (name, kept)
        assert f'href="{url}"' in c.get("/mentoring/").text  # under the earlier pairs


def test_the_novice_may_end_the_pair_too(school, client_for):  # noqa: F811
    pair = _active_pair(school)
    url = f"/mentoring/pairs/{pair.id}"
    assert post_form(client_for(school["dewi"]), f"{url}/end",
                     {"reflection": "Saya siap mandiri."}, page=url).status_code == 302
    db.session.refresh(pair)
    assert (pair.status, pair.novice_reflection) == ("ended", "Saya siap mandiri.")
    assert len(notes_of(school["ana"], "mentoring.ended")) == 1


# ---------------------------------------------------------------- withdrawing


def test_a_novice_takes_back_their_request(school, client_for):  # noqa: F811
    pair = mentoring.request_mentor(school["dewi"], school["ana"], "Mohon")
    db.session.commit()
    url = f"/mentoring/pairs/{pair.id}"
    # The mentor cannot take it back for them.
    post_form(client_for(school["ana"]), f"{url}/withdraw", page="/mentoring/")
    db.session.refresh(pair)
    assert pair.status == "requested"
    novice = client_for(school["dewi"])
    assert "Batalkan permintaan saya" in novice.get("/mentoring/").text \
        or "Take back my request" in novice.get("/mentoring/").text
    assert post_form(novice, f"{url}/withdraw", page="/mentoring/").status_code == 302
    db.session.refresh(pair)
    assert pair.status == "withdrawn"
    assert len(notes_of(school["ana"], "mentoring.withdrawn")) == 1
    # Her place is free: she may ask again, and Ana can no longer accept the old one.
    with pytest.raises(mentoring.MentoringError):
        mentoring.answer(pair, school["ana"], True)
    again = mentoring.request_mentor(school["dewi"], school["budi"])
    db.session.commit()
    assert db.session.get(MentorPair, again.id).status == "requested"


def test_at_home_gives_each_teacher_their_pairs_with_the_next_step(school, count_queries):  # noqa: F811
    pair = _active_pair(school)
    other = _active_pair(school, "eko", "budi")
    today = utcnow().date()
    space.add_goal(pair, school["ana"], "Bertanya", "", None, today)
    space.add_checkin(pair, school["ana"], today - timedelta(days=5), "Awal", "Langkah lama",
                      today)
    space.add_checkin(pair, school["dewi"], today, "Lanjut", "Coba di 7C", today)
    db.session.commit()
    mine, = space.at_home(school["dewi"])
    assert (mine.other.name, mine.as_novice, mine.open_goals) == ("Ana", True, 1)
    assert mine.last_checkin.next_step == "Coba di 7C"
    theirs, = space.at_home(school["ana"])
    assert (theirs.other.name, theirs.as_novice) == ("Dewi", False)
    life.end(other, school["budi"], "Selesai.")
    db.session.commit()
    assert space.at_home(school["budi"]) == [] and space.at_home(school["citra"]) == []
    ana = school["ana"]
    assert ana.id  # loaded before counting
    with count_queries() as statements:
        space.at_home(ana)
    assert len(statements) <= 3, statements


# ---------------------------------------------------------------- where each note leads


def test_every_mentoring_note_opens_for_its_receiver(school, client_for):  # noqa: F811
    """Each kind this feature sends (the thank-you, the quiet pair, ending by a teacher and
    on the end date, asking to watch, withdrawing) leads its receiver to a page they may
    open (tests/integration/test_notification_links.py counts on this test for them)."""
    from collab.core import notify
    from collab.mentoring import service_together as together

    asked = mentoring.request_mentor(school["dewi"], school["ana"], "Mohon bimbingan")
    life.withdraw(asked, school["dewi"])
    db.session.commit()
    pair = _active_pair(school)
    life.thank(pair, school["dewi"], "Terima kasih, Bu.")
    together.ask_to_watch(pair, school["dewi"])
    started_days_ago(pair, 20)
    life.daily()
    today = utcnow().date()
    life.set_ends_on(pair, today + timedelta(days=1), today)
    db.session.commit()
    life.end_due(school["school"], today + timedelta(days=1))
    ending = _active_pair(school, "eko", "budi")
    life.end(ending, school["eko"], "Sudah cukup, terima kasih.")
    db.session.commit()
    kinds = {"mentoring.thanked", "mentoring.watch_asked", "mentoring.quiet", "mentoring.ended",
             "mentoring.ended_on_date", "mentoring.withdrawn"}
    assert kinds <= set(notify.MESSAGES)
    notes = list(db.session.scalars(select(Notification).where(Notification.kind.in_(kinds))))
    assert {n.kind for n in notes} == kinds
    for note in notes:
        receiver = db.session.get(type(school["ana"]), note.recipient_id)
        answer = client_for(receiver).get(note.href)
        assert answer.status_code == 200, (note.kind, note.href)
