"""Intake: checking what channels and connectors submit, and issuing tracking ids.

Pure functions only here; :mod:`lapor_hub.streams.intake.submission` prepares the records of the intake
topic for the lifecycle (imported on demand: it pulls in the broker stack).
"""

from lapor_hub.streams.intake.tracking import (
    is_tracking_id,
    new_tracking_id,
    normalize_tracking_id,
    tracking_id_for,
)
from lapor_hub.streams.intake.validation import (
    CHANNELS,
    PRIVACY_LEVELS,
    FieldError,
    normalize_phone,
    to_submission,
    validate_complaint,
    validate_submission_record,
)

__all__ = [
    "CHANNELS",
    "PRIVACY_LEVELS",
    "FieldError",
    "is_tracking_id",
    "new_tracking_id",
    "normalize_phone",
    "normalize_tracking_id",
    "to_submission",
    "tracking_id_for",
    "validate_complaint",
    "validate_submission_record",
]
