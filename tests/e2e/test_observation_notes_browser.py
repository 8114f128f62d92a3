"""Observation notes in the browser: an observer writes notes on a phone, loses the
connection, keeps writing (with tags, a seat and a class-mode marker), reloads, comes back
online, and every note is on the server exactly once. The notes page passes axe in both
languages and fits a 360-px phone."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from collab.core.models import utcnow
from collab.extensions import db
from collab.observations import service as observations
from collab.observations import service_suggestions as observer_suggestions
from collab.observations.models import ObservationNote
from collab.observations.service import RequestFields
from collab.people.models import User
from tests.e2e.conftest import TEACHER, Site
from tests.e2e.test_journeys import horizontal_overflow

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "instance" / "screenshots"


def observing() -> tuple:
    """A lesson of the demo teacher that began five minutes ago, with a free colleague who
    accepted to observe it."""
    teacher = db.session.scalar(select(User).where(User.email == TEACHER))
    school = teacher.membership.school
    for lesson in observations.requestable_lessons(teacher):
        free = observer_suggestions.suggest(school.id, teacher.id, lesson.on, lesson.period,
                                            lesson.subject, lesson.class_name, limit=None)
        if free:
            break
    observer = free[0].user
    observation = observations.request(teacher, RequestFields(
        lesson=observations.lesson_key(lesson), focus="Siapa yang menjelaskan alasannya?",
        observer_ids=[observer.id]))
    observations.accept(observation, observer)
    observation.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    return observation, observer


def on_server(observation) -> list[ObservationNote]:
    db.session.rollback()  # end the test's snapshot: see what the server committed
    return list(db.session.scalars(select(ObservationNote).where(
        ObservationNote.observation_id == observation.id).order_by(ObservationNote.id)))


def refuse_sync(route):
    """A route handler: the notes page's sync POSTs fail as on a lost connection; the rest
    passes."""
    if route.request.method == "POST":
        route.abort()
    else:
        route.continue_()


def write(page, text: str, tag: str | None = None, seat: str | None = None):
    page.fill("#note-form textarea[name=text]", text)
    if tag:
        page.check(f"#note-form input[name=tag][value={tag}]")
    if seat:
        if page.locator("#note-form details.seat-picker").get_attribute("open") is None:
            page.click("#note-form details.seat-picker summary")
        page.check(f"#note-form input[name=seat][value={seat}]")
    page.click("#note-save")


@pytest.fixture
def phone_360(browser, live_server, axe):
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Site(page, live_server.url, axe)
    context.close()


def test_notes_written_offline_reach_the_server_exactly_once(phone_360, translate):
    site, page = phone_360, phone_360.page
    observation, observer = observing()
    site.log_in(observer.email)
    site.open(f"/observations/{observation.id}")
    site.submit(f"main a[href='/observations/{observation.id}/notes']")
    assert "Siapa yang menjelaskan alasannya?" in page.locator(".notes-focus").inner_text()
    clock = page.locator("#notes-clock").inner_text()
    assert clock.startswith(("4:", "5:", "6:")), clock
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    write(page, "Kelompok 3 berdebat tentang pecahan.", tag="learning", seat="r2c3")
    page.click("#mode-form button[value=groups]")
    write(page, "Guru bertanya: mengapa?", tag="teacher_move")
    waiting = translate("%(count)s note waiting to sync", "id", count=3)
    page.wait_for_function(
        "text => document.getElementById('sync-status').textContent.startsWith(text)",
        arg=waiting)
    expect(page.locator("#my-notes li")).to_have_count(3)
    expect(page.locator("#mode-now")).to_contain_text(translate("Groups", "id"))
    site.check()  # the page with notes waiting passes axe
    assert on_server(observation) == []

    # Still offline: the service worker opens the page again, the notes are still there.
    page.reload()
    expect(page.locator("#my-notes li")).to_have_count(3)  # read back from IndexedDB
    expect(page.locator("#sync-status")).to_contain_text("3")

    page.context.set_offline(False)
    saved = translate("All notes saved.", "id")
    page.wait_for_function(
        "text => document.getElementById('sync-status').textContent === text", arg=saved,
        timeout=20_000)
    notes = on_server(observation)
    assert len(notes) == 3
    assert len({n.client_id for n in notes}) == 3, "each note once"
    by_text = {n.text: n for n in notes}
    first = by_text["Kelompok 3 berdebat tentang pecahan."]
    assert (first.tag, first.seat, first.kind) == ("learning", "r2c3", "note")
    assert 240 <= first.at_seconds <= 420
    assert by_text["groups"].kind == "mode"
    assert by_text["Guru bertanya: mengapa?"].tag == "teacher_move"

    # An edit and a delete are new versions of the same notes.
    page.locator("#my-notes li", has_text="Guru bertanya").get_by_role("button").first.click()
    page.fill("#note-form textarea[name=text]", "Guru bertanya: mengapa begitu?")
    page.click("#note-save")
    page.locator("#my-notes li", has_text="berdebat").get_by_role("button").last.click()
    page.wait_for_function(
        "text => document.getElementById('sync-status').textContent === text", arg=saved)
    notes = on_server(observation)
    assert len(notes) == 3
    assert {n.text for n in notes if not n.deleted} == {"groups",
                                                          "Guru bertanya: mengapa begitu?"}
    assert horizontal_overflow(page) <= 0


def test_a_reload_keeps_notes_that_could_not_be_sent(phone_360, translate):
    site, page = phone_360, phone_360.page
    observation, observer = observing()
    site.log_in(observer.email)
    url = f"/observations/{observation.id}/notes"
    site.open(url)

    page.route(f"**{url}", refuse_sync)
    write(page, "Catatan yang belum terkirim.", tag="question")
    page.wait_for_function("() => document.querySelector('#sync-status.waiting') !== null")
    page.reload()
    expect(page.locator("#my-notes li", has_text="Catatan yang belum terkirim.")).to_have_count(1)
    assert on_server(observation) == []
    page.unroute(f"**{url}", refuse_sync)
    page.reload()
    page.wait_for_function(
        "text => document.getElementById('sync-status').textContent === text",
        arg=translate("All notes saved.", "id"), timeout=20_000)
    notes = on_server(observation)
    assert [n.text for n in notes] == ["Catatan yang belum terkirim."]


def test_an_offline_reload_shows_every_note_sent_or_waiting(phone_360, translate):
    """Issue 15: notes sent after the service worker kept its copy of the page vanished from
    the list on an offline reload (only the waiting ones came back)."""
    site, page = phone_360, phone_360.page
    observation, observer = observing()
    site.log_in(observer.email)
    url = f"/observations/{observation.id}/notes"
    site.open(url)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()  # through the worker: it keeps a copy of the page with no notes
    until(lambda: page.evaluate(KEPT_COPIES) == 1)
    # The kept copy stays the one without notes, as when the worker could not refresh it.
    page.evaluate("""() => navigator.serviceWorker.controller.postMessage = () => {}""")

    saved = translate("All notes saved.", "id")
    sent, waiting = translate("sent", "id"), translate("waiting to sync", "id")
    write(page, "Terkirim sebelum sinyal hilang.", tag="learning")
    page.wait_for_function(
        "text => document.getElementById('sync-status').textContent === text", arg=saved,
        timeout=20_000)
    page.context.set_offline(True)
    write(page, "Ditulis tanpa sinyal.", tag="question")
    page.reload()  # the worker's copy, older than the first note

    first = page.locator("#my-notes li", has_text="Terkirim sebelum sinyal hilang.")
    second = page.locator("#my-notes li", has_text="Ditulis tanpa sinyal.")
    expect(first.locator(".note-state")).to_have_text(sent)
    expect(second.locator(".note-state")).to_have_text(waiting)
    expect(page.locator("#my-notes li")).to_have_count(2)
    site.check()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "notes-offline-360.png"), full_page=True)

    page.context.set_offline(False)
    page.wait_for_function(
        "text => document.getElementById('sync-status').textContent === text", arg=saved,
        timeout=20_000)
    expect(second.locator(".note-state")).to_have_text(sent)  # the list follows the sync
    assert sorted(n.text for n in on_server(observation)) == [
        "Ditulis tanpa sinyal.", "Terkirim sebelum sinyal hilang."]


# How many copies of notes pages the service worker keeps (its cache also holds the CSS/JS).
KEPT_COPIES = """async () => {
  let count = 0;
  for (const name of await caches.keys()) {
    if (!name.startsWith("rembuk-notes-")) { continue; }
    const kept = await (await caches.open(name)).keys();
    count += kept.filter(r => /\\/observations\\/\\d+\\/notes$/.test(r.url)).length;
  }
  return count;
}"""


def until(condition, seconds: float = 10) -> None:
    """Wait for `condition()` (page.evaluate awaits a promise; wait_for_function does not)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.2)


def test_signing_out_leaves_no_notes_offline_but_keeps_the_unsent(phone_360, translate):
    """A shared phone: after the observer signs out, the offline copies of their notes page
    are gone (opening it offline shows nobody their notes), while the note the server has
    not received yet stays on the phone and is sent when they sign in again."""
    from playwright.sync_api import Error as PlaywrightError

    site, page = phone_360, phone_360.page
    observation, observer = observing()
    site.log_in(observer.email)
    url = f"/observations/{observation.id}/notes"
    site.open(url)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()  # through the worker now: it keeps a copy of the page
    until(lambda: page.evaluate(KEPT_COPIES) == 1)

    page.route(f"**{url}", refuse_sync)
    write(page, "Catatan yang belum sampai ke server.", tag="question")
    page.wait_for_function("() => document.querySelector('#sync-status.waiting') !== null")
    site.open_menu()
    with page.expect_navigation():
        page.click("header form[action='/auth/logout'] button")
    assert site.path().startswith("/auth/login")
    until(lambda: page.evaluate(KEPT_COPIES) == 0)
    kept = page.evaluate("""() => Object.keys(localStorage)
        .filter(k => k.startsWith("rembuk-notes:"))
        .map(k => Object.values(JSON.parse(localStorage.getItem(k)).notes).map(n => n.text))""")
    assert kept == [["Catatan yang belum sampai ke server."]]
    site.check()  # the sign-in page with its script passes axe

    page.context.set_offline(True)
    try:
        page.goto(site.url(url))
        shown = page.content()
    except PlaywrightError:
        shown = ""
    assert "Catatan yang belum sampai" not in shown
    page.context.set_offline(False)
    page.unroute(f"**{url}", refuse_sync)

    site.log_in(observer.email)
    site.open(url)
    page.wait_for_function(
        "text => document.getElementById('sync-status').textContent === text",
        arg=translate("All notes saved.", "id"), timeout=20_000)
    assert [n.text for n in on_server(observation)] == ["Catatan yang belum sampai ke server."]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_notes_page_passes_axe_and_fits_a_phone(phone_360, lang):
    site = phone_360
    observation, observer = observing()
    site.log_in(observer.email)
    site.open(f"/observations/{observation.id}/notes")
    if lang != "id":
        site.switch_language(lang)
    assert site.lang() == lang
    site.page.click("#note-form details.seat-picker summary")
    site.page.click("section details.confirm summary")
    site.check()
    assert horizontal_overflow(site.page) <= 0
