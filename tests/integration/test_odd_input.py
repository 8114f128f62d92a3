"""Odd input answers 400 or 404, never 500 (issue 14, item 6), and CSV the app writes cannot
run in a spreadsheet yet imports back unchanged (item 5): JSON nested thousands deep to the
rubric import; a CSV cell over Python's 131,072-character field limit in the staff, timetable
and rubric imports; non-ASCII digits and numbers beyond the database's range in query
parameters and URL ids."""

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from collab.assessments import service_rubrics as rubrics
from collab.core.csv_files import read_csv
from collab.core.numbers import MAX_ID, whole_number
from collab.extensions import db
from collab.plans import service as plans
from tests.conftest import csrf_token

HUGE_CELL = "x" * 140_000


def _upload(client, url: str, raw: bytes, name: str):
    boundary, body = encode_multipart({
        "csrf_token": csrf_token(client.get(url).text),
        "file": FileStorage(io.BytesIO(raw), filename=name)})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize(("url", "text"), [
    ("/settings/school/import", f"name,email\n{HUGE_CELL},a@test.sch.id\n"),
    ("/settings/school/timetables/import",
     f"teacher_email,weekday,period,class,subject\na@test.sch.id,1,1,{HUGE_CELL},IPA\n"),
])
def test_a_csv_cell_over_the_field_limit_is_refused_with_a_sentence(world, client_for, url,
                                                                    text):
    client = client_for(world["a"]["principal"])
    response = _upload(client, url, text.encode(), "data.csv")
    assert response.status_code in (200, 400), response.status_code
    assert "131.072" in response.text or "131,072" in response.text


def test_rubric_imports_refuse_deep_json_and_huge_csv_cells(world, client_for):
    client = client_for(world["a"]["teacher"])
    deep = _upload(client, "/rubrics/import", ("[" * 5000 + "]" * 5000).encode(), "r.json")
    assert deep.status_code == 400
    header = "title,description,group,weight,1: Belum,2: Sudah\n"
    huge = _upload(client, "/rubrics/import", f"{header}{HUGE_CELL},a,,1,b,c\n".encode(),
                   "r.csv")
    assert huge.status_code == 400
    assert "131.072" in huge.text or "131,072" in huge.text


def test_rubric_csv_export_neutralises_formulas_and_imports_back_unchanged(world, client_for):
    formula = "=cmd|' /C calc'!A0"
    rubric = rubrics.create(world["a"]["school"].id, world["a"]["principal"], {
        "title": "+Rubrik", "target": "plan", "description": "@SUM(A1)",
        "levels": [{"score": 1, "label": "-Belum"}, {"score": 2, "label": "Sudah"}],
        "criteria": [{"title": formula, "description": "\tTab", "group": "-1",
                      "descriptors": ["=1+1", "\rCR"]}]}, publish_now=True)
    db.session.commit()
    response = client_for(world["a"]["teacher"]).get(f"/rubrics/{rubric.id}/export.csv")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff") and text.count("\ufeff") == 1
    assert "'=cmd|' /C calc'!A0" in text and "'=1+1" in text and "'@SUM(A1)" in text
    for line in text.lstrip("\ufeff").splitlines():
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "-", "@", "\t", "\r")), cell
    again = rubrics.from_csv(response.data)
    original = rubrics.version_data(rubrics.latest(rubric))
    assert again["title"] == "+Rubrik" and again["description"] == "@SUM(A1)"
    assert again["criteria"][0]["title"] == formula
    for key in ("title", "target", "description", "levels", "criteria"):
        assert again[key] == original[key], key


def test_imports_read_escaped_cells_back_as_they_were():
    rows = read_csv("name,email\n'=Budi,'-b@test.sch.id\n'plain,c@test.sch.id\n",
                    ("name", "email"))
    assert [(r["name"], r["email"]) for _line, r in rows] == [
        ("=Budi", "-b@test.sch.id"), ("'plain", "c@test.sch.id")]


ODD_NUMBERS = ["²", "١٢", "99999999999999999999", str(MAX_ID + 1), "-1", "1e3", "0x10",
               " 7", "７"]


def test_whole_number_takes_ascii_digits_within_the_database_range():
    assert [whole_number(v) for v in ODD_NUMBERS] == [None, None, None, None, None, None,
                                                     None, 7, None]
    assert whole_number(str(MAX_ID)) == MAX_ID and whole_number("0") == 0


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_numbers_in_query_parameters_are_ignored(world, client_for, value):
    teacher = world["a"]["teacher"]
    plan = plans.create(teacher, plans.PlanFields(title="R", body="# a", visibility="school"))
    db.session.commit()
    client = client_for(teacher)
    for url in (f"/plans/?page={value}", f"/plans/?author={value}",
                f"/plans/{plan.id}/diff?a={value}&b={value}",
                f"/observations/new?plan={value}"):
        assert client.get(url).status_code < 500, url


@pytest.mark.parametrize("value", ["99999999999999999999", str(MAX_ID + 1), "²"])
def test_ids_beyond_the_database_range_in_urls_are_not_found(world, client_for, value):
    client = client_for(world["a"]["teacher"])
    for url in (f"/plans/{value}", f"/plans/{value}/print", f"/rooms/{value}",
                f"/observations/{value}", f"/rubrics/{value}", f"/plans/1/revisions/{value}"):
        assert client.get(url).status_code == 404, url
