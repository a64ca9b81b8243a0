"""A throw-away MariaDB server on loopback, for the SQL connector's legacy-database tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MariaDbServer", "start_mariadb"]


@dataclass
class MariaDbServer:
    datadir: Path
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"mysql+pymysql://lapor:lapor-test@127.0.0.1:{self.port}/lapor"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.datadir, ignore_errors=True)


def start_mariadb(port: int) -> MariaDbServer:
    server_bin = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    if not Path(server_bin).exists():
        raise RuntimeError("MariaDB is not installed: run scripts/install-system-packages (make test does)")
    datadir = Path(tempfile.mkdtemp(prefix="lapor-mariadb-"))
    user = ["--user=mysql"] if os.geteuid() == 0 else []
    if user:
        shutil.chown(datadir, "mysql", "mysql")
    subprocess.run(["mariadb-install-db", f"--datadir={datadir}", *user, "--auth-root-authentication-method=socket",
                    "--skip-test-db"], check=True, capture_output=True, text=True, timeout=120)
    socket = datadir / "mysqld.sock"
    process = subprocess.Popen(
        [server_bin, "--no-defaults", f"--datadir={datadir}", *user, f"--port={port}", "--bind-address=127.0.0.1",
         f"--socket={socket}", f"--pid-file={datadir / 'mysqld.pid'}", "--skip-name-resolve",
         "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M", "--skip-log-bin"],
        stdout=subprocess.DEVNULL, stderr=open(datadir / "server.log", "wb"))
    server = MariaDbServer(datadir, port, process)
    deadline = time.monotonic() + 60
    setup = ("CREATE DATABASE lapor; CREATE USER 'lapor'@'127.0.0.1' IDENTIFIED BY 'lapor-test'; "
             "GRANT ALL ON lapor.* TO 'lapor'@'127.0.0.1';")
    while True:
        done = subprocess.run(["mariadb", f"--socket={socket}", "-u", "root", "-e", setup],
                              capture_output=True, text=True, timeout=30)
        if done.returncode == 0:
            return server
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"MariaDB did not start: {done.stderr.strip()[-500:]}")
        time.sleep(0.3)
