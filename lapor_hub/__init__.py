"""LAPOR Hub: the event backbone of SP4N-LAPOR!, Indonesia's national public-service complaint system.

One installed name, ``lapor_hub``, whose packages live in the repository's top-level folders:

======================  =====================  ==================================================
import                  folder                 what
======================  =====================  ==================================================
``lapor_hub.errors``    ``lapor_hub/``         the error tree every layer shares (below all)
``lapor_hub.schemas``   ``schemas/``           the Avro event contract: schemas, codec, CloudEvents
``lapor_hub.streams``   ``streams/``           the hub: shared core, the flows, assembly, tools
``lapor_hub.connectors`` ``connectors/``       the connector SDK and the built-in connectors
======================  =====================  ==================================================

Layers point one way: errors, then the contract, then the hub's shared core, the flows, and
the assembly (the worker, the CLI) on top. The connector SDK stands on the contract and the
shared core, never on a flow. ``tests/test_layers.py`` keeps it so.
"""
