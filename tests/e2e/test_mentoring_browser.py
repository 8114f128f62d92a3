"""Mentoring in the browser (issue 12): the demo novice without a mentor asks a suggested one,
the mentor accepts, the pair logs a check-in and a goal, the novice asks the mentor to observe
them (on a 360 px phone, in both languages); every mentoring page passes axe in both
languages (bad input included) and fits a 360 px phone."""

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.people.models import User
from tests.e2e.conftest import PRINCIPAL, Site
from tests.e2e.test_journeys import horizontal_overflow

NOVICE = "guru09@demo.sch.id"  # mentored by guru01 in the demo
UNPAIRED = "guru11@demo.sch.id"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def demo_pair() -> MentorPair:
    return db.session.scalar(select(MentorPair).where(
        MentorPair.novice_id == user(NOVICE).id, MentorPair.status == "active"))


@pytest.fixture
def narrow_site(browser, live_server, axe):
    """A 360 px wide phone (the narrowest the product supports)."""
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Site(page, live_server.url, axe)
    context.close()


def test_an_unpaired_novice_asks_a_suggested_mentor_who_accepts(narrow_site_in):
    site, lang = narrow_site_in  # a 360 px phone, in each language
    site.open("/auth/login")
    if site.lang() != lang:
        site.switch_language(lang)
    site.log_in(UNPAIRED)
    site.open("/mentoring/")
    assert site.lang() == lang and horizontal_overflow(site.page) <= 0
    first = site.page.locator("main ol.suggestions > li").first
    mentor_name = first.locator("h3").inner_text()
    first.locator("textarea[name=message]").fill("Mohon bimbingan, Bu/Pak.")
    site.submit("main ol.suggestions > li >> nth=0 >> button[type=submit]")
    db.session.rollback()
    pair = db.session.scalar(select(MentorPair).where(
        MentorPair.novice_id == user(UNPAIRED).id, MentorPair.status == "requested"))
    assert pair.mentor.name == mentor_name
    site.sign_out()
    site.log_in(pair.mentor.email)
    site.open("/mentoring/")
    assert "Mohon bimbingan" in site.page.locator("#asked").inner_text()
    site.submit("#asked button[value=accept]")
    assert site.path() == f"/mentoring/pairs/{pair.id}"
    site.page.fill("main textarea[name=talked]", "Perkenalan dan tujuan.")
    site.submit("main form[action$='/checkins'] button[type=submit]")
    site.page.fill("main textarea[name=text]", "Mengajukan pertanyaan terbuka")
    site.submit("main form[action$='/goals'] button[type=submit]")
    text = site.page.locator("main").inner_text()
    assert "Perkenalan dan tujuan." in text and "Mengajukan pertanyaan terbuka" in text
    assert site.lang() == lang and horizontal_overflow(site.page) <= 0
    # The novice asks the mentor to observe them: a lesson when the mentor is free, the
    # mentor ticked on the request.
    site.sign_out()
    site.log_in(UNPAIRED)
    site.open(f"/mentoring/pairs/{pair.id}")
    site.submit(f"main a[href$='/observations/new?observer={pair.mentor_id}']")
    site.submit("main ul.choices a:has(strong)")
    assert site.page.locator(f"main input[name=observers][value='{pair.mentor_id}']"
                             ).is_checked()
    assert site.lang() == lang and horizontal_overflow(site.page) <= 0


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_mentoring_page_passes_axe(site, lang):
    site.open("/auth/login")
    if lang != "id":
        site.switch_language(lang)
    pair = demo_pair()
    site.log_in(NOVICE)
    for path in (f"/mentoring/mentors/{pair.mentor_id}", "/mentoring/",
                 f"/mentoring/pairs/{pair.id}"):
        site.open(path)
        assert site.lang() == lang, path
    # An empty thank-you: refused next to it.
    site.page.fill("main textarea[name=text]", "   ")
    with site.page.expect_response(lambda r: r.request.method == "POST") as answer:
        site.submit("main form[action$='/thanks'] button[type=submit]")
    assert answer.value.status == 400
    assert site.page.locator("#text-error").count() == 1
    # A check-in dated in the future: refused next to its field, what was typed kept.
    site.page.fill("main input[name=held_on]", "2999-01-01")
    site.page.fill("main textarea[name=talked]", "Catatan saya")
    with site.page.expect_response(lambda r: r.request.method == "POST") as answer:
        site.submit("main form[action$='/checkins'] button[type=submit]")
    assert answer.value.status == 400
    assert site.page.locator("#held_on-error").count() == 1
    assert site.field_value("talked") == "Catatan saya"
    site.sign_out()
    site.log_in(UNPAIRED)
    site.open("/mentoring/")
    assert site.page.locator("main ol.suggestions > li").count() >= 1
    site.sign_out()
    site.log_in(PRINCIPAL)
    for path in ("/mentoring/", "/mentoring/propose", f"/mentoring/novices/{user(UNPAIRED).id}",
                 f"/mentoring/pairs/{pair.id}"):
        site.open(path)
    assert "pertanyaan terbuka" not in site.page.content()  # the pair's goals stay theirs


def test_the_mentoring_pages_fit_a_360px_phone(narrow_site):
    pair = demo_pair()
    narrow_site.log_in(NOVICE)
    for path in ("/mentoring/", f"/mentoring/pairs/{pair.id}"):
        narrow_site.open(path)
        assert horizontal_overflow(narrow_site.page) <= 0, path
    narrow_site.sign_out()
    narrow_site.log_in(PRINCIPAL)
    for path in ("/mentoring/", "/mentoring/propose", f"/mentoring/pairs/{pair.id}"):
        narrow_site.open(path)
        assert horizontal_overflow(narrow_site.page) <= 0, path


@pytest.fixture(params=["id", "en"])
def narrow_site_in(request, browser, live_server, axe):
    """A 360 px phone whose browser asks for Indonesian or English."""
    locale = {"id": "id-ID", "en": "en-US"}[request.param]
    context = browser.new_context(locale=locale, viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Site(page, live_server.url, axe), request.param
    context.close()


def test_the_principal_proposes_locks_and_sends_pairs_and_they_are_accepted(narrow_site_in):
    site, lang = narrow_site_in
    site.open("/auth/login")
    if site.lang() != lang:
        site.switch_language(lang)
    site.log_in(PRINCIPAL)
    site.open("/mentoring/")
    assert site.lang() == lang
    site.open("/mentoring/propose")
    assert horizontal_overflow(site.page) <= 0
    proposals = site.page.locator("main ul.suggestions > li")
    assert proposals.count() >= 1
    locked = proposals.first.locator("input[name=lock]").get_attribute("value")
    proposals.first.locator("input[name=lock]").check()
    site.submit("main button[form=recompute]")
    assert f"lock={locked.replace(':', '%3A')}" in site.path()
    assert site.page.locator(f"main input[name=lock][value='{locked}']").is_checked()
    site.submit("main form[method=post] button.primary")
    assert site.path() == "/mentoring/"
    novice_id, mentor_id = (int(x) for x in locked.split(":"))
    db.session.rollback()
    pair = db.session.scalar(select(MentorPair).where(
        MentorPair.novice_id == novice_id, MentorPair.mentor_id == mentor_id))
    assert pair.status == "proposed"
    assert pair.novice.name in site.page.locator("main table").inner_text()
    assert horizontal_overflow(site.page) <= 0
    for person in (pair.mentor, pair.novice):
        site.sign_out()
        site.log_in(person.email)
        site.open("/mentoring/")
        site.submit(f"#asked form[action$='/pairs/{pair.id}/answer'] button[value=accept]")
    db.session.rollback()
    assert db.session.get(MentorPair, pair.id).status == "active"
    assert site.path() == f"/mentoring/pairs/{pair.id}"
    assert horizontal_overflow(site.page) <= 0
    site.sign_out()
    site.log_in(PRINCIPAL)
    site.open(f"/mentoring/pairs/{pair.id}")
    assert pair.mentor.name in site.page.locator("main").inner_text()
