"""The rubric builder in headless Chromium against the live server with the demo data: a
teacher builds a small rubric with the builder's plain buttons (every press is a round trip to
the server, nothing typed is lost), meets the problems of publishing too early, previews and
publishes it; the rubric's pages and the builder in both languages and at 360 px, where each
criterion is a card and nothing scrolls sideways. Every page visited is checked with axe.

The 360-px screenshot of the builder is written to $REMBUK_SCREENSHOT_DIR (default: the test's
temporary directory) as rubric-builder-360.png, for a person to look at.
"""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from collab.assessments import service_rubrics as rubrics
from collab.assessments.models import Rubric
from collab.extensions import db
from tests.e2e.conftest import PRINCIPAL, TEACHER, Site
from tests.e2e.test_journeys import horizontal_overflow

pytestmark = [
    pytest.mark.browser,
]


def press(site, label: str, nth: int = 0):
    """Press a button of the builder by its visible text (a full round trip)."""
    site.submit(f"main button:has-text('{label}') >> nth={nth}")


def fill_criterion(site, n: int, title: str, descriptors: list[str]):
    page = site.page
    page.fill(f"#criteria-{n}-title", title)
    for m, text in enumerate(descriptors):
        page.fill(f"#criteria-{n}-descriptors-{m}", text)


def build_small_rubric(site, translate):
    site.open("/rubrics/")
    site.submit("main form[action$='/rubrics/new'] button")
    assert site.path().endswith("/edit")
    page = site.page

    # Publishing a blank draft: every problem listed with its place, and next to its field.
    press(site, translate("Publish", "id"))
    assert page.locator("main .error-summary li").count() >= 4
    assert page.locator("#title-error").is_visible()
    assert page.locator("#criteria-0-descriptors-0-error").is_visible()

    page.fill("#title", "Diskusi kelompok")
    page.select_option("#target", "observation")
    fill_criterion(site, 0, "Semua siswa berbicara", ["Sedikit", "Sebagian", "Semua"])
    press(site, translate("Add criterion", "id"))
    assert site.field_value("title") == "Diskusi kelompok", "typed text survives the round trip"
    assert site.field_value("criteria-0-descriptors-2") == "Semua"
    assert site.path().endswith("#criterion-1")
    fill_criterion(site, 1, "Siswa saling menanggapi", ["Tidak ada", "Kadang", "Sering"])
    page.fill("#criteria-1-weight", "2")

    # Move the second criterion up: it swaps with the first, texts and all.
    press(site, translate("Move up", "id"))
    assert site.field_value("criteria-0-title") == "Siswa saling menanggapi"
    assert site.field_value("criteria-1-descriptors-0") == "Sedikit"

    press(site, translate("Preview", "id"))
    assert page.locator("#preview table.rubric-grid tbody tr").count() == 2
    return int(site.path().split("/")[2])


def test_a_teacher_builds_previews_and_publishes_a_rubric(site, translate):
    site.log_in(TEACHER)
    rubric_id = build_small_rubric(site, translate)
    press(site, translate("Publish", "id"))
    assert site.path() == f"/rubrics/{rubric_id}"
    assert site.heading() == "Diskusi kelompok"
    assert site.page.locator("main table.rubric-grid tbody th[scope=row]").first.inner_text(
    ).startswith("Siswa saling menanggapi")
    rubric = db.session.scalar(select(Rubric).where(Rubric.id == rubric_id))
    assert rubrics.published(rubric).number == 1

    # Every rubric page in both languages (the view, a version, the list, the builder).
    site.submit("main form[action$='/versions/new'] button")  # Edit: version 2 as a draft
    for lang in ("id", "en"):
        if lang == "en":
            site.switch_language("en")
        for path in ("/rubrics/", f"/rubrics/{rubric_id}", f"/rubrics/{rubric_id}/versions/1",
                     f"/rubrics/{rubric_id}/versions/2", f"/rubrics/{rubric_id}/edit",
                     "/rubrics/import"):
            site.open(path)
            assert site.lang() == lang, path


def test_the_builders_levels_are_one_under_the_other_on_a_wide_screen(site):
    """The builder's levels box took the assessment form's grid of level cards (both are
    `.levels`): its hint, its list and its "Add level" button stood as columns."""
    site.log_in(TEACHER)
    site.open("/rubrics/")
    site.submit("main form[action$='/rubrics/new'] button")
    levels = site.page.locator("fieldset#levels")
    assert levels.evaluate("e => getComputedStyle(e).display") != "grid"
    legend, add = levels.locator("legend").bounding_box(), levels.locator(
        "button").last.bounding_box()
    assert add["y"] > legend["y"] and add["height"] < 60, "the add button under, not stretched"


def test_the_builder_and_the_grid_fit_a_360_px_phone(browser, live_server, axe, translate,
                                                    tmp_path):
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    site = Site(page, live_server.url, axe)
    try:
        site.log_in(TEACHER)
        rubric_id = build_small_rubric(site, translate)
        assert horizontal_overflow(page) == 0, "the builder scrolls sideways"
        site.page.evaluate("() => window.scrollTo(0, 0)")
        folder = Path(os.environ.get("REMBUK_SCREENSHOT_DIR", tmp_path))
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "rubric-builder-360.png"), full_page=True)
        # The same page a screen at a time, readable at its real size.
        page.locator("#levels").scroll_into_view_if_needed()
        page.screenshot(path=str(folder / "rubric-builder-360-levels.png"))
        page.locator("#criterion-0").scroll_into_view_if_needed()
        page.screenshot(path=str(folder / "rubric-builder-360-criterion.png"))

        # The criterion's descriptors stack under it: one column of cells.
        cells = page.locator("#criterion-0 .descriptor-cells textarea")
        boxes = [cells.nth(m).bounding_box() for m in range(cells.count())]
        assert len({round(b["x"]) for b in boxes}) == 1

        press(site, translate("Publish", "id"))
        assert site.path() == f"/rubrics/{rubric_id}"
        assert horizontal_overflow(page) == 0, "the grid scrolls sideways"
        page.locator("main table.rubric-grid").scroll_into_view_if_needed()
        page.screenshot(path=str(folder / "rubric-view-360.png"))
        # On a phone each criterion is a card: its level names are shown in the cells.
        assert page.locator("main table.rubric-grid td .cell-level").first.is_visible()
    finally:
        context.close()


def test_the_principal_archives_a_rubric_and_restores_it(site, translate):
    """On a phone: the confirmation opens under Archive, the rubric's page then says it is
    archived, the list shows it apart; Restore brings it back. Every page passes axe."""
    site.page.set_viewport_size({"width": 360, "height": 740})
    site.log_in(PRINCIPAL)
    rubric = db.session.scalar(select(Rubric).where(Rubric.archived_at.is_(None))
                               .order_by(Rubric.id))
    title = rubrics.latest(rubric).title
    db.session.remove()
    site.open(f"/rubrics/{rubric.id}")
    site.page.click("main details.confirm summary")
    site.check()  # the open confirmation
    site.submit("main form[action$='/archive'] button")
    assert site.path() == f"/rubrics/{rubric.id}"
    assert site.page.locator("main .archived-note").is_visible()
    site.open("/rubrics/")
    archived = site.page.locator("main section[aria-labelledby=archived-rubrics]")
    assert title in archived.inner_text()
    assert horizontal_overflow(site.page) <= 0

    site.open(f"/rubrics/{rubric.id}")
    site.submit("main form[action$='/restore'] button")
    assert site.page.locator("main .archived-note").count() == 0
    assert translate("The rubric is back among the school's rubrics.", "id") in (
        site.page.locator("main .flash").inner_text())
