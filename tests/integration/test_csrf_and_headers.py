"""CSRF on every state-changing route, GET changes nothing, and the security headers."""

import pytest
from sqlalchemy import func, select

from collab.extensions import db
from tests.conftest import login
from tests.integration.test_access_matrix import MATRIX

POST_URLS = [
    (rule, methods["POST"][0]) for rule, methods in MATRIX.items() if "POST" in methods
]


@pytest.mark.parametrize(("rule", "build"), POST_URLS, ids=[r for r, _ in POST_URLS])
def test_every_state_changing_route_refuses_a_missing_csrf_token(rule, build, world, client_for):
    c = client_for(world["a"]["principal"])
    before = _row_counts()
    response = c.post(build(world), data={"name": "x", "email": "x@test.sch.id", "lang": "en"})
    assert response.status_code == 400
    assert _row_counts() == before


def test_a_forged_csrf_token_is_refused(world, client_for):
    c = client_for(world["a"]["principal"])
    response = c.post("/settings/school/teams", data={"name": "Forged", "csrf_token": "abc"})
    assert response.status_code == 400


def _row_counts() -> dict:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_get_routes_change_nothing(world, client_for):
    urls = [build(world) for rule, methods in MATRIX.items() if "GET" in methods
            for build in [methods["GET"][0]]]
    for user in (world["a"]["principal"], world["a"]["teacher"]):
        c = client_for(user)
        before = _row_counts()
        for url in urls:
            c.get(url).close()
        assert _row_counts() == before


def test_pages_carry_the_security_headers(client, world):
    login(client, world["a"]["teacher"].email)
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style_attribute(client, world):
    login(client, world["a"]["principal"].email)
    for url in ("/", "/settings/school/", "/settings/profile", "/auth/reset"):
        html = client.get(url).text
        assert "<script>" not in html and "<script " not in html.replace('<script src=', '')
        assert " style=" not in html
        assert " onclick=" not in html


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/rembuk.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()
