"""The room in Chromium against `python app.py` as `make run` and production serve it
(gevent's server, Socket.IO in gevent mode) rather than the suite's in-process Werkzeug
server: two colleagues on phones, each sees the other's message arrive live; a message written
offline waits in the outbox and arrives once after the reconnect; a note added on the board
appears on the other phone."""

from pathlib import Path

import pytest

from tests.e2e.conftest import Site
from tests.support.appserver import PASSWORD, AppProcess, make_rooms_database

pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(tmp_path, migrated_database):
    template = migrated_database if isinstance(migrated_database, Path) else None
    url, seats = make_rooms_database(tmp_path, rooms=1, per_room=2, template=template)
    server = AppProcess(url).start(timeout=60)
    try:
        yield server, seats[0]
    finally:
        server.stop()


def test_two_colleagues_chat_live_through_the_gevent_server(browser, axe, served):
    server, seat = served
    assert "(gevent)" in server.log()
    contexts, (first, second) = phones(browser, axe, server, seat)
    try:
        first.fill("#body", "Kelompok 1 memakai **garis bilangan**.")
        first.press("#body", "Enter")
        arrived = second.locator("#messages li.message", has_text="Kelompok 1 memakai")
        arrived.wait_for()
        assert arrived.locator("strong", has_text="garis bilangan").count() == 1

        second.fill("#body", "Kelompok 4 belum mulai.")
        second.press("#body", "Enter")
        first.locator("#messages li.message", has_text="Kelompok 4 belum mulai").wait_for()
        first.reload()
        assert first.locator("#messages li.message", has_text="Kelompok").count() == 2
    finally:
        for context in contexts:
            context.close()


def phones(browser, axe, server, seat) -> tuple[list, list]:
    contexts, pages = [], []
    for email in seat.emails:
        context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        site = Site(page, server.url, axe)
        site.log_in(email, PASSWORD)
        site.open(f"/rooms/{seat.room_id}")
        page.wait_for_selector("#room-status:not([hidden]):not(.waiting)")
        pages.append(page)
    return contexts, pages


def test_the_outbox_and_the_board_work_through_the_gevent_server(browser, axe, served):
    server, seat = served
    contexts, (first, second) = phones(browser, axe, server, seat)
    try:
        first.context.set_offline(True)
        first.wait_for_selector("#room-status.waiting")
        first.fill("#body", "Ditulis di lorong tanpa sinyal")
        first.press("#body", "Enter")
        first.locator("#messages li.pending", has_text="tanpa sinyal").wait_for()
        first.context.set_offline(False)
        second.locator("#messages li.message", has_text="tanpa sinyal").wait_for(timeout=30_000)
        first.wait_for_selector("#messages li.pending", state="detached", timeout=30_000)
        second.reload()
        assert second.locator("#messages li.message", has_text="tanpa sinyal").count() == 1

        second.wait_for_selector("#room-status:not([hidden]):not(.waiting)")
        second.select_option("#column", "wonderings")
        second.fill("#text", "Mengapa kelompok 2 memilih gambar?")
        second.click("#note-form button[type=submit]")
        first.locator("[data-column=wonderings] .note-card",
                      has_text="kelompok 2 memilih gambar").wait_for()
    finally:
        for context in contexts:
            context.close()
