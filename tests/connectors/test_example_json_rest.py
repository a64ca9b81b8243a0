"""The JSON REST example connector: the conformance suite against a real local JSON API, and its size."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest
from aiohttp import web

from lapor_hub.connectors.examples.json_rest import JsonRestConnector
from lapor_hub.connectors.testing import ConnectorConformance, sample_delivery
from tests.connectors.support import LocalAgencyApp, config_for

TOKEN = "sipp-token-for-tests"
EXAMPLES = Path(__file__).resolve().parents[2] / "connectors" / "examples"


class JsonAgency(LocalAgencyApp):
    """An agency's case-management API: takes one complaint per POST, lists its updates by id."""

    def __init__(self) -> None:
        self.complaints: dict[str, dict] = {}
        self.updates: list[dict] = []
        super().__init__([web.post("/api/complaints", self._take), web.get("/api/updates", self._list)])
        self.url = f"http://127.0.0.1:{self.port}/api"

    async def _take(self, request):
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unauthorized"}, status=401)
        if self.down:
            return web.json_response({"error": "maintenance"}, status=503, headers={"Retry-After": "0"})
        delivery = await request.json()
        if delivery["tracking_id"].startswith("REJECT"):
            return web.json_response({"error": "unknown category"}, status=422)
        key = request.headers["Idempotency-Key"]
        self.complaints.setdefault(key, delivery)
        return web.json_response({"reference": f"SIPP-{list(self.complaints).index(key) + 1}"}, status=201)

    async def _list(self, request):
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unauthorized"}, status=401)
        after = int(request.query.get("after", "0"))
        return web.json_response([u for u in self.updates if u["id"] > after])

    def _add(self, **update) -> None:
        self.updates.append({"id": len(self.updates) + 1, **update})

    def held(self):
        return list(self.complaints)

    def record_follow_up(self, tracking_id, note, update_id):
        self._add(type="FollowUpRecorded", tracking_id=tracking_id, note=note, occurred_at="2024-05-02T09:00:00+07:00")

    def record_malformed_update(self, tracking_id, update_id):
        self._add(type="Tindak lanjut", tracking_id=tracking_id, note="x")  # not a type of the contract
        return None


@pytest.fixture
def sipp():
    agency = JsonAgency()
    yield agency
    agency.stop()


class TestJsonRestConformance(ConnectorConformance):
    @pytest.fixture
    def harness(self, sipp):
        config = config_for("lapor_hub.connectors.examples.json_rest:JsonRestConnector", "18.10",
                            {"url": sipp.url, "token": TOKEN}, connector_id="pringsewu-sipp-json")
        return JsonRestConnector(config), sipp


def test_the_agency_reference_is_kept_as_the_delivery_receipt_reference(sipp):
    connector = JsonRestConnector(config_for("lapor_hub.connectors.examples.json_rest:JsonRestConnector", "18.10",
                                             {"url": sipp.url, "token": TOKEN}, connector_id="sipp-json-ref"))
    assert list(connector.deliver([sample_delivery("18.10", "LPR-REF-1")])) == ["SIPP-1"]


def code_lines(path: Path) -> int:
    """Lines holding code: no blank lines, comments or docstrings."""
    source = path.read_text(encoding="utf-8")
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    lines: set[int] = set()
    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skipped:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


@pytest.mark.parametrize("example", ["json_rest.py", "csv_over_http.py"])
def test_a_custom_connector_fits_in_30_lines_of_code(example):
    assert code_lines(EXAMPLES / example) <= 30


def test_code_lines_counts_code_only(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Doc\nstring."""\n\n# a comment\nx = (1,\n     2)  # trailing\n\n\ndef f():\n'
                      '    """Doc."""\n    return x\n')
    assert code_lines(sample) == 4  # x = (1, / 2) / def f(): / return x
