"""A local Apache Kafka broker or cluster for development and tests, assembled from Maven Central jars."""

from streams.broker.cluster import LocalCluster
from streams.broker.jars import KAFKA_VERSION, fetch_broker_jars
from streams.broker.local import BrokerStatus, LocalBroker, free_port

__all__ = ["KAFKA_VERSION", "BrokerStatus", "LocalBroker", "LocalCluster", "fetch_broker_jars", "free_port"]
