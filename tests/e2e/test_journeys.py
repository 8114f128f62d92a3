"""Whole journeys in headless Chromium against the live server with the demo data: a newcomer
invited and joining, bad input kept, friendly error pages, phone width, markup in names, and
an axe-core sweep of every page in both languages. Every page visited is checked with axe."""

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.people import service as schools
from collab.people import service_accounts as accounts
from collab.people.models import Team, User
from collab.plans.models import Plan
from tests.e2e.conftest import PRINCIPAL, TEACHER

pytestmark = [
    pytest.mark.browser,
]

NEWCOMER = {
    "name": "Rina Wulandari",
    "email": "rina.wulandari@demo.sch.id",
    "subjects": "Matematika, IPA",
    "grades": "7, 8",
    "years_teaching": "2",
}


def fill_invitation(page, **values):
    for name, value in values.items():
        page.fill(f"main form [name={name}]", value)


# ---------------------------------------------------------------- 1. the newcomer journey


def test_principal_invites_a_teacher_who_joins_by_the_emailed_link(site, newest_mail, translate):
    page = site.page

    site.open("/")
    assert site.path().startswith("/auth/login"), "an anonymous visitor is sent to sign in"
    assert site.lang() == "id", "an Indonesian browser gets the Indonesian page"

    site.log_in(PRINCIPAL)
    assert site.path() == "/"
    hello = "Hello, %(name)s"
    assert site.heading() == translate(hello, "id", name="Bambang Hartono")

    site.switch_language("en")
    assert site.heading() == translate(hello, "en", name="Bambang Hartono")
    site.switch_language("id")
    assert site.heading() == translate(hello, "id", name="Bambang Hartono")

    site.open("/settings/school/")
    site.submit("main a[href$='/settings/school/invite']")
    assert site.path() == "/settings/school/invite"
    fill_invitation(page, **NEWCOMER)
    site.submit()
    assert site.path() == "/settings/school/", "after sending, the staff page is shown"
    assert NEWCOMER["email"] in page.locator("main").inner_text(), "listed as waiting"

    message, link = newest_mail()
    assert message["To"] == NEWCOMER["email"]
    assert link.startswith(site.url("/auth/invite/"))

    site.sign_out()
    site.open(link)
    assert site.field_value("name") == NEWCOMER["name"], "the name from the invitation"
    page.fill("main [name=name]", "Rina Wulandari, S.Pd.")
    page.fill("main [name=password]", "kapur tulis papan hitam")
    page.fill("main [name=confirm]", "kapur tulis papan hitam")
    site.submit()

    assert site.path() == "/"
    assert "Rina Wulandari, S.Pd." in site.heading()
    assert site.lang() == "id"

    site.open("/settings/profile")  # what the principal typed is already there
    assert site.field_value("subjects") == NEWCOMER["subjects"]
    assert site.field_value("grades") == NEWCOMER["grades"]
    assert site.field_value("years_teaching") == NEWCOMER["years_teaching"]


# ---------------------------------------------------------------- 2. bad input is kept


def test_invitation_with_a_bad_email_shows_the_error_and_keeps_what_was_typed(site, translate):
    page = site.page
    site.log_in(PRINCIPAL)
    site.open("/settings/school/invite")
    fill_invitation(page, name="Rina Wulandari", email="rina@", subjects="Matematika",
                    grades="7", years_teaching="2")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        site.submit()
    assert answer.value.status == 400

    email_field = page.locator("main [name=email]")
    assert email_field.get_attribute("aria-invalid") == "true"
    assert "email-error" in email_field.get_attribute("aria-describedby").split()
    error = page.locator("#email-error")
    assert error.is_visible()
    assert error.inner_text() == translate("This is not a valid e-mail address.", "id")
    assert page.locator("main [role=alert]").is_visible(), "a summary above the form"

    assert site.field_value("name") == "Rina Wulandari"
    assert site.field_value("email") == "rina@"
    assert site.field_value("subjects") == "Matematika"
    assert site.field_value("grades") == "7"
    assert site.field_value("years_teaching") == "2"


# ---------------------------------------------------------------- 3. friendly error pages


def test_teacher_gets_a_friendly_403_on_the_staff_page(site, translate):
    site.log_in(TEACHER)
    assert site.page.locator("header a[href$='/settings/school/']").count() == 0, (
        "a teacher's header has no staff link"
    )
    site.open("/settings/school/", status=403)
    assert site.heading() == translate("Not allowed", "id")
    assert site.page.locator("main a[href='/']").is_visible(), "a way back home"
    assert "Traceback" not in site.page.content()


def test_unknown_address_gets_a_friendly_404(site, translate):
    site.log_in(TEACHER)
    site.open("/no-such-page", status=404)
    assert site.heading() == translate("Page not found", "id")
    assert site.page.locator("main a[href='/']").is_visible()


# ---------------------------------------------------------------- 4. phone width


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the phone's screen (0: no sideways scroll).

    Compared with the viewport's width, not window.innerWidth: a mobile browser widens its
    layout viewport (and innerWidth) to whatever the page needs, so innerWidth hides overflow.
    """
    return page.evaluate("() => document.documentElement.scrollWidth") - page.viewport_size[
        "width"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_teacher_pages_fit_a_phone_without_sideways_scrolling(phone_site, lang):
    phone_site.open("/auth/login")
    if lang != "id":
        phone_site.switch_language(lang)
    assert horizontal_overflow(phone_site.page) <= 0
    phone_site.log_in(TEACHER)
    for path in ("/", "/settings/profile", "/notifications/", "/settings/password",
                 "/settings/timetable"):
        phone_site.open(path)
        assert horizontal_overflow(phone_site.page) <= 0, f"{path} scrolls sideways"


def test_principal_pages_with_tables_fit_a_phone_without_sideways_scrolling(phone_site):
    # A wide table may scroll inside its own box, never the whole page.
    phone_site.log_in(PRINCIPAL)
    for path in ("/", "/settings/school/", "/settings/school/invite", "/settings/school/teams",
                 "/settings/school/schedule", "/settings/timetable"):
        phone_site.open(path)
        assert horizontal_overflow(phone_site.page) <= 0, f"{path} scrolls sideways"
    check_csv_preview(phone_site)
    assert horizontal_overflow(phone_site.page) <= 0, "the CSV preview scrolls sideways"
    check_timetable_preview(phone_site)
    assert horizontal_overflow(phone_site.page) <= 0, "the timetable preview scrolls sideways"


# ---------------------------------------------------------------- 5. markup in names


IMG_PAYLOAD = "<img src=x onerror=alert(1)>"
SCRIPT_PAYLOAD = "<script>alert(2)</script>"


def test_names_with_markup_are_shown_as_text_and_run_nothing(site):
    teacher = db.session.scalar(select(User).where(User.email == TEACHER))
    teacher.name = IMG_PAYLOAD
    team = db.session.scalar(select(Team).where(Team.name == "MGMP Matematika"))
    team.name = SCRIPT_PAYLOAD
    db.session.commit()
    page = site.page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    def shows_literally(*texts):
        main = page.locator("main").inner_text()
        for text in texts:
            assert text in main, f"{text!r} not shown as text on {site.path()}"
        assert page.locator("img[src=x], main script").count() == 0

    site.log_in(PRINCIPAL)
    site.open("/")
    shows_literally()
    site.open("/settings/school/")
    shows_literally(IMG_PAYLOAD)
    site.open("/settings/school/teams")
    shows_literally(SCRIPT_PAYLOAD)
    site.submit(f"main a:text-is('{SCRIPT_PAYLOAD}')")
    assert site.path().startswith("/settings/school/teams/")
    shows_literally(SCRIPT_PAYLOAD, IMG_PAYLOAD)
    assert page.title().startswith(SCRIPT_PAYLOAD)

    site.sign_out()
    site.log_in(TEACHER)
    site.open("/")
    shows_literally(IMG_PAYLOAD, SCRIPT_PAYLOAD)

    page.wait_for_timeout(200)  # time for a broken image's onerror, had one been injected
    assert dialogs == []


# ---------------------------------------------------------------- 6. accessibility sweep


PRINCIPAL_PAGES = [
    "/",
    "/notifications/",
    "/settings/profile",
    "/settings/password",
    "/settings/school/",
    "/settings/school/invite",
    "/settings/school/import",
    "/settings/school/teams",
    "/settings/school/schedule",
    "/settings/school/timetables/import",
    "/settings/school/classes",
    "/settings/timetable",
    "/plans/",
    "/plans/?q=pecahan",
    "/plans/new",
    "/plans/templates",
    "/rubrics/",
    "/rubrics/import",
    "/rubrics/settings",
]
# A school-wide demo plan's pages, as the principal (a reader, not an editor) sees them.
PLAN_PAGES = ["", "/history", "/revisions/1", "/diff", "/print"]
ANONYMOUS_PAGES = [("/auth/login", 200), ("/auth/reset", 200), ("/auth/invite/not-a-token", 410)]

# GET pages the sweep leaves out, and why. Every other GET route must be swept (see below).
NOT_SWEPT = {
    "static": "files, not pages",
    "main.healthz": "plain text for monitoring",
    "main.setup": "404 once a school exists",
    "settings.index": "a redirect to the profile",
    "plans.export_markdown": "files, not pages",
    "plans.export_docx": "files, not pages",
    "plans.attachment": "files, not pages",
    "observations.service_worker": "a script, not a page",
    "observations.calendar_feed": "a calendar file for calendar apps, not a page",
    "observations.observation_ics": "a calendar file to download, not a page",
    "rubrics.export_json": "files, not pages",
    "rubrics.export_csv": "files, not pages",
    "mentoring.pairs_csv": "files, not pages",
    "dashboard.teachers_csv": "files, not pages",
    "dashboard.weekly_csv": "files, not pages",
}
SWEPT = {
    "main.home_page", "main.notifications", "settings.profile", "settings.password",
    "settings.school", "settings.invite", "settings.import_staff", "settings.teams",
    "settings.team", "timetables.schedule", "timetables.import_timetables", "timetables.classes",
    "timetables.timetable",
    "auth.login", "auth.reset_request", "auth.invitation", "auth.reset",
    "plans.index", "plans.new", "plans.templates", "plans.view", "plans.history",
    "plans.revision", "plans.diff", "plans.print_view",
    # Editing pages belong to the plan's editors: swept as the owner, in both languages and
    # with the conflict page, in test_plans_browser.py.
    "plans.edit", "plans.coauthors", "plans.delete",
    # Observation pages need an observation in each state: swept in
    # test_observations_browser.py, in both languages and at phone width.
    "observations.index", "observations.new", "observations.view", "observations.debrief",
    "observations.cancel",
    # The observer's notes page: swept in test_observation_notes_browser.py, in both
    # languages, offline and at phone width.
    "observations.notes",
    # Assessment pages need requests, assessments and a calibration round: swept in
    # test_assessments_browser.py, in both languages and at phone width.
    "assessments.index", "assessments.new", "assessments.assessment", "assessments.results",
    "assessments.results_print", "assessments.start", "assessments.calibration_new",
    "assessments.calibration_round",
    # The rooms: swept in test_rooms_browser.py, as two members of a team's room.
    "rooms.index", "rooms.room",
    # Evidence cards, outcomes and room settings: swept in test_rooms_facilitation_browser.py.
    "rooms.evidence", "rooms.outcomes", "rooms.settings",
    "rubrics.index", "rubrics.import_rubric", "rubrics.settings",
    # A rubric's pages and its builder need a rubric (the demo has none): swept in
    # test_rubrics_browser.py, in both languages, with problems shown and at phone width.
    "rubrics.view", "rubrics.version", "rubrics.edit",
    # Mentoring needs pairs and unpaired novices: swept in test_mentoring_browser.py, as a
    # novice and the principal, in both languages and at phone width (a mentor's profile
    # page too).
    "mentoring.index", "mentoring.novice", "mentoring.propose", "mentoring.pair",
    "mentoring.mentor",
    # The dashboard needs the demo's rollup and a principal: swept in
    # test_dashboard_browser.py, in both languages and at phone width.
    "dashboard.school", "dashboard.me", "dashboard.print_view", "dashboard.teacher",
    # A comment's delete question needs a comment of one's own: test_plans_browser.py.
    "plans.delete_comment",
}

CSV_ONE_GOOD_ONE_BAD = (
    b"name,email,subjects,grades,years_teaching\n"
    b"Rina Wulandari,rina@demo.sch.id,Matematika,7;8,2\n"
    b"Tanpa Surel,bukan-alamat,IPA,9,sepuluh\n"
)


def sweep_anonymous_pages(site, lang, links):
    for path, status in [*ANONYMOUS_PAGES, *links]:
        site.open(path, status=status)
        assert site.lang() == lang, path
    site.open("/auth/reset")
    site.page.fill("main [name=email]", TEACHER)
    site.submit()  # the "check your mail" page
    assert site.lang() == lang


def sweep_principal_pages(site, lang):
    for path in PRINCIPAL_PAGES:
        site.open(path)
        assert site.lang() == lang, path
    site.open("/settings/school/teams")
    site.submit("main a[href*='/settings/school/teams/']")
    assert site.lang() == lang
    plan = school_plan()
    for suffix in PLAN_PAGES:
        site.open(f"/plans/{plan.id}{suffix}")
        assert site.lang() == lang, suffix
    site.open("/no-such-page", status=404)
    assert site.lang() == lang


def school_plan() -> Plan:
    """The demo's first plan shared with the whole school (with its history and comments)."""
    return db.session.scalar(select(Plan).where(Plan.visibility == "school").order_by(Plan.id))


def check_csv_preview(site):
    site.open("/settings/school/import")
    site.page.set_input_files("main input[type=file]", files=[{
        "name": "guru.csv", "mimeType": "text/csv", "buffer": CSV_ONE_GOOD_ONE_BAD,
    }])
    site.submit()
    assert site.page.locator("main tr.ok").count() == 1
    assert site.page.locator("main tr.bad").count() == 1


TIMETABLE_ONE_GOOD_ONE_BAD = (
    b"teacher_email,weekday,period,class,subject,room\n"
    b"guru01@demo.sch.id,Senin,1,7A,Matematika,R. 7A\n"
    b"guru01@demo.sch.id,Sabtu,1,7A,Matematika,\n"
)


def check_timetable_preview(site):
    site.open("/settings/school/timetables/import")
    site.page.set_input_files("main input[type=file]", files=[{
        "name": "jadwal.csv", "mimeType": "text/csv", "buffer": TIMETABLE_ONE_GOOD_ONE_BAD,
    }])
    site.submit()
    assert site.page.locator("main tr.ok").count() == 1
    assert site.page.locator("main tr.bad").count() == 1


def token_links():
    """A waiting invitation (so the staff page lists one) and a valid invitation link and reset
    link: the forms behind them are pages too."""
    principal = db.session.scalar(select(User).where(User.email == PRINCIPAL))
    invitation = schools.invite(principal.membership.school, principal, schools.StaffDetails(
        name="Calon Guru", email="calon.guru@demo.sch.id"))
    db.session.commit()
    teacher = db.session.scalar(select(User).where(User.email == TEACHER))
    return [(f"/auth/invite/{schools.invitation_token(invitation)}", 200),
            (f"/auth/reset/{accounts.make_reset_token(teacher)}", 200)]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_passes_axe(site, lang, app):
    with app.test_request_context():
        links = token_links()
    site.open("/auth/login")
    if lang != "id":
        site.switch_language(lang)
    sweep_anonymous_pages(site, lang, links)
    site.log_in(PRINCIPAL)
    assert site.lang() == lang, "the language chosen before signing in is kept"
    sweep_principal_pages(site, lang)
    check_csv_preview(site)
    check_timetable_preview(site)
    check_bad_term_is_kept(site)


def check_bad_term_is_kept(site):
    """The calendar page with a refused term: the errors are shown (and checked by axe)."""
    site.open("/settings/school/schedule")
    site.page.fill("#term-name", "Semester Uji")
    site.page.fill("#term-starts_on", "2027-07-12")
    site.submit("main form[action$='/schedule/terms'] button[type=submit]")
    assert site.page.locator("#term-ends_on-error").is_visible()
    assert site.page.locator("#term-name").input_value() == "Semester Uji"
    assert site.page.locator("#holiday-name").input_value() == "", "only the sent form is kept"


def test_the_sweep_knows_every_get_page(app):
    get_pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    missing = get_pages - SWEPT - set(NOT_SWEPT)
    assert not missing, f"add these pages to the accessibility sweep: {sorted(missing)}"
