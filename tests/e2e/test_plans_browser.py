"""Lesson plans in headless Chromium against the live server with the demo data: writing from
a template with the live preview, the draft kept on the device across a reload, plans full of
XSS payloads that run nothing, axe on every plan page in both languages (the conflict page
included), and the plan pages at phone width. Every page visited is checked with axe."""

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.people.models import User
from collab.plans import service as plans
from collab.plans import service_comments as plan_comments
from collab.plans import service_templates as plan_templates
from collab.plans.models import Plan
from collab.plans.service import PlanFields
from tests.e2e.conftest import TEACHER
from tests.e2e.test_journeys import horizontal_overflow
from tests.unit.test_rendering import XSS_CORPUS

pytestmark = [
    pytest.mark.browser,
]

COAUTHOR = "guru02@demo.sch.id"  # in the demo, Budi co-writes Siti's plans


SAVE = "#plan-form button.primary"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def own_plan(title: str = "Perbandingan pecahan", body: str | None = None,
             visibility: str = "school", revisions: int = 2) -> Plan:
    """A plan of the demo teacher, co-written by guru02, with `revisions` revisions."""
    owner, coauthor = user(TEACHER), user(COAUTHOR)
    text = body if body is not None else plan_templates.RESEARCH_LESSON["id"]
    plan = plans.create(owner, PlanFields(title=title, body=text, visibility=visibility,
                                          subject="Matematika", grade="7"))
    plans.set_coauthors(plan, {coauthor.id}, owner)
    for n in range(2, revisions + 1):
        plans.save(plan, coauthor, PlanFields(
            title=title, body=f"{text}\n\nRevisi {n}: siswa bekerja berpasangan.",
            visibility=visibility, subject="Matematika", grade="7"), n - 1, f"revisi {n}")
    db.session.commit()
    return plan


def body_field(site):
    return site.page.locator("main textarea[name=body]")


def type_at_end(site, text: str):
    field = body_field(site)
    field.click()
    field.press("Control+End")
    field.press_sequentially(text)


# ---------------------------------------------------------------- writing with the preview


def test_a_plan_is_written_from_the_template_with_a_live_preview(site, translate):
    page = site.page
    site.log_in(TEACHER)
    site.open("/plans/new")
    assert body_field(site).input_value() == plan_templates.MODUL_AJAR["id"]
    page.fill("main [name=title]", "Operasi bilangan bulat di garis bilangan")

    type_at_end(site, "\n## Catatan untuk pengamat\nPerhatikan kelompok 3.\n")
    heading = page.locator("#preview h2", has_text="Catatan untuk pengamat")
    heading.wait_for()
    assert page.locator("#preview h2").first.inner_text() == "Informasi umum"
    site.check()  # the page with its preview filled in

    site.submit(SAVE)
    assert site.path().startswith("/plans/") and site.path()[7:].isdigit()
    assert site.heading() == "Operasi bilangan bulat di garis bilangan"
    assert page.locator("main .plan-body h2", has_text="Catatan untuk pengamat").is_visible()
    assert page.locator("main .flash").inner_text() == translate("The plan is saved.", "id")


def test_the_live_preview_says_so_when_the_teacher_previewed_too_often(site, app, translate,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "PREVIEW_LIMIT", "2 per minute")
    page = site.page
    site.log_in(TEACHER)
    site.open("/plans/new")
    answers = []
    for text in ("\nSatu.", "\nDua.", "\nTiga."):
        with page.expect_response(lambda r: r.url.endswith("/plans/preview")) as answer:
            type_at_end(site, text)
        answers.append(answer.value.status)
    assert answers == [200, 200, 429]
    sentence = translate("You asked for many previews in a short time. The preview comes back "
                         "in a minute; your text is kept.", "id")
    page.locator("#preview [role=status]", has_text=sentence).wait_for()
    assert body_field(site).input_value().endswith("\nTiga.")  # nothing typed is lost
    site.check()


def test_choosing_another_template_brings_its_text_until_the_teacher_types(site):
    page = site.page
    site.log_in(TEACHER)
    site.open("/plans/new")
    page.select_option("main select[name=template]", "research_lesson")
    page.wait_for_function(
        "text => document.querySelector('main textarea[name=body]').value === text",
        arg=plan_templates.RESEARCH_LESSON["id"])
    page.locator("#preview h2", has_text="Tema penelitian").wait_for()

    type_at_end(site, "\nCatatan saya.")
    page.select_option("main select[name=template]", "blank")
    page.wait_for_timeout(500)  # time for a fetch that must not replace the text
    assert body_field(site).input_value() == (
        plan_templates.RESEARCH_LESSON["id"] + "\nCatatan saya.")
    site.check()


def test_the_template_button_switches_the_text_in_place_and_enter_still_saves(site):
    page = site.page
    site.log_in(TEACHER)
    site.open("/plans/new")
    page.fill("main [name=title]", "Judul diketik dulu")
    page.select_option("#template-form select[name=template]", "blank")
    page.click("#template-form button")
    page.wait_for_function("() => document.querySelector('main textarea[name=body]').value === ''")
    assert site.path() == "/plans/new?template=blank" or site.path().startswith("/plans/new")
    assert page.locator("main [name=title]").input_value() == "Judul diketik dulu"
    page.fill("main textarea[name=body]", "Isi singkat.")
    with page.expect_navigation():
        page.press("main [name=title]", "Enter")
    assert site.heading() == "Judul diketik dulu"
    plan = db.session.scalar(select(Plan).where(Plan.title == "Judul diketik dulu"))
    assert plan.template_key == "blank" and plan.body == "Isi singkat."


# ---------------------------------------------------------------- the draft on this device


@pytest.mark.parametrize("where", ["new", "edit"])
def test_a_draft_is_restored_after_a_reload_without_saving(site, where):
    page = site.page
    plan = own_plan() if where == "edit" else None
    path = f"/plans/{plan.id}/edit" if plan else "/plans/new"
    site.log_in(TEACHER)
    site.open(path)
    before = body_field(site).input_value()

    type_at_end(site, "\nKalimat yang belum disimpan.")
    page.locator("#draft-status", has_text="Draf disimpan di perangkat ini.").wait_for()
    page.reload()

    assert body_field(site).input_value() == before + "\nKalimat yang belum disimpan."
    status = page.locator("#draft-status")
    assert "Draf dari perangkat ini dipulihkan." in status.inner_text()
    assert status.locator("button", has_text="Buang draf").is_visible()
    site.check()
    if plan is not None:
        db.session.refresh(plan)
        assert "Kalimat yang belum disimpan." not in plan.body, "nothing was saved"

    # Discarding the draft brings the saved text back.
    with page.expect_navigation():
        status.locator("button").click()
    assert body_field(site).input_value() == before


def test_a_saved_plan_leaves_no_draft_behind(site):
    page = site.page
    plan = own_plan()
    site.log_in(TEACHER)
    site.open(f"/plans/{plan.id}/edit")
    type_at_end(site, "\nDisimpan.")
    page.locator("#draft-status", has_text="Draf disimpan").wait_for()
    site.submit(SAVE)
    assert site.path() == f"/plans/{plan.id}"
    site.open("/plans/new")
    site.open(f"/plans/{plan.id}/edit")
    assert body_field(site).input_value().endswith("\nDisimpan.")
    assert page.locator("#draft-status").inner_text() == ""


def test_a_save_that_never_reached_the_server_keeps_the_draft(site):
    """The draft is dropped only when the saved plan's page confirms the save."""
    page = site.page
    plan = own_plan()
    site.log_in(TEACHER)
    site.open(f"/plans/{plan.id}/edit")
    type_at_end(site, "\nDiketik di kereta.")
    page.locator("#draft-status", has_text="Draf disimpan").wait_for()
    page.context.set_offline(True)
    try:
        page.click("main form#plan-form button.primary", no_wait_after=True)
        page.wait_for_timeout(500)
    finally:
        page.context.set_offline(False)
    site.open(f"/plans/{plan.id}/edit")
    assert body_field(site).input_value().endswith("\nDiketik di kereta.")
    assert "Draf dari perangkat ini dipulihkan." in page.locator("#draft-status").inner_text()
    db.session.refresh(plan)
    assert "Diketik di kereta." not in plan.body


# ---------------------------------------------------------------- XSS runs nothing


def test_a_plan_full_of_xss_payloads_opens_without_running_anything(site):
    page = site.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    body = "\n\n".join(["## Bagian berbahaya", *XSS_CORPUS])
    plan = own_plan(title="<img src=x onerror=alert('judul')>", body=body)
    plan_comments.add(plan, user(COAUTHOR), "\n\n".join(XSS_CORPUS[:10]))
    db.session.commit()

    site.log_in(TEACHER)
    for path in (f"/plans/{plan.id}", f"/plans/{plan.id}/history",
                 f"/plans/{plan.id}/revisions/1", f"/plans/{plan.id}/diff?a=1&b=2",
                 f"/plans/{plan.id}/print", "/plans/", "/plans/?q=onerror"):
        site.open(path)
        assert page.locator("main script, main iframe, main object, main embed").count() == 0
        assert page.locator("main [onerror], main [onload], main [ontoggle]").count() == 0

    site.open(f"/plans/{plan.id}/edit")
    # At the start: a payload like an unclosed <style> swallows whatever follows it.
    field = body_field(site)
    field.click()
    field.press("Control+Home")
    field.press_sequentially("## Pratinjau\n\n<svg onload=alert('pratinjau')>\n\n")
    page.locator("#preview h2", has_text="Pratinjau").wait_for()
    assert page.locator("#preview script, #preview svg, #preview [onerror]").count() == 0

    page.wait_for_timeout(300)  # time for a broken image's onerror, had one been injected
    assert dialogs == []


# ---------------------------------------------------------------- accessibility


def open_conflict_page(site, plan: Plan):
    """Open the edit page, let the co-author save first, then save: the 409 page."""
    page = site.page
    site.open(f"/plans/{plan.id}/edit")
    plans.save(plan, user(COAUTHOR), PlanFields(
        title=plan.title, body=plan.body + "\n\nTambahan rekan.", visibility=plan.visibility),
        plan.revision_number, "lebih dulu")
    db.session.commit()
    type_at_end(site, "\nTambahan saya.")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        site.submit(SAVE)
    assert answer.value.status == 409
    assert body_field(site).input_value().endswith("\nTambahan saya.")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_plan_page_passes_axe(site, lang):
    plan = own_plan(revisions=3)
    site.open("/auth/login")
    if lang != "id":
        site.switch_language(lang)
    site.log_in(TEACHER)
    for path in ("/plans/", "/plans/?q=pecahan&scope=mine", "/plans/?q=tidak-ada-apa-apa",
                 "/plans/new", "/plans/new?template=research_lesson", f"/plans/{plan.id}",
                 f"/plans/{plan.id}/edit", f"/plans/{plan.id}/history",
                 f"/plans/{plan.id}/revisions/1", f"/plans/{plan.id}/diff?a=1&b=3",
                 f"/plans/{plan.id}/coauthors", f"/plans/{plan.id}/delete",
                 f"/plans/{plan.id}/print"):
        site.open(path)
        assert site.lang() == lang, path

    site.open("/plans/new")  # refused input: the page with its error messages
    site.page.fill("main [name=title]", "")
    with site.page.expect_response(lambda r: r.request.method == "POST") as answer:
        site.submit(SAVE)
    assert answer.value.status == 400

    open_conflict_page(site, plan)
    assert site.lang() == lang


# ---------------------------------------------------------------- phone width


@pytest.mark.parametrize("lang", ["id", "en"])
def test_plan_pages_fit_a_phone_without_sideways_scrolling(phone_site, lang):
    demo = db.session.scalar(select(Plan).where(Plan.owner_id == user(TEACHER).id)
                             .order_by(Plan.id))
    research = own_plan(title="Pelajaran penelitian: pecahan senilai",
                        body=plan_templates.RESEARCH_LESSON[lang])
    phone_site.open("/auth/login")
    if lang != "id":
        phone_site.switch_language(lang)
    phone_site.log_in(TEACHER)
    for path in ("/plans/", f"/plans/{demo.id}", f"/plans/{research.id}",
                 f"/plans/{research.id}/edit", f"/plans/{research.id}/history",
                 f"/plans/{research.id}/diff?a=1&b=2", "/plans/new"):
        phone_site.open(path)
        assert horizontal_overflow(phone_site.page) <= 0, f"{path} scrolls sideways"


def test_a_long_line_of_code_in_a_plan_does_not_widen_the_phone_page(phone_site):
    plan = own_plan(title="Kode", body="```\nx = " + "1234567890" * 20 + "\n```\n")
    phone_site.log_in(TEACHER)
    phone_site.open(f"/plans/{plan.id}")
    assert horizontal_overflow(phone_site.page) <= 0


# ---------------------------------------------------------------- taking a comment away


def test_the_author_deletes_a_comment_and_the_owner_hides_one(site, phone_site):
    plan = own_plan(title="Komentar yang dihapus")
    plan_comments.add(plan, user(COAUTHOR), "Komentar yang saya tarik kembali.")
    plan_comments.add(plan, user("guru03@demo.sch.id"), "- " * 500 + "x")
    db.session.commit()
    # The owner hides the second comment (the probe's shape, shown as escaped text).
    site.log_in(TEACHER)
    site.open(f"/plans/{plan.id}")
    with site.page.expect_navigation():
        site.page.locator(".comment", has_text="- - - -").get_by_role("button").first.click()
    site.check()
    assert site.page.locator(".comment-hidden").count() == 1
    site.page.screenshot(path="/tmp/h1-hidden-1280.png", full_page=True)
    # The co-author deletes their own comment after the confirmation page, on a phone.
    phone_site.log_in(COAUTHOR)
    phone_site.open(f"/plans/{plan.id}")
    with phone_site.page.expect_navigation():
        phone_site.page.locator(".comment", has_text="saya tarik").get_by_role("link").click()
    phone_site.check()
    assert not horizontal_overflow(phone_site.page)
    phone_site.page.screenshot(path="/tmp/h1-delete-360.png", full_page=True)
    with phone_site.page.expect_navigation():
        phone_site.page.locator("main form button.danger").click()
    phone_site.check()
    assert "saya tarik" not in phone_site.page.locator("main").inner_text()
    assert phone_site.page.locator(".comment-hidden").count() == 1
