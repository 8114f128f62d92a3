"""School plan templates: only the principal opens the page and adds one; a duplicate or empty
name comes back with the typed text kept; a teacher then starts a new plan from it, and no other
school sees it."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from collab.extensions import db
from collab.plans import service_templates as plan_templates
from collab.plans.models import PlanTemplate
from tests.conftest import post_form

BODY = "## Tujuan\n1.\n\n## Langkah\n| Waktu | Kegiatan |\n| --- | --- |\n"


def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def template_count() -> int:
    return db.session.scalar(select(func.count(PlanTemplate.id)))


def new_plan_body(client, key: str) -> str:
    page = BeautifulSoup(client.get(f"/plans/new?template={key}").text, "html.parser")
    return page.select_one("textarea[name=body]").get_text()


@pytest.mark.parametrize(("who", "status"), [
    ("principal", 200),
    ("teacher", 403),
    ("mentor", 403),
])
def test_only_the_principal_opens_the_templates_page(world, client_for, who, status):
    assert client_for(world["a"][who]).get("/plans/templates").status_code == status


def test_a_user_without_a_school_is_refused(world, client_for):
    assert client_for(world.outsider).get("/plans/templates").status_code == 403


def test_a_teacher_cannot_add_a_template(world, client_for):
    c = client_for(world["a"]["teacher"])
    response = post_form(c, "/plans/templates", {"name": "Punya guru", "body": BODY},
                         page="/plans/")
    assert response.status_code == 403
    assert template_count() == 0


def test_the_principal_adds_a_template_and_a_teacher_starts_a_plan_from_it(world, client_for):
    principal = english(client_for(world["a"]["principal"]))

    response = post_form(principal, "/plans/templates",
                         {"name": "Modul Ajar ringkas", "body": BODY})

    assert response.status_code == 302
    template = db.session.scalar(select(PlanTemplate))
    assert (template.name, template.body, template.school_id, template.created_by_id) == (
        "Modul Ajar ringkas", BODY, world["a"]["school"].id, world["a"]["principal"].id)
    listing = BeautifulSoup(principal.get("/plans/templates").text, "html.parser")
    assert "Modul Ajar ringkas" in listing.select_one(".templates-list").get_text()
    assert listing.select_one(f'a[href="/plans/new?template=school:{template.id}"]')

    teacher = client_for(world["a"]["teacher"])
    new_page = BeautifulSoup(teacher.get(f"/plans/new?template=school:{template.id}").text,
                             "html.parser")
    assert new_page.select_one("textarea[name=body]").get_text().strip() == BODY.strip()
    chosen = new_page.select_one("select[name=template] option[selected]")
    assert chosen["value"] == f"school:{template.id}"


def test_another_school_does_not_get_the_template(world, client_for):
    template = plan_templates.add_school_template(world["a"]["school"].id, "Milik A", BODY,
                                                  world["a"]["principal"])
    db.session.commit()

    other = client_for(world["b"]["teacher"])

    assert new_plan_body(other, f"school:{template.id}").strip() == ""
    listing = client_for(world["b"]["principal"]).get("/plans/templates").text
    assert "Milik A" not in listing


@pytest.mark.dialect
@pytest.mark.parametrize("name", ["Modul Ajar ringkas", "  modul ajar RINGKAS "])
def test_a_duplicate_name_is_refused_and_the_text_kept(world, client_for, name):
    plan_templates.add_school_template(world["a"]["school"].id, "Modul Ajar ringkas", "x",
                                       world["a"]["principal"])
    db.session.commit()
    principal = english(client_for(world["a"]["principal"]))

    response = post_form(principal, "/plans/templates", {"name": name, "body": BODY})

    assert response.status_code == 400
    page = BeautifulSoup(response.text, "html.parser")
    assert "already has a template with this name" in page.select_one("#name-error").get_text()
    assert page.select_one("textarea[name=body]").get_text().strip() == BODY.strip()
    assert page.select_one("input[name=name]")["value"] == name
    assert template_count() == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "", "body": BODY}, "name"),
    ({"name": "Tanpa isi", "body": "  "}, "body"),
    ({"name": "x" * 121, "body": BODY}, "name"),
])
def test_bad_template_input_is_refused(world, client_for, data, field):
    principal = english(client_for(world["a"]["principal"]))

    response = post_form(principal, "/plans/templates", data)

    assert response.status_code == 400
    assert BeautifulSoup(response.text, "html.parser").select_one(f"#{field}-error")
    assert template_count() == 0


def test_a_school_template_is_offered_when_writing_a_plan(world, client_for):
    template = plan_templates.add_school_template(world["a"]["school"].id, "RPP satu lembar",
                                                  BODY, world["a"]["principal"])
    db.session.commit()

    page = BeautifulSoup(client_for(world["a"]["teacher2"]).get("/plans/new").text,
                         "html.parser")

    options = {o["value"]: o.get_text() for o in page.select("select[name=template] option")}
    assert options[f"school:{template.id}"] == "RPP satu lembar"
