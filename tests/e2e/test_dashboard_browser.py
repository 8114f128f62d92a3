"""The dashboard in the browser (issue 13): every dashboard page passes axe in both
languages, fits a 360 px phone without sideways scrolling (the network gives way to its
table), and the demo school shows an isolated teacher, a novice without a mentor and a
complete lesson-study cycle; screenshots at 360 and 1280 px for the eye (REMBUK_SHOTS_DIR)."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.people.models import User
from tests.e2e.conftest import PRINCIPAL, TEACHER, Site
from tests.e2e.test_journeys import horizontal_overflow

# Screenshots to look at, when asked for: REMBUK_SHOTS_DIR=/tmp/shots
SHOTS = os.environ.get("REMBUK_SHOTS_DIR")


def _shoot(page, name: str, full_page: bool = True) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=full_page)


def _teacher_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


@pytest.fixture
def narrow_site(browser, live_server, axe):
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Site(page, live_server.url, axe)
    context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_dashboard_page_passes_axe_and_fits_a_phone(narrow_site, lang):
    site = narrow_site
    site.open("/auth/login")
    if lang != "id":
        site.switch_language(lang)
    site.log_in(PRINCIPAL)
    pages = ("/dashboard/", "/dashboard/?period=last&sort=room_message",
             "/dashboard/?period=dates&start=2026-03-01&end=2026-01-01",
             "/dashboard/print", f"/dashboard/teachers/{_teacher_id(TEACHER)}")
    for path in pages:
        site.open(path)
        assert site.lang() == lang, path
        assert horizontal_overflow(site.page) <= 0, path
    site.open("/dashboard/")
    assert not site.page.locator("figure.network").is_visible()  # its table instead
    assert site.page.locator("#pairs-title").is_visible()
    site.sign_out()
    site.log_in(TEACHER)
    site.open("/dashboard/me")
    assert horizontal_overflow(site.page) <= 0
    site.open("/dashboard/", status=403)


def test_the_demo_school_shows_who_needs_support_and_a_complete_cycle(site):
    site.log_in(PRINCIPAL)
    site.open("/dashboard/?period=last")
    assert site.page.locator("figure.network").is_visible()
    isolated = site.page.locator("#network-title ~ p strong").first.inner_text()
    assert isolated  # "Belum bekerja dengan rekan …" followed by names
    flags = site.page.locator("table.teachers").inner_text()
    assert "Guru pemula tanpa mentor" in flags
    glance = site.page.locator("#glance-title ~ div table tbody tr").first.inner_text()
    assert "Siklus lesson study" in glance and "\t1\t" in glance
    _shoot(site.page, "dashboard-1280.png")


def test_a_phone_screenshot_of_the_school_and_of_me(narrow_site):
    narrow_site.log_in(PRINCIPAL)
    narrow_site.open("/dashboard/?period=last")
    _shoot(narrow_site.page, "dashboard-360.png")
    narrow_site.sign_out()
    narrow_site.log_in(TEACHER)
    narrow_site.open("/dashboard/me?period=last")
    assert "kepala sekolah" in narrow_site.page.locator("main").inner_text()
    _shoot(narrow_site.page, "dashboard-me-360.png")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_on_a_phone_the_figures_come_first_and_the_period_is_folded(narrow_site, lang):
    site = narrow_site
    site.open("/auth/login")
    if lang != "id":
        site.switch_language(lang)
    site.log_in(PRINCIPAL)
    site.open("/dashboard/")
    page = site.page
    choice = page.locator("details.period-choice")
    assert choice.get_attribute("open") is None  # folded: the period it shows, one line
    assert not page.locator("form.period-form").is_visible()
    summary = choice.locator("summary").inner_text()
    assert ("Semester" in summary or "30" in summary) and "–" in summary
    # The school's figures start on the first screen (740 px high) of a 360 px phone.
    first_figure = page.locator("#glance-title ~ div table tbody tr").first
    assert first_figure.bounding_box()["y"] < 740
    # The figures and the observations by state fit the card: no column cut at its edge.
    for title in ("glance-title", "states-title"):
        wrap = page.locator(f"div.table-wrap[aria-labelledby={title}]")
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), title
    _shoot(page, f"dashboard-first-screen-360-{lang}.png", full_page=False)
    choice.locator("summary").click()
    assert page.locator("form.period-form").is_visible()
    site.check()  # axe with the form unfolded
    assert horizontal_overflow(page) <= 0
    page.locator("input[name=period][value=last]").check()
    page.locator("form.period-form button[type=submit]").click()
    page.wait_for_url("**period=last**")
    assert page.locator("details.period-choice").get_attribute("open") is None
    # Dates that do not make a period: the form is shown unfolded, with why and what was
    # typed.
    site.open("/dashboard/?period=dates&start=2026-03-01&end=2026-01-01")
    assert page.locator("details.period-choice").get_attribute("open") is not None
    assert page.locator("form.period-form").is_visible()
    assert page.locator("#start").input_value() == "2026-03-01"
    site.sign_out()
    site.log_in(TEACHER)
    site.open("/dashboard/me")
    assert page.locator("details.period-choice").get_attribute("open") is None
    assert page.locator("#row-title").bounding_box()["y"] < 740
    assert horizontal_overflow(page) <= 0
