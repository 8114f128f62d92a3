"""Deterministic budgets: bytes on the wire for the login page's first view."""

import re

LOGIN_FIRST_VIEW_BUDGET = 30 * 1024


def _wire_size(client, url: str) -> int:
    response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200, url
    size = len(response.get_data())
    response.close()
    return size


def test_login_first_view_fits_the_budget(client):
    page = client.get("/auth/login", headers={"Accept-Encoding": "br, gzip"})
    assert page.headers.get("Content-Encoding") in ("br", "gzip")
    html = client.get("/auth/login").text
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"', html)
    assert assets, "the login page links its stylesheet"
    total = len(page.get_data()) + sum(_wire_size(client, url) for url in assets)
    assert total <= LOGIN_FIRST_VIEW_BUDGET, total


def test_pages_use_no_external_resources(client):
    html = client.get("/auth/login").text
    assert not re.search(r'(src|href)="(https?:)?//', html)
