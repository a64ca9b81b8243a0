"""Local staff accounts of the embedded issuer: name, role, agency, password hash, disabled flag.

Passwords are hashed with Argon2id (argon2-cffi, RFC 9106 parameters by default); a stored hash
whose parameters are weaker than today's is replaced at the next successful sign-in. A password
is never stored, logged or returned, except that :meth:`AccountStore.add` returns the one it
generated so that the CLI can show it once.

Accounts are disabled, never deleted: an audit trail keeps naming them, and a disabled account's
tokens stop verifying at once (every verification looks the account up).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lapor_hub.streams.directory import Directory
from lapor_hub.streams.identity._store import now_iso, open_database
from lapor_hub.streams.identity.errors import AccountError, AuthenticationError, AuthFailure
from lapor_hub.streams.identity.principal import Role, assign_agency

__all__ = ["Account", "NewAccount", "AccountStore", "MIN_PASSWORD_LENGTH", "check_name"]

MIN_PASSWORD_LENGTH = 12
_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
#: Compared against when the user name is unknown, so that a sign-in costs the same either way.
_DUMMY_PASSWORD = "lapor-hub-no-such-account"


def check_name(kind: str, name: str) -> str:
    """``name`` when it is a valid user name or channel id; :class:`AccountError` otherwise."""
    if not _NAME.fullmatch(name or ""):
        raise AccountError(
            f"{kind} {name[:70]!r} is not valid: use 2-64 lowercase letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit"
        )
    return name


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    agency: str | None
    disabled: bool
    created_at: str


@dataclass(frozen=True)
class NewAccount:
    account: Account
    #: The password the store generated, to be shown once; None when the caller gave one.
    generated_password: str | None


class AccountStore:
    """The accounts in ``identity_dir``'s database; safe to share between processes."""

    def __init__(self, identity_dir: Path, directory: Directory, *, hasher: PasswordHasher | None = None) -> None:
        self._dir = identity_dir
        self._directory = directory
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    def add(self, username: str, role: Role | str, agency: str | None = None, *,
            password: str | None = None) -> NewAccount:
        """Create an account; a password of 24 random characters is generated when none is given."""
        check_name("user name", username)
        role = Role.parse(role)
        agency = assign_agency(role, agency, self._directory)
        if role is Role.CHANNEL:
            raise AccountError("channels sign in with API keys, not accounts: use `lapor-hub users api-key CHANNEL`")
        if role is Role.CONNECTOR:
            raise AccountError("connectors sign in with API keys, not accounts: use "
                               "`lapor-hub users api-key NAME --role connector --agency CODE`")
        generated = None
        if password is None:
            password = generated = secrets.token_urlsafe(18)  # 144 bits
        elif len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters")
        password_hash = self._hasher.hash(password)
        created_at = now_iso()
        with open_database(self._dir, write=True) as db:
            if db.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
                raise AccountError(f"user {username!r} exists already: pick another name (see `lapor-hub users list`)")
            db.execute(
                "INSERT INTO accounts (username, role, agency, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (username, role.value, agency, password_hash, created_at),
            )
        return NewAccount(Account(username, role, agency, False, created_at), generated)

    def get(self, username: str) -> Account | None:
        with open_database(self._dir) as db:
            row = db.execute("SELECT * FROM accounts WHERE username = ?", (username,)).fetchone()
        return _account(row) if row else None

    def require(self, username: str) -> Account:
        """The account named ``username``; :class:`AccountError` when there is none."""
        account = self.get(username)
        if account is None:
            raise AccountError(f"no user {username[:70]!r}: see `lapor-hub users list`")
        return account

    def list_accounts(self) -> list[Account]:
        with open_database(self._dir) as db:
            rows = db.execute("SELECT * FROM accounts ORDER BY username").fetchall()
        return [_account(row) for row in rows]

    def disable(self, username: str) -> Account:
        """Disable the account; its tokens stop verifying at once. Disabling twice is harmless."""
        with open_database(self._dir, write=True) as db:
            changed = db.execute(
                "UPDATE accounts SET disabled = 1, disabled_at = COALESCE(disabled_at, ?) WHERE username = ?",
                (now_iso(), username),
            ).rowcount
        if not changed:
            raise AccountError(f"no user {username[:70]!r}: see `lapor-hub users list`")
        return self.require(username)

    def check_password(self, username: str, password: str) -> Account:
        """The account when ``password`` is its password and it is enabled.

        Raises :class:`AuthenticationError`: ``invalid_credentials`` for an unknown name or a wrong
        password alike (the same message and about the same time, so names cannot be probed),
        ``disabled_account`` only after the right password.
        """
        with open_database(self._dir) as db:
            row = db.execute("SELECT * FROM accounts WHERE username = ?", (username,)).fetchone()
        stored = row["password_hash"] if row else self._dummy()
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            row = None
        if row is None:
            raise AuthenticationError(AuthFailure.INVALID_CREDENTIALS, "wrong user name or password")
        account = _account(row)
        if account.disabled:
            raise AuthenticationError(AuthFailure.DISABLED_ACCOUNT, "this account is disabled")
        if self._hasher.check_needs_rehash(stored):
            with open_database(self._dir, write=True) as db:
                db.execute("UPDATE accounts SET password_hash = ? WHERE username = ? AND password_hash = ?",
                           (self._hasher.hash(password), username, stored))
        return account

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(_DUMMY_PASSWORD)
        return self._dummy_hash


def _account(row) -> Account:
    return Account(row["username"], Role(row["role"]), row["agency"], bool(row["disabled"]), row["created_at"])
