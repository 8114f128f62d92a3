"""A phone layout that shows content (issue 15), in Chromium at 360 × 740 in both languages:
every page touched fits the screen's width, the header and the bottom bar are at most 64 px
tall, the plan, observation and assessment pages show their heading and first content without
scrolling, axe finds nothing serious; the menu opens without JavaScript; radio buttons are
controls and a criterion's levels full-width cards (bug 2); `hidden` hides (bug 3); the board
scrolls sideways with a column index; the staff table is cards; the timetable one day at a
time.

Screenshots of every page go to $REMBUK_PHONE_SHOTS when it is set (to look at them)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from collab.assessments.models import Assessment
from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.observations.models import Observation, ObservationObserver
from collab.observations.service import school_today
from collab.people.models import TeamMember, User
from collab.plans.models import Plan
from collab.rooms.models import Room
from tests.e2e.conftest import PRINCIPAL, TEACHER, Site

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 740
BAR_MAX = 64
SHOTS = os.environ.get("REMBUK_PHONE_SHOTS")


@pytest.fixture
def phone(browser, live_server, axe):
    """A 360 × 740 touch phone with an Indonesian browser."""
    context = browser.new_context(locale="id-ID", viewport={"width": WIDTH, "height": HEIGHT},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Site(page, live_server.url, axe)
    context.close()


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def teacher_pages() -> dict[str, str | None]:
    """The teacher's pages this layout touched, each with the first content that must show
    without scrolling (None: only the width, the bars and axe are checked)."""
    me = user(TEACHER)
    plan = db.session.scalar(select(Plan).where(Plan.owner_id == me.id).order_by(Plan.id))
    invited = db.session.scalar(
        select(Observation).join(ObservationObserver).where(
            ObservationObserver.user_id == me.id, ObservationObserver.status == "invited")
        .order_by(Observation.id))
    draft = db.session.scalar(select(Assessment).where(
        Assessment.assessor_id == me.id, Assessment.status == "draft",
        Assessment.kind == "peer"))
    pair = db.session.scalar(select(MentorPair).where(MentorPair.mentor_id == me.id,
                                                      MentorPair.status == "active"))
    room = db.session.scalar(select(Room).join(TeamMember, TeamMember.team_id == Room.team_id)
                             .where(Room.kind == "team", TeamMember.user_id == me.id)
                             .order_by(Room.id))
    return {
        "/": "main section.card",
        "/plans/": None,
        f"/plans/{plan.id}": "main .plan-body",
        "/observations/": None,
        f"/observations/{invited.id}": "main .card",
        f"/observations/{todays_observation(me).id}/notes": "main form",
        "/rooms/": None,
        f"/rooms/{room.id}": None,
        "/assessments/": None,
        f"/assessments/{draft.id}": "main fieldset.criterion",
        "/settings/timetable": "main details.day[open] .lesson-row:not(.head)",
        "/mentoring/": None,
        f"/mentoring/pairs/{pair.id}": None,
        "/notifications/": None,
    }


def todays_observation(me: User) -> Observation:
    """The demo's observation of today that the teacher observes."""
    return db.session.scalar(
        select(Observation).join(ObservationObserver).where(
            ObservationObserver.user_id == me.id, ObservationObserver.status == "accepted",
            Observation.lesson_date == school_today(me.membership.school)))


WIDEST = """() => {
    const limit = document.documentElement.clientWidth;
    // Inside a box that scrolls sideways (the board) an element may go beyond the screen.
    const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
        const x = getComputedStyle(p).overflowX;
        if ((x === 'auto' || x === 'scroll') && p !== document.documentElement) return true; }
        return false; };
    return [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.width > limit + 0.5 || r.right > limit + 0.5 || r.left < -0.5)
            && !scrolls(e) && getComputedStyle(e).position !== 'absolute';
    }).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).slice(0, 5); }"""


# A legend sits on its fieldset's border by default; one that wrapped on a phone had its
# first line outside the box and the next across the border. Legends are inside their box.
LEGEND_ON_THE_BORDER = """() => [...document.querySelectorAll('main fieldset > legend')]
    .filter(l => l.getBoundingClientRect().height > 0 && getComputedStyle(l).position !== 'absolute'
        && l.getBoundingClientRect().top < l.parentElement.getBoundingClientRect().top
            + parseFloat(getComputedStyle(l.parentElement).borderTopWidth))
    .map(l => l.textContent.trim().slice(0, 40))"""


def check_phone_page(site: Site, path: str, first_content: str | None, lang: str):
    """Open `path` and hold it to the phone rules; a screenshot when asked for."""
    page = site.page
    site.open(path)
    assert site.lang() == lang
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH, path
    assert page.evaluate(WIDEST) == [], path
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= BAR_MAX, (path, header)
    bar = page.locator("nav.areas").bounding_box()
    assert bar["height"] <= BAR_MAX, (path, bar)
    assert bar["y"] + bar["height"] == pytest.approx(HEIGHT, abs=1), "the bar sits at the bottom"
    assert page.evaluate(LEGEND_ON_THE_BORDER) == [], path
    if first_content is not None:
        visible_bottom = bar["y"]
        heading = page.locator("main h1").bounding_box()
        assert heading["y"] >= header["height"] - 1 and \
            heading["y"] + heading["height"] <= visible_bottom, (path, heading)
        first = page.locator(first_content).first.bounding_box()
        assert first is not None and first["y"] + 24 <= visible_bottom, (path, first)
    if SHOTS:
        name = (path.strip("/").replace("/", "_") or "home") + f"-{lang}.png"
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_teachers_pages_fit_a_360_px_phone(phone, lang):
    phone.log_in(TEACHER)
    if lang != "id":
        phone.switch_language(lang)
    for path, first_content in teacher_pages().items():
        check_phone_page(phone, path, first_content, lang)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_principals_pages_fit_a_360_px_phone(phone, lang):
    phone.log_in(PRINCIPAL)
    if lang != "id":
        phone.switch_language(lang)
    for path in ("/", "/settings/school/", "/settings/school/teams", "/rubrics/",
                 "/mentoring/"):
        check_phone_page(phone, path, "main section.card" if path == "/" else None, lang)


# ---------------------------------------------------------------- the header


def test_the_bottom_bar_has_five_labelled_areas_and_marks_the_current_one(phone):
    phone.log_in(TEACHER)
    phone.open("/plans/")
    links = phone.page.locator("nav.areas a")
    assert links.count() == 5
    for i in range(5):
        link = links.nth(i)
        assert link.locator("svg").count() == 1 and link.inner_text().strip(), "icon and label"
        box = link.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, "a finger-sized target"
    assert phone.page.locator("nav.areas a[aria-current=page]").get_attribute("href") == \
        "/plans/"
    assert phone.page.locator("link[href*='font'], style:has-text('@font-face')").count() == 0


def test_the_menu_opens_without_javascript(browser, live_server, axe):
    context = browser.new_context(locale="id-ID", viewport={"width": WIDTH, "height": HEIGHT},
                                  java_script_enabled=False)
    site = Site(context.new_page(), live_server.url, lambda page: None)
    try:
        site.log_in(TEACHER)
        sign_out = site.page.locator("header form[action$='/auth/logout'] button")
        assert not sign_out.is_visible()
        site.page.locator("header details.menu summary").click()
        assert sign_out.is_visible()
        assert site.page.locator("header details.menu a[href='/settings/profile']").is_visible()
        box = site.page.locator("header details.menu nav").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
        with site.page.expect_navigation():
            sign_out.click()
        assert site.path().startswith("/auth/login")
    finally:
        context.close()


def test_on_a_wide_screen_the_areas_are_in_the_header(site):
    site.log_in(TEACHER)
    site.open("/")
    header = site.page.locator("header.top").bounding_box()
    areas = site.page.locator("nav.areas").bounding_box()
    assert header["height"] <= BAR_MAX
    assert areas["y"] >= header["y"] and areas["y"] + areas["height"] <= \
        header["y"] + header["height"], "in the header's row, not at the bottom"


def test_the_plan_pages_secondary_actions_are_in_one_menu(phone):
    phone.log_in(TEACHER)
    plan = db.session.scalar(select(Plan).where(Plan.owner_id == user(TEACHER).id)
                             .order_by(Plan.id))
    phone.open(f"/plans/{plan.id}")
    page = phone.page
    actions = page.locator("main .page-head .actions")
    visible = [b for b in actions.locator("a, button, summary").all() if b.is_visible()]
    assert len(visible) == 3, "Edit, Discuss in a room and the menu"
    assert actions.bounding_box()["y"] + actions.bounding_box()["height"] < HEIGHT / 2
    page.locator("main details.more-actions summary").click()
    phone.check()
    items = page.locator("main details.more-actions li")
    assert items.count() == 7
    for item in items.all():
        box = item.bounding_box()
        assert item.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
        assert box["height"] >= 44


# ---------------------------------------------------------------- bugs 2 and 3


def test_a_criterions_levels_are_full_width_cards_with_real_radio_buttons(phone):
    phone.log_in(TEACHER)
    draft = db.session.scalar(select(Assessment).where(
        Assessment.assessor_id == user(TEACHER).id, Assessment.status == "draft",
        Assessment.kind == "peer"))
    phone.open(f"/assessments/{draft.id}")
    page = phone.page
    criterion = page.locator("main fieldset.criterion").first
    levels = criterion.locator("ul.levels").bounding_box()
    for label in criterion.locator("label.level").all():
        radio = label.locator("input[type=radio]").bounding_box()
        assert radio["width"] <= 24 and radio["height"] <= 24, "a control, not a text field"
        card = label.bounding_box()
        assert card["width"] >= levels["width"] - 1, "the card takes the whole width"
        descriptor = label.locator(".descriptor")
        if descriptor.count():
            assert not descriptor.inner_text().startswith(":")
            assert descriptor.bounding_box()["width"] >= card["width"] * 0.6, "not squeezed"
    # The whole card is the label: a tap on the descriptor chooses the level.
    last = criterion.locator("label.level").last
    last.locator(".level-text").click()
    assert last.locator("input[type=radio]").is_checked()


def test_the_observation_answer_radios_sit_beside_their_labels(phone):
    phone.log_in(TEACHER)
    invited = db.session.scalar(
        select(Observation).join(ObservationObserver).where(
            ObservationObserver.user_id == user(TEACHER).id,
            ObservationObserver.status == "invited").order_by(Observation.id))
    phone.open(f"/observations/{invited.id}")
    for label in phone.page.locator("main form label.check").all():
        radio = label.locator("input[type=radio]").bounding_box()
        text_left = label.bounding_box()["x"] + radio["width"]
        assert radio["width"] <= 24, "not the full-width input style"
        assert text_left < WIDTH / 2


def test_hidden_elements_stay_hidden(phone):
    phone.log_in(TEACHER)
    phone.open(f"/observations/{todays_observation(user(TEACHER)).id}/notes")
    cancel = phone.page.locator("#note-cancel")
    assert cancel.count() == 1 and cancel.get_attribute("hidden") is not None
    assert not cancel.is_visible(), "nothing is being edited: no Cancel"


# ---------------------------------------------------------------- board, staff, timetable


def team_room() -> Room:
    """The demo's team room (its board has notes in several columns)."""
    return db.session.scalar(select(Room).where(Room.kind == "team").order_by(Room.id))


def test_the_board_scrolls_sideways_with_a_column_index(phone):
    phone.log_in(TEACHER)
    phone.open(f"/rooms/{team_room().id}")
    page = phone.page
    columns = page.locator(".board-columns")
    assert page.evaluate("e => e.scrollWidth > e.clientWidth", columns.element_handle())
    first_two = [c.bounding_box() for c in page.locator(".board-column").all()[:2]]
    assert first_two[1]["x"] < WIDTH, "the next column shows at the edge"
    index = page.locator("nav.board-index a")
    assert index.count() == page.locator(".board-column").count()
    index.last.click()
    assert page.evaluate("e => e.scrollLeft", columns.element_handle()) > 0


def test_the_column_index_marks_the_column_in_view(phone):
    phone.log_in(TEACHER)
    phone.open(f"/rooms/{team_room().id}")
    page = phone.page
    index = page.locator("nav.board-index a")
    current = page.locator("nav.board-index a[aria-current=true]")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("href", index.first.get_attribute("href"))
    # The reader swipes to the second column (the box snaps each column to its start).
    page.locator(".board-columns").evaluate(
        "e => e.scrollTo({left: e.querySelectorAll('.board-column')[1].offsetLeft"
        " - e.offsetLeft})")
    expect(current).to_have_attribute("href", index.nth(1).get_attribute("href"))
    expect(current).to_have_count(1)
    assert current.evaluate("a => getComputedStyle(a).backgroundColor") != \
        index.first.evaluate("a => getComputedStyle(a).backgroundColor"), "visibly marked"
    index.last.click()
    expect(current).to_have_attribute("href", index.last.get_attribute("href"))


def test_the_column_index_is_plain_links_without_javascript(browser, live_server):
    context = browser.new_context(locale="id-ID", viewport={"width": WIDTH, "height": HEIGHT},
                                  java_script_enabled=False)
    site = Site(context.new_page(), live_server.url, lambda page: None)
    try:
        site.log_in(TEACHER)
        site.open(f"/rooms/{team_room().id}")
        page = site.page
        columns = page.locator(".board-columns")
        page.locator("nav.board-index a").nth(2).click()
        assert page.evaluate("e => e.scrollLeft", columns.element_handle()) > 0
        assert page.url.endswith(page.locator("nav.board-index a").nth(2).get_attribute("href"))
    finally:
        context.close()


def test_the_staff_table_is_cards_with_years_and_the_novice_badge(phone):
    phone.log_in(PRINCIPAL)
    phone.open("/settings/school/")
    page = phone.page
    rows = page.locator("table.staff tbody tr")
    assert rows.count() > 5
    assert page.locator("table.staff thead").is_hidden()
    novice = page.locator("table.staff tbody tr", has=page.locator(".tag")).first
    years = novice.locator("td[data-label]").nth(2)
    assert years.is_visible() and years.bounding_box()["x"] + \
        years.bounding_box()["width"] <= WIDTH
    assert novice.locator(".tag").is_visible()
    content = page.evaluate("e => getComputedStyle(e, '::before').content", years.element_handle())
    assert content.strip('"').startswith(("Lama", "Years", "Tahun")), content


def test_the_principals_mentoring_pairs_are_cards_without_a_sideways_scroll(phone):
    phone.log_in(PRINCIPAL)
    phone.open("/mentoring/")
    page = phone.page
    rows = page.locator("main table.pairs tbody tr")
    assert rows.count() >= 2
    assert page.locator("main table.pairs thead").is_hidden()
    wrap = page.locator("main table.pairs").locator("xpath=..")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), "no sideways scroll inside"
    assert page.evaluate(WIDEST) == []
    card = rows.first.bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= WIDTH
    mentor = rows.first.locator("td[data-label]").nth(1)
    content = page.evaluate("e => getComputedStyle(e, '::before').content",
                            mentor.element_handle())
    assert content.strip('"').startswith("Mentor"), content
    # The same mechanism as the staff table: one rule for both.
    assert page.locator("main table.pairs.stack").count() == 1


def test_the_pairs_actions_are_buttons_without_row_lines(phone):
    phone.log_in("guru09@demo.sch.id")  # a novice: four things to do together
    pair = db.session.scalar(select(MentorPair).where(
        MentorPair.novice_id == user("guru09@demo.sch.id").id, MentorPair.status == "active"))
    phone.open(f"/mentoring/pairs/{pair.id}")
    items = phone.page.locator("#together ul.actions > li")
    assert items.count() >= 4
    for item in items.all():
        assert item.evaluate("e => getComputedStyle(e).borderBottomWidth") == "0px"
        action = item.locator("a.button, button").first
        assert action.bounding_box()["height"] >= 44
        assert action.evaluate("e => getComputedStyle(e).textAlign") == "center"


def test_the_timetable_is_edited_one_day_at_a_time_with_periods_as_rows(phone):
    phone.log_in(TEACHER)
    phone.open("/settings/timetable")
    page = phone.page
    days = page.locator("main details.day")
    assert days.count() >= 5
    assert page.locator("main details.day[open]").count() == 1
    row = page.locator("main details.day[open] .lesson-row:not(.head)").first
    tops = [box["y"] for box in (row.locator("input").nth(i).bounding_box() for i in range(3))]
    assert max(tops) - min(tops) < 2, "class, subject and room of a period on one row"
    shut = next(i for i in range(days.count()) if days.nth(i).get_attribute("open") is None)
    assert not days.nth(shut).locator(".lesson-row:not(.head) input").first.is_visible()
    days.nth(shut).locator("summary").click()
    assert days.nth(shut).locator(".lesson-row:not(.head) input").first.is_visible()
