from collections.abc import Iterator

import pytest

from tests.conftest import CACHE
from tests.ops.secure import SecureCluster, run_cli, start_secure_cluster


@pytest.fixture(scope="session")
def secure_cluster(tmp_path_factory) -> Iterator[SecureCluster]:
    """A broker with TLS on every listener, SASL/SCRAM and the authorizer, deployed as
    docker/docker-compose.yml's deploy step does it: `lapor-hub topics init`, then
    `lapor-hub access apply` with the plan, both as the cluster admin by certificate, each
    waiting out a slow broker as the deploy step does (``--wait``)."""
    cluster = start_secure_cluster(tmp_path_factory.mktemp("secure"), CACHE)
    try:
        admin = {**cluster.admin_env(), "LAPOR_TOPIC_PARTITIONS": "2"}
        for step in (("topics", "init"), ("access", "apply", str(cluster.plan))):
            done = run_cli(admin, *step, "--wait", "120", timeout=240)
            assert done.returncode == 0, done.stdout + done.stderr
        yield cluster
    finally:
        cluster.broker.stop()
