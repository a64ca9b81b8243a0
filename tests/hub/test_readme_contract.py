"""The README's "decoding an agency inbox with standard tooling" example, run as written
(with the test hub's addresses) against bytes the hub produced."""

import re
from pathlib import Path

import pytest

from tests.hub.harness import http

pytestmark = pytest.mark.kafka

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    text = README.read_text()
    section = text[text.index("Decoding an agency inbox with standard tooling"):]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None, "no python example in the section"
    return example.group(1)


def test_the_readme_decodes_an_agency_inbox_with_confluent_kafka(hub, capsys):
    status, body = http("POST", f"{hub.base_url}/api/v1/complaints", {
        "title": "Jalan desa rusak parah dan berlubang",
        "description": "Jalan penghubung antar desa rusak berat sejak musim hujan.",
        "category": "infrastructure.road.regency", "region_code": "18.10",
        "channel": "web", "privacy": "anonymous", "reporter": {}})
    assert status == 202
    code = (_example()
            .replace("http://127.0.0.1:6066", hub.base_url)
            .replace('"127.0.0.1:9092"', repr(hub.bootstrap))
            .replace('"pringsewu-sipp"', repr(f"readme-{body['tracking_id']}"))
            .replace("consumer.poll(10)", "consumer.poll(60)"))
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    # The first assignment on the inbox (other tests' complaints may be older than ours), decoded.
    assert re.fullmatch(r"b'id\.go\.lapor\.complaint\.dispositioned' LPR-[0-9A-Z-]+ \S.{8,}\n", printed), printed
