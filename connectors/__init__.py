"""LAPOR Hub connectors: the SDK (:mod:`connectors.sdk`), the built-in connectors
(:mod:`connectors.builtin`: webhook, sql, filedrop, open311), the ``lapor-connect`` CLI and a
conformance suite for connector authors (:mod:`connectors.testing`)."""

__all__: list[str] = []
