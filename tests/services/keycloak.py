"""A throw-away Keycloak on loopback: the real OpenID Connect provider of the identity tests.

Keycloak's distribution comes from Maven Central (``org.keycloak:keycloak-quarkus-dist``, the
``tar.gz``), fetched once with the pinned maven-dependency-plugin as the Kafka jars are
(``streams/broker/jars.py``), and unpacked once into ``<cache>/keycloak-<version>/``. Each test
session starts ``kc.sh start-dev`` with an in-memory database (every session begins with an
empty master realm), on free ports of 127.0.0.1 only, with a random bootstrap admin password; it
is ready when the master realm's discovery document answers. Nothing in it reaches the network.

Keycloak 26 needs Java 21 or newer while the machine's default ``java`` is 17: the newest
``/usr/lib/jvm/temurin-*`` JDK is used (or another JDK of 21+ there, or ``$JAVA_HOME``).

The first start after unpacking also builds Keycloak's Quarkus application for the dev profile
(about 25 s more) and writes it into the distribution; a lock file keeps two sessions sharing
the cache from building it at once.
"""

from __future__ import annotations

import fcntl
import glob
import os
import re
import secrets
import shutil
import subprocess
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KEYCLOAK_VERSION", "KeycloakServer", "fetch_keycloak", "find_java_home", "start_keycloak"]

KEYCLOAK_VERSION = "26.7.3"
_ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:tar.gz"
# Maven 3.8 defaults to maven-dependency-plugin 2.8; 3.8.1 is the one streams/broker/jars.py pins.
_COPY = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy"
_FETCH_TIMEOUT_S = 900
_START_TIMEOUT_S = 600
ADMIN_USER = "admin"


@dataclass
class KeycloakServer:
    home: Path
    port: int
    management_port: int
    admin_password: str
    process: subprocess.Popen
    log_path: Path
    #: Seconds from launch until the discovery document answered.
    startup_s: float = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def issuer(self, realm: str) -> str:
        return f"{self.base_url}/realms/{realm}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def find_java_home() -> Path:
    """A JDK of Java 21 or newer: the newest Temurin under /usr/lib/jvm, else any 21+, else $JAVA_HOME."""
    candidates = sorted(glob.glob("/usr/lib/jvm/temurin-*"), key=_java_major, reverse=True)
    candidates += sorted(glob.glob("/usr/lib/jvm/*"), key=_java_major, reverse=True)
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.environ["JAVA_HOME"])
    for home in candidates:
        if _java_major(home) >= 21 and Path(home, "bin", "java").exists():
            return Path(home)
    raise RuntimeError("Keycloak needs Java 21 or newer and none was found under /usr/lib/jvm: "
                       "install one (e.g. `apt-get install openjdk-21-jre-headless`, or a Temurin JDK)")


def _java_major(home: str) -> int:
    match = re.search(r"(?:temurin|openjdk|java)-(\d+)", Path(home).name)
    return int(match.group(1)) if match else 0


def fetch_keycloak(cache_dir: Path) -> Path:
    """Keycloak's home folder under ``cache_dir``, fetched and unpacked first when missing."""
    home = cache_dir / f"keycloak-{KEYCLOAK_VERSION}"
    if (home / ".complete").exists():
        return home
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Maven (mvn) is needed once to fetch Keycloak: run scripts/install-system-packages")
    download = cache_dir / "keycloak-download"
    shutil.rmtree(download, ignore_errors=True)
    done = subprocess.run(
        [mvn, "-B", "-q", _COPY, f"-Dartifact={_ARTIFACT}", f"-DoutputDirectory={download.resolve()}"],
        capture_output=True, text=True, timeout=_FETCH_TIMEOUT_S, check=False,
    )
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        raise RuntimeError("Maven could not fetch Keycloak:\n  " + "\n  ".join(tail))
    (archive,) = download.glob("keycloak-quarkus-dist-*.tar.gz")
    staging = Path(tempfile.mkdtemp(prefix="keycloak-", dir=cache_dir))
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")
    (unpacked,) = staging.iterdir()
    (unpacked / ".complete").write_text(KEYCLOAK_VERSION + "\n")
    shutil.rmtree(home, ignore_errors=True)
    unpacked.rename(home)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(download, ignore_errors=True)
    return home


def start_keycloak(cache_dir: Path, port: int, management_port: int, log_dir: Path) -> KeycloakServer:
    """Keycloak in dev mode on 127.0.0.1:``port``, ready to answer; raises when it does not start."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    lock = os.open(cache_dir / f"keycloak-{KEYCLOAK_VERSION}.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one session fetches, unpacks and builds at a time
        home = fetch_keycloak(cache_dir)
        return _launch(home, port, management_port, log_dir)
    finally:
        os.close(lock)


def _launch(home: Path, port: int, management_port: int, log_dir: Path) -> KeycloakServer:
    password = secrets.token_urlsafe(18)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KC_", "KEYCLOAK_", "JAVA_OPTS"))}
    env.update(
        JAVA_HOME=str(find_java_home()),
        KC_BOOTSTRAP_ADMIN_USERNAME=ADMIN_USER,
        KC_BOOTSTRAP_ADMIN_PASSWORD=password,
        # A bounded heap: the default takes a share of the whole machine's memory.
        JAVA_OPTS_KC_HEAP="-Xms64m -Xmx768m",
        # The quick JIT tier only: on two shared cores a start took 15-19 s instead of 19-37 s.
        JAVA_OPTS_APPEND="-XX:TieredStopAtLevel=1",
    )
    log_path = log_dir / "keycloak.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(home / "bin" / "kc.sh"), "start-dev", "--db=dev-mem", "--http-host=127.0.0.1",
             f"--http-port={port}", f"--http-management-port={management_port}"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=log_dir,
        )
    server = KeycloakServer(home, port, management_port, password, process, log_path)
    ready_url = f"{server.base_url}/realms/master/.well-known/openid-configuration"
    deadline = started + _START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"Keycloak exited with {process.returncode} while starting; see {log_path}:\n"
                               + _tail(log_path))
        try:
            with urllib.request.urlopen(ready_url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"Keycloak was not ready after {_START_TIMEOUT_S} s; see {log_path}:\n"
                               + _tail(log_path))
        time.sleep(0.5)
    server.startup_s = time.monotonic() - started
    return server


def _tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
