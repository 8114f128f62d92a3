"""No input gives a 500: every form field and every query parameter of every route gets
hostile values, and every XSS payload shown back in a page stays text.

The fields and parameters are found from the app, not listed by hand: requests are parsed
into a recording MultiDict, which notes each key a view reads (`request.args.get("page")`,
a WTForms field reading `formdata`). Each route of the access matrix (itself checked against
`app.url_map`) is opened once plainly to learn its keys, then once per key and hostile value;
keys a view reads only once another is present are learnt on the way, until none is new."""

from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from flask import has_request_context, request
from werkzeug.datastructures import ImmutableMultiDict

from collab.extensions import db
from tests.conftest import csrf_token
from tests.integration.test_access_matrix import MATRIX, _with_items

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
    "²",
    "١٢",
    "2147483648",
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
GET_RULES = [(rule, m["GET"][0], m["GET"][1]) for rule, m in MATRIX.items() if "GET" in m]

_read: set[tuple[str, str]] = set()  # (endpoint, key) of every key a view read


class RecordingDict(ImmutableMultiDict):
    """request.args and request.form that note which keys the view reads."""

    def _note(self, key):
        if has_request_context() and request.endpoint and isinstance(key, str):
            _read.add((request.endpoint, key))

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


@pytest.fixture
def recording(app, monkeypatch):
    monkeypatch.setattr(app.request_class, "parameter_storage_class", RecordingDict)
    _read.clear()
    return lambda endpoint: {key for e, key in _read if e == endpoint}


@pytest.fixture
def items(world, snapshots):
    """The shared world with a plan, comment, room, rubric … in each school (the access
    matrix's), so that item pages get past their lookup to read their parameters."""
    return snapshots.reuse("access_matrix.world", lambda: _with_items(world))


def _endpoints(app, method: str) -> dict[str, str]:
    return {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()
            if method in rule.methods}


@pytest.mark.parametrize("value", NASTY_VALUES, ids=range(len(NASTY_VALUES)))
def test_no_form_answers_500_to_hostile_values(value, app, items, client_for, recording):
    principal = client_for(items["a"]["principal"])
    token = csrf_token(principal.get("/").text)
    endpoints = _endpoints(app, "POST")
    # Built first: a POST may delete the item a later URL names.
    urls = [(rule, build(items)) for rule, build in POST_RULES if rule != "/auth/logout"]
    for rule, url in urls:
        principal.post(url, data={"csrf_token": token})  # learn the form's fields
        fields = set(FIELDS) | recording(endpoints[rule]) - {"csrf_token"}
        data = dict.fromkeys(fields, value)
        response = principal.post(url, data={**data, "csrf_token": token})
        assert response.status_code < 500, (rule, response.status_code)


QUERY_VALUES = ["", "²", "١٢", "-1", "0", "2147483648", "99999999999999999999", "1e9",
                "x" * 5000, "<script>alert(1)</script>", "\x00", "a,b;c", "../../etc/passwd",
                "😀"]
USERS = {"teacher": ("a", "teacher"), "principal": ("a", "principal"),
         "other": ("b", "principal")}


def _reader(items, expected: dict, client_for):
    """A client of a user the route answers 200 (else the school's teacher)."""
    role = next((r for r in USERS if expected.get(r) == 200), "teacher")
    school, person = USERS[role]
    return client_for(items[school][person])


@pytest.mark.parametrize("value", QUERY_VALUES, ids=range(len(QUERY_VALUES)))
def test_no_query_parameter_answers_500_to_hostile_values(value, app, items, client_for,
                                                          recording):
    endpoints = _endpoints(app, "GET")
    clients = {}
    tried: set[tuple[str, str]] = set()
    urls = [(rule, build(items), expected) for rule, build, expected in GET_RULES]
    for _round in range(3):
        new = False
        for rule, url, expected in urls:
            role = next((r for r in USERS if expected.get(r) == 200), "teacher")
            client = clients.setdefault(role, _reader(items, expected, client_for))
            if (rule, "") not in tried:
                tried.add((rule, ""))
                client.get(url).close()  # learn the route's parameters
            for key in sorted(recording(endpoints[rule])):
                if (rule, key) in tried:
                    continue
                tried.add((rule, key))
                new = True
                response = client.get(url + ("&" if "?" in url else "?")
                                      + urlencode({key: value}))
                response.close()
                assert response.status_code < 500, (rule, key, response.status_code)
        if not new:
            break
    found = sorted({key for _rule, key in tried if key})
    assert len(found) >= 10  # the discovery found them


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
