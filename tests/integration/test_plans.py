"""Lesson plans end to end through HTTP: writing from a template, bad input kept, saving
revisions, a stale save refused with the user's text kept (also under 20 concurrent writers),
history, diff and restore, adapting a colleague's plan, co-authors, ignored extra fields, the
live preview, the activity log, a constant number of queries and the page's weight."""

import re
import threading

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, func, select

from collab.core.activity import ActivityEvent
from collab.core.notify import Notification
from collab.extensions import db
from collab.plans import service as plans
from collab.plans import service_comments as plan_comments
from collab.plans import service_templates as plan_templates
from collab.plans.models import Plan, PlanCoauthor, PlanRevision, PlanTemplate
from collab.plans.service import MAX_BODY, PlanFields
from tests.conftest import csrf_token, post_form

PLAN_PAGE_BUDGET = 40 * 1024

BODY = """## Tujuan pembelajaran
1. Siswa membandingkan dua pecahan.

## Kegiatan pembelajaran
### Pendahuluan (10 menit)
Guru menunjukkan dua potong kue.
"""


# ---------------------------------------------------------------- helpers


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def textarea(page: BeautifulSoup, name: str = "body") -> str:
    # WTForms writes a newline after <textarea>, which browsers drop; html.parser keeps it.
    text = page.find("textarea", attrs={"name": name}).get_text()
    return text.removeprefix("\r\n").removeprefix("\n")


def form_values(page: BeautifulSoup, selector: str = "main form.plan-form") -> dict:
    """What a browser would send for the form as the page shows it (no button pressed)."""
    form = page.select_one(selector)
    values: dict = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.name == "textarea":
            values[name] = textarea(form, name)
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            values[name] = chosen.get("value", chosen.get_text()) if chosen else ""
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                values[name] = field.get("value", "y")
        else:
            values[name] = field.get("value", "")
    return values


def field_error(page: BeautifulSoup, name: str) -> str:
    """The error message shown next to the field `name`."""
    field = page.find(attrs={"name": name})
    assert field is not None, name
    error = field.find_parent(class_="field").select_one(".error")
    assert error is not None, f"no error next to {name}"
    assert error["id"] in field.get("aria-describedby", "").split()
    return error.get_text(strip=True)


def make_plan(owner, title="Pecahan senilai", body=BODY, visibility="school", team=None,
              coauthors=()) -> Plan:
    plan = plans.create(owner, PlanFields(title=title, body=body, visibility=visibility,
                                          team_id=team.id if team else None))
    if coauthors:
        plans.set_coauthors(plan, {u.id for u in coauthors}, owner)
    db.session.commit()
    return plan


def edit_data(plan: Plan, **changes) -> dict:
    """The edit form of `plan` as its page fills it, with some values changed."""
    data = {"title": plan.title, "body": plan.body, "subject": plan.subject, "grade": plan.grade,
            "topic": plan.topic, "duration_minutes": plan.duration_minutes or "",
            "tags": ", ".join(plan.tag_names), "visibility": plan.visibility,
            "team_id": plan.team_id or "", "message": "",
            "base_revision": plan.revision_number}
    data.update(changes)
    return data


def save(client, plan: Plan, **changes):
    return post_form(client, f"/plans/{plan.id}/edit", edit_data(plan, **changes))


def revision_count(plan: Plan) -> int:
    return db.session.scalar(
        select(func.count(PlanRevision.id)).where(PlanRevision.plan_id == plan.id))


def events(verb: str) -> list[ActivityEvent]:
    return list(db.session.scalars(
        select(ActivityEvent).where(ActivityEvent.verb == verb).order_by(ActivityEvent.id)))


@pytest.fixture
def a(world):
    return world["a"]


@pytest.fixture
def teacher(a, client_for):
    """School A's teacher, reading in English."""
    return english(client_for(a["teacher"]))


# ---------------------------------------------------------------- writing a new plan


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("key", ["modul_ajar", "research_lesson", "blank"])
def test_a_plan_written_from_a_template_starts_with_its_text_in_the_users_language(
        a, client_for, key, language):
    c = client_for(a["teacher"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    template = {k: bodies for k, _name, bodies in plan_templates.BUILT_IN}[key][language]
    page = soup(c.get(f"/plans/new?template={key}"))
    assert textarea(page) == template
    assert page.find("select", attrs={"name": "template"}).find(
        "option", selected=True)["value"] == key

    data = {**form_values(page), "title": "Pecahan senilai"}
    data["body"] += "\nCatatan guru."
    response = c.post("/plans/new", data=data)

    assert response.status_code == 302, response.text
    plan = db.session.scalar(select(Plan).where(Plan.title == "Pecahan senilai"))
    assert response.headers["Location"] == f"/plans/{plan.id}"
    assert plan.body.replace("\r\n", "\n").startswith(template)
    assert plan.template_key == key
    assert plan.owner_id == a["teacher"].id and plan.school_id == a["school"].id
    assert plan.revision_number == 1 and revision_count(plan) == 1


def test_a_plan_written_from_the_schools_own_template(a, teacher):
    own = plan_templates.add_school_template(a["school"].id, "Format sekolah",
                                             "## Identitas\n\n## Langkah\n", a["principal"])
    db.session.commit()
    page = soup(teacher.get(f"/plans/new?template=school:{own.id}"))
    assert textarea(page) == own.body
    response = teacher.post("/plans/new", data={**form_values(page), "title": "Dari sekolah"})
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.title == "Dari sekolah"))
    assert plan.body.startswith("## Identitas") and plan.template_key == f"school:{own.id}"


def test_another_schools_template_is_not_offered(world, teacher):
    theirs = PlanTemplate(school_id=world["b"]["school"].id, name="Format Beta", body="## B")
    db.session.add(theirs)
    db.session.commit()
    page = teacher.get(f"/plans/new?template=school:{theirs.id}").text
    assert "Format Beta" not in page and "## B" not in page


@pytest.mark.smoke
def test_the_new_plan_is_listed_and_shown(a, teacher):
    response = post_form(teacher, "/plans/new", {
        "template": "blank", "title": "Pecahan <b>senilai</b>", "body": BODY,
        "visibility": "private", "team_id": "", "tags": "Pecahan, kelas 7"})
    assert response.status_code == 302
    view = soup(teacher.get(response.headers["Location"]))
    assert view.find("h1").get_text() == "Pecahan <b>senilai</b>"
    assert view.select_one(".plan-body h2").get_text() == "Tujuan pembelajaran"
    assert [li.get_text() for li in view.select("ul.chips li")] == ["kelas 7", "pecahan"]
    assert "Pecahan &lt;b&gt;senilai&lt;/b&gt;" in teacher.get("/plans/").text


# ---------------------------------------------------------------- bad input


def new_plan_form(team_id="", **changes) -> dict:
    return {"template": "blank", "title": "Pecahan senilai", "body": BODY, "subject": "IPA",
            "grade": "7", "topic": "Pecahan", "tags": "pecahan", "visibility": "private",
            "team_id": team_id, "message": "versi awal", **changes}


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": "   "}, "title", "Give the plan a title."),
    ({"body": "x" * (MAX_BODY + 1)}, "body", f"The plan is longer than {MAX_BODY} characters."),
    ({"visibility": "everyone"}, "visibility", "Not a valid choice."),
    ({"visibility": "team"}, "team_id", "Choose the team that may see the plan."),
    ({"duration_minutes": "lama"}, "duration_minutes", "Type a whole number, such as 45."),
], ids=["empty title", "body too long", "unknown visibility", "team missing", "bad duration"])
def test_bad_input_comes_back_with_the_message_next_to_the_field_and_the_text_kept(
        a, teacher, changes, field, message):
    data = new_plan_form(**changes)
    response = post_form(teacher, "/plans/new", data)

    assert response.status_code == 400
    page = soup(response)
    assert field_error(page, field).startswith(message)
    assert page.select_one("main [role=alert]") is not None
    assert textarea(page) == data["body"]
    assert page.find("input", attrs={"name": "title"})["value"] == data["title"]
    assert page.find("input", attrs={"name": "tags"})["value"] == data["tags"]
    assert page.find("input", attrs={"name": "message"})["value"] == data["message"]
    assert db.session.scalar(select(func.count(Plan.id))) == 0


@pytest.mark.parametrize("duration", ["lama", "4.5", "0", "99999999999999999999"])
def test_a_wrong_duration_gets_one_message(a, teacher, duration):
    page = soup(post_form(teacher, "/plans/new", new_plan_form(duration_minutes=duration)))
    assert field_error(page, "duration_minutes") in ("Type a whole number, such as 45.",
                                                     "Between 1 and 1000.")


def test_line_breaks_from_the_browser_are_kept_as_one_character(a, teacher):
    """Browsers send CRLF: the plan keeps LF, and a break counts once against the limit."""
    body = "## Langkah\r\n- satu\r\n- dua\r\n"
    assert post_form(teacher, "/plans/new", new_plan_form(body=body)).status_code == 302
    plan = db.session.scalar(select(Plan))
    assert plan.body == "## Langkah\n- satu\n- dua\n"
    longest = "y\r\n" * (MAX_BODY // 2)  # 300 000 characters sent, 200 000 kept
    assert post_form(teacher, "/plans/new", new_plan_form(body=longest)).status_code == 302


def test_without_javascript_the_template_chooser_reloads_the_page_with_its_text(a, teacher):
    page = soup(teacher.get("/plans/new"))  # starts from Modul Ajar
    chooser = page.find("form", id="template-form")
    assert chooser["method"] == "get" and chooser["action"] == "/plans/new"
    assert chooser.find("select", attrs={"name": "template"}) is not None
    chosen = soup(teacher.get("/plans/new?template=research_lesson"))
    assert textarea(chosen) == {k: b for k, _n, b in plan_templates.BUILT_IN}[
        "research_lesson"]["en"]
    assert chosen.select_one("#plan-form input[name=template]")["value"] == "research_lesson"
    answer = teacher.post("/plans/new", data={**form_values(chosen), "title": "Riset"})
    assert answer.status_code == 302
    assert db.session.scalar(select(Plan.template_key)) == "research_lesson"


def test_a_team_of_another_school_is_refused(world, teacher):
    response = post_form(teacher, "/plans/new", new_plan_form(
        visibility="team", team_id=world["b"]["team"].id))
    assert response.status_code == 400
    assert field_error(soup(response), "team_id") == "Not a valid choice."
    assert textarea(soup(response)) == BODY
    assert db.session.scalar(select(func.count(Plan.id))) == 0


@pytest.mark.dialect
def test_a_plan_of_exactly_the_longest_length_is_saved(a, teacher):
    response = post_form(teacher, "/plans/new", new_plan_form(body="y" * MAX_BODY))
    assert response.status_code == 302


def test_bad_input_on_edit_keeps_the_text_and_changes_nothing(a, teacher):
    plan = make_plan(a["teacher"])
    response = save(teacher, plan, title="", body="Teks baru yang panjang")
    assert response.status_code == 400
    page = soup(response)
    assert field_error(page, "title") == "Give the plan a title."
    assert textarea(page) == "Teks baru yang panjang"
    db.session.refresh(plan)
    assert plan.body == BODY and revision_count(plan) == 1


# ---------------------------------------------------------------- saving and conflicts


@pytest.mark.smoke
def test_saving_makes_a_revision_with_its_message(a, teacher):
    plan = make_plan(a["teacher"])
    response = save(teacher, plan, body=BODY + "\n## Asesmen\n", message="Menambah asesmen")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plans/{plan.id}"
    db.session.refresh(plan)
    assert plan.revision_number == 2 and plan.body.endswith("## Asesmen\n")
    newest = plans.latest_revision(plan)
    assert (newest.number, newest.message, newest.author_id) == (2, "Menambah asesmen",
                                                                 a["teacher"].id)
    assert plans.revision(plan, 1).body == BODY, "the old revision is kept as it was"


def test_the_edit_page_carries_the_base_revision(a, teacher):
    plan = make_plan(a["teacher"])
    save(teacher, plan, body="dua")
    page = soup(teacher.get(f"/plans/{plan.id}/edit"))
    assert page.find("input", attrs={"name": "base_revision"})["value"] == "2"
    assert textarea(page) == "dua"


@pytest.mark.dialect
def test_a_stale_save_is_refused_and_keeps_the_users_text(a, client_for):
    plan = make_plan(a["teacher"], coauthors=[a["mentor"]])
    mine, theirs = english(client_for(a["teacher"])), client_for(a["mentor"])
    my_page = soup(mine.get(f"/plans/{plan.id}/edit"))  # both open revision 1
    their_page = soup(theirs.get(f"/plans/{plan.id}/edit"))

    their_body = BODY.replace("dua potong kue", "tiga potong roti")
    first = theirs.post(f"/plans/{plan.id}/edit",
                        data={**form_values(their_page), "body": their_body})
    assert first.status_code == 302

    my_body = BODY + "\n## Asesmen\nKuis singkat.\n"
    second = mine.post(f"/plans/{plan.id}/edit",
                       data={**form_values(my_page), "body": my_body, "message": "asesmen"})

    assert second.status_code == 409
    page = soup(second)
    assert textarea(page) == my_body, "the user's own text, not lost"
    assert page.find("input", attrs={"name": "base_revision"})["value"] == "2"
    assert page.find("input", attrs={"name": "message"})["value"] == "asesmen"
    changed = page.select("main .diff")[0]
    assert "tiga" in [ins.get_text() for ins in changed.find_all("ins")]
    assert "dua" in [d.get_text() for d in changed.find_all("del")]
    assert a["mentor"].name in page.select_one("main [role=alert]").get_text()
    db.session.refresh(plan)
    assert plan.body == their_body, "nothing overwritten"
    assert plan.revision_number == 2 and revision_count(plan) == 2

    # The conflict page's form carries the newest base: saving from it succeeds.
    merged = {**form_values(page), "body": their_body + "\n## Asesmen\nKuis singkat.\n"}
    third = mine.post(f"/plans/{plan.id}/edit", data=merged)
    assert third.status_code == 302
    db.session.refresh(plan)
    assert plan.body == merged["body"] and plan.revision_number == 3


@pytest.mark.dialect
def test_a_save_without_a_base_is_treated_as_stale(a, teacher):
    plan = make_plan(a["teacher"])
    for base in ("", "abc", "0", "7"):
        response = save(teacher, plan, body="tanpa dasar", base_revision=base)
        assert response.status_code == 409, base
    db.session.refresh(plan)
    assert plan.body == BODY and revision_count(plan) == 1


WRITERS = 20


@pytest.mark.dialect
def test_a_refused_save_renders_its_conflict_page_without_the_write_lock(a, client_for):
    """After the stale save rolls back, the diff and page are built in a deferred
    transaction: other savers on SQLite do not wait for them."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's")
    plan = make_plan(a["teacher"], coauthors=[a["mentor"]])
    mine, theirs = client_for(a["teacher"]), client_for(a["mentor"])
    my_page = soup(mine.get(f"/plans/{plan.id}/edit"))
    their_page = soup(theirs.get(f"/plans/{plan.id}/edit"))
    assert theirs.post(f"/plans/{plan.id}/edit",
                       data={**form_values(their_page), "body": "Versi mereka"}).status_code == 302
    begins: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = mine.post(f"/plans/{plan.id}/edit",
                             data={**form_values(my_page), "body": "Versi saya"})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 409
    # (A first plain BEGIN may be the test client's, before the request.)
    immediate = begins.index("BEGIN IMMEDIATE")  # the save
    assert begins[immediate + 1:] and set(begins[immediate + 1:]) == {"BEGIN"}, begins


@pytest.mark.dialect
def test_twenty_concurrent_saves_on_one_base_let_exactly_one_through(a, client_for):
    plan = make_plan(a["teacher"], coauthors=[a["mentor"], a["teacher2"]])
    editors = [a["teacher"], a["mentor"], a["teacher2"]]
    clients = [client_for(editors[i % 3]) for i in range(WRITERS)]
    tokens = [csrf_token(c.get(f"/plans/{plan.id}/edit").text) for c in clients]
    forms = [{**edit_data(plan, body=f"Versi penulis {index}"), "csrf_token": tokens[index],
              "base_revision": "1"} for index in range(WRITERS)]
    before = revision_count(plan)
    statuses: list[int] = []
    start = threading.Barrier(WRITERS)

    def write(index: int):
        # Only the clients here: the test's database session belongs to the test's thread.
        start.wait()
        response = clients[index].post(f"/plans/{plan.id}/edit", data=forms[index])
        statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [302] + [409] * (WRITERS - 1), statuses
    db.session.rollback()  # end the test's own snapshot to see what the writers committed
    db.session.refresh(plan)
    assert revision_count(plan) == before + 1
    assert plan.revision_number == 2
    assert plan.body == plans.latest_revision(plan).body
    assert plan.body.startswith("Versi penulis ")


# ---------------------------------------------------------------- history, diff, restore


@pytest.fixture
def three_revisions(a):
    plan = make_plan(a["teacher"], body="Siswa membaca teks.\nGuru bertanya.")
    for body, message in (("Siswa membaca dua teks pendek.\nGuru bertanya.", "dua teks"),
                          ("Siswa membaca dua teks pendek.", "tanpa pertanyaan")):
        plans.save(plan, a["teacher"], PlanFields(title=plan.title, body=body,
                                                  visibility=plan.visibility),
                   plan.revision_number, message)
    db.session.commit()
    return plan


def test_the_history_lists_every_revision_newest_first(three_revisions, teacher):
    page = soup(teacher.get(f"/plans/{three_revisions.id}/history"))
    items = page.select("ol.revisions > li")
    assert [li.find("a").get_text() for li in items] == ["Revision 3", "Revision 2",
                                                         "Revision 1"]
    assert "tanpa pertanyaan" in items[0].get_text() and "dua teks" in items[1].get_text()
    assert len(page.select("form[action$='/restore']")) == 2, "every revision but the newest"


def test_a_reader_sees_the_history_without_restore_buttons(three_revisions, a, client_for):
    page = soup(client_for(a["teacher2"]).get(f"/plans/{three_revisions.id}/history"))
    assert len(page.select("ol.revisions > li")) == 3
    assert page.select("form[action$='/restore']") == []


def test_the_diff_marks_inserted_and_deleted_words(three_revisions, teacher):
    page = soup(teacher.get(f"/plans/{three_revisions.id}/diff?a=1&b=2"))
    diff = page.select_one("main .diff")
    assert [ins.get_text() for ins in diff.find_all("ins")] == ["dua ", " pendek"]
    page = soup(teacher.get(f"/plans/{three_revisions.id}/diff?a=2&b=3"))
    assert [d.get_text() for d in page.select("main .diff del")] == ["Guru bertanya."]
    assert page.select_one("main .diff .d-delete") is not None


def test_the_diff_keeps_no_blank_text_between_lines_and_shows_an_added_empty_line(a, teacher):
    # .diff keeps white space (pre-wrap): text between two lines would show as an empty line.
    plan = make_plan(a["teacher"], body="satu\ndua")
    plans.save(plan, a["teacher"], PlanFields(title=plan.title, body="satu\ndua\n\ntiga",
                                              visibility="school"), 1)
    db.session.commit()
    diff = soup(teacher.get(f"/plans/{plan.id}/diff")).select_one("main .diff")
    assert [child.name for child in diff.children] == ["p"] * 4
    empty = diff.select("p.d-insert")[0]
    assert empty.find("br") is not None and empty.find("ins").get_text() == ""


def test_the_diff_of_an_unknown_revision_is_not_found(three_revisions, teacher):
    assert teacher.get(f"/plans/{three_revisions.id}/diff?a=1&b=9").status_code == 404
    assert teacher.get(f"/plans/{three_revisions.id}/revisions/9").status_code == 404


def test_the_diff_shows_markup_as_text(a, teacher):
    plan = make_plan(a["teacher"], body="awal")
    plans.save(plan, a["teacher"], PlanFields(
        title=plan.title, body="<img src=x onerror=alert(1)>", visibility="school"), 1)
    db.session.commit()
    page = soup(teacher.get(f"/plans/{plan.id}/diff"))
    assert page.find("img", src="x") is None
    assert "<img src=x onerror=alert(1)>" in page.select_one("main .diff").get_text()


def test_restoring_makes_a_new_revision_with_the_old_text(three_revisions, a, teacher):
    plan = three_revisions
    response = post_form(teacher, f"/plans/{plan.id}/revisions/1/restore",
                         page=f"/plans/{plan.id}/history")
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.revision_number == 4 and revision_count(plan) == 4
    assert plan.body == "Siswa membaca teks.\nGuru bertanya."
    assert plans.revision(plan, 3).body == "Siswa membaca dua teks pendek.", "history kept"
    history = teacher.get(f"/plans/{plan.id}/history").text
    assert "Restored revision 1" in history


# ---------------------------------------------------------------- adapting a plan


def test_adapting_makes_a_private_copy_owned_by_the_adapter(a, client_for):
    original = make_plan(a["teacher"], coauthors=[a["mentor"]])
    c = english(client_for(a["teacher2"]))
    response = post_form(c, f"/plans/{original.id}/fork", page=f"/plans/{original.id}")
    assert response.status_code == 302
    copy = db.session.scalar(select(Plan).where(Plan.forked_from_id == original.id))
    assert response.headers["Location"] == f"/plans/{copy.id}/edit"
    assert (copy.owner_id, copy.visibility, copy.school_id) == (
        a["teacher2"].id, "private", a["school"].id)
    assert copy.body == original.body and copy.title == original.title
    assert copy.coauthors == [], "the original's co-authors are not carried over"
    assert revision_count(copy) == 1

    view = soup(c.get(f"/plans/{copy.id}"))
    note = view.select_one("p.note")
    assert "Adapted from" in note.get_text()
    assert note.find("a")["href"] == f"/plans/{original.id}"
    assert a["teacher"].name in note.get_text()
    # The original's owner may not see the private copy.
    assert client_for(a["teacher"]).get(f"/plans/{copy.id}").status_code == 404


@pytest.mark.dialect
def test_the_original_shows_how_often_it_was_adapted_and_only_visible_copies(a, client_for,
                                                                            make):
    original = make_plan(a["teacher"], title="Asli")
    for adapter, title, visibility in ((a["teacher2"], "Salinan pribadi", "private"),
                                       (a["mentor"], "Salinan sekolah", "school")):
        copy = plans.fork(original, adapter)
        plans.save(copy, adapter, PlanFields(title=title, body=copy.body,
                                             visibility=visibility), 1)
    db.session.commit()

    page = soup(english(client_for(a["principal"])).get(f"/plans/{original.id}"))
    section = next(s for s in page.select("section.card") if "Adapted" in s.get_text())
    assert section.find("h2").get_text() == "Adapted 2 times"
    assert [li.find("a").get_text() for li in section.select("li")] == ["Salinan sekolah"]
    assert "Salinan pribadi" not in page.text

    page = soup(english(client_for(a["teacher2"])).get(f"/plans/{original.id}"))
    titles = [a_.get_text() for a_ in page.select("section.card li a")]
    assert "Salinan pribadi" in titles and "Salinan sekolah" in titles


def test_a_copy_of_a_plan_the_reader_cannot_see_names_no_original(a, client_for):
    original = make_plan(a["teacher"], title="Rahasia asli", visibility="private",
                         coauthors=[a["teacher2"]])
    copy = plans.fork(original, a["teacher2"])
    plans.save(copy, a["teacher2"], PlanFields(title="Versi saya", body="x",
                                               visibility="school"), 1)
    db.session.commit()
    page = english(client_for(a["mentor"])).get(f"/plans/{copy.id}").text
    assert "Rahasia asli" not in page and f"/plans/{original.id}" not in page
    assert "Adapted from a plan that is not shared with you." in page


# ---------------------------------------------------------------- co-authors


def test_the_owner_adds_a_coauthor_who_is_told_and_can_edit_a_private_plan(a, teacher,
                                                                          client_for):
    plan = make_plan(a["teacher"], visibility="private")
    colleague = client_for(a["teacher2"])
    assert colleague.get(f"/plans/{plan.id}").status_code == 404

    page = soup(teacher.get(f"/plans/{plan.id}/coauthors"))
    offered = {int(i["value"]) for i in page.select("input[name=coauthors]")}
    assert offered == {a["teacher2"].id, a["mentor"].id, a["principal"].id}
    response = post_form(teacher, f"/plans/{plan.id}/coauthors",
                         {"coauthors": [a["teacher2"].id]})
    assert response.status_code == 302

    assert [u.id for u in plan.coauthors] == [a["teacher2"].id]
    [note] = db.session.scalars(select(Notification).where(
        Notification.recipient_id == a["teacher2"].id,
        Notification.kind == "plan.coauthor_added"))
    assert note.link == f"/plans/{plan.id}" and note.params["title"] == plan.title
    assert colleague.get(f"/plans/{plan.id}/edit").status_code == 200
    assert save(colleague, plan, body="Bersama").status_code == 302
    db.session.refresh(plan)
    assert plan.body == "Bersama" and plans.latest_revision(plan).author_id == a["teacher2"].id

    # Saving the same co-authors again tells nobody twice.
    post_form(teacher, f"/plans/{plan.id}/coauthors", {"coauthors": [a["teacher2"].id]})
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "plan.coauthor_added")) == 1


def test_a_colleague_of_another_school_cannot_be_made_coauthor(a, world, teacher):
    plan = make_plan(a["teacher"], visibility="private")
    outsider = world["b"]["teacher"]
    response = post_form(teacher, f"/plans/{plan.id}/coauthors", {"coauthors": [outsider.id]})
    assert response.status_code in (302, 400)
    assert db.session.scalar(select(func.count(PlanCoauthor.user_id))) == 0
    assert plans.set_coauthors(plan, {outsider.id, world.outsider.id}, a["teacher"]) == []
    db.session.commit()
    assert db.session.scalar(select(func.count(PlanCoauthor.user_id))) == 0
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.recipient_id == outsider.id)) == 0


def test_the_owner_cannot_be_made_a_coauthor_of_their_own_plan(a):
    plan = make_plan(a["teacher"])
    assert plans.set_coauthors(plan, {a["teacher"].id}, a["teacher"]) == []


def test_a_coauthor_may_not_manage_coauthors(a, client_for):
    plan = make_plan(a["teacher"], coauthors=[a["mentor"]])
    c = client_for(a["mentor"])
    assert c.get(f"/plans/{plan.id}/coauthors").status_code == 403
    assert post_form(c, f"/plans/{plan.id}/coauthors", {"coauthors": [a["teacher2"].id]},
                     page=f"/plans/{plan.id}").status_code == 403


# ---------------------------------------------------------------- extra fields are ignored


def test_extra_fields_on_a_new_plan_are_ignored(a, world, teacher):
    data = {**new_plan_form(), "school_id": world["b"]["school"].id,
            "owner_id": world["b"]["teacher"].id, "version": 99, "revision_number": 50,
            "forked_from_id": 1, "id": 999}
    assert post_form(teacher, "/plans/new", data).status_code == 302
    plan = db.session.scalar(select(Plan))
    assert (plan.school_id, plan.owner_id, plan.revision_number) == (
        a["school"].id, a["teacher"].id, 1)
    assert plan.version < 99 and plan.forked_from_id is None and plan.id != 999


def test_extra_fields_on_an_edit_are_ignored(a, world, teacher):
    plan = make_plan(a["teacher"])
    version = plan.version
    response = save(teacher, plan, body="baru", school_id=world["b"]["school"].id,
                    owner_id=world["b"]["teacher"].id, version=99, revision_number=50)
    assert response.status_code == 302
    db.session.refresh(plan)
    assert (plan.school_id, plan.owner_id, plan.revision_number, plan.version) == (
        a["school"].id, a["teacher"].id, 2, version + 1)


# ---------------------------------------------------------------- live preview


def test_the_preview_returns_sanitised_html(a, teacher):
    token = csrf_token(teacher.get("/plans/new").text)
    body = ("# Judul\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
            "[klik](javascript:alert(3))\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    response = teacher.post("/plans/preview", data={"body": body},
                            headers={"X-CSRFToken": token})
    assert response.status_code == 200
    html = BeautifulSoup(response.text, "html.parser")
    assert html.find("h1").get_text() == "Judul"
    assert html.find("table") is not None
    assert html.find("script") is None
    assert html.find("img").attrs == {"src": "x", "alt": ""}
    assert html.find("a").get("href") is None
    assert "<html" not in response.text, "a fragment, not a page"


def test_the_preview_needs_the_csrf_token(a, teacher):
    assert teacher.post("/plans/preview", data={"body": "# x"}).status_code == 400


def test_a_preview_of_a_too_long_body_is_refused(a, teacher):
    token = csrf_token(teacher.get("/plans/new").text)
    response = teacher.post("/plans/preview", data={"body": "x" * (MAX_BODY + 1)},
                            headers={"X-CSRFToken": token})
    assert response.status_code == 413


def test_the_preview_button_without_script_shows_the_preview_and_saves_nothing(a, teacher):
    response = post_form(teacher, "/plans/new", {**new_plan_form(), "preview": "1"})
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("#preview h2").get_text() == "Tujuan pembelajaran"
    assert textarea(page) == BODY
    assert page.select_one("#plan-form").has_attr("data-server-preview")
    assert db.session.scalar(select(func.count(Plan.id))) == 0


@pytest.mark.parametrize("how", ["live", "button", "button on a plan"])
def test_a_preview_renders_without_holding_the_write_lock(app, a, teacher, monkeypatch, how):
    """On SQLite a POST holds the write lock from its first statement; a preview writes
    nothing and ends its transaction before the Markdown is rendered, so colleagues' writes
    need not wait for a long text (bench/loop_stall.py)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's")
    from collab.core import database
    from collab.plans.routes import pages

    held = []
    real = pages.render_markdown

    def spy(text, *args, **kwargs):
        held.append(database._write_lock.locked())
        return real(text, *args, **kwargs)

    monkeypatch.setattr(pages, "render_markdown", spy)
    if how == "live":
        token = csrf_token(teacher.get("/plans/new").text)
        response = teacher.post("/plans/preview", data={"body": "# Judul"},
                                headers={"X-CSRFToken": token})
    elif how == "button":
        response = post_form(teacher, "/plans/new", {**new_plan_form(), "preview": "1"})
    else:
        plan = make_plan(a["teacher"])
        page = f"/plans/{plan.id}/edit"
        response = post_form(teacher, page, edit_data(plan, preview="1"), page=page)
    assert response.status_code == 200
    assert held == [False]


LIMITED = "You asked for many previews in a short time"


def test_previews_are_limited_per_user_with_a_sentence_in_the_preview_area(
        app, a, teacher, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "PREVIEW_LIMIT", "3 per minute")
    token = csrf_token(teacher.get("/plans/new").text)
    answers = [teacher.post("/plans/preview", data={"body": f"# {n}"},
                            headers={"X-CSRFToken": token}) for n in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    refused = soup(answers[3])
    assert LIMITED in refused.get_text() and refused.find("h1") is None
    assert "<html" not in answers[3].text, "a fragment for the preview area, not a page"
    # The form's Preview button counts with the live preview, and says the same.
    button = post_form(teacher, "/plans/new", {**new_plan_form(), "preview": "1"})
    assert button.status_code == 429 and LIMITED in button.text
    # Saving is no preview, and a colleague has a count of their own.
    assert post_form(teacher, "/plans/new", new_plan_form()).status_code == 302
    colleague = english(client_for(a["mentor"]))
    assert colleague.post("/plans/preview", data={"body": "# x"}, headers={
        "X-CSRFToken": csrf_token(colleague.get("/plans/new").text)}).status_code == 200


def test_the_preview_limit_is_said_in_indonesian_too(app, a, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "PREVIEW_LIMIT", "1 per minute")
    client = client_for(a["teacher"])
    token = csrf_token(client.get("/plans/new").text)
    for _ in range(2):
        response = client.post("/plans/preview", data={"body": "# x"},
                               headers={"X-CSRFToken": token})
    assert response.status_code == 429
    assert "pratinjau" in response.text.lower() and LIMITED not in response.text


# ---------------------------------------------------------------- activity


def test_create_save_restore_and_adapt_are_recorded_as_activity(a, teacher, client_for):
    response = post_form(teacher, "/plans/new", new_plan_form())
    plan = db.session.scalar(select(Plan))
    save(teacher, plan, body="dua")
    post_form(teacher, f"/plans/{plan.id}/revisions/1/restore", page=f"/plans/{plan.id}")
    db.session.refresh(plan)
    plan.visibility = "school"  # so a colleague can adapt it
    db.session.commit()
    post_form(client_for(a["mentor"]), f"/plans/{plan.id}/fork", page=f"/plans/{plan.id}")
    assert response.status_code == 302
    copy = db.session.scalar(select(Plan).where(Plan.forked_from_id == plan.id))

    expected = [("plan.created", a["teacher"].id, plan.id),
                ("plan.saved", a["teacher"].id, plan.id),
                ("plan.restored", a["teacher"].id, plan.id),
                ("plan.forked", a["mentor"].id, copy.id)]
    for verb, actor, object_id in expected:
        [event] = events(verb)
        assert (event.actor_id, event.object_type, event.object_id, event.school_id) == (
            actor, "plan", object_id, a["school"].id), verb


def test_a_refused_save_records_nothing(a, teacher):
    plan = make_plan(a["teacher"])
    save(teacher, plan, body="x", base_revision=0)
    save(teacher, plan, title="")
    assert events("plan.saved") == []


# ---------------------------------------------------------------- cost of the plan page

# The signed-in user, the plan with its owner, team and text, its tags, its co-authors, its
# original and adaptations, its files, its comments, the bell's count.
PLAN_PAGE_QUERIES = 8



@pytest.mark.dialect
def test_the_plan_page_costs_the_same_queries_for_1_or_many_revisions_and_comments(
        a, client_for, count_queries, make):
    plan = make_plan(a["teacher"], coauthors=[a["mentor"]])
    c = client_for(a["teacher2"])
    url = f"/plans/{plan.id}"
    with count_queries() as few:
        assert c.get(url).status_code == 200
    for n in range(8):
        author = make.user(a["school"], name=f"Rekan {n}")
        plans.set_coauthors(plan, {a["mentor"].id, author.id}, a["teacher"])
        plans.save(plan, author, PlanFields(title=plan.title, body=f"{BODY}\n{n}",
                                            visibility="school"), plan.revision_number)
        plan_comments.add(plan, author, f"Komentar {n}")
        plans.fork(plan, author)
    db.session.commit()
    with count_queries() as many:
        assert c.get(url).status_code == 200
    assert len(many) == len(few) <= PLAN_PAGE_QUERIES, "\n".join(many)


def test_the_plan_page_shows_the_newest_text_and_its_sections_after_a_save(a, client_for):
    # The page keeps stored HTML made safe by its content: a saved text is never the old one.
    plan = make_plan(a["teacher"])
    plans.save(plan, a["teacher"], PlanFields(title=plan.title, body="## Tujuan\n\nLama",
                                              visibility="school"), plan.revision_number)
    db.session.commit()
    c = client_for(a["teacher2"])
    first = BeautifulSoup(c.get(f"/plans/{plan.id}").text, "html.parser")
    assert "Lama" in first.select_one(".plan-body").get_text()
    plans.save(plan, a["teacher"], PlanFields(title=plan.title, body="## Langkah\n\nBaru",
                                              visibility="school"), plan.revision_number)
    db.session.commit()
    page = BeautifulSoup(c.get(f"/plans/{plan.id}").text, "html.parser")
    assert "Baru" in page.select_one(".plan-body").get_text()
    assert "Lama" not in page.select_one(".plan-body").get_text()
    sections = [o.get_text() for o in page.select("#comment-section option")]
    assert "Langkah" in sections and "Tujuan" not in sections


def first_view_size(client, url: str) -> int:
    """Bytes on the wire for the page and the stylesheets and scripts it links, each as the
    app serves it (compressed, as a browser accepts)."""
    html = client.get(url).text
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"', html)
    assert any(asset.endswith(".css") for asset in assets), url
    total = 0
    for path in [url, *assets]:
        response = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200, path
        if path == url:
            assert response.headers.get("Content-Encoding") in ("br", "gzip"), path
        total += len(response.get_data())
        response.close()
    return total


def test_the_plan_page_first_view_fits_the_budget(a, teacher):
    body = plan_templates.MODUL_AJAR["id"] + BODY * 5
    plan = make_plan(a["teacher"], body=body, coauthors=[a["mentor"]])
    for n in range(3):
        plan_comments.add(plan, a["mentor"], f"Saran {n}: **bagus**")
    db.session.commit()
    assert first_view_size(teacher, f"/plans/{plan.id}") <= PLAN_PAGE_BUDGET


def test_the_edit_page_first_view_with_its_script_fits_the_budget(a, teacher):
    plan = make_plan(a["teacher"], body=plan_templates.MODUL_AJAR["id"])
    assert "/static/js/plan-editor." in teacher.get(f"/plans/{plan.id}/edit").text
    assert first_view_size(teacher, f"/plans/{plan.id}/edit") <= PLAN_PAGE_BUDGET


# ---------------------------------------------------------------- ids on the page


@pytest.mark.parametrize("language", ["id", "en"])
def test_headings_in_a_plan_never_duplicate_an_id_of_the_page(a, client_for, language):
    c = client_for(a["teacher"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    body = (plan_templates.MODUL_AJAR[language]
            + "\n# Main\n## Preview\n## Comments title\n## Comment 1\n## Title\n## Body hint\n")
    plan = make_plan(a["teacher"], body=body)
    plan_comments.add(plan, a["mentor"], "Catatan")
    db.session.commit()
    pages = [c.get(f"/plans/{plan.id}"),
             post_form(c, f"/plans/{plan.id}/edit", edit_data(plan, preview="1"))]
    for response in pages:
        assert response.status_code == 200
        ids = [tag["id"] for tag in soup(response).find_all(id=True)]
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
