"""One connector per agency inbox: a second one is refused at start, unless it is meant.

Two connectors with different ids for one agency are two consumer groups on its inbox, and each
delivers every assignment: the agency's system gets everything twice, silently. The runtime
looks before it subscribes: the connectors' consumer groups (``lapor-connect.<id>``, which
every agency's credentials may describe) whose members are subscribed to this agency's inbox
now. A group without members (a connector stopped or replaced under a new id) does not count.
``runtime.allow_other_connectors: true`` runs anyway, for an agency that wants two systems fed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from lapor_hub.connectors.sdk.config import ConnectorConfig, kafka_options
from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core import topics

__all__ = ["Peer", "active_peers", "refuse_second_connector", "refusal", "GROUP_PREFIX"]

log = logging.getLogger("lapor_hub.connectors.runtime")

GROUP_PREFIX = "lapor-connect."


@dataclass(frozen=True)
class Peer:
    """Another connector consuming the same inbox now."""

    connector_id: str
    hosts: tuple[str, ...]


def active_peers(config: ConnectorConfig, *, timeout: float = 10.0) -> list[Peer] | None:
    """The other connectors subscribed to ``config.agency``'s inbox now; None when the broker
    does not say (no permission to describe groups, unreachable)."""
    inbox = topics.inbox(config.agency)
    admin = None
    try:
        admin = KafkaAdminClient(**kafka_options(config.broker), request_timeout_ms=int(timeout * 1000),
                                 client_id=f"lapor-connect-{config.id}-peers")
        groups = [g["group_id"] for g in admin.list_groups()
                  if g["group_id"].startswith(GROUP_PREFIX) and g["group_id"] != config.consumer_group]
        described = admin.describe_groups(groups) if groups else {}
    except (KafkaError, OSError, ValueError) as exc:
        log.warning("could not look for other connectors of agency %s (%s)", config.agency, type(exc).__name__)
        return None
    finally:
        if admin is not None:
            admin.close()
    peers = []
    for group_id, group in sorted(described.items()):
        members = [m for m in group.get("members") or ()
                   if inbox in ((m.get("member_metadata") or {}).get("topics") or ())]
        if members:
            hosts = tuple(sorted({str(m.get("client_host") or "?").lstrip("/") for m in members}))
            peers.append(Peer(group_id.removeprefix(GROUP_PREFIX), hosts))
    return peers


def refuse_second_connector(config: ConnectorConfig) -> None:
    """ConfigurationError when another connector consumes this agency's inbox now (see above)."""
    if config.runtime.allow_other_connectors:
        return
    peers = active_peers(config)
    if not peers:
        return
    raise ConfigurationError(refusal(config.agency, peers))


def refusal(agency: str, peers: list[Peer]) -> str:
    """Why a connector does not start, and the three ways on."""
    names = ", ".join(f"{p.connector_id!r} (on {', '.join(p.hosts)})" for p in peers)
    demo = (" (a demo agency of `make run`: start the hub with `LAPOR_DEMO=0 make run` or `lapor-hub run --no-demo`)"
            if any(p.connector_id.startswith("demo-") for p in peers) else "")
    return (
        f"agency {agency} already has a connector running: {names}. Two connectors would each deliver "
        f"every assignment. Stop that one first{demo}, or reuse its id ('id: {peers[0].connector_id}') to replace "
        "it, or set 'runtime: {allow_other_connectors: true}' if both systems should get everything. A connector "
        "killed a moment ago counts until its session times out (runtime.session_timeout, 45 s by default).")
