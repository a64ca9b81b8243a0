"""Fetch the Kafka broker's jars from Maven Central, once, into a git-ignored cache."""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from pathlib import Path

from lapor_hub.errors import ConfigurationError, RetriableError

__all__ = ["KAFKA_VERSION", "fetch_broker_jars"]

KAFKA_VERSION = "4.1.1"
# Maven 3.8 defaults to maven-dependency-plugin 2.8, which lacks the options used here.
_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"
_FETCH_TIMEOUT_S = 900


def fetch_broker_jars(cache_dir: Path) -> Path:
    """The folder holding the broker's jars, fetching them first when missing."""
    lib = cache_dir / f"kafka-{KAFKA_VERSION}" / "lib"
    marker = lib / ".complete"
    if marker.exists():
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ConfigurationError(
            "Maven (mvn) is needed once to fetch the Kafka jars from Maven Central: "
            "install it with `apt-get install maven`, or put the jars in " + str(lib)
        )
    staging = lib.with_name("lib.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    pom = resources.files("lapor_hub.streams.broker").joinpath("pom.xml")
    with resources.as_file(pom) as pom_path:
        try:
            done = subprocess.run(
                [mvn, "-B", "-q", "-f", str(pom_path), _DEPENDENCY_PLUGIN,
                 "-DincludeScope=runtime", f"-DoutputDirectory={staging.resolve()}"],
                capture_output=True, text=True, timeout=_FETCH_TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RetriableError("fetching the Kafka jars from Maven Central timed out; run again") from exc
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        raise RetriableError("Maven could not fetch the Kafka jars:\n  " + "\n  ".join(tail))
    (staging / ".complete").write_text(KAFKA_VERSION + "\n")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    return lib
