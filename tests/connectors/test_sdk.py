"""The SDK's pure parts: outcome table, backoff, signatures, update mapping, what an author imports
and writes (no network)."""

from __future__ import annotations

import ast
import inspect

import pytest

from lapor_hub import errors
from lapor_hub.connectors import sdk
from lapor_hub.connectors.examples import csv_over_http
from lapor_hub.connectors.sdk import AgencyUpdate, Connector, DeliveryOutcome, parse_retry_after, parse_update
from lapor_hub.connectors.sdk.backoff import Backoff
from lapor_hub.connectors.sdk.config_file import build_config
from lapor_hub.connectors.sdk.connector import ConnectorDefinitionError
from lapor_hub.connectors.sdk.model import event_id_for
from lapor_hub.connectors.sdk.outcomes import http_outcome
from lapor_hub.connectors.sdk.signing import SignatureError, sign, verify
from lapor_hub.connectors.sdk.updates import InvalidUpdate, update_value

_O = DeliveryOutcome


@pytest.mark.parametrize("status, outcome", [
    (200, _O.OK), (201, _O.OK), (204, _O.OK), (408, _O.RETRY), (425, _O.RETRY),
    (429, _O.RETRY), (500, _O.RETRY), (503, _O.RETRY), (400, _O.DEAD_LETTER),
    (404, _O.DEAD_LETTER), (409, _O.DEAD_LETTER), (422, _O.DEAD_LETTER), (401, _O.FAIL),
    (403, _O.FAIL), (302, _O.FAIL),
])
def test_the_http_outcome_table(status, outcome):
    assert http_outcome(status) is outcome


def test_backoff_grows_is_capped_jittered_and_honours_retry_after():
    low, high = Backoff(1, 8, random=lambda: 0.0), Backoff(1, 8, random=lambda: 0.999)
    assert [low.delay(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert all(low.delay(n) <= high.delay(n) <= 8 for n in range(1, 10))
    assert low.delay(1, retry_after=5) == 5
    assert low.delay(1, retry_after=3600) == 8  # capped: the connector keeps probing


def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480) == 10
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_signatures_verify_and_reject_tampering_other_secrets_and_replays():
    body = b'{"type": "FollowUpRecorded"}'
    header = sign("secret", body, timestamp=1_700_000_000)
    assert verify("secret", body, header, now=1_700_000_100) == 1_700_000_000
    for args in (("secret", body + b" "), ("other", body)):
        with pytest.raises(SignatureError):
            verify(*args, header, now=1_700_000_100)
    with pytest.raises(SignatureError, match="replay window"):
        verify("secret", body, header, now=1_700_000_000 + 301)
    with pytest.raises(SignatureError, match="missing"):
        verify("secret", body, None)


def test_update_ids_are_deterministic_per_connector():
    assert event_id_for("c1", "row:7") == event_id_for("c1", "row:7") != event_id_for("c2", "row:7")
    row = {"type": "FollowUpRecorded", "tracking_id": "LPR-1", "note": "ok"}
    assert parse_update(row).update_id == parse_update(dict(row)).update_id


def test_a_forwarding_names_both_agencies_and_a_decline_may_leave_the_target_empty():
    update = parse_update({"type": "ComplaintForwarded", "tracking_id": "LPR-1", "text": "Bukan wewenang kami"})
    value = update_value(update, connector_id="c", agency="18.10")
    assert (value["from_agency"], value["to_agency"], value["suggested_by_agency"]) == ("18.10", "", False)
    assert value["reason"] == "Bukan wewenang kami" and value["actor"] == "18.10"


@pytest.mark.parametrize("update, message", [
    (AgencyUpdate("FollowUpRecorded", "LPR-1", "u", {}), "needs a non-empty text field 'note'"),
    (AgencyUpdate("FollowUpRecorded", "LPR-1", "u", {"note": "x", "nik": "3201"}), "has no field 'nik'"),
    (AgencyUpdate("ComplaintClosed", "LPR-1", "u", {"reason": "BORED"}), "'reason' must be one of"),
    (AgencyUpdate("ComplaintVerified", "LPR-1", "u", {}), "is not an agency update"),
])
def test_invalid_updates_name_the_field_not_the_value(update, message):
    with pytest.raises(InvalidUpdate) as failure:
        update_value(update, connector_id="c", agency="KEMENKES")
    assert message in failure.value.reason and "3201" not in failure.value.reason


# -- what an author imports and writes ------------------------------------------------------


def test_the_sdk_exports_a_short_list_and_the_hub_s_own_error_classes():
    assert 10 <= len(sdk.__all__) <= 16 and len(set(sdk.__all__)) == len(sdk.__all__)
    assert all(hasattr(sdk, name) for name in sdk.__all__)
    for name in ("ConfigurationError", "RetriableError", "SkippableError", "FatalError"):
        assert getattr(sdk, name) is getattr(errors, name), "re-exported, not copied: the runtime acts on them"


def test_the_worked_example_imports_everything_from_the_sdk():
    tree = ast.parse(inspect.getsource(csv_over_http))
    hub_imports = {node.module for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lapor_hub")}
    assert hub_imports == {"lapor_hub.connectors.sdk"}


def test_a_misspelt_deliver_is_refused_when_the_class_is_defined():
    with pytest.raises(ConnectorDefinitionError) as failure:
        class Misspelt(Connector):
            def check(self) -> None: ...
            def delivr(self, batch) -> None: ...
    message = str(failure.value)
    assert "Misspelt does not implement deliver(batch), poll() or inbound_routes()" in message
    assert "'delivr' looks like a misspelt 'deliver'" in message
    assert isinstance(failure.value, TypeError) and isinstance(failure.value, errors.ConfigurationError)


def test_a_connector_without_check_is_refused():
    with pytest.raises(ConnectorDefinitionError, match=r"does not implement check\(\), so it would do nothing"):
        class Unchecked(Connector):
            def poll(self): return []


def test_a_shared_base_says_it_is_abstract_and_its_subclasses_are_still_checked():
    class HttpAgency(Connector, abstract=True):
        def check(self) -> None: ...

    class Polling(HttpAgency):
        def poll(self): return []

    assert HttpAgency.abstract and not Polling.abstract and Polling.polls() and not Polling.delivers()
    with pytest.raises(ConnectorDefinitionError, match="'pol' looks like a misspelt 'poll'"):
        class Broken(HttpAgency):
            def pol(self): return []


def test_an_incomplete_or_abstract_class_named_in_a_config_is_a_configuration_error(tmp_path, monkeypatch):
    (tmp_path / "agency_plugin.py").write_text(
        "from lapor_hub.connectors.sdk import Connector\n\n"
        "class Base(Connector, abstract=True):\n    def check(self): ...\n\n"
        "class Good(Base):\n    def deliver(self, batch): return None\n")
    (tmp_path / "agency_typo.py").write_text(
        "from lapor_hub.connectors.sdk import Connector\n\n"
        "class Typo(Connector):\n    def check(self): ...\n    def delivr(self, batch): ...\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    raw = {"id": "plugin", "agency": "BPS", "broker": {"bootstrap": "127.0.0.1:9"}}
    assert build_config({**raw, "type": "agency_plugin:Good"}, env={}).type == "agency_plugin:Good"
    with pytest.raises(errors.ConfigurationError, match="agency_plugin:Base is an abstract base"):
        build_config({**raw, "type": "agency_plugin:Base"}, env={})
    with pytest.raises(errors.ConfigurationError, match="'delivr' looks like a misspelt 'deliver'"):
        build_config({**raw, "type": "agency_typo:Typo"}, env={})
