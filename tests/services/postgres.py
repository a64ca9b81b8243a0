"""A throw-away PostgreSQL server on loopback for the persistence tests."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PostgresServer", "start_postgres"]


@dataclass
class PostgresServer:
    datadir: Path
    port: int
    bindir: Path
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://lapor@127.0.0.1:{self.port}/lapor"

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.datadir, ignore_errors=True)


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL is not installed: run scripts/install-system-packages (make test does)")


def start_postgres(port: int) -> PostgresServer:
    bindir = _bindir()
    # initdb refuses to run as root: run the server as the 'postgres' system user then.
    run_as = "postgres" if os.geteuid() == 0 else None
    datadir = Path(tempfile.mkdtemp(prefix="lapor-pg-"))
    if run_as:
        user = pwd.getpwnam(run_as)
        os.chown(datadir, user.pw_uid, user.pw_gid)
    server = PostgresServer(datadir, port, bindir, run_as)
    server._run(str(bindir / "initdb"), "-D", str(datadir), "-U", "lapor", "--auth=trust", "-E", "UTF8")
    server._run(
        str(bindir / "pg_ctl"), "-D", str(datadir), "-w", "-t", "60", "-l", str(datadir / "server.log"),
        "-o", f"-p {port} -c listen_addresses=127.0.0.1 -k {datadir} -c fsync=off", "start",
    )
    deadline = time.monotonic() + 30
    while True:
        done = subprocess.run([str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True)
        if done.returncode == 0:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL did not become ready; see {datadir / 'server.log'}")
        time.sleep(0.2)
    server._run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "lapor", "lapor")
    return server
