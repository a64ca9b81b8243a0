"""Sealing and opening an identity, with no key store: what is sealed, and that nothing else opens it."""

from __future__ import annotations

import os

import pytest

from lapor_hub.schemas import decode, encode
from lapor_hub.streams.privacy import DataKey, Identity, SealError, carries_clear_identity, sealed_record
from lapor_hub.streams.privacy.sealing import identity_of, key_belongs_to, open_sealed, seal, stripped
from tests.lifecycle.builders import TRACKING_ID, submission

SECRETS = ("Siti Rahmawati", "1810015507900003", "6281234567890", "siti@contoh.id")


def test_a_sealed_record_holds_no_identity_in_clear_and_its_key_opens_it():
    key = DataKey.new(TRACKING_ID)
    record = sealed_record(submission(), key)
    data = encode("ComplaintSubmitted", record)
    assert all(secret.encode() not in data for secret in SECRETS)
    assert record["reporter"] == {"name": None, "nik": None, "phone": None, "email": None}
    opened = open_sealed(decode(data)[1]["identity"], key.secret)
    assert opened.reporter == submission()["reporter"]
    assert opened.location is None  # the location was not marked private: it stays where it was
    assert record["location"] == submission()["location"]


def test_a_private_location_is_sealed_with_the_identity_and_only_the_region_stays():
    key = DataKey.new(TRACKING_ID)
    record = sealed_record(submission(location_private=True), key)
    assert record["location"] == {"region_code": "18.10", "lat": None, "lon": None, "address": None}
    data = encode("ComplaintSubmitted", record)
    assert b"Kenanga" not in data
    assert open_sealed(record["identity"], key.secret).location == {"lat": -5.3581, "lon": 104.9744,
                                                                     "address": "Jl. Kenanga 7"}


def test_another_key_an_altered_byte_or_another_key_id_does_not_open_it():
    key = DataKey.new(TRACKING_ID)
    sealed = seal(identity_of(submission()), key)
    with pytest.raises(SealError):
        open_sealed(sealed, os.urandom(32))
    altered = bytearray(sealed["ciphertext"])
    altered[3] ^= 1
    with pytest.raises(SealError):
        open_sealed({**sealed, "ciphertext": bytes(altered)}, key.secret)
    # The key id is bound in: the same ciphertext presented under another key id is refused.
    with pytest.raises(SealError):
        open_sealed({**sealed, "key_id": DataKey.new(TRACKING_ID).key_id}, key.secret)


def test_errors_and_reprs_never_show_the_identity():
    key = DataKey.new(TRACKING_ID)
    sealed = seal(identity_of(submission()), key)
    with pytest.raises(SealError) as caught:
        open_sealed(sealed, os.urandom(32))
    shown = repr(identity_of(submission())) + repr(key) + str(caught.value)
    assert all(secret not in shown for secret in SECRETS)
    assert key.secret.hex() not in repr(key)


def test_what_counts_as_identity_in_clear():
    assert carries_clear_identity(submission())
    assert not carries_clear_identity(stripped(submission()))
    anonymous_with_nothing = submission(privacy="ANONYMOUS", reporter={"name": None, "nik": None, "phone": None,
                                                                        "email": None})
    assert not carries_clear_identity(anonymous_with_nothing)
    assert sealed_record(anonymous_with_nothing, DataKey.new(TRACKING_ID))["identity"] is None
    # A private location alone is identity; a public one is not.
    only_place = {**anonymous_with_nothing, "location_private": True}
    assert carries_clear_identity(only_place) and not carries_clear_identity(anonymous_with_nothing)


def test_a_key_id_names_its_complaint():
    key = DataKey.new(TRACKING_ID)
    assert key.tracking_id == TRACKING_ID and key_belongs_to(key.key_id, TRACKING_ID)
    assert not key_belongs_to(key.key_id, "LPR-20260101-AAAAAAAA")
    assert not key_belongs_to(":0011223344556677", "")


def test_an_identity_survives_its_plaintext_form():
    identity = Identity("Siti", None, "+6281234567890", None, {"lat": 0.0, "lon": 1.5, "address": None})
    assert Identity.from_plaintext(identity.plaintext()) == identity
    with pytest.raises(SealError):
        Identity.from_plaintext(b'{"v": 1}')
