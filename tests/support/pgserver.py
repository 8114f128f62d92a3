"""A throwaway PostgreSQL server for the test suite: own data directory, free port on
127.0.0.1, fsync off (unless `durable`), removed afterwards. Uses Debian's postgresql
binaries; as root it runs the server as the `postgres` system user (PostgreSQL refuses to run
as root)."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    return Path(found[-1]).parent


class PostgresServer:
    """`durable=True` keeps PostgreSQL's own settings (fsync, synchronous commit), so that a
    crash (`crash`, then `start` again) loses nothing that was committed."""

    def __init__(self, durable: bool = False):
        self.durable = durable
        self.bin = _bin_dir()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="rembuk-pg-"))
        self.data = self.root / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> "PostgresServer":
        """Create the cluster (the first time) and start the server."""
        if not self.data.exists():
            if self.as_root:
                user = pwd.getpwnam("postgres")
                os.chown(self.root, user.pw_uid, user.pw_gid)
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "rembuk", "-E",
                      "UTF8", *([] if self.durable else ["--no-sync"]))
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "start")
        return self

    def crash(self) -> None:
        """Stop as a crash does: every server process quits at once, no checkpoint; the next
        start replays the write-ahead log."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://rembuk@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"postgresql://rembuk@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
