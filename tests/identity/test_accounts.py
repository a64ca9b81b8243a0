import multiprocessing
import sqlite3
import stat

import pytest
from argon2 import PasswordHasher

from lapor_hub.streams.directory import default_directory
from lapor_hub.streams.identity import (
    AccountError,
    AccountStore,
    AuthenticationError,
    AuthFailure,
    Role,
)
from lapor_hub.streams.identity._store import DATABASE_NAME


@pytest.fixture
def accounts(settings, directory, fast_hasher) -> AccountStore:
    return AccountStore(settings.identity_dir, directory, hasher=fast_hasher)


def test_an_added_account_is_listed_with_its_role_and_agency(accounts):
    made = accounts.add("siti", Role.AGENCY_OFFICER, "18.10", password="correct horse battery")
    assert made.generated_password is None
    assert made.account.role is Role.AGENCY_OFFICER and made.account.agency == "18.10"
    accounts.add("ops", "operator", password="correct horse battery")
    assert [(a.username, a.role, a.agency, a.disabled) for a in accounts.list_accounts()] == [
        ("ops", Role.OPERATOR, None, False), ("siti", Role.AGENCY_OFFICER, "18.10", False),
    ]


def test_a_generated_password_is_returned_once_and_signs_in(accounts):
    made = accounts.add("budi", "supervisor", "18")
    assert len(made.generated_password) >= 24
    assert accounts.check_password("budi", made.generated_password).username == "budi"


def test_the_national_admin_gets_kemenpanrb_without_saying_so(accounts):
    assert accounts.add("admin", "national-admin").account.agency == "KEMENPANRB"


def test_only_an_argon2id_hash_is_stored(settings, accounts):
    accounts.add("siti", "operator", password="correct horse battery")
    with sqlite3.connect(settings.identity_dir / DATABASE_NAME) as db:
        (stored,) = db.execute("SELECT password_hash FROM accounts").fetchone()
    assert stored.startswith("$argon2id$") and "correct horse battery" not in stored
    raw = (settings.identity_dir / DATABASE_NAME).read_bytes()
    assert b"correct horse battery" not in raw


def test_the_default_hasher_uses_rfc_9106_costs(settings, directory):
    store = AccountStore(settings.identity_dir, directory)
    store.add("siti", "operator", password="correct horse battery")
    with sqlite3.connect(settings.identity_dir / DATABASE_NAME) as db:
        (stored,) = db.execute("SELECT password_hash FROM accounts").fetchone()
    assert "$m=65536,t=3,p=4$" in stored


def test_a_weak_stored_hash_is_upgraded_at_the_next_sign_in(settings, directory, fast_hasher):
    AccountStore(settings.identity_dir, directory, hasher=fast_hasher).add("siti", "operator",
                                                                           password="correct horse battery")
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    AccountStore(settings.identity_dir, directory, hasher=stronger).check_password("siti", "correct horse battery")
    with sqlite3.connect(settings.identity_dir / DATABASE_NAME) as db:
        (stored,) = db.execute("SELECT password_hash FROM accounts").fetchone()
    assert "m=2048,t=2" in stored


def test_the_database_and_its_folder_are_private(settings, accounts):
    accounts.add("siti", "operator", password="correct horse battery")
    assert stat.S_IMODE(settings.identity_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((settings.identity_dir / DATABASE_NAME).stat().st_mode) == 0o600


@pytest.mark.parametrize("name, role, agency, password, says", [
    ("siti", "agency-officer", None, None, "needs an agency"),
    ("siti", "agency-officer", "99.99", None, "unknown agency '99.99'"),
    ("siti", "operator", "18.10", None, "takes no agency"),
    ("siti", "citizen", None, None, "unknown role 'citizen'"),
    ("siti", "channel", None, None, "api-key"),
    ("Siti", "operator", None, None, "not valid"),
    ("x", "operator", None, None, "not valid"),
    ("siti", "operator", None, "short", "at least 12"),
])
def test_a_bad_account_is_refused_with_what_to_do(accounts, name, role, agency, password, says):
    with pytest.raises(AccountError) as err:
        accounts.add(name, role, agency, password=password)
    assert says in str(err.value)
    assert accounts.list_accounts() == []


def test_a_name_is_taken_once(accounts):
    accounts.add("siti", "operator")
    with pytest.raises(AccountError, match="exists already"):
        accounts.add("siti", "supervisor", "18")


def test_a_wrong_password_and_an_unknown_name_are_refused_alike(accounts):
    accounts.add("siti", "operator", password="correct horse battery")
    with pytest.raises(AuthenticationError) as wrong:
        accounts.check_password("siti", "incorrect horse battery")
    with pytest.raises(AuthenticationError) as unknown:
        accounts.check_password("nobody", "incorrect horse battery")
    assert wrong.value.failure is unknown.value.failure is AuthFailure.INVALID_CREDENTIALS
    assert str(wrong.value) == str(unknown.value)


def test_a_disabled_account_cannot_sign_in_and_disabling_twice_is_harmless(accounts):
    accounts.add("siti", "operator", password="correct horse battery")
    assert accounts.disable("siti").disabled
    assert accounts.disable("siti").disabled
    with pytest.raises(AuthenticationError) as err:
        accounts.check_password("siti", "correct horse battery")
    assert err.value.failure is AuthFailure.DISABLED_ACCOUNT
    with pytest.raises(AccountError, match="no user 'nobody'"):
        accounts.disable("nobody")


def _add_many(identity_dir, worker: int, count: int) -> None:
    store = AccountStore(identity_dir, default_directory(),
                         hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    for i in range(count):
        store.add(f"user-{worker}-{i}", "operator", password="correct horse battery")
        store.list_accounts()


def test_processes_adding_accounts_at_once_lose_none(settings):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_add_many, args=(settings.identity_dir, w, 15)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    names = {a.username for a in AccountStore(settings.identity_dir, default_directory()).list_accounts()}
    assert names == {f"user-{w}-{i}" for w in range(4) for i in range(15)}
