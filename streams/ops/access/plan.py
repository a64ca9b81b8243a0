"""The access plan: one YAML file saying who may use the cluster, read by ``lapor-hub access apply``.

::

    hub:                                  # the hub's workers (one principal for all of them)
      principal: lapor-hub
      password_file: /run/secrets/kafka_hub_password
    agencies:                             # one entry per connector
      - agency: "18.10"
        principal: connect-pringsewu
        password_file: /run/secrets/kafka_pringsewu_password

Passwords come from files only (Docker secrets), never from the plan itself; a relative path is
read from the plan's folder. A principal serves one agency, or the hub, never two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lapor_hub.errors import ConfigurationError, UnknownAgencyError
from lapor_hub.streams.directory import Directory
from lapor_hub.streams.ops.access.permissions import (
    Permission,
    agency_permissions,
    check_principal,
    hub_permissions,
)

__all__ = ["Member", "AccessPlan", "load_plan"]


@dataclass(frozen=True)
class Member:
    principal: str
    password: str = field(repr=False)
    #: The agency a connector serves; None for the hub.
    agency: str | None = None


@dataclass(frozen=True)
class AccessPlan:
    hub: Member | None
    agencies: tuple[Member, ...] = ()

    def members(self) -> list[Member]:
        return ([self.hub] if self.hub else []) + list(self.agencies)

    def principals(self) -> list[str]:
        return [member.principal for member in self.members()]

    def passwords(self) -> dict[str, str]:
        return {member.principal: member.password for member in self.members()}

    def permissions(self, app_id: str, directory: Directory) -> list[Permission]:
        """Every ACL the plan asks for (the hub delivers to every agency of the directory)."""
        granted = []
        if self.hub is not None:
            granted += hub_permissions(self.hub.principal, app_id, [agency.code for agency in directory])
        for member in self.agencies:
            assert member.agency is not None  # noqa: S101 - load_plan sets it on every connector
            granted += agency_permissions(member.agency, member.principal)
        return granted


def load_plan(path: Path, directory: Directory) -> AccessPlan:
    """Read and check a plan; every mistake is a ConfigurationError naming the entry."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read the access plan {path}: {exc.strerror}") from None
    except yaml.YAMLError:
        raise ConfigurationError(f"{path} is not valid YAML: fix the syntax") from None
    if not isinstance(raw, Mapping) or set(raw) - {"hub", "agencies"}:
        raise ConfigurationError(f"{path}: expected the keys hub and agencies (see `lapor-hub access apply --help`)")
    hub = _member(raw["hub"], "hub", path.parent, agency=False) if raw.get("hub") is not None else None
    entries = raw.get("agencies") or []
    if not isinstance(entries, list):
        raise ConfigurationError(f"{path}: agencies must be a list of {{agency, principal, password_file}}")
    agencies = tuple(_member(entry, f"agencies[{i}]", path.parent, agency=True) for i, entry in enumerate(entries))
    entries_by_place = [(f"agencies[{i}]", member) for i, member in enumerate(agencies)]
    if hub is not None:
        entries_by_place.insert(0, ("hub", hub))
    seen: dict[str, str] = {}
    for where, member in entries_by_place:
        if member.principal in seen:
            raise ConfigurationError(f"{path}: {where}.principal {member.principal!r} is also "
                                     f"{seen[member.principal]}'s; "
                                     "give each connector and the hub a principal of its own")
        seen[member.principal] = where
        if member.agency is not None:
            try:
                directory.get(member.agency)
            except UnknownAgencyError as exc:
                raise ConfigurationError(f"{path}: {where}.agency: {exc}") from None
    return AccessPlan(hub, agencies)


def _member(entry: Any, where: str, base: Path, *, agency: bool) -> Member:
    keys = {"principal", "password_file"} | ({"agency"} if agency else set())
    if not isinstance(entry, Mapping) or set(entry) != keys:
        raise ConfigurationError(f"{where}: give exactly {', '.join(sorted(keys))}")
    principal = str(entry["principal"])
    try:
        check_principal(principal)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{where}.principal: {exc}") from None
    file = Path(str(entry["password_file"]))
    file = file if file.is_absolute() else base / file
    try:
        password = file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigurationError(f"{where}.password_file: cannot read {file}: {exc.strerror}") from None
    return Member(principal, password, str(entry["agency"]) if agency else None)
