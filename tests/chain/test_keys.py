"""Keys: generated on first start, loadable from a file, rotated with older heads still verifying."""

from __future__ import annotations

import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.chain import AuditKeyRing, head_problem, parse_public_key, public_key_text, sign_head


def _head(key, seq):
    return sign_head(key, topic="complaints.events", partition=0, seq=seq, offset=seq, link="ab" * 32,
                     signed_at="2026-11-30T08:00:00+00:00")


def test_the_first_start_generates_a_private_key_readable_only_by_its_owner(tmp_path):
    ring = AuditKeyRing(tmp_path / "keys")
    key = ring.signing_key()
    assert (tmp_path / "keys" / "signing-key.pem").stat().st_mode & 0o077 == 0
    assert ring.signing_key().kid == key.kid  # the same key at the next start
    assert list(ring.public_keys()) == [key.kid] and ring.current_kid() == key.kid


def test_a_rotated_key_still_verifies_older_heads(tmp_path):
    ring = AuditKeyRing(tmp_path / "keys")
    old = ring.signing_key()
    older_head = _head(old, 1)
    new_kid = ring.rotate()
    new = ring.signing_key()
    assert new.kid == new_kid != old.kid
    keys = ring.public_keys()
    assert set(keys) == {old.kid, new.kid}
    assert head_problem(older_head, keys) is None and head_problem(_head(new, 2), keys) is None


def test_a_key_from_a_file_made_by_openssl_signs_and_is_published(tmp_path):
    path = tmp_path / "hub-signing.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(path)], check=True)
    ring = AuditKeyRing(tmp_path / "keys", path)
    key = ring.signing_key()
    assert not (tmp_path / "keys" / "signing-key.pem").exists()
    assert head_problem(_head(key, 1), ring.public_keys()) is None
    with pytest.raises(ConfigurationError, match="LAPOR_AUDIT_SIGNING_KEY_FILE"):
        ring.rotate()


@pytest.mark.parametrize("content", [b"not a key", b""])
def test_an_unreadable_key_file_is_a_configuration_error_that_says_what_to_do(tmp_path, content):
    path = tmp_path / "bad.pem"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match="openssl genpkey"):
        AuditKeyRing(tmp_path / "keys", path).signing_key()


def test_a_public_key_reads_from_pem_and_from_the_published_base64():
    public = Ed25519PrivateKey.generate().public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert public_key_text(parse_public_key(pem)) == public_key_text(public)
    assert public_key_text(parse_public_key(public_key_text(public))) == public_key_text(public)
    with pytest.raises(ConfigurationError, match="32"):
        parse_public_key("AAAA")
