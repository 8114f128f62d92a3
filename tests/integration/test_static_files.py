"""Static text files go out compressed (brotli or gzip, as the browser accepts), decode to the
file as it is on disk, still answer conditional requests with 304, and pages are never served
from the static files' cache. Pages link them by fingerprinted addresses
(css/rembuk.<digest>.css), cached for a year as immutable; a changed file gets a new address,
an outdated fingerprint is redirected to the current one, and the plain address still answers
(revalidated)."""

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from flask import url_for

STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.mark.parametrize("path", ["/static/css/rembuk.css", "/static/js/rooms.js",
                                  "/static/vendor/socket.io.min.js"])
def test_stylesheet_and_scripts_are_compressed(client, path):
    on_disk = (STATIC / path.removeprefix("/static/")).read_bytes()
    response = client.get(path, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.get_data()) == on_disk
    assert len(response.get_data()) < len(on_disk) / 2
    assert "Accept-Encoding" in response.headers["Vary"]
    again = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(again.get_data()) == on_disk
    plain = client.get(path)
    assert plain.get_data() == on_disk and "Content-Encoding" not in plain.headers


def test_a_cached_static_file_still_answers_304(client):
    first = client.get("/static/css/rembuk.css", headers={"Accept-Encoding": "br"})
    etag = first.headers["ETag"]
    second = client.get("/static/css/rembuk.css",
                        headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert second.status_code == 304 and second.get_data() == b""


def test_pages_are_not_taken_from_the_static_cache(client):
    login = client.get("/auth/login", headers={"Accept-Encoding": "br"})
    other = client.get("/auth/reset", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(login.get_data()) != brotli.decompress(other.get_data())


# ---------------------------------------------------------------- fingerprinted addresses

IMMUTABLE = "public, max-age=31536000, immutable"


def linked_assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_static_files_by_fingerprint_and_those_are_immutable(client):
    assets = linked_assets(client.get("/auth/login").text)
    assert any(re.fullmatch(r"/static/css/rembuk\.[0-9a-f]{12}\.css", a) for a in assets), assets
    for url in assets:
        stem, digest, ext = url.rsplit(".", 2)
        on_disk = (STATIC / f"{stem}.{ext}".removeprefix("/static/")).read_bytes()
        assert digest == hashlib.sha256(on_disk).hexdigest()[:12], url
        response = client.get(url, headers={"Accept-Encoding": "br"})
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == IMMUTABLE, url
        body = response.get_data()
        if response.headers.get("Content-Encoding") == "br":
            body = brotli.decompress(body)
        assert body == on_disk


def test_the_plain_address_still_answers_and_is_revalidated(client):
    response = client.get("/static/css/rembuk.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.fixture
def own_static(app, tmp_path, monkeypatch):
    """The app's static folder swapped for a temporary one holding css/site.css."""
    (tmp_path / "css").mkdir()
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    return tmp_path / "css" / "site.css"


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_a_changed_file_gets_a_new_address_and_the_old_one_leads_to_it(app, client, own_static):
    first_text = "body { color: #222; }\n" * 40  # over Flask-Compress's minimum size
    own_static.write_text(first_text)
    first = static_url(app, "css/site.css")
    answer = client.get(first, headers={"Accept-Encoding": "br"})
    assert answer.headers["Cache-Control"] == IMMUTABLE
    assert brotli.decompress(answer.get_data()).decode() == first_text

    second_text = "body { color: #000; }\n" * 41
    own_static.write_text(second_text)
    second = static_url(app, "css/site.css")
    assert second != first and re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", second)
    answer = client.get(second, headers={"Accept-Encoding": "br"})
    assert answer.headers["Cache-Control"] == IMMUTABLE
    # Compressed afresh, not the copy kept for the first version.
    assert brotli.decompress(answer.get_data()).decode() == second_text

    # A page from before the change: redirected to the current version, not cached.
    stale = client.get(first)
    assert stale.status_code == 302
    assert stale.headers["Location"] == second
    assert stale.headers["Cache-Control"] == "no-cache"


def test_an_outdated_fingerprint_is_redirected_to_the_current_one(app, client):
    answer = client.get("/static/css/rembuk.000000000000.css")
    assert answer.status_code == 302
    assert answer.headers["Location"] == static_url(app, "css/rembuk.css")
    assert answer.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/static/css/missing.css",
                                  "/static/css/missing.000000000000.css",
                                  "/static/css/rembuk.not-a-digest.css",
                                  "/static/css/rembuk.0000.css"])
def test_a_name_that_is_no_file_nor_its_fingerprint_is_a_404(client, path):
    assert client.get(path).status_code == 404
