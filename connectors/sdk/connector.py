"""The connector contract: what an author writes. The runtime does everything else.

A subclass that could not work is refused when its ``class`` statement runs, not when records
start to pile up: it must implement ``check`` and at least one way to exchange records
(``deliver``, ``poll`` or ``inbound_routes``). A misspelt ``delivr`` is named in the error. A
shared base class that is not a connector type on its own says so with ``abstract=True``.
"""

from __future__ import annotations

import builtins
import difflib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel

from lapor_hub.connectors.sdk.config import ConnectorConfig, StrictModel
from lapor_hub.connectors.sdk.model import AgencyUpdate, Delivery
from lapor_hub.connectors.sdk.outcomes import DeliveryOutcome, http_outcome, raise_for_outcome
from lapor_hub.errors import ConfigurationError

__all__ = ["Connector", "ConnectorContext", "NoSettings", "ConnectorDefinitionError"]

#: Hooks a connector overrides to exchange records; at least one is needed.
_EXCHANGE_HOOKS = ("deliver", "poll", "inbound_routes")


class ConnectorDefinitionError(ConfigurationError, TypeError):
    """A :class:`Connector` subclass that cannot work as written: fix the class."""


class NoSettings(StrictModel):
    """For connector types without settings of their own."""


@dataclass
class ConnectorContext:
    """What the runtime hands a connector when it opens: who it is and how to publish."""

    connector_id: str
    agency: str
    publish: Callable[[Sequence[AgencyUpdate]], list[str]]
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("connectors"))


class Connector:
    """Base of every connector. Implement :meth:`check`, and :meth:`deliver`, :meth:`poll` or
    :meth:`inbound_routes` (one or more); a class that implements neither is refused when it is
    defined (:class:`ConnectorDefinitionError`).

    - ``check()``: reach the agency system and verify the configuration; ``ConfigurationError``
      says what to fix, ``RetriableError`` that it is down for now (``lapor-connect run`` starts anyway).
    - ``deliver(batch)``: hand each :class:`Delivery` to the agency system, in order. Return
      ``None`` when all were accepted, or yield/return one external reference (or None) per
      accepted delivery. Raise ``RetriableError`` to retry from the first delivery not yet
      accepted, ``SkippableError`` to dead-letter that one delivery, ``FatalError`` to stop.
      Pass ``delivery.idempotency_key`` on: a delivery may come again after a crash.
    - ``poll()``: read new updates from the agency system; the runtime publishes them and
      then calls ``acknowledge(updates)``, where the connector moves its watermark on.
    - A push-style connector returns aiohttp routes from :meth:`inbound_routes` and calls
      ``self.publish(updates)`` from them; the runtime serves them on ``config.inbound``.
    """

    type: ClassVar[str] = ""
    # builtins.type: inside this class body ``type`` is the connector type's name just above.
    Settings: ClassVar[builtins.type[BaseModel]] = NoSettings
    #: True for :class:`Connector` itself and for bases declared ``class Base(Connector, abstract=True)``.
    abstract: ClassVar[bool] = True

    def __init_subclass__(cls, *, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.abstract = abstract
        if not abstract:
            _refuse_if_incomplete(cls)

    def __init__(self, config: ConnectorConfig) -> None:
        self.config = config
        self.settings: Any = config.settings
        self.context: ConnectorContext | None = None

    def check(self) -> None:
        """Reach the agency system and verify the configuration; ConfigurationError if wrong."""
        raise NotImplementedError

    def deliver(self, batch: Sequence[Delivery]) -> Iterable[str | None] | None:
        raise NotImplementedError

    def poll(self) -> Sequence[AgencyUpdate]:
        raise NotImplementedError

    def acknowledge(self, updates: Sequence[AgencyUpdate]) -> None:
        """The polled ``updates`` are safely on the outbox: persist the watermark now."""

    def inbound_routes(self) -> list:
        return []

    def open(self, context: ConnectorContext) -> None:
        self.context = context

    def close(self) -> None:
        """Release what :meth:`open` or the first delivery acquired."""

    def publish(self, updates: Sequence[AgencyUpdate]) -> list[str]:
        """Publish pushed updates now (validated first); returns their event ids."""
        if self.context is None:
            raise RuntimeError("publish() before open(): the runtime opens the connector")
        return self.context.publish(updates)

    def outcome_for(self, status: int) -> DeliveryOutcome:
        """The HTTP outcome table; override to change a row for one agency system."""
        return http_outcome(status)

    def raise_for_status(self, status: int, *, what: str, retry_after: float | None = None) -> None:
        raise_for_outcome(self.outcome_for(status), status, what=what, retry_after=retry_after)

    @classmethod
    def delivers(cls) -> bool:
        return cls.deliver is not Connector.deliver

    @classmethod
    def polls(cls) -> bool:
        return cls.poll is not Connector.poll


def _refuse_if_incomplete(cls: type[Connector]) -> None:
    missing = []
    if cls.check is Connector.check:
        missing.append("check()")
    if all(getattr(cls, hook) is getattr(Connector, hook) for hook in _EXCHANGE_HOOKS):
        missing.append("deliver(batch), poll() or inbound_routes()")
    if not missing:
        return
    known = set(dir(Connector))
    own = [name for klass in cls.__mro__ if klass is not Connector and issubclass(klass, Connector)
           for name, value in vars(klass).items()
           if callable(value) and not name.startswith("_") and name not in known]
    hints = [f"{name!r} looks like a misspelt {match[0]!r}" for name in own
             if (match := difflib.get_close_matches(name, ("check", *_EXCHANGE_HOOKS), n=1, cutoff=0.75))]
    raise ConnectorDefinitionError(
        f"{cls.__module__}.{cls.__qualname__} does not implement {' and '.join(missing)}, so it would "
        f"do nothing{': ' + '; '.join(hints) if hints else ''}. Implement them, or declare a shared base "
        f"class with `class {cls.__name__}(Connector, abstract=True)`."
    )
