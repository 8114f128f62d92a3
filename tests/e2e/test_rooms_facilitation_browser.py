"""Running a room in the browser: an observer brings a note to the board as an evidence card,
the observed teacher (who opened the debrief room) sends the outcomes to the debrief, the
team room's facilitator opens its settings; each page passes axe in both languages and fits a
phone."""

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.rooms.models import Room
from tests.e2e.conftest import TEACHER
from tests.e2e.test_journeys import horizontal_overflow

OBSERVED = "guru04@demo.sch.id"  # the teacher of the demo's completed observation


def room(kind: str) -> Room:
    return db.session.scalar(select(Room).where(Room.kind == kind))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_evidence_outcomes_and_settings(site, lang):
    site.open("/auth/login")
    if lang != "id":
        site.switch_language(lang)
    debrief, team = room("observation"), room("team")
    site.log_in(TEACHER)  # guru01 observed the lesson and facilitates the team room
    site.open(f"/rooms/{debrief.id}/evidence")
    form = site.page.locator("main form").first
    form.locator("textarea[name=interpretation]").fill("Mereka membandingkan data")
    site.submit("main form button[type=submit]")
    assert site.page.locator("main .ok").count() >= 1
    site.open(f"/rooms/{team.id}/settings")
    site.sign_out()
    site.log_in(OBSERVED)
    site.open(f"/rooms/{debrief.id}/outcomes")
    site.page.locator("main input[name=notes]").first.check()
    site.submit("main form button.primary")
    assert "/debrief" in site.path()


def test_the_facilitation_pages_fit_a_phone(phone_site):
    debrief, team = room("observation"), room("team")
    phone_site.log_in(TEACHER)
    for path in (f"/rooms/{debrief.id}/evidence", f"/rooms/{team.id}/settings"):
        phone_site.open(path)
        assert horizontal_overflow(phone_site.page) <= 0, path
