"""Consistent online backups: SQLite's backup API, or pg_dump on PostgreSQL."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from flask import current_app

from collab.core.models import utcnow
from collab.extensions import db


def backup(output: str | None = None) -> Path:
    """Back up the configured database into `output` (default: BACKUP_DIR/rembuk-<time>)."""
    url = db.engine.url
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    if url.get_backend_name() == "sqlite":
        target = Path(output or Path(current_app.config["BACKUP_DIR"]) / f"rembuk-{stamp}.db")
        target.parent.mkdir(parents=True, exist_ok=True)
        _backup_sqlite(url.database, target)
    elif url.get_backend_name() == "postgresql":
        target = Path(output or Path(current_app.config["BACKUP_DIR"]) / f"rembuk-{stamp}.dump")
        target.parent.mkdir(parents=True, exist_ok=True)
        _backup_postgres(url, target)
    else:
        raise RuntimeError(f"no backup method for {url.get_backend_name()}")
    target.chmod(0o600)  # it holds password hashes
    return target


def _backup_sqlite(source: str, target: Path) -> None:
    # The online backup API copies a consistent snapshot while writers keep going. All pages
    # in one step: copied in slices, a busy database would make the copy restart forever.
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        with dst:
            src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def _backup_postgres(url, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise RuntimeError("pg_dump is not installed (Debian package postgresql-client)")
    # The password goes through the environment, never the command line (visible in ps).
    plain_url = url.set(drivername="postgresql", password=None).render_as_string()
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    subprocess.run(  # noqa: S603  (fixed program, URL from our own configuration)
        [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={plain_url}"],
        check=True,
        timeout=3600,
        env=env,
    )
