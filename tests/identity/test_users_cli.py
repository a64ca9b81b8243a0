"""``lapor-hub users``: through the real entry point, with the identity directory in a temporary folder."""

import sqlite3
import time

import pytest

from lapor_hub.streams.cli import main
from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.identity import AuthenticationError, EmbeddedIssuer, IdentitySettings
from lapor_hub.streams.identity._store import DATABASE_NAME


@pytest.fixture
def identity_dir(tmp_path, monkeypatch):
    path = tmp_path / "identity"
    monkeypatch.setenv("LAPOR_IDENTITY_DIR", str(path))
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["users", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def verify(identity_dir, token):
    issuer = EmbeddedIssuer(IdentitySettings(identity_dir=identity_dir), default_directory())
    return issuer.verifier().verify(token)


def stored_hashes(identity_dir) -> list[str]:
    with sqlite3.connect(identity_dir / DATABASE_NAME) as db:
        rows = db.execute("SELECT password_hash FROM accounts UNION ALL SELECT secret_hash FROM api_keys")
        return [h for (h,) in rows]


def test_add_prints_a_generated_password_once_and_list_shows_no_secret(identity_dir, capsys):
    code, out, _ = run(capsys, "add", "siti", "--role", "agency-officer", "--agency", "18.10")
    assert code == 0 and "added siti (agency-officer, 18.10)" in out
    password = out.split("password (shown once, not stored): ")[1].strip()
    assert len(password) >= 24
    code, out, _ = run(capsys, "list")
    assert code == 0 and "siti" in out and "18.10" in out and "enabled" in out
    assert password not in out and not any(h in out for h in stored_hashes(identity_dir))
    assert "$argon2" not in out


def test_add_reads_the_password_from_a_file(identity_dir, tmp_path, capsys):
    (tmp_path / "pw").write_text("correct horse battery\n")
    code, out, _ = run(capsys, "add", "ops", "--role", "operator", "--password-file", str(tmp_path / "pw"))
    assert code == 0 and "password" not in out and "correct horse" not in out
    issuer = EmbeddedIssuer(IdentitySettings(identity_dir=identity_dir), default_directory())
    assert issuer.sign_in("ops", "correct horse battery").account.username == "ops"


def test_token_prints_only_a_token_that_verifies(identity_dir, capsys):
    run(capsys, "add", "budi", "--role", "supervisor", "--agency", "18")
    code, out, err = run(capsys, "token", "budi", "--ttl", "120")
    assert code == 0 and len(out.strip().splitlines()) == 1 and "expires" in err
    principal = verify(identity_dir, out.strip())
    assert (principal.subject, principal.role.value, principal.agency) == ("budi", "supervisor", "18")
    assert 0 < (principal.expires_at.timestamp() - time.time()) <= 120


def test_disable_stops_tokens_and_new_ones(identity_dir, capsys):
    run(capsys, "add", "budi", "--role", "operator")
    token = run(capsys, "token", "budi")[1].strip()
    assert run(capsys, "disable", "budi")[0] == 0
    with pytest.raises(AuthenticationError, match="disabled"):
        verify(identity_dir, token)
    code, out, err = run(capsys, "token", "budi")
    assert code == 2 and out == "" and "disabled" in err


def test_api_key_is_printed_once_and_can_be_revoked(identity_dir, capsys):
    code, out, _ = run(capsys, "api-key", "open311-pringsewu", "--agency", "18.10")
    assert code == 0
    key = out.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    issuer = EmbeddedIssuer(IdentitySettings(identity_dir=identity_dir), default_directory())
    assert issuer.api_keys.authenticate(key).channel == "open311-pringsewu"
    listed = run(capsys, "list")[1]
    assert key_id in listed and key.removeprefix(f"lapor_{key_id}_") not in listed
    assert not any(h in listed for h in stored_hashes(identity_dir))
    assert run(capsys, "revoke-api-key", key_id)[0] == 0
    assert "revoked" in run(capsys, "list")[1]
    with pytest.raises(AuthenticationError, match="revoked"):
        issuer.api_keys.authenticate(key)


def test_signing_keys_rotate_and_retire(identity_dir, capsys):
    run(capsys, "add", "budi", "--role", "operator")
    old_token = run(capsys, "token", "budi")[1].strip()
    old_kid = run(capsys, "keys")[1].split()[0]
    assert run(capsys, "rotate-key")[0] == 0
    assert verify(identity_dir, old_token).subject == "budi"
    code, _, err = run(capsys, "retire-key", run(capsys, "keys")[1].splitlines()[-1].split()[0])
    assert code == 2 and "active key" in err
    assert run(capsys, "retire-key", old_kid)[0] == 0
    with pytest.raises(AuthenticationError, match="key"):
        verify(identity_dir, old_token)


@pytest.mark.parametrize("argv, says", [
    (["add", "siti", "--role", "agency-officer"], "needs an agency"),
    (["add", "siti", "--role", "agency-officer", "--agency", "99.99"], "unknown agency"),
    (["add", "siti", "--role", "operator", "--password-file", "/no/such/file"], "cannot read the password file"),
    (["disable", "nobody"], "no user 'nobody'"),
    (["token", "nobody"], "no user 'nobody'"),
    (["token", "siti-exists", "--ttl", "0"], "a token lives"),
    (["revoke-api-key", "nope"], "no API key"),
    (["retire-key", "nope"], "no published key"),
])
def test_mistakes_exit_2_with_what_to_do_and_no_traceback(identity_dir, capsys, argv, says):
    main(["users", "add", "siti-exists", "--role", "operator"])
    capsys.readouterr()
    code, out, err = run(capsys, *argv)
    assert code == 2 and says in err and "Traceback" not in err


def test_a_bad_setting_exits_2(identity_dir, capsys, monkeypatch):
    monkeypatch.setenv("LAPOR_IDENTITY_TOKEN_TTL", "forever")
    code, _, err = run(capsys, "list")
    assert code == 2 and "LAPOR_IDENTITY_TOKEN_TTL" in err


def test_an_unknown_role_is_an_argparse_usage_error(identity_dir, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["users", "add", "siti", "--role", "citizen"])
    assert exit_.value.code == 2
