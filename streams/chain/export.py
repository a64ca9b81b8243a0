"""One complaint's history with the proofs an outside party needs, and checking it offline (pure).

An export holds the records of the complaint's partition from its first event to the first
signed head at or after its last event. The complaint's own records are there in full (key,
value, headers, base64); every other record only as its key and :func:`body_digest`, which is
enough to recompute the chain through it without disclosing another complaint. With the hub's
public key, :func:`check_export` recomputes every link up to the signed head and checks the
signature; it also checks that no record of the complaint is withheld and that the history
starts at its submission. Nothing in the file is trusted that the chain does not cover.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lapor_hub.streams.chain.heads import SignedHead, decode_head, head_problem
from lapor_hub.streams.chain.keys import key_id
from lapor_hub.streams.chain.links import body_digest, link_of, read_link, record_digest
from lapor_hub.streams.chain.verify import ChainRecord

__all__ = ["EXPORT_FORMAT", "SUBMITTED_TYPE", "build_export", "check_export"]

EXPORT_FORMAT = "lapor-hub.audit-export/1"
#: The CloudEvents type of the event every complaint's history starts with.
SUBMITTED_TYPE = "id.go.lapor.complaint.submitted"
_SUMMARY = {"type": "ce_type", "id": "ce_id", "time": "ce_time", "status": "ce_complaintstatus",
            "agency": "ce_agency"}


def _b64(data: bytes | None) -> str:
    return base64.b64encode(data or b"").decode()


def _summary(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    found = {name: value.decode("utf-8", errors="replace") for name, value in headers}
    return {field: found[name] for field, name in _SUMMARY.items() if name in found}


def build_export(tracking_id: str, topic: str, partition: int, records: Sequence[ChainRecord],
                 head: SignedHead) -> dict[str, Any]:
    """The export of ``records`` (the complaint's first event up to ``head``'s offset)."""
    key = tracking_id.encode()
    first = read_link(records[0].headers)
    entries = []
    for record in records:
        link = read_link(record.headers)
        seq = link.seq if link else -1
        if record.key == key:
            entries.append({"offset": record.offset, "seq": seq, "key": tracking_id, "value": _b64(record.value),
                            "headers": [[name, _b64(value)] for name, value in record.headers],
                            "summary": _summary(record.headers)})
        else:
            entries.append({"offset": record.offset, "seq": seq,
                            "key": (record.key or b"").decode("utf-8", errors="replace"),
                            "body": body_digest(record.value, record.headers)})
    return {"format": EXPORT_FORMAT, "tracking_id": tracking_id, "topic": topic, "partition": partition,
            "prev": first.prev if first else "", "records": entries, "head": head.to_json()}


class _Bad(Exception):
    pass


def _need(condition: bool, problem: str) -> None:
    if not condition:
        raise _Bad(problem)


def _full_record(entry: dict, partition: int, tracking_id: str) -> tuple[str, str, int, str | None]:
    try:
        value = base64.b64decode(entry["value"], validate=True)
        headers = [(str(name), base64.b64decode(item, validate=True)) for name, item in entry["headers"]]
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise _Bad(f"record at offset {entry.get('offset')}: value or headers are not base64") from exc
    link = read_link(headers)
    _need(link is not None, f"record at offset {entry.get('offset')}: no chain headers")
    assert link is not None
    _need(link.seq == entry.get("seq"), f"record at offset {entry.get('offset')}: its seq is not the one stated")
    digest = record_digest(partition, link.seq, tracking_id.encode(), body_digest(value, headers))
    _need(_summary(headers) == entry.get("summary", {}),
          f"record at offset {entry.get('offset')}: its summary does not match its headers")
    return link.prev, digest, link.seq, _summary(headers).get("type")


def _check(doc: Any, public_key: Ed25519PublicKey) -> None:
    _need(isinstance(doc, dict) and doc.get("format") == EXPORT_FORMAT, f"not a {EXPORT_FORMAT} file")
    head = decode_head(doc.get("head"))
    _need(head is not None, "the signed head is missing or unreadable")
    assert head is not None
    problem = head_problem(head, {key_id(public_key): public_key})
    _need(problem is None, problem or "")
    tracking_id, partition, records = doc.get("tracking_id"), doc.get("partition"), doc.get("records")
    _need(isinstance(tracking_id, str) and isinstance(partition, int) and isinstance(records, list)
          and bool(records), "tracking_id, partition or records are missing")
    _need((head.topic, head.partition) == (doc.get("topic"), partition), "the head signs another partition")
    prev, expected_seq = doc.get("prev"), None
    _need(isinstance(prev, str) and len(prev) == 64, "prev is not a link")
    for number, entry in enumerate(records):
        _need(isinstance(entry, dict), f"record {number} is not an object")
        where = f"record at offset {entry.get('offset')}"
        seq = entry.get("seq")
        _need(isinstance(seq, int) and (expected_seq is None or seq == expected_seq), f"{where}: seq out of order")
        if "value" in entry:
            _need(entry.get("key") == tracking_id, f"{where}: another complaint's record given in full")
            stated_prev, digest, seq, event_type = _full_record(entry, partition, tracking_id)
            _need(stated_prev == prev, f"{where}: does not link to the record before it")
            _need(number > 0 or event_type == SUBMITTED_TYPE, "the history does not start at the submission")
        else:
            _need(number > 0, "the history does not start with one of the complaint's records")
            key, body = entry.get("key"), entry.get("body")
            _need(isinstance(key, str) and isinstance(body, str) and len(body) == 64, f"{where}: key or body missing")
            _need(key != tracking_id, f"{where}: a record of the complaint is withheld")
            digest = record_digest(partition, seq, key.encode(), body)
        prev = link_of(prev, digest)
        expected_seq = seq + 1
    last = records[-1]
    _need((last.get("seq"), last.get("offset"), prev) == (head.seq, head.offset, head.link),
          "the chain does not end at the signed head: the history was changed")


def check_export(doc: Any, public_key: Ed25519PublicKey) -> str | None:
    """Why the export ``doc`` (parsed JSON) does not verify with ``public_key``, or None when it does."""
    try:
        _check(doc, public_key)
    except _Bad as bad:
        return str(bad)
    except (ValueError, TypeError, AttributeError) as exc:
        return f"the export is malformed: {type(exc).__name__}"
    return None
