"""Who may see and change a lesson plan, for every visibility and every kind of colleague.

Private: the owner and the co-authors. Team: also the members of the plan's team. School:
everyone in the school, the principal included. Anyone else gets a 404 (the plan's existence
is not revealed); a reader who may not edit gets a 403 on the editing pages; only the owner
manages co-authors and who can see the plan."""

import io

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.people.models import TeamMember
from collab.plans import service as plans
from collab.plans import service_attachments as attachments
from collab.plans import service_comments as plan_comments
from collab.plans.models import Plan
from collab.plans.service import PlanFields
from tests.conftest import csrf_token, post_form

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

PEOPLE = ("owner", "coauthor", "team_member", "colleague", "principal", "other_school")

# Who reads each kind of plan (the owner and co-authors read and edit every plan).
READERS = {
    "private": {"owner", "coauthor"},
    "team": {"owner", "coauthor", "team_member"},
    "school": {"owner", "coauthor", "team_member", "colleague", "principal"},
}
EDITORS = {"owner", "coauthor"}

# GET pages for readers; {a} is the attachment's id.
READ_PAGES = ("", "/history", "/revisions/1", "/revisions/2", "/diff?a=1&b=2", "/diff",
              "/export.md", "/export.docx", "/print", "/attachments/{a}")


@pytest.fixture
def storage(app, tmp_path):
    folder = tmp_path / "attachments"
    app.config["ATTACHMENT_DIR"] = str(folder)
    return folder


@pytest.fixture
def people(world, make):
    """School A's owner (the teacher), a co-author (not in the team), the mentor (in the
    plan's team), the second teacher (in the school, not in the team), the principal, and
    school B's teacher."""
    a = world["a"]
    return {
        "owner": a["teacher"],
        "coauthor": make.user(a["school"], name="Co Author A"),
        "team_member": a["mentor"],
        "colleague": a["teacher2"],
        "principal": a["principal"],
        "other_school": world["b"]["teacher"],
    }


def make_plan(people, world, visibility: str, storage) -> Plan:
    """A plan of school A's teacher with two revisions, one comment and one attachment."""
    owner = people["owner"]
    team = world["a"]["team"]
    plan = plans.create(owner, PlanFields(
        title=f"Rencana {visibility}", body="## Tujuan\n\nMembaca.", visibility=visibility,
        team_id=team.id if visibility == "team" else None))
    plans.set_coauthors(plan, {people["coauthor"].id}, owner)
    plans.save(plan, owner, PlanFields(
        title=f"Rencana {visibility}", body="## Tujuan\n\nMembaca dan menulis.",
        visibility=visibility, team_id=plan.team_id), base_revision=1)
    plan_comments.add(plan, owner, "Catatan")
    attachments.add(plan, owner, io.BytesIO(PDF), "lembar.pdf", storage)
    db.session.commit()
    return plan


def expected_read(visibility: str, who: str) -> int:
    return 200 if who in READERS[visibility] else 404


def expected_edit(visibility: str, who: str, ok: int = 200) -> int:
    if who not in READERS[visibility]:
        return 404
    return ok if who in EDITORS else 403


def expected_owner_only(visibility: str, who: str, ok: int = 200) -> int:
    if who not in READERS[visibility]:
        return 404
    return ok if who == "owner" else 403


CASES = [(visibility, who) for visibility in READERS for who in PEOPLE]


@pytest.mark.parametrize(("visibility", "who"), CASES)
def test_reading_pages_follow_the_visibility(visibility, who, people, world, client_for,
                                             storage):
    plan = make_plan(people, world, visibility, storage)
    [item] = attachments.for_plan(plan)
    c = client_for(people[who])
    for page in READ_PAGES:
        url = f"/plans/{plan.id}{page.format(a=item.id)}"
        response = c.get(url)
        assert response.status_code == expected_read(visibility, who), url
        response.close()


@pytest.mark.parametrize(("visibility", "who"), CASES)
def test_editing_pages_follow_the_visibility(visibility, who, people, world, client_for,
                                             storage):
    plan = make_plan(people, world, visibility, storage)
    c = client_for(people[who])
    token = csrf_token(c.get("/plans/").text)
    assert c.get(f"/plans/{plan.id}/edit").status_code == expected_edit(visibility, who)
    # An empty form: access is decided before the form is read.
    empty = {"csrf_token": token}
    assert c.post(f"/plans/{plan.id}/edit", data=empty).status_code == expected_edit(
        visibility, who, ok=400)
    assert c.post(f"/plans/{plan.id}/attachments", data=empty).status_code == expected_edit(
        visibility, who, ok=400)
    assert c.get(f"/plans/{plan.id}/coauthors").status_code == expected_owner_only(
        visibility, who)
    assert c.post(f"/plans/{plan.id}/revisions/1/restore", data=empty).status_code == (
        expected_edit(visibility, who, ok=302))
    # Readers may comment and adapt.
    assert c.post(f"/plans/{plan.id}/comments", data={**empty, "body": "Bagus"}).status_code == (
        302 if who in READERS[visibility] else 404)
    assert c.post(f"/plans/{plan.id}/fork", data=empty).status_code == (
        302 if who in READERS[visibility] else 404)


@pytest.mark.parametrize("visibility", list(READERS))
def test_the_plan_list_shows_a_plan_exactly_to_its_readers(visibility, people, world,
                                                           client_for, storage):
    plan = make_plan(people, world, visibility, storage)
    for who in PEOPLE:
        page = client_for(people[who]).get("/plans/?q=Rencana").text
        shown = f'href="/plans/{plan.id}"' in page
        assert shown == (who in READERS[visibility]), who


def test_leaving_the_team_takes_the_team_plan_away(people, world, client_for, storage):
    plan = make_plan(people, world, "team", storage)
    c = client_for(people["team_member"])
    assert c.get(f"/plans/{plan.id}").status_code == 200
    db.session.execute(TeamMember.__table__.delete().where(
        TeamMember.user_id == people["team_member"].id))
    db.session.commit()
    assert c.get(f"/plans/{plan.id}").status_code == 404
    assert f'href="/plans/{plan.id}"' not in c.get("/plans/").text


def test_a_removed_coauthor_can_no_longer_edit_or_read_a_private_plan(people, world, client_for,
                                                                      storage):
    plan = make_plan(people, world, "private", storage)
    c = client_for(people["coauthor"])
    assert c.get(f"/plans/{plan.id}/edit").status_code == 200
    post_form(client_for(people["owner"]), f"/plans/{plan.id}/coauthors", {})
    assert c.get(f"/plans/{plan.id}/edit").status_code == 404
    assert c.get(f"/plans/{plan.id}").status_code == 404


def test_a_coauthor_edits_but_cannot_change_who_sees_the_plan(people, world, client_for,
                                                               storage):
    plan = make_plan(people, world, "private", storage)
    c = client_for(people["coauthor"])
    response = post_form(c, f"/plans/{plan.id}/edit", {
        "title": "Rencana private", "body": "Diubah oleh rekan penulis.",
        "visibility": "school", "team_id": "", "base_revision": "2"})
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.body == "Diubah oleh rekan penulis."
    assert plan.visibility == "private", "only the owner shares a plan"
    assert client_for(people["colleague"]).get(f"/plans/{plan.id}").status_code == 404


def test_the_owner_changes_who_sees_the_plan(people, world, client_for, storage):
    plan = make_plan(people, world, "private", storage)
    response = post_form(client_for(people["owner"]), f"/plans/{plan.id}/edit", {
        "title": "Rencana private", "body": "Untuk semua.", "visibility": "school",
        "team_id": "", "base_revision": "2"})
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.visibility == "school"
    assert client_for(people["colleague"]).get(f"/plans/{plan.id}").status_code == 200


# ---------------------------------------------------------------- across schools


def test_another_schools_principal_sees_no_id_or_title_of_the_first(people, world, client_for,
                                                                    storage):
    plan = make_plan(people, world, "school", storage)
    other = client_for(world["b"]["principal"])
    secrets = [plan.title, f"/plans/{plan.id}", "Catatan", "lembar.pdf", people["owner"].name]
    for url in ("/", "/plans/", "/plans/?q=Rencana", "/plans/?q=Membaca", "/plans/?scope=mine",
                f"/plans/?author={people['owner'].id}", "/plans/?tag=", "/plans/new",
                "/plans/templates", "/notifications/"):
        response = other.get(url)
        assert response.status_code == 200, url
        for secret in secrets:
            assert secret not in response.text, (url, secret)
    for suffix in ("", "/export.md", "/export.docx", "/print", "/history", "/diff"):
        assert other.get(f"/plans/{plan.id}{suffix}").status_code == 404, suffix


def test_probing_sequential_plan_ids_finds_only_readable_plans(people, world, client_for,
                                                               storage):
    readable = set()
    for visibility in READERS:
        make_plan(people, world, visibility, storage)
    b = world["b"]
    own = plans.create(b["teacher"], PlanFields(title="Milik B", visibility="private"))
    db.session.commit()
    readable.add(own.id)
    c = client_for(b["teacher"])
    highest = db.session.scalar(select(Plan.id).order_by(Plan.id.desc()).limit(1))
    for plan_id in range(1, highest + 5):
        status = c.get(f"/plans/{plan_id}").status_code
        assert status == (200 if plan_id in readable else 404), plan_id
