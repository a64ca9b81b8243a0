"""LAPOR Hub connectors: the SDK (:mod:`lapor_hub.connectors.sdk`), the built-in connectors
(:mod:`lapor_hub.connectors.builtin`: webhook, sql, filedrop, open311), the ``lapor-connect`` CLI and a
conformance suite for connector authors (:mod:`lapor_hub.connectors.testing`)."""

__all__: list[str] = []
