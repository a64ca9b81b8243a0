"""The key-encryption key, the key book and the vault, without a broker."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core.config import HubSettings
from lapor_hub.streams.privacy import IdentityErased, IdentityUnavailable, IdentityVault, KeyBook, LocalKek, load_kek
from lapor_hub.streams.privacy.kek import UnwrapError, write_new_kek
from lapor_hub.streams.privacy.keybook import Erasure, erasure_record, key_record, key_tombstone
from tests.lifecycle.builders import TRACKING_ID, submission


def _stored(vault: IdentityVault, record: dict) -> dict:
    sealing = vault.prepare(record, record["tracking_id"])
    assert sealing.key is not None
    vault.book.read(*key_record(sealing.key))
    return sealing.record


def test_a_local_kek_wraps_for_one_key_id_only():
    kek = LocalKek(os.urandom(32))
    wrapped = kek.wrap(b"k" * 32, "LPR-1:aa")
    assert kek.unwrap(wrapped, "LPR-1:aa") == b"k" * 32
    with pytest.raises(UnwrapError):
        kek.unwrap(wrapped, "LPR-1:bb")
    with pytest.raises(UnwrapError):
        LocalKek(os.urandom(32)).unwrap(wrapped, "LPR-1:aa")
    assert "k" * 8 not in repr(kek)


def test_the_embedded_kek_is_created_once_private_and_read_back(tmp_path):
    settings = HubSettings(data_dir=tmp_path)
    first = load_kek(settings)
    path = tmp_path / "privacy" / "kek"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_kek(settings).kek_id == first.kek_id


def test_a_named_kek_file_must_exist_and_be_a_kek(tmp_path):
    with pytest.raises(ConfigurationError, match="new-kek"):
        load_kek(HubSettings(data_dir=tmp_path, privacy_kek_file=tmp_path / "missing"))
    bad = tmp_path / "bad"
    bad.write_text("not base64 at all!\n")
    with pytest.raises(ConfigurationError, match="not a key-encryption key"):
        load_kek(HubSettings(data_dir=tmp_path, privacy_kek_file=bad))
    good = tmp_path / "kek"
    kek_id = write_new_kek(good)
    assert load_kek(HubSettings(data_dir=tmp_path, privacy_kek_file=good)).kek_id == kek_id
    with pytest.raises(ConfigurationError, match="never overwritten"):
        write_new_kek(good)


class _KmsKek(LocalKek):
    """Stands in for a KMS's client: what matters here is that the factory named in settings is used."""


def kms_factory(settings: HubSettings) -> _KmsKek:
    return _KmsKek(bytes(32))


def not_a_kek(settings: HubSettings) -> object:
    return object()


def test_an_external_kms_is_named_by_its_factory(tmp_path):
    settings = HubSettings(data_dir=tmp_path, privacy_kms=f"{__name__}:kms_factory")
    assert isinstance(load_kek(settings), _KmsKek)
    assert not (tmp_path / "privacy" / "kek").exists()
    with pytest.raises(ConfigurationError, match="package.module:factory"):
        load_kek(replace(settings, privacy_kms="no.such.module:factory"))
    with pytest.raises(ConfigurationError, match="lacks kek_id"):
        load_kek(replace(settings, privacy_kms=f"{__name__}:not_a_kek"))
    with pytest.raises(ConfigurationError, match="the factory failed"):
        load_kek(replace(settings, privacy_kms="os.path:join"))


def test_the_vault_opens_what_it_sealed_and_only_for_its_complaint():
    vault = IdentityVault(LocalKek(os.urandom(32)))
    record = _stored(vault, submission())
    assert vault.open(record["identity"], TRACKING_ID).name == "Siti Rahmawati"
    with pytest.raises(IdentityUnavailable) as caught:
        vault.open(record["identity"], "LPR-20260101-AAAAAAAA")
    assert caught.value.code == "foreign_key"


def test_after_erasure_nothing_opens_and_a_clear_copy_is_not_sealed_again():
    vault = IdentityVault(LocalKek(os.urandom(32)))
    record = _stored(vault, submission())
    [key] = vault.book.keys_of(TRACKING_ID)
    vault.book.read(*erasure_record(Erasure(TRACKING_ID, 1_700_000_000.0, "request")))
    vault.book.read(*key_tombstone(key.key_id))
    with pytest.raises(IdentityErased, match="request"):
        vault.open(record["identity"], TRACKING_ID)
    again = vault.prepare(submission(), TRACKING_ID)
    assert again.key is None and again.record["identity"] is None
    assert again.record["reporter"]["name"] is None and vault.figures.identities_dropped == 1


def test_a_lost_key_store_is_a_clear_error_once_read_and_a_wait_before():
    reading = [False]
    vault = IdentityVault(LocalKek(os.urandom(32)), caught_up=lambda: reading[0])
    sealing = vault.prepare(submission(), TRACKING_ID)  # its key never reached the store
    with pytest.raises(IdentityUnavailable) as caught:
        vault.open(sealing.record["identity"], TRACKING_ID)
    assert caught.value.code == "keys_loading" and caught.value.retry_after == 2
    reading[0] = True
    with pytest.raises(IdentityUnavailable) as caught:
        vault.open(sealing.record["identity"], TRACKING_ID)
    assert caught.value.code == "key_missing" and "backup" in str(caught.value)
    assert vault.figures.keys_missing == 1


def test_a_key_wrapped_under_another_kek_says_which_one():
    other = IdentityVault(LocalKek(os.urandom(32)))
    record = _stored(other, submission())
    mine = IdentityVault(LocalKek(os.urandom(32)), other.book)
    with pytest.raises(IdentityUnavailable) as caught:
        mine.open(record["identity"], TRACKING_ID)
    assert caught.value.code == "foreign_kek" and other.kek.kek_id in str(caught.value)
    assert "LAPOR_PRIVACY_KEK_FILE" in str(caught.value)


def test_the_key_book_follows_keys_tombstones_and_erasures_in_topic_order():
    vault = IdentityVault(LocalKek(os.urandom(32)))
    book = KeyBook()
    first = vault.prepare(submission(), TRACKING_ID).key
    second = vault.prepare(submission(), TRACKING_ID).key  # a retried submission made another
    assert first is not None and second is not None
    for record in (key_record(first), key_record(second), (b"garbage", b"{}"), (b"key/x", b"not json")):
        book.read(*record)
    assert book.live_keys == 2 and book.complaints_with_keys == 1 and book.unreadable == 2
    book.read(*key_tombstone(first.key_id))
    assert book.key(first.key_id) is None and book.key(second.key_id) == second
    book.read(*erasure_record(Erasure(TRACKING_ID, 1.0, "retention")))
    book.read(*key_tombstone(second.key_id))
    assert list(book.holding()) == [] and book.erased_by_reason() == {"request": 0, "retention": 1}


def test_nothing_secret_is_in_the_vault_overview():
    vault = IdentityVault(LocalKek(os.urandom(32)))
    _stored(vault, submission())
    text = repr(vault.overview())
    assert "Siti" not in text and vault.overview()["live_keys"] == 1


def test_kek_files_are_not_world_readable_path(tmp_path: Path):
    path = tmp_path / "k"
    write_new_kek(path)
    assert not stat.S_IMODE(path.stat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO)
