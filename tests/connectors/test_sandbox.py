"""`lapor-connect init` and `lapor-connect sandbox`, with the README's agency application run for real."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from lapor_hub.connectors.cli import main
from lapor_hub.connectors.sdk import load_config
from lapor_hub.streams.broker import free_port
from tests.connectors.support import post_signed

AGENCY_APP = Path(__file__).resolve().parents[2] / "docs" / "examples" / "agency_app.py"
SECRET = "sandbox-secret-0123456789abcdef"


@pytest.fixture
def agency_app(tmp_path):
    """The documented agency application on a free port, talking back to the sandbox's inbound port."""
    started = []

    def start(secret: str, updates_port: int) -> str:
        port = free_port()
        log = open(tmp_path / f"agency-app-{port}.log", "w")
        process = subprocess.Popen([sys.executable, str(AGENCY_APP), str(port)], stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "LAPOR_SECRET": secret,
                                        "LAPOR_UPDATES_URL": f"http://127.0.0.1:{updates_port}/updates"})
        started.append((process, log))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            except urllib.error.HTTPError:
                return f"http://127.0.0.1:{port}/"  # it answers (501 to a GET): up
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the agency application did not start")

    yield start
    for process, log in started:
        process.terminate()
        process.wait(10)
        log.close()


def _config(tmp_path, app_url: str, inbound_port: int) -> Path:
    path = tmp_path / "pringsewu-webhook.yaml"
    assert main(["init", "webhook", "--agency", "18.10", "--out", str(path)]) == 0
    raw = yaml.safe_load(path.read_text())
    raw["settings"]["url"] = app_url
    raw["inbound"] = {"host": "127.0.0.1", "port": inbound_port}
    path.write_text(yaml.safe_dump(raw))
    return path


def test_init_writes_a_config_that_loads_once_its_secret_is_set(tmp_path, capsys):
    path = tmp_path / "start.yaml"
    assert main(["init", "webhook", "--agency", "18.10", "--out", str(path)]) == 0
    assert "fill in the CHANGE-ME values" in capsys.readouterr().out
    config = load_config(path, env={"PRINGSEWU_WEBHOOK_SECRET": "x" * 32})
    assert (config.type, config.id, config.agency) == ("webhook", "pringsewu-webhook", "18.10")
    assert main(["init", "webhook", "--agency", "18.10", "--out", str(path)]) == 2, "an existing file is kept"
    assert "exists; choose another --out or add --force" in capsys.readouterr().err


@pytest.mark.parametrize("kind, agency", [("sql", "KEMENSOS"), ("filedrop", "OJK"), ("open311", "31.71")])
def test_init_writes_a_loadable_start_for_every_built_in_type(tmp_path, kind, agency):
    path = tmp_path / f"{kind}.yaml"
    assert main(["init", kind, "--agency", agency, "--out", str(path)]) == 0
    text = path.read_text()
    (tmp_path / "db-url").write_text("sqlite:///x.db")
    text = text.replace(f"/run/secrets/{agency.lower()}-db-url", str(tmp_path / "db-url"))
    env = {"KEMENSOS_DB_URL": "sqlite:///x.db", "JAKARTA_PUSAT_API_KEY": "k"}
    path.write_text(text)
    assert load_config(path, env=env).agency == agency


def test_init_into_a_missing_folder_says_so(tmp_path, capsys):
    assert main(["init", "webhook", "--agency", "18.10", "--out", str(tmp_path / "no" / "such.yaml")]) == 2
    assert "(No such file or directory); choose another --out" in capsys.readouterr().err


def test_init_refuses_an_unknown_agency_saying_what_to_use(capsys):
    assert main(["init", "webhook", "--agency", "18.99", "--out", "-"]) == 2
    assert "unknown agency code '18.99'; use a code of the directory, e.g. 18.10" in capsys.readouterr().err


def test_the_sandbox_passes_with_the_documented_agency_application(tmp_path, agency_app, monkeypatch, capsys):
    inbound = free_port()
    path = _config(tmp_path, agency_app(SECRET, inbound), inbound)
    monkeypatch.setenv("PRINGSEWU_WEBHOOK_SECRET", SECRET)
    assert main(["sandbox", str(path), "--wait", "60"]) == 0
    out = capsys.readouterr().out
    assert "ok   check (the webhook's signed ping): the agency system answered HTTP 200" in out
    for kind in ("ComplaintDispositioned", "InformationAdded", "ReporterReplied", "ComplaintReopened", "SlaWarning",
                 "ComplaintEscalated", "UpdateRejected"):
        assert f"ok   {kind}: the agency system answered HTTP 200" in out, out
    assert "ok   ComplaintDispositioned again (a redelivery" in out
    assert "ok   update ComplaintAccepted about LPR-SANDBOX-" in out and "ok   update FollowUpRecorded" in out
    assert out.rstrip().splitlines()[-1].startswith("PASS: ") and "FAIL" not in out


def test_the_sandbox_fails_on_a_wrong_secret_and_says_so(tmp_path, agency_app, monkeypatch, capsys):
    inbound = free_port()
    path = _config(tmp_path, agency_app("another-secret-0123456789", inbound), inbound)
    monkeypatch.setenv("PRINGSEWU_WEBHOOK_SECRET", SECRET)
    assert main(["sandbox", str(path), "--wait", "2"]) == 1
    out = capsys.readouterr().out
    assert "FAIL check (the webhook's signed ping): the agency system answered HTTP 401" in out
    assert "make settings.secret equal to the agency's" in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL: ")


def test_the_sandbox_shows_a_malformed_update_with_its_reason(tmp_path, agency_app, monkeypatch, capsys):
    inbound = free_port()
    path = _config(tmp_path, agency_app(SECRET, inbound), inbound)
    monkeypatch.setenv("PRINGSEWU_WEBHOOK_SECRET", SECRET)
    code: list[int] = []
    thread = threading.Thread(target=lambda: code.append(main(["sandbox", str(path), "--wait", "60"])))
    thread.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, body = post_signed(f"http://127.0.0.1:{inbound}/updates", SECRET,
                                       {"type": "Ditindaklanjuti", "tracking_id": "LPR-SANDBOX-X"})
            break
        except OSError:
            time.sleep(0.1)
    thread.join(90)
    out = capsys.readouterr().out
    assert status == 422 and "update 0: 'type' must be one of" in body["errors"][0]["description"]
    assert "FAIL POST /updates answered 422: update 0: 'type' must be one of ComplaintAccepted" in out
    assert code == [1] and out.rstrip().splitlines()[-1].startswith("FAIL: ")


def test_the_sandbox_polls_a_polling_connector_and_judges_each_update(tmp_path, monkeypatch, capsys):
    from tests.connectors.test_example_json_rest import TOKEN, JsonAgency

    sipp = JsonAgency()
    path = tmp_path / "json-rest.yaml"
    assert main(["init", "lapor_hub.connectors.examples.json_rest:JsonRestConnector", "--agency", "18.10",
                 "--out", str(path)]) == 0
    raw = yaml.safe_load(path.read_text())
    raw["settings"].update(url=sipp.url, token="${PRINGSEWU_TOKEN}")
    path.write_text(yaml.safe_dump(raw))
    monkeypatch.setenv("PRINGSEWU_TOKEN", TOKEN)

    def officer() -> None:  # answers the sample assignment once it is in the agency system
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not sipp.complaints:
            time.sleep(0.05)
        tracking_id = next(iter(sipp.complaints.values()))["tracking_id"]
        sipp.record_malformed_update(tracking_id, "x")
        sipp.record_follow_up(tracking_id, "Petugas sudah meninjau lokasi", "y")

    helper = threading.Thread(target=officer)
    helper.start()
    try:
        code = main(["sandbox", str(path), "--wait", "60"])
    finally:
        helper.join(60)
        sipp.stop()
    out = capsys.readouterr().out
    assert "ok   check: the agency system answered HTTP 200" in out
    assert "ok   ComplaintDispositioned again (a redelivery: accept it, do not store it twice): the agency system " \
           "answered HTTP 201" in out
    assert "FAIL update 'Tindak lanjut' refused: 'type' must be one of ComplaintAccepted" in out
    assert "ok   update FollowUpRecorded about LPR-SANDBOX-" in out
    assert code == 1 and out.rstrip().splitlines()[-1].startswith("FAIL: ")
    assert len(sipp.complaints) == 7, "one of every kind; the redelivery was not stored twice"
