"""The rubric pages through the test client: the list with the library, a rubric and its
versions, the builder without JavaScript (every button keeps what was typed), publishing with
its problems by place, import and export, the assessment settings, and who may do what."""

import io
import json
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from collab.assessments import library as rubric_library
from collab.assessments import service_rubrics as rubrics
from collab.assessments.models import Rubric
from collab.extensions import db
from collab.people.models import School
from tests.conftest import csrf_token


def small_rubric(title="Kualitas RPP"):
    return {"title": title, "target": "plan",
            "levels": [{"score": 1, "label": "Belum"}, {"score": 2, "label": "Cukup"},
                       {"score": 3, "label": "Baik"}],
            "criteria": [{"title": "Tujuan", "weight": 2, "group": "Perencanaan",
                          "descriptors": ["a", "b", "c"]},
                         {"title": "Asesmen", "weight": 1, "descriptors": ["d", "e", "f"]}]}


@pytest.fixture
def client_for(client_for):
    """Signed-in clients reading in English (one test reads Indonesian)."""

    def make(user):
        client = client_for(user)
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def rubric(world):
    """A published rubric of school A, made by its principal."""
    made = rubrics.create(world["a"]["school"].id, world["a"]["principal"], small_rubric(),
                          publish_now=True)
    db.session.commit()
    return made


def grid_form(data: dict, action: str = "save", **extra) -> dict:
    """The builder's fields for `data` (the export format), as the page names them."""
    form = {"title": data["title"], "description": data.get("description", ""),
            "target": data.get("target", "observation"), "action": action}
    for n, level in enumerate(data["levels"]):
        form[f"levels-{n}-score"] = str(level["score"])
        form[f"levels-{n}-label"] = level["label"]
    for n, c in enumerate(data["criteria"]):
        form.update({f"criteria-{n}-title": c["title"],
                     f"criteria-{n}-description": c.get("description", ""),
                     f"criteria-{n}-group": c.get("group", ""),
                     f"criteria-{n}-weight": str(c.get("weight", 1))})
        for m, text in enumerate(c["descriptors"]):
            form[f"criteria-{n}-descriptors-{m}"] = text
    return {**form, **extra}


def open_builder(client, rubric_id: int) -> dict:
    """The builder's hidden fields (CSRF token and base) from a fresh GET."""
    page = client.get(f"/rubrics/{rubric_id}/edit")
    assert page.status_code == 200, page.text[:300]
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', page.text) or re.search(
        r'id="base" name="base" type="hidden" value="([^"]*)"', page.text)
    return {"csrf_token": csrf_token(page.text), "base": base.group(1)}


def post_builder(client, rubric_id: int, data: dict, action: str = "save", **extra):
    return client.post(f"/rubrics/{rubric_id}/edit",
                       data={**open_builder(client, rubric_id), **grid_form(data, action, **extra)})


def new_draft(client) -> int:
    page = client.get("/rubrics/")
    response = client.post("/rubrics/new", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    return int(response.location.split("/")[-2])


# ---------------------------------------------------------------- list and view


@pytest.mark.dialect
def test_the_list_shows_school_rubrics_and_the_library(world, rubric, client_for):
    page = client_for(world["a"]["teacher"]).get("/rubrics/")
    assert page.status_code == 200
    assert "Kualitas RPP" in page.text
    assert "Used by 0 assessments" in page.text
    assert page.text.count("/rubrics/library/") == 3


@pytest.mark.dialect
@pytest.mark.parametrize("language", ["id", "en"])
def test_using_a_library_rubric_copies_it_once_in_the_users_language(world, client_for,
                                                                    language):
    client = client_for(world["a"]["teacher"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    page = client.get("/rubrics/")
    response = client.post("/rubrics/library/plan_quality",
                           data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    again = client.post("/rubrics/library/plan_quality",
                        data={"csrf_token": csrf_token(page.text)})
    assert again.location == response.location
    copies = db.session.scalars(select(Rubric).where(Rubric.library_key == "plan_quality")).all()
    assert len(copies) == 1 and rubrics.published(copies[0]) is not None
    assert rubrics.version_data(rubrics.latest(copies[0])) == rubric_library.library_rubric(
        "plan_quality", language)
    listing = client.get("/rubrics/").text
    assert listing.count("/rubrics/library/") == 2  # the copied one now links to the school's
    assert client.post("/rubrics/library/nope", data={
        "csrf_token": csrf_token(listing)}).status_code == 404


def test_the_view_shows_the_grid_groups_weights_and_versions(world, rubric, client_for):
    page = client_for(world["a"]["teacher"]).get(f"/rubrics/{rubric.id}")
    assert page.status_code == 200
    text = page.text
    assert 'class="rubric-grid"' in text
    assert 'scope="colgroup">Perencanaan</th>' in text
    assert "Belum" in text and ">d</td>" in text.replace('</span>', '</span>')
    assert f"/rubrics/{rubric.id}/export.json" in text
    # The principal made it: a teacher sees no Edit button.
    assert f"/rubrics/{rubric.id}/versions/new" not in text


def test_the_pkg_rubric_says_whether_the_conversion_is_shown(world, client_for):
    principal = client_for(world["a"]["principal"])
    page = principal.get("/rubrics/")
    made = principal.post("/rubrics/library/pkg", data={"csrf_token": csrf_token(page.text)})
    view = principal.get(made.location).text
    assert "pkg-note" in view
    settings = principal.get("/rubrics/settings")
    saved = principal.post("/rubrics/settings", data={
        "csrf_token": csrf_token(settings.text), "pkg_conversion": "y"})
    assert saved.status_code == 302
    school = db.session.get(School, world["a"]["school"].id)
    assert school.pkg_conversion and not school.anonymous_peer_feedback
    assert "56" in principal.get(made.location).text


# ---------------------------------------------------------------- the builder


def test_a_new_rubric_is_a_blank_draft_in_the_builder(world, client_for):
    client = client_for(world["a"]["teacher"])
    rubric_id = new_draft(client)
    page = client.get(f"/rubrics/{rubric_id}/edit")
    assert page.status_code == 200
    assert 'name="levels-2-label"' in page.text and 'name="criteria-0-title"' in page.text


@pytest.mark.parametrize("action, check", [
    ("add_level", lambda t: 'name="levels-3-score"' in t and 'value="4"' in t
     and 'name="criteria-1-descriptors-3"' in t),
    ("add_criterion", lambda t: 'name="criteria-2-title"' in t),
    ("remove_level-0", lambda t: 'name="levels-2-score"' not in t and ">a</textarea>" not in t),
    ("remove_criterion-0", lambda t: "Tujuan baru" not in t and "Asesmen" in t),
    ("criterion_down-0", lambda t: t.index("Asesmen") < t.index("Tujuan baru")),
    ("criterion_up-1", lambda t: t.index("Asesmen") < t.index("Tujuan baru")),
    ("level_right-0", lambda t: t.index("Cukup") < t.index("Belum")
     and t.index(">b</textarea>") < t.index(">a</textarea>")),
    ("level_left-1", lambda t: t.index("Cukup") < t.index("Belum")),
    ("criterion_up-0", lambda t: t.index("Tujuan baru") < t.index("Asesmen")),  # no-op
    ("remove_level-99", lambda t: 'name="levels-2-score"' in t),  # no such level: no-op
])
def test_builder_buttons_keep_what_was_typed_and_save_the_draft(world, client_for, action,
                                                                 check):
    client = client_for(world["a"]["teacher"])
    rubric_id = new_draft(client)
    typed = small_rubric()
    typed["criteria"][0]["title"] = "Tujuan baru"
    typed["description"] = "Diketik <b>sebelum</b> tombol"
    response = post_builder(client, rubric_id, typed, action)
    assert response.status_code == 200, response.text[:500]
    text = response.text
    assert "Diketik &lt;b&gt;sebelum&lt;/b&gt; tombol" in text
    assert check(text), action
    saved = rubrics.version_data(rubrics.latest(db.session.get(Rubric, rubric_id)))
    assert saved["description"] == "Diketik <b>sebelum</b> tombol"


def test_a_score_that_is_not_a_number_is_marked_and_nothing_is_lost(world, client_for):
    client = client_for(world["a"]["teacher"])
    rubric_id = new_draft(client)
    typed = small_rubric()
    response = post_builder(client, rubric_id, typed, "add_criterion",
                            **{"levels-1-score": "dua", "criteria-0-weight": "1e999"})
    assert response.status_code == 400
    assert 'value="dua"' in response.text and 'value="1e999"' in response.text
    assert 'id="levels-1-score-error"' in response.text
    assert 'id="criteria-0-weight-error"' in response.text
    assert "Level 2, score" in response.text
    assert 'name="criteria-2-title"' in response.text  # the button still did its work
    assert rubrics.latest(db.session.get(Rubric, rubric_id)).title == ""  # not saved


@pytest.mark.parametrize("fields", [
    {},  # nothing at all but the token
    {"title": "x" * 5000, "levels-0-score": "1", "levels-0-label": "a" * 500},
    {"levels-0-score": "99999999999999999999999999", "levels-0-label": "x"},
    {"levels-0-score": "nan", "criteria-0-weight": "-3", "criteria-0-title": "t"},
    {"levels-0-score": "2", "levels-1-score": "1", "target": "nonsense"},
    {"levels-999999-score": "1", "criteria-0000001-weight": "abc", "action": "level_left-x"},
    {"action": "remove_criterion-99999999999999999999"},
])
def test_the_builder_answers_odd_input_without_a_server_error(world, client_for, fields):
    client = client_for(world["a"]["teacher"])
    rubric_id = new_draft(client)
    response = client.post(f"/rubrics/{rubric_id}/edit",
                           data={**open_builder(client, rubric_id), **fields})
    assert response.status_code in (200, 302, 400), response.text[:500]


def test_hundreds_of_criteria_get_a_clear_message(world, client_for):
    client = client_for(world["a"]["teacher"])
    rubric_id = new_draft(client)
    fields = {f"criteria-{n}-title": f"K{n}" for n in range(200)}
    response = client.post(f"/rubrics/{rubric_id}/edit", data={
        **open_builder(client, rubric_id), "levels-0-score": "1", "levels-0-label": "a",
        **fields})
    assert response.status_code == 400
    assert "at most 40 criteria" in response.text


def test_publish_refuses_an_empty_rubric_and_lists_problems_by_place(world, client_for):
    client = client_for(world["a"]["teacher"])
    rubric_id = new_draft(client)
    empty = {"title": "", "levels": [{"score": 1, "label": "Belum"}],
             "criteria": [{"title": "", "descriptors": [""]}]}
    response = post_builder(client, rubric_id, empty, "publish")
    assert response.status_code == 400
    text = response.text
    assert "Not published yet" in text
    for where in ("Title", "Levels", "Criterion 1, title", "Criterion 1, descriptor for level 1"):
        assert f"<strong>{where}:</strong>" in text, where
    assert 'id="title-error"' in text and 'id="criteria-0-descriptors-0-error"' in text
    assert rubrics.published(db.session.get(Rubric, rubric_id)) is None


@pytest.mark.dialect
def test_publishing_then_editing_makes_a_new_version_and_keeps_the_old(world, client_for):
    client = client_for(world["a"]["teacher"])
    rubric_id = new_draft(client)
    response = post_builder(client, rubric_id, small_rubric(), "publish")
    assert response.status_code == 302 and response.location == f"/rubrics/{rubric_id}"
    rubric = db.session.get(Rubric, rubric_id)
    first = rubrics.published(rubric)
    before = rubrics.version_data(first)
    assert client.get(f"/rubrics/{rubric_id}/edit").status_code == 302  # no draft: press Edit
    page = client.get(f"/rubrics/{rubric_id}")
    started = client.post(f"/rubrics/{rubric_id}/versions/new",
                          data={"csrf_token": csrf_token(page.text)})
    assert started.location == f"/rubrics/{rubric_id}/edit"
    changed = small_rubric(title="Kualitas RPP v2")
    assert post_builder(client, rubric_id, changed, "publish").status_code == 302
    db.session.expire_all()
    rubric = db.session.get(Rubric, rubric_id)
    assert [v.number for v in rubric.versions] == [1, 2]
    assert rubrics.version_data(rubric.versions[0]) == before
    assert rubrics.published(rubric).title == "Kualitas RPP v2"
    old = client.get(f"/rubrics/{rubric_id}/versions/1")
    assert old.status_code == 200 and "This is an older version" in old.text
    assert client.get(f"/rubrics/{rubric_id}/versions/3").status_code == 404


@pytest.mark.dialect
def test_a_draft_saved_by_someone_else_meanwhile_is_not_overwritten(world, rubric,
                                                                    client_for):
    principal = client_for(world["a"]["principal"])
    page = principal.get(f"/rubrics/{rubric.id}")
    principal.post(f"/rubrics/{rubric.id}/versions/new",
                   data={"csrf_token": csrf_token(page.text)})
    opened = open_builder(principal, rubric.id)
    post_builder(principal, rubric.id, small_rubric(title="Disimpan duluan"))
    late = principal.post(f"/rubrics/{rubric.id}/edit",
                          data={**opened, **grid_form(small_rubric(title="Ketikan saya"))})
    assert late.status_code == 409
    assert 'value="Ketikan saya"' in late.text
    assert rubrics.latest(db.session.get(Rubric, rubric.id)).title == "Disimpan duluan"


@pytest.mark.dialect
def test_a_save_arriving_during_another_save_of_the_draft_never_overwrites_it(
        world, rubric, client_for):
    """Another save of the draft is under way (its transaction has changed the draft and not
    committed yet) when mine arrives: mine waits for it, then sees the draft changed and
    answers 409 with what I typed, instead of writing over it (FOR UPDATE on PostgreSQL,
    the write lock on SQLite)."""
    import threading

    from sqlalchemy import update

    from collab.assessments.models import RubricVersion

    principal = client_for(world["a"]["principal"])
    page = principal.get(f"/rubrics/{rubric.id}")
    principal.post(f"/rubrics/{rubric.id}/versions/new",
                   data={"csrf_token": csrf_token(page.text)})
    opened = open_builder(principal, rubric.id)
    rubric_id, draft_id = rubric.id, rubrics.draft(db.session.get(Rubric, rubric.id)).id
    db.session.commit()
    answers = []

    def save_mine():  # in its own thread: no test objects (they would reload outside a context)
        answers.append(principal.post(f"/rubrics/{rubric_id}/edit", data={
            **opened, **grid_form(small_rubric(title="Ketikan saya"))}))

    with db.engine.connect() as other:
        transaction = other.begin()
        other.execute(update(RubricVersion).where(RubricVersion.id == draft_id)
                      .values(title="Disimpan orang lain"))
        mine = threading.Thread(target=save_mine)
        mine.start()
        mine.join(timeout=0.5)  # it waits for the other save (without the lock it goes on)
        transaction.commit()
    mine.join(timeout=30)

    assert answers and answers[0].status_code == 409
    assert 'value="Ketikan saya"' in answers[0].text
    db.session.rollback()
    assert rubrics.latest(db.session.get(Rubric, rubric_id)).title == "Disimpan orang lain"


def test_preview_shows_the_grid_as_assessors_see_it(world, client_for):
    client = client_for(world["a"]["teacher"])
    rubric_id = new_draft(client)
    response = post_builder(client, rubric_id, small_rubric(), "preview")
    assert response.status_code == 200
    assert 'id="preview"' in response.text and 'class="rubric-grid"' in response.text


def test_save_redirects_back_to_the_builder(world, client_for):
    client = client_for(world["a"]["teacher"])
    rubric_id = new_draft(client)
    response = post_builder(client, rubric_id, small_rubric(), "save")
    assert response.status_code == 302 and response.location.endswith(f"/{rubric_id}/edit")
    assert "Kualitas RPP" in client.get(response.location).text


def test_duplicate_makes_my_own_draft_copy(world, rubric, client_for):
    teacher = client_for(world["a"]["teacher"])
    page = teacher.get(f"/rubrics/{rubric.id}")
    response = teacher.post(f"/rubrics/{rubric.id}/duplicate",
                            data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    copy_id = int(response.location.split("/")[-2])
    assert teacher.get(response.location).status_code == 200  # the teacher owns the copy
    copy = db.session.get(Rubric, copy_id)
    assert copy.created_by_id == world["a"]["teacher"].id
    assert rubrics.latest(copy).title == "Copy of Kualitas RPP"


# ---------------------------------------------------------------- import and export


def test_export_json_parses_back_equal_to_the_version(world, rubric, client_for):
    response = client_for(world["a"]["teacher"]).get(f"/rubrics/{rubric.id}/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.data) == rubrics.version_data(rubrics.latest(rubric))


def test_export_csv_is_an_attachment_that_imports_again(world, rubric, client_for):
    client = client_for(world["a"]["teacher"])
    response = client.get(f"/rubrics/{rubric.id}/export.csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "text/csv"
    assert rubrics.from_csv(response.data)["title"] == "Kualitas RPP"


def upload(client, raw: bytes, name: str):
    """POST a file as a browser would. The body is encoded in memory: the test client would
    spool a large one to a temporary file that it never closes."""
    page = client.get("/rubrics/import")
    boundary, body = encode_multipart({
        "csrf_token": csrf_token(page.text),
        "file": FileStorage(io.BytesIO(raw), filename=name)})
    return client.post("/rubrics/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("name", ["rubrik.json", "rubrik.csv", "rubrik"])
def test_an_import_becomes_a_draft_in_the_builder(world, rubric, client_for, name):
    client = client_for(world["a"]["teacher"])
    version = rubrics.latest(rubric)
    raw = (rubrics.to_csv(version) if name.endswith(".csv") else rubrics.to_json(version))
    response = upload(client, raw.encode(), name)
    assert response.status_code == 302, response.text[:500]
    assert response.location.endswith("/edit")
    assert "Kualitas RPP" in client.get(response.location).text


@pytest.mark.parametrize("raw, where", [
    (b"{not json", "The rubric"),
    (json.dumps({"title": "", "levels": [{"score": 1, "label": "a"}],
                 "criteria": [{"title": "c", "descriptors": ["x", "y"]}]}).encode(),
     "Title"),
    (b"\xff\xfe\x00garbage", "The rubric"),
    (b"criterion,description,group,weight,1: a,x: b\nTujuan,,,dua,p,q\n", "Row 1, column 6"),
    (b"", "The rubric"),
    (b"x" * (600 * 1024), "The rubric"),
])
def test_a_bad_import_lists_each_problem_with_its_place(world, client_for, raw, where):
    response = upload(client_for(world["a"]["teacher"]), raw, "rubrik")
    assert response.status_code == 400
    assert f"<strong>{where}:</strong>" in response.text


def test_import_without_a_file_says_so(world, client_for):
    client = client_for(world["a"]["teacher"])
    page = client.get("/rubrics/import")
    response = client.post("/rubrics/import", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 400 and "Choose a JSON or CSV file." in response.text


# ---------------------------------------------------------------- who may do what


def rubric_urls(rubric_id: int):
    gets = ["", "/versions/1", "/edit", "/export.json", "/export.csv"]
    posts = ["/edit", "/versions/new", "/duplicate", "/archive", "/restore"]
    return ([("GET", f"/rubrics/{rubric_id}{s}") for s in gets]
            + [("POST", f"/rubrics/{rubric_id}{s}") for s in posts])


def test_another_schools_users_get_404_for_every_rubric_url(world, rubric, client_for):
    for who in ("teacher", "principal"):
        other = client_for(world["b"][who])
        token = csrf_token(other.get("/rubrics/").text)
        for method, url in rubric_urls(rubric.id):
            response = (other.get(url) if method == "GET"
                        else other.post(url, data={"csrf_token": token}))
            assert response.status_code == 404, (who, method, url)
        assert "Kualitas RPP" not in other.get("/rubrics/").text


def test_a_teacher_cannot_edit_the_principals_rubric(world, rubric, client_for):
    teacher = client_for(world["a"]["teacher"])
    token = csrf_token(teacher.get("/rubrics/").text)
    assert teacher.get(f"/rubrics/{rubric.id}/edit").status_code == 403
    assert teacher.post(f"/rubrics/{rubric.id}/edit", data={
        "csrf_token": token, **grid_form(small_rubric("Diubah guru"))}).status_code == 403
    assert teacher.post(f"/rubrics/{rubric.id}/versions/new",
                        data={"csrf_token": token}).status_code == 403
    assert rubrics.latest(db.session.get(Rubric, rubric.id)).title == "Kualitas RPP"


def test_the_principal_may_edit_a_teachers_rubric(world, client_for):
    rubric_id = new_draft(client_for(world["a"]["teacher"]))
    principal = client_for(world["a"]["principal"])
    response = post_builder(principal, rubric_id, small_rubric("Dirapikan kepala sekolah"))
    assert response.status_code == 302


def test_only_the_principal_changes_the_assessment_settings(world, client_for):
    teacher = client_for(world["a"]["teacher"])
    assert teacher.get("/rubrics/settings").status_code == 403
    token = csrf_token(teacher.get("/rubrics/").text)
    assert teacher.post("/rubrics/settings", data={
        "csrf_token": token, "anonymous_peer_feedback": "y"}).status_code == 403
    assert not db.session.get(School, world["a"]["school"].id).anonymous_peer_feedback


@pytest.mark.parametrize("method, url", [
    ("POST", "/rubrics/new"), ("POST", "/rubrics/library/pkg"), ("POST", "/rubrics/import"),
    ("POST", "/rubrics/settings"), ("POST", "{id}/edit"), ("POST", "{id}/versions/new"),
    ("POST", "{id}/duplicate"), ("POST", "{id}/archive"),
])
def test_every_rubric_form_refuses_a_missing_csrf_token(world, rubric, client_for, method,
                                                        url):
    principal = client_for(world["a"]["principal"])
    target = url.replace("{id}", f"/rubrics/{rubric.id}")
    response = principal.post(target, data=grid_form(small_rubric("Tanpa token")))
    assert response.status_code == 400
    assert len(db.session.scalars(select(Rubric)).all()) == 1
    assert rubrics.latest(db.session.get(Rubric, rubric.id)).title == "Kualitas RPP"


def test_a_draft_may_start_unfinished_but_needs_its_level_scores(world):
    """The service rule the builder relies on: a blank draft can be made, a level without a
    score is refused (it is stored as a number), not a server error."""
    a = world["a"]
    draft = rubrics.create(a["school"].id, a["teacher"], rubrics.blank("id"))
    assert rubrics.published(draft) is None
    with pytest.raises(rubrics.InvalidRubric) as refused:
        rubrics.save_draft(rubrics.latest(draft), a["teacher"],
                           {"title": "", "levels": [{"label": "a"}], "criteria": []})
    assert ("levels[0].score", "required") in {(p.place, p.code)
                                               for p in refused.value.problems}


# ---------------------------------------------------------------- archiving


def test_an_archived_rubric_leaves_the_list_and_new_assessments_but_keeps_its_page(
        world, rubric, client_for):
    from collab.assessments import service as assessments
    from collab.core.activity import ActivityEvent

    principal = client_for(world["a"]["principal"])
    page = principal.get(f"/rubrics/{rubric.id}")
    assert "Archive this rubric" in page.text
    response = principal.post(f"/rubrics/{rubric.id}/archive",
                              data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302

    shown = principal.get(response.location).text
    assert "not offered for new assessments" in shown and "Restore" in shown
    listing = client_for(world["a"]["teacher"]).get("/rubrics/").text
    school_part, archived_part = listing.split("Archived rubrics")
    assert "Kualitas RPP" not in school_part.split("Library")[0]
    assert "Kualitas RPP" in archived_part.split("Library")[0]
    school_id = world["a"]["school"].id
    assert assessments.usable_versions(school_id, "plan") == []
    events = db.session.scalars(select(ActivityEvent.verb).where(
        ActivityEvent.object_id == rubric.id)).all()
    assert "rubric.archived" in events


def test_an_archived_rubric_is_refused_for_a_new_assessment(world, rubric):
    from collab.assessments import service as assessments
    from collab.assessments.service import AssessmentError

    version = rubrics.published(rubric)
    rubrics.archive(rubric, world["a"]["principal"])
    db.session.commit()
    with pytest.raises(AssessmentError) as refused:
        assessments._check_version(version, world["a"]["school"].id, "plan")
    assert refused.value.code == "bad_rubric"


def test_a_restored_rubric_is_offered_again(world, rubric, client_for):
    from collab.assessments import service as assessments

    rubrics.archive(rubric, world["a"]["principal"])
    db.session.commit()
    principal = client_for(world["a"]["principal"])
    page = principal.get(f"/rubrics/{rubric.id}")
    response = principal.post(f"/rubrics/{rubric.id}/restore",
                              data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert "Archived rubrics" not in principal.get("/rubrics/").text
    assert [v.rubric_id for v in assessments.usable_versions(world["a"]["school"].id,
                                                             "plan")] == [rubric.id]


def test_using_an_archived_library_rubric_again_restores_the_schools_copy(world, client_for):
    teacher = client_for(world["a"]["teacher"])
    token = csrf_token(teacher.get("/rubrics/").text)
    first = teacher.post("/rubrics/library/plan_quality", data={"csrf_token": token})
    copy = db.session.scalar(select(Rubric).where(Rubric.library_key == "plan_quality"))
    rubrics.archive(copy, world["a"]["principal"])
    db.session.commit()

    again = teacher.post("/rubrics/library/plan_quality", data={"csrf_token": token})

    assert again.location == first.location
    db.session.expire_all()
    assert db.session.get(Rubric, copy.id).archived_at is None
    assert len(db.session.scalars(select(Rubric)).all()) == 1


def test_a_teacher_cannot_archive_the_principals_rubric(world, rubric, client_for):
    teacher = client_for(world["a"]["teacher"])
    page = teacher.get(f"/rubrics/{rubric.id}")
    assert "Archive this rubric" not in page.text
    assert teacher.post(f"/rubrics/{rubric.id}/archive",
                        data={"csrf_token": csrf_token(page.text)}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Rubric, rubric.id).archived_at is None
