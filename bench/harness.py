"""A throw-away Rembuk app for benchmarks, and the small helpers every benchmark shares.

`demo_app()` builds the app on a temporary SQLite database, migrates it with Alembic (as
`flask db upgrade` does) and seeds the demo data. Requests are then made *outside* any app
context we hold open, so that each request gets its own app context, `g` and database session,
exactly as in production.
"""

import gzip
import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import brotli
from flask import Flask

BENCH_SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"  # noqa: S105
FAST_HASH = "scrypt:16384:8:1"  # benchmarks only: logins stay quick; the hash is not measured
DEMO_TEACHER = "guru01@demo.sch.id"
DEMO_PRINCIPAL = "kepsek@demo.sch.id"
ACCEPT_ENCODING = "br, gzip"


def bench_config(tmp: Path) -> dict:
    """Settings for a benchmark app whose files all live under `tmp`."""
    return {
        "SECRET_KEY": BENCH_SECRET,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "MAIL_OUTBOX": str(tmp / "outbox"),
        # No sender thread in a bench's own process: its polls are not the pages' work, and
        # it would outlive a throw-away PostgreSQL server the bench has stopped.
        "MAIL_SENDER_THREAD": False,
        "BACKUP_DIR": str(tmp / "backups"),
        # What a page costs to make: the rendered-page cache would answer every request
        # after the first (bench/page_cpu.py --cache measures those; page_speed.py and
        # scale_out.py serve with it on, as production does).
        "PAGE_CACHE": False,
    }


@contextmanager
def demo_app() -> Iterator[Flask]:
    """Yield an app on a fresh, migrated database holding the demo data."""
    # load_config() would otherwise create instance/secret_key in the working tree.
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET)
    from collab import create_app
    from collab.extensions import db

    with tempfile.TemporaryDirectory(prefix="rembuk-bench-") as tmp:
        app = create_app(bench_config(Path(tmp)))
        with app.app_context():
            _migrate_and_seed()
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def _migrate_and_seed() -> None:
    from flask_migrate import upgrade

    from collab.demo import seed as demo
    from collab.extensions import db

    upgrade()
    demo.seed()
    db.session.commit()
    db.session.remove()


class PageParser(HTMLParser):
    """Collects a page's CSRF token, stylesheets and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.csrf_token: str | None = None
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("name") == "csrf-token":
            self.csrf_token = values.get("content")
        elif tag == "link" and "stylesheet" in values.get("rel", "").lower().split():
            self.stylesheets.append(values.get("href", ""))
        elif tag == "script" and values.get("src"):
            self.scripts.append(values["src"])


def parse_page(html: str) -> PageParser:
    """Parse a page with the standard library's HTML parser."""
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def decode_body(body: bytes, encoding: str | None) -> bytes:
    """Undo the Content-Encoding the server chose (br, gzip, deflate, zstd or none)."""
    if not encoding or encoding == "identity":
        return body
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "zstd":
        from backports import zstd

        return zstd.decompress(body)
    raise ValueError(f"unknown Content-Encoding {encoding!r}")


def get_text(client, path: str) -> str:
    """GET `path` as a browser would (compressed) and return the decoded HTML."""
    response = client.get(path, headers={"Accept-Encoding": ACCEPT_ENCODING})
    try:
        encoding = response.headers.get("Content-Encoding")
        return decode_body(response.get_data(), encoding).decode("utf-8")
    finally:
        response.close()


def logged_in_client(app: Flask, email: str):
    """A test client signed in as the demo user `email`."""
    from collab.demo.seed import DEMO_PASSWORD

    client = app.test_client()
    token = parse_page(get_text(client, "/auth/login")).csrf_token
    response = client.post(
        "/auth/login",
        data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token},
    )
    if response.status_code != 302:
        raise RuntimeError(f"login as {email} failed with HTTP {response.status_code}")
    return client
