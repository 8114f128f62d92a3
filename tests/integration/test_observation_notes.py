"""Observation notes on the observer's phone: the notes page, the JSON batch sync (stored
once per client_id, later versions, deletes, 200 notes in a constant number of queries),
every refusal with its message, the same without JavaScript, and submitting."""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from collab.core.models import utcnow
from collab.extensions import db
from collab.observations.models import ObservationNote
from collab.plans.models import Plan
from tests.conftest import csrf_token
from tests.integration import test_observations as base

a = base.a  # the school calendar and timetables of the observation tests
ask, post, soup, started, ended = base.ask, base.post, base.soup, base.started, base.ended

NOTE = {"client_id": "c1", "text": "Siswa 3 menjelaskan caranya.", "tag": "learning",
        "at_seconds": 300, "seat": "r2c3"}


@pytest.fixture
def scheduled(a):
    """A scheduled observation of the teacher, begun a minute ago: the mentor accepted, the
    principal is invited and has not answered."""
    from collab.observations import service as observations

    observation = ask(a, ["mentor", "principal"])
    observations.accept(observation, a["mentor"])
    db.session.commit()
    started(observation)
    return observation


def notes_url(observation, suffix=""):
    return f"/observations/{observation.id}/notes{suffix}"


def send(client, observation, body, token=None, raw=None):
    """POST a batch as the page's script does: JSON, the CSRF token in X-CSRFToken."""
    if token is None:
        token = csrf_token(client.get(notes_url(observation)).text)
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(notes_url(observation), data=raw if raw is not None else json.dumps(body),
                       content_type="application/json", headers=headers)


def stored(observation):
    return list(db.session.scalars(select(ObservationNote).where(
        ObservationNote.observation_id == observation.id).order_by(ObservationNote.id)))


def en(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# ---------------------------------------------------------------- the page


def test_the_notes_page_shows_focus_clock_seats_and_tags(a, scheduled, client_for):
    mentor = en(client_for(a["mentor"]))
    response = mentor.get(notes_url(scheduled))
    assert response.status_code == 200
    page = soup(response)
    assert "Siapa yang menjelaskan alasannya?" in page.select_one(".notes-focus").text
    assert page.select_one("#notes-clock").text.strip() in ("1:00", "1:01", "1:02")
    assert len(page.select("table.seat-grid input[name=seat]")) == 5 * 6
    assert {i["value"] for i in page.select("input[name=tag]")} == {
        "", "learning", "teacher_move", "question", "evidence"}
    assert [b["value"] for b in page.select("#mode-form button[name=mode]")] == [
        "whole_class", "groups", "individual"]
    assert page.select_one("script[src^='/static/js/observation-notes.']") is not None
    view = soup(mentor.get(f"/observations/{scheduled.id}"))
    assert view.select_one(f"main a[href='/observations/{scheduled.id}/notes']") is not None


def test_the_plan_steps_can_be_chosen(a, scheduled, client_for):
    plan = Plan(school_id=a["school"].id, owner_id=a["teacher"].id, title="Pecahan",
                body="## Pembukaan\n\n| Langkah | Antisipasi |\n|---|---|\n"
                     "| Masalah pizza | Siswa membagi dua |\n")
    db.session.add(plan)
    db.session.flush()
    scheduled.plan_id = plan.id
    db.session.commit()
    mentor = client_for(a["mentor"])
    options = [o["value"] for o in soup(mentor.get(notes_url(scheduled))).select(
        "select[name=step] option")]
    assert "Pembukaan" in options and "Masalah pizza" in options
    ok = send(mentor, scheduled, {"notes": [{**NOTE, "step": "Masalah pizza"}]})
    assert ok.status_code == 200
    bad = send(mentor, scheduled, {"notes": [{**NOTE, "client_id": "c2", "step": "Lain"}]})
    assert bad.status_code == 400 and bad.json["index"] == 0


@pytest.mark.parametrize(("who", "status"), [
    ("teacher", 403), ("principal", 403), ("teacher2", 404)],
    ids=["observed teacher", "invited principal", "colleague not invited"])
def test_only_an_accepted_observer_opens_the_notes(a, scheduled, client_for, who, status):
    client = client_for(a[who])
    assert client.get(notes_url(scheduled)).status_code == status
    token = csrf_token(client.get("/").text)
    assert send(client, scheduled, {"notes": [NOTE]}, token=token).status_code == status
    assert post(client, notes_url(scheduled, "/add"), {"text": "x"},
                page="/").status_code == status
    assert post(client, f"/observations/{scheduled.id}/submit", {},
                page="/").status_code == status
    assert stored(scheduled) == []


def test_another_school_finds_nothing(a, world, scheduled, client_for):
    other = client_for(world["b"]["teacher"])
    assert other.get(notes_url(scheduled)).status_code == 404
    token = csrf_token(other.get("/").text)
    assert send(other, scheduled, {"notes": [NOTE]}, token=token).status_code == 404


# ---------------------------------------------------------------- syncing


def test_a_batch_is_stored_and_answered_with_the_server_ids(a, scheduled, client_for):
    mentor = client_for(a["mentor"])
    mode = {"client_id": "m1", "kind": "mode", "text": "groups", "at_seconds": 60}
    response = send(mentor, scheduled, {"notes": [NOTE, mode]})
    assert response.status_code == 200, response.text
    rows = stored(scheduled)
    assert response.json["saved"] == [{"client_id": r.client_id, "id": r.id} for r in rows]
    assert datetime.fromisoformat(response.json["at"]) <= utcnow()  # when, by the server
    note = rows[0]
    assert (note.text, note.tag, note.seat, note.at_seconds, note.author_id) == (
        NOTE["text"], "learning", "r2c3", 300, a["mentor"].id)
    assert rows[1].kind == "mode" and rows[1].text == "groups"


@pytest.mark.dialect
def test_the_same_batch_twice_gives_the_same_answer_and_stores_once(a, scheduled, client_for):
    mentor = client_for(a["mentor"])
    batch = {"notes": [NOTE, {**NOTE, "client_id": "c2", "text": "Kedua"}]}
    first = send(mentor, scheduled, batch)
    again = send(mentor, scheduled, batch)
    assert first.status_code == again.status_code == 200
    assert first.json["saved"] == again.json["saved"]
    assert len(stored(scheduled)) == 2


@pytest.mark.dialect
def test_a_later_version_changes_the_text_and_a_delete_hides_it(a, scheduled, client_for):
    mentor = client_for(a["mentor"])
    first = send(mentor, scheduled, {"notes": [NOTE]}).json["saved"][0]["id"]
    changed = send(mentor, scheduled, {"notes": [{**NOTE, "text": "Diubah", "tag": "question"}]})
    assert changed.json["saved"][0]["id"] == first
    (row,) = stored(scheduled)
    assert (row.text, row.tag) == ("Diubah", "question")
    send(mentor, scheduled, {"notes": [{**NOTE, "text": "Diubah", "deleted": True}]})
    (row,) = stored(scheduled)
    assert row.deleted
    assert "Diubah" not in mentor.get(notes_url(scheduled)).text


@pytest.mark.dialect
def test_200_notes_go_up_in_one_request_with_a_constant_number_of_queries(
        a, scheduled, client_for, count_queries):
    mentor = client_for(a["mentor"])
    token = csrf_token(mentor.get(notes_url(scheduled)).text)

    def batch(prefix, size):
        return {"notes": [{**NOTE, "client_id": f"{prefix}{i}", "at_seconds": i}
                          for i in range(size)]}

    with count_queries() as one:
        assert send(mentor, scheduled, batch("a", 1), token=token).status_code == 200
    with count_queries() as many:
        response = send(mentor, scheduled, batch("b", 200), token=token)
    assert response.status_code == 200
    assert len(response.json["saved"]) == 200
    assert len(many) == len(one), sorted({s[:90] for s in many})
    assert len(stored(scheduled)) == 201


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}'


@pytest.mark.parametrize(("raw", "body", "message", "index"), [
    ("{not json", None, "The notes could not be read.", None),
    (None, [], "A note is not in the expected form.", None),
    (None, {"notes": "x"}, "A note is not in the expected form.", None),
    (None, {"notes": [NOTE, "x"]}, "A note is not in the expected form.", 1),
    (None, {"notes": [{**NOTE, "tag": "gossip"}]}, "Choose one of the tags.", 0),
    (None, {"notes": [{**NOTE, "seat": "r9c9"}]}, "Choose a seat on the class's seating grid.",
     0),
    (None, {"notes": [{**NOTE, "seat": "<b>"}]}, "Choose a seat on the class's seating grid.", 0),
    (None, {"notes": [{**NOTE, "step": "Tidak ada"}]}, "Choose one of the plan's steps.", 0),
    (None, {"notes": [{**NOTE, "text": "  "}]}, "Write the note.", 0),
    (None, {"notes": [{**NOTE, "text": "x" * 2001}]}, "At most 2000 characters.", 0),
    (None, {"notes": [{**NOTE, "at_seconds": -1}]}, "A note's time must lie within the lesson.",
     0),
    (None, {"notes": [{**NOTE, "at_seconds": "5"}]}, "A note's time must lie within the lesson.",
     0),
    (None, {"notes": [{**NOTE, "client_id": "a b"}]}, "A note has no valid identifier.", 0),
    (None, {"notes": [{**NOTE, "client_id": HOSTILE}]}, "A note has no valid identifier.", 0),
    (None, {"notes": [{"client_id": "m", "kind": "mode", "text": HOSTILE}]},
     "Choose whole class, groups or individual work.", 0),
    (None, {"notes": [NOTE] * 501}, "Send at most 500 notes at once.", None),
], ids=["malformed", "list", "notes not a list", "note not an object", "unknown tag",
        "seat outside", "seat hostile", "step not in plan", "empty text", "long text",
        "negative time", "time as text", "bad client id", "hostile client id", "hostile mode",
        "too many"])
def test_a_wrong_batch_is_refused_with_a_message_and_nothing_stored(
        a, scheduled, client_for, raw, body, message, index):
    mentor = en(client_for(a["mentor"]))
    response = send(mentor, scheduled, body, raw=raw)
    assert response.status_code == 400
    assert response.json["error"].startswith(message)
    assert response.json["index"] == index
    assert stored(scheduled) == []


def test_the_message_is_in_the_users_language(a, scheduled, client_for):
    mentor = client_for(a["mentor"])
    mentor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    response = send(mentor, scheduled, {"notes": [{**NOTE, "tag": "x"}]})
    assert response.status_code == 400
    assert response.json["error"] != "Choose one of the tags."


def test_a_hostile_text_is_stored_as_text_and_shown_escaped(a, scheduled, client_for):
    mentor = client_for(a["mentor"])
    assert send(mentor, scheduled, {"notes": [{**NOTE, "text": HOSTILE}]}).status_code == 200
    html = mentor.get(notes_url(scheduled)).text
    page = soup(mentor.get(notes_url(scheduled)))
    assert "<script>alert(1)" not in html and page.find("img", src="x") is None
    assert HOSTILE in page.select_one("#my-notes .note-text").text


def test_a_batch_without_the_csrf_header_is_refused(a, scheduled, client_for):
    mentor = client_for(a["mentor"])
    response = send(mentor, scheduled, {"notes": [NOTE]}, token="")
    assert response.status_code == 400
    assert response.json["code"] == "csrf"
    assert stored(scheduled) == []


def test_after_submitting_a_batch_is_refused_with_409(a, scheduled, client_for):
    ended(scheduled)
    mentor = en(client_for(a["mentor"]))
    token = csrf_token(mentor.get(notes_url(scheduled)).text)
    assert send(mentor, scheduled, {"notes": [NOTE]}, token=token).status_code == 200
    done = post(mentor, f"/observations/{scheduled.id}/submit", {}, page=notes_url(scheduled))
    assert done.status_code == 302
    db.session.refresh(scheduled)
    assert scheduled.state == "completed"
    late = send(mentor, scheduled, {"notes": [{**NOTE, "text": "Terlambat"}]}, token=token)
    assert late.status_code == 409
    assert late.json["error"] == "Your notes are already submitted."
    assert stored(scheduled)[0].text == NOTE["text"]
    page = soup(mentor.get(notes_url(scheduled)))
    assert page.select_one("#note-form") is None, "read-only after submitting"
    assert NOTE["text"] in page.select_one("#my-notes").text
    assert post(mentor, f"/observations/{scheduled.id}/submit", {},
                page="/").status_code == 409


def test_submitting_while_the_lesson_runs_asks_to_finish_early(a, scheduled, client_for):
    """Issue 15: notes could be submitted 12 seconds into a lesson, which then read
    "observed" while it ran."""
    mentor = en(client_for(a["mentor"]))
    page = soup(mentor.get(notes_url(scheduled)))
    box = page.select_one("#submit-form").find_parent("details")
    assert box.summary.get_text(strip=True) == "Finish early"
    assert "The lesson is still running" in box.get_text()
    assert page.select_one("#submit-form input[name=early]")["value"] == "1"
    refused = post(mentor, f"/observations/{scheduled.id}/submit", {}, page=notes_url(scheduled))
    assert refused.status_code == 409
    assert "The lesson is still running" in refused.text
    db.session.refresh(scheduled)
    assert scheduled.state == "scheduled"
    view = soup(mentor.get(f"/observations/{scheduled.id}")).get_text(" ", strip=True)
    assert f"{a['mentor'].name}: observing now" in view
    early = post(mentor, f"/observations/{scheduled.id}/submit", {"early": "1"},
                 page=notes_url(scheduled))
    assert early.status_code == 302
    db.session.refresh(scheduled)
    assert scheduled.state == "completed"
    view = soup(mentor.get(f"/observations/{scheduled.id}")).get_text(" ", strip=True)
    assert f"{a['mentor'].name}: observed, notes submitted" in view
    assert "will come" not in view


def test_after_the_lesson_the_notes_are_submitted_without_asking_twice(a, scheduled,
                                                                         client_for):
    ended(scheduled)
    mentor = en(client_for(a["mentor"]))
    page = soup(mentor.get(notes_url(scheduled)))
    assert page.select_one("#submit-form input[name=early]") is None
    view = soup(mentor.get(f"/observations/{scheduled.id}")).get_text(" ", strip=True)
    assert f"{a['mentor'].name}: observed, notes not submitted yet" in view
    done = post(mentor, f"/observations/{scheduled.id}/submit", {}, page=notes_url(scheduled))
    assert done.status_code == 302


def test_submitting_before_the_lesson_is_refused(a, client_for):
    from collab.observations import service as observations

    observation = ask(a, ["mentor"])
    observations.accept(observation, a["mentor"])
    observation.starts_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    mentor = en(client_for(a["mentor"]))
    page = mentor.get(notes_url(observation))
    assert page.status_code == 200, "notes may be prepared before the lesson"
    response = post(mentor, f"/observations/{observation.id}/submit", {},
                    page=notes_url(observation))
    assert response.status_code == 409
    assert "The lesson has not begun yet." in response.text
    db.session.refresh(observation)
    assert observation.state == "scheduled"


def test_a_requested_or_cancelled_observation_has_no_notes_page(a, scheduled, client_for):
    from collab.observations import service as observations

    observations.cancel(scheduled, a["teacher"])
    db.session.commit()
    assert client_for(a["mentor"]).get(notes_url(scheduled)).status_code == 409


# ---------------------------------------------------------------- without JavaScript


def test_without_javascript_a_note_is_added_edited_and_deleted(a, scheduled, client_for):
    mentor = en(client_for(a["mentor"]))
    response = post(mentor, notes_url(scheduled, "/add"), {
        "text": "Kelompok 2 diam.", "tag": "evidence", "seat": "r1c2"}, page=notes_url(scheduled))
    assert response.status_code == 302
    assert post(mentor, notes_url(scheduled, "/add"), {"mode": "individual"},
                page=notes_url(scheduled)).status_code == 302
    note, mode = stored(scheduled)
    assert (note.text, note.tag, note.seat, note.kind) == ("Kelompok 2 diam.", "evidence",
                                                           "r1c2", "note")
    assert 55 <= note.at_seconds <= 120, "seconds since the lesson began"
    assert (mode.kind, mode.text) == ("mode", "individual")
    page = mentor.get(notes_url(scheduled)).text
    assert "Kelompok 2 diam." in page and "Individual work" in page
    assert "row 1, seat 2" in page and "r1c2" not in soup(mentor.get(
        notes_url(scheduled))).select_one("#my-notes").get_text()  # not "seat r1c2"
    edited = post(mentor, notes_url(scheduled, f"/{note.id}/edit"),
                  {"text": "Kelompok 2 mulai bicara.", "tag": "learning"},
                  page=notes_url(scheduled))
    assert edited.status_code == 302
    db.session.refresh(note)
    assert (note.text, note.tag, note.seat) == ("Kelompok 2 mulai bicara.", "learning", "r1c2")
    deleted = post(mentor, notes_url(scheduled, f"/{note.id}/delete"), {},
                   page=notes_url(scheduled))
    assert deleted.status_code == 302
    db.session.refresh(note)
    assert note.deleted
    assert post(mentor, notes_url(scheduled, f"/{note.id}/delete"), {},
                page=notes_url(scheduled)).status_code == 404


def test_without_javascript_a_wrong_note_keeps_the_text_and_says_why(a, scheduled, client_for):
    mentor = en(client_for(a["mentor"]))
    response = post(mentor, notes_url(scheduled, "/add"), {
        "text": "Teks saya tetap ada.", "seat": "r99c1"}, page=notes_url(scheduled))
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#note-form textarea[name=text]").text.strip() == \
        "Teks saya tetap ada."
    assert "Choose a seat on the class's seating grid." in page.select_one(
        ".seat-picker .error").text
    empty = soup(post(mentor, notes_url(scheduled, "/add"), {"text": ""},
                      page=notes_url(scheduled)))
    assert "Write the note." in empty.select_one("#text-error").text
    assert stored(scheduled) == []


def test_without_javascript_a_wrong_edit_keeps_the_text(a, scheduled, client_for):
    mentor = en(client_for(a["mentor"]))
    send(mentor, scheduled, {"notes": [NOTE]})
    (note,) = stored(scheduled)
    response = post(mentor, notes_url(scheduled, f"/{note.id}/edit"),
                    {"text": "Baru", "tag": "gossip"}, page=notes_url(scheduled))
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one(f"#edit-{note.id}-text").text == "Baru"
    assert "Choose one of the tags." in response.text
    db.session.refresh(note)
    assert note.text == NOTE["text"]


# ---------------------------------------------------------------- privacy


def test_the_principal_never_sees_the_note_text(a, scheduled, client_for):
    ended(scheduled)
    mentor = client_for(a["mentor"])
    send(mentor, scheduled, {"notes": [{**NOTE, "text": "Catatan rahasia"}]})
    post(mentor, f"/observations/{scheduled.id}/submit", {}, page=notes_url(scheduled))
    principal = client_for(a["principal"])
    for url in ("/", "/observations/", f"/observations/{scheduled.id}", notes_url(scheduled),
                f"/observations/{scheduled.id}/debrief", "/notifications/"):
        assert "Catatan rahasia" not in principal.get(url).text, url
    assert "Catatan rahasia" in client_for(a["teacher"]).get(
        f"/observations/{scheduled.id}/debrief").text


def test_the_service_worker_is_served_for_the_observation_pages(client):
    response = client.get("/observations/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/observations/"
    assert "no-store" in response.headers["Cache-Control"]
    assert "addEventListener(\"fetch\"" in response.get_data(as_text=True)
    response.close()


@pytest.mark.dialect
def test_counts_stay_per_author(a, scheduled, client_for):
    """Two observers may use the same client id: each keeps their own note."""
    from collab.observations import service as observations

    observations.accept(scheduled, a["principal"])
    db.session.commit()
    send(client_for(a["mentor"]), scheduled, {"notes": [NOTE]})
    send(client_for(a["principal"]), scheduled, {"notes": [{**NOTE, "text": "Lain"}]})
    assert db.session.scalar(select(func.count(ObservationNote.id))) == 2


@pytest.mark.parametrize("raw", [
    "[" * 5000 + "]" * 5000,  # nested thousands deep: RecursionError in the JSON parser
    '{"notes": ' + "[" * 40 + "]" * 40 + "}",  # deeper than core.text.MAX_NESTING
    json.dumps({"notes": [{**NOTE, "text": "a\x00b"}]}),  # PostgreSQL refuses a NUL
    '{"notes": [{"client_id": "c1", "text": "\\ud800"}]}',  # a lone surrogate
])
def test_hostile_json_is_refused_as_broken_json(a, scheduled, client_for, raw):
    response = send(client_for(a["mentor"]), scheduled, None, raw=raw)
    assert response.status_code == 400
    assert response.json["code"] == "json"
    assert stored(scheduled) == []
