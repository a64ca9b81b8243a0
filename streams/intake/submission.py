"""Submissions arriving on ``complaints.intake``, from every channel and connector.

A submission is validated again (connectors write to the topic directly) and gets its tracking
id when it has none: derived from its CloudEvents id, so a redelivered submission gets the same
one. The lifecycle agent then decides it in place when the record already sits in the partition
its tracking id belongs to, and re-keys it through ``complaints.commands`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.partitioner import murmur2

from lapor_hub.errors import SkippableError
from lapor_hub.schemas import cloudevent_headers, decode, encode, read_cloudevent_headers
from lapor_hub.streams.core import topics
from lapor_hub.streams.intake.tracking import tracking_id_for
from lapor_hub.streams.intake.validation import FieldError, validate_submission_record

__all__ = ["InvalidSubmission", "Submission", "prepare_submission", "partition_of"]


class InvalidSubmission(SkippableError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("invalid submission: " + ", ".join(f"{e.field} ({e.code})" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Submission:
    tracking_id: str
    record: dict
    #: The record as it goes on (re-encoded only when the hub assigned the tracking id).
    payload: bytes
    #: Its CloudEvents headers (``ce_id`` and ``ce_source`` identify a duplicate).
    headers: list[tuple[str, bytes]]
    #: Whether the value or key changed, so the record must be re-keyed before it is decided.
    rekeyed: bool

    @property
    def event_id(self) -> str:
        return dict(self.headers)["ce_id"].decode()

    @property
    def source(self) -> str:
        return dict(self.headers)["ce_source"].decode()


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner (murmur2, as in Java and aiokafka) gives ``key``."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def prepare_submission(key: bytes | None, value: bytes, headers, *, categories, directory) -> Submission:
    """The validated submission; SkippableError (a dead letter) when it is not one."""
    attributes = read_cloudevent_headers(headers)
    record_type, record = decode(value)
    if record_type != "ComplaintSubmitted":
        raise SkippableError(f"{record_type} does not belong on {topics.INTAKE}; submit ComplaintSubmitted")
    errors = validate_submission_record(record, categories=categories, directory=directory)
    if errors:
        raise InvalidSubmission(errors)
    assigned = not record["tracking_id"]
    if assigned:
        record = {**record, "tracking_id": tracking_id_for(attributes["source"], attributes["id"],
                                                           record["occurred_at"])}
        value = encode("ComplaintSubmitted", record)
    tracking_id = record["tracking_id"]
    sealed = record.get("identity")
    if sealed is not None and sealed["key_id"].rpartition(":")[0] != tracking_id:
        raise InvalidSubmission([FieldError("identity.key_id", "foreign",
                                            "identity is sealed for another complaint than this one")])
    out_headers = cloudevent_headers("ComplaintSubmitted", attributes["id"], attributes["source"], tracking_id,
                                     attributes.get("time") or record["occurred_at"])
    return Submission(tracking_id, record, value, out_headers, assigned or key != tracking_id.encode())
