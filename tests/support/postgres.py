"""A throwaway PostgreSQL server (Debian's) on 127.0.0.1 with an empty gradebook database.

Used by the tests of the shared gradebook and of grading on a Dask cluster, and by the
benchmark. It needs root: the server runs as the OS user ``postgres``.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2

PG_USER = "postgres"  # the OS user Debian's package creates; the server refuses to run as root
GRADEBOOK_DB, GRADEBOOK_ROLE = "gradebook", "grader"


@dataclass
class PostgresGradebook:
    url: str  # what MULTIANNOTATOR_DB_URL is set to on every grading machine
    admin: dict  # psycopg2 connection arguments of the superuser (unix socket, no password)


def _postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL server binaries (``/usr/lib/postgresql/<version>/bin``)."""
    found = [
        path.parent
        for path in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
        if (path.parent / "initdb").exists() and (path.parent / "postgres").exists()
    ]
    return max(found, key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0), default=None)


def why_no_postgres() -> str | None:
    """Why a throwaway server cannot be started here, or ``None``."""
    if os.geteuid() != 0:
        return "needs root: the PostgreSQL server must be started as the OS user postgres"
    if _postgres_bin() is None or shutil.which("runuser") is None:
        return "needs Debian's PostgreSQL server (apt-get install postgresql) and runuser"
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        return "needs the OS user postgres that Debian's postgresql package creates"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", PG_USER, "--", *args],
        cwd=cwd,  # postgres cannot enter the repository or pytest's tmp_path
        capture_output=True,
        text=True,
        timeout=120,
    )


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_postgres():
    """A PostgreSQL server of its own on 127.0.0.1, with an empty gradebook database and role.

    The data directory and the unix socket live in a temporary folder under /tmp owned by
    ``postgres``; the server is stopped and the folder removed whatever happens.
    """
    pg_bin, pg_user = _postgres_bin(), pwd.getpwnam(PG_USER)
    base = Path(tempfile.mkdtemp(prefix="gradebook-pg-", dir="/tmp"))
    data, log = base / "data", base / "server.log"
    port = free_port()
    started = False
    try:
        os.chown(base, pg_user.pw_uid, pg_user.pw_gid)
        base.chmod(0o700)
        # Local (unix socket) connections: the superuser, trusted; TCP: passwords only.
        made = _as_postgres(
            str(pg_bin / "initdb"), "-D", str(data), "-U", PG_USER, "--auth-local=trust",
            "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-instructions", cwd=base,
        )  # fmt: skip
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{made.stdout}\n{made.stderr}")
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={base}"
        started = True  # from here on, always try to stop it
        run = _as_postgres(
            str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
            "-w", "-t", "60", "start", cwd=base,
        )  # fmt: skip
        if run.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed:\n{run.stderr}\n{tail(log)}")
        admin = {"host": str(base), "port": port, "user": PG_USER, "dbname": "postgres"}
        _wait_until_accepting(admin, log)

        password = secrets.token_hex(16)
        connection = psycopg2.connect(**admin)
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {GRADEBOOK_ROLE} LOGIN PASSWORD %s", (password,))
            cursor.execute(f"CREATE DATABASE {GRADEBOOK_DB} OWNER {GRADEBOOK_ROLE}")
        connection.close()
        # SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; the venv has psycopg2.
        url = f"postgresql+psycopg2://{GRADEBOOK_ROLE}:{password}@127.0.0.1:{port}/{GRADEBOOK_DB}"
        yield PostgresGradebook(url, {**admin, "dbname": GRADEBOOK_DB})
    finally:
        if started:
            _as_postgres(
                str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop", cwd=base
            )
        shutil.rmtree(base, ignore_errors=True)


def _wait_until_accepting(admin: dict, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg2.connect(**admin, connect_timeout=2).close()
            return
        except psycopg2.OperationalError as error:
            if time.monotonic() > deadline:
                message = f"PostgreSQL does not accept connections: {error}\n{tail(log)}"
                raise RuntimeError(message) from error
            time.sleep(0.2)
