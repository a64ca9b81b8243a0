"""The hub's shared core, below every flow: settings, topic names, ids, publishing, dead letters,
the durable write path and Kafka helpers. Nothing here imports a flow."""
