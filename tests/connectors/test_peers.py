"""The refusal of a second connector for an agency says who, and the ways on (the Kafka side: test_cli)."""

from __future__ import annotations

from lapor_hub.connectors.sdk.peers import Peer, refusal


def test_the_refusal_of_a_second_connector_names_it_and_the_ways_on():
    demo = refusal("18.10", [Peer("demo-pringsewu-sipp", ("127.0.0.1",))])
    assert demo.startswith("agency 18.10 already has a connector running: 'demo-pringsewu-sipp' (on 127.0.0.1). ")
    assert "start the hub with `LAPOR_DEMO=0 make run`" in demo and "'id: demo-pringsewu-sipp'" in demo
    other = refusal("18.10", [Peer("pringsewu-sipp", ("10.0.0.5",))])
    assert "make run" not in other and "'runtime: {allow_other_connectors: true}'" in other
