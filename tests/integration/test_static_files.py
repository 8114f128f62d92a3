"""Static text files go out compressed (brotli or gzip, as the browser accepts), decode to the
file as it is on disk, still answer conditional requests with 304, and pages are never served
from the static files' cache."""

import gzip
from pathlib import Path

import brotli
import pytest

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
