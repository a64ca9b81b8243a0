"""The intake agent: submissions from every channel and connector enter the lifecycle here.

A submission on ``complaints.intake`` is validated again (connectors write to the topic
directly), gets its tracking id when it has none (derived from its CloudEvents id, so a
redelivered submission gets the same one), and goes on to ``complaints.commands``.
"""

from __future__ import annotations

from schemas import cloudevent_headers, decode, encode, read_cloudevent_headers
from streams import topics
from streams.deadletter import DeadLetters
from streams.errors import SkippableError
from streams.intake.tracking import tracking_id_for
from streams.intake.validation import FieldError, validate_submission_record
from streams.lifecycle import INTAKE
from streams.publisher import SENDER_HEADER, Publisher

__all__ = ["install", "InvalidSubmission", "prepare_submission"]


class InvalidSubmission(SkippableError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("invalid submission: " + ", ".join(f"{e.field} ({e.code})" for e in errors))
        self.errors = errors


def prepare_submission(value: bytes, headers, *, categories, directory) -> tuple[str, bytes, list]:
    """(tracking id, payload, headers) for ``complaints.commands``; SkippableError when invalid."""
    attributes = read_cloudevent_headers(headers)
    record_type, record = decode(value)
    if record_type != "ComplaintSubmitted":
        raise SkippableError(f"{record_type} does not belong on {topics.INTAKE}; submit ComplaintSubmitted")
    errors = validate_submission_record(record, categories=categories, directory=directory)
    if errors:
        raise InvalidSubmission(errors)
    if not record["tracking_id"]:
        record = {**record, "tracking_id": tracking_id_for(attributes["source"], attributes["id"],
                                                           record["occurred_at"])}
        value = encode("ComplaintSubmitted", record)
    tracking_id = record["tracking_id"]
    out_headers = [*cloudevent_headers("ComplaintSubmitted", attributes["id"], attributes["source"], tracking_id,
                                       attributes.get("time") or record["occurred_at"]),
                   (SENDER_HEADER, INTAKE.encode())]
    return tracking_id, value, out_headers


def install(hub) -> None:
    from streams.routing import default_categories

    app, settings = hub.app, hub.settings
    categories = default_categories()
    publisher = Publisher(app, "/lapor-hub/intake")
    dead_letters = DeadLetters(publisher)
    intake_topic = app.topic(topics.INTAKE, key_type=bytes, value_type=bytes, key_serializer="raw",
                             value_serializer="raw", partitions=settings.partitions)

    @app.agent(intake_topic, concurrency=1)
    async def intake(stream):
        async for event in stream.events():
            message = event.message
            try:
                tracking_id, payload, headers = prepare_submission(
                    message.value or b"", message.headers, categories=categories, directory=hub.directory)
                await publisher.send(topics.COMMANDS, tracking_id.encode(), payload, headers)
            except Exception as exc:  # noqa: BLE001 - nothing may escape an agent loop
                await dead_letters.send(event, "intake", exc)
