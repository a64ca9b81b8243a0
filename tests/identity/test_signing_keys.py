import json
import multiprocessing
import stat

import pytest
from cryptography.hazmat.primitives import hashes
from jwt.algorithms import OKPAlgorithm

from lapor_hub.streams.identity import AccountError, SigningKeys
from tests.identity.forge import b64url


def test_the_first_use_creates_one_private_key_readable_by_the_owner_only(settings):
    keys = SigningKeys(settings.identity_dir)
    kid, _ = keys.active_key()
    pem = settings.identity_dir / "keys" / f"{kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.identity_dir.stat().st_mode) == 0o700
    assert b"PRIVATE KEY" in pem.read_bytes()
    assert [k.kid for k in keys.list_keys()] == [kid]


def test_the_jwks_publishes_public_halves_only(settings):
    keys = SigningKeys(settings.identity_dir)
    kid, _ = keys.active_key()
    (jwk,) = keys.jwks()["keys"]
    assert jwk == {"kty": "OKP", "crv": "Ed25519", "x": jwk["x"], "kid": kid, "alg": "EdDSA", "use": "sig"}
    private = keys.active_key()[1].private_bytes_raw()
    published = (settings.identity_dir / "keys.json").read_text()
    assert b64url(private) not in published and "PRIVATE" not in published


def test_the_kid_is_the_rfc_7638_thumbprint(settings):
    keys = SigningKeys(settings.identity_dir)
    kid, private = keys.active_key()
    jwk = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    # The RFC 7638 section 3.1 example procedure, done independently: canonical JSON, SHA-256.
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(canonical.encode())
    assert kid == b64url(digest.finalize())


def test_rotation_keeps_the_old_public_key_and_drops_its_private_key(settings):
    keys = SigningKeys(settings.identity_dir)
    old, _ = keys.active_key()
    new = keys.rotate()
    assert keys.active_key()[0] == new != old
    assert {k["kid"] for k in keys.jwks()["keys"]} == {old, new}
    assert not (settings.identity_dir / "keys" / f"{old}.pem").exists()
    assert [(k.kid, k.active) for k in keys.list_keys()] == [(old, False), (new, True)]
    keys.retire(old)
    assert [k["kid"] for k in keys.jwks()["keys"]] == [new]
    assert keys.public_key(old) is None


def test_the_active_key_cannot_be_retired_nor_an_unknown_one(settings):
    keys = SigningKeys(settings.identity_dir)
    kid, _ = keys.active_key()
    with pytest.raises(AccountError, match="rotate first"):
        keys.retire(kid)
    with pytest.raises(AccountError, match="no published key"):
        keys.retire("nope")


def test_another_process_sees_a_rotation_at_once(settings):
    worker, cli = SigningKeys(settings.identity_dir), SigningKeys(settings.identity_dir)
    first, _ = worker.active_key()
    rotated = cli.rotate()
    assert worker.active_key()[0] == rotated
    assert worker.public_key(first) is not None
    cli.retire(first)
    assert worker.public_key(first) is None


def _first_key(identity_dir, queue) -> None:
    queue.put(SigningKeys(identity_dir).active_key()[0])


def test_workers_starting_together_create_one_key(settings):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_first_key, args=(settings.identity_dir, queue)) for _ in range(4)]
    for p in workers:
        p.start()
    kids = {queue.get(timeout=60) for _ in workers}
    for p in workers:
        p.join(30)
    assert len(kids) == 1
    assert len(list((settings.identity_dir / "keys").glob("*.pem"))) == 1
