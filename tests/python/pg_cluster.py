"""A throwaway PostgreSQL cluster for the Python client's PostgreSQL leg.

The same recipe as the Rust tests (crates/stdfund-store/tests/common/pg.rs):
`initdb` into a fresh directory under /tmp (as the `postgres` user through
`runuser` when running as root, since initdb refuses root), `pg_ctl start`
on a free loopback port with `fsync=off`, and `pg_ctl stop -m immediate`
plus removal of the directory at the end. Binaries come from
$STDFUND_PG_BINDIR, `pg_config --bindir`, or the newest
/usr/lib/postgresql/*/bin.

    with PgCluster.start() as pg:
        url = pg.url()          # postgres://postgres@127.0.0.1:PORT/postgres
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def _has_binaries(d: Path) -> bool:
    return all((d / b).is_file() for b in ("initdb", "pg_ctl", "postgres"))


def find_bindir() -> Path | None:
    env = os.environ.get("STDFUND_PG_BINDIR")
    if env:
        return Path(env) if _has_binaries(Path(env)) else None
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and _has_binaries(Path(out.stdout.strip())):
            return Path(out.stdout.strip())
    except FileNotFoundError:
        pass
    candidates = []
    for d in Path("/usr/lib/postgresql").glob("*/bin"):
        if d.parent.name.isdigit() and _has_binaries(d):
            candidates.append((int(d.parent.name), d))
    return max(candidates)[1] if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.as_postgres = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="stdfund-py-pg-"))
        self.data = self.dir / "data"
        self.port = 0

    @classmethod
    def start(cls) -> "PgCluster":
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found")
        c = cls(bindir)
        try:
            c._start()
        except BaseException:
            c.stop()
            raise
        return c

    def _cmd(self, binary: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / binary), *args]
        return ["runuser", "-u", "postgres", "--", *cmd] if self.as_postgres else cmd

    def _run(self, binary: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(self._cmd(binary, *args), capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)

    def _start(self) -> None:
        if self.as_postgres:
            shutil.chown(self.dir, user="postgres")
        r = self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        if r.returncode != 0:
            raise RuntimeError(f"initdb failed: {r.stdout}{r.stderr}")
        log = self.dir / "server.log"
        last = ""
        for _ in range(5):
            port = _free_port()
            opts = f"-p {port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=120"
            r = self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(log), "-w", "-t", "30", "start")
            if r.returncode == 0:
                self.port = port
                return
            last = f"{r.stdout}{r.stderr}\n{log.read_text(errors='replace') if log.exists() else ''}"
        raise RuntimeError(f"PostgreSQL did not start: {last}")

    def url(self, db: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "PgCluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
