"""A local Apache Kafka broker or cluster for development and tests, assembled from Maven Central jars."""

from lapor_hub.streams.broker.cluster import LocalCluster
from lapor_hub.streams.broker.jars import KAFKA_VERSION, fetch_broker_jars
from lapor_hub.streams.broker.local import BrokerStatus, LocalBroker, free_port

__all__ = ["KAFKA_VERSION", "BrokerStatus", "LocalBroker", "LocalCluster", "fetch_broker_jars", "free_port"]
