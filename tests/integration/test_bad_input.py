"""No input gives a 500: every form of the app gets hostile values, and every XSS payload
shown back in a page stays text."""

import pytest
from bs4 import BeautifulSoup

from collab.extensions import db
from tests.conftest import csrf_token
from tests.integration.test_access_matrix import MATRIX

pytestmark = pytest.mark.dialect  # hostile values reach the database's types and limits

NASTY_VALUES = [
    "",
    " ",
    "x" * 100_000,
    "\x00",
    "\U0001f600" * 300,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{7*7}}",
    "../../etc/passwd",
    "-1",
    "99999999999999999999999",
    "ＡＢＣ＠ｅｘａｍｐｌｅ．ｃｏｍ",
]
FIELDS = ["name", "email", "password", "confirm", "current", "role", "subjects", "grades",
          "years_teaching", "language", "members", "lang", "next", "school_name", "timezone",
          "csv_text", "confirm", "remember"]

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    '"><a href="JaVaScRiPt:alert(1)">x</a>',
    "&#106;avascript:alert(1)",
    "{{7*7}}",
    "Ã© ' \" < > & \\ `",
]

POST_RULES = [(rule, m["POST"][0]) for rule, m in MATRIX.items() if "POST" in m]


@pytest.mark.parametrize("value", NASTY_VALUES, ids=range(len(NASTY_VALUES)))
def test_no_form_answers_500_to_hostile_values(value, world, client_for):
    principal = client_for(world["a"]["principal"])
    token = csrf_token(principal.get("/").text)
    for rule, build in POST_RULES:
        if rule == "/auth/logout":
            continue
        data = dict.fromkeys(FIELDS, value)
        response = principal.post(build(world), data={**data, "csrf_token": token})
        assert response.status_code < 500, (rule, response.status_code)


def _assert_inert(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all("script"), "a script element got into the page"
    for tag in soup.find_all(True):
        for attribute, value in tag.attrs.items():
            assert not attribute.lower().startswith("on"), (tag.name, attribute)
            text = " ".join(value) if isinstance(value, list) else value
            if attribute in ("href", "src", "action"):
                assert not text.strip().lower().startswith(("javascript:", "data:")), text


@pytest.mark.parametrize("payload", XSS, ids=range(len(XSS)))
def test_names_and_team_names_are_shown_as_text(payload, world, client_for):
    teacher, team = world["a"]["teacher"], world["a"]["team"]
    teacher.name = payload
    team.name = payload
    db.session.commit()
    principal = client_for(world["a"]["principal"])
    for url in ("/", "/settings/school/", "/settings/school/teams",
                f"/settings/school/teams/{team.id}"):
        html = principal.get(url).text
        _assert_inert(html)
        if url != "/":
            assert payload in BeautifulSoup(html, "html.parser").get_text(), url
    home = client_for(teacher).get("/").text
    _assert_inert(home)
    assert payload in BeautifulSoup(home, "html.parser").get_text()


def test_template_code_in_input_is_not_evaluated(world, client_for):
    world["a"]["teacher"].name = "{{7*7}}"
    db.session.commit()
    html = client_for(world["a"]["teacher"]).get("/").text
    assert "{{7*7}}" in BeautifulSoup(html, "html.parser").get_text()


def test_safe_markup_is_never_marked_safe_outside_the_sanitiser():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    sanitiser = root / "collab" / "core" / "rendering.py"
    offenders = [
        str(path.relative_to(root))
        for path in [*root.glob("templates/**/*.html"), *root.glob("collab/**/*.py")]
        if path != sanitiser and ("|safe" in path.read_text() or "Markup(" in path.read_text())
    ]
    assert offenders == []
    # In the sanitiser, Markup( wraps nothing but sanitise(...).
    lines = [line for line in sanitiser.read_text().splitlines() if "Markup(" in line
             and not line.lstrip().startswith(("#", "from", "import"))]
    assert lines and all("Markup(sanitise(" in line for line in lines)
