"""The record oversight can verify: a hash chain over ``complaints.events`` and signed heads.

- :mod:`.links`: what each record commits to (pure);
- :mod:`.keys`: the hub's Ed25519 signing key and the published public keys;
- :mod:`.heads`: signed chain heads (pure);
- :mod:`.writer`: the lifecycle's side: stamping each event, signing heads;
- :mod:`.verify`: checking a partition against its chain and heads (pure);
- :mod:`.export`: one complaint's history with its proofs, and checking it offline (pure);
- :mod:`.logs`: reading the topics for ``lapor-hub audit verify|export``.
"""

from lapor_hub.streams.chain.heads import SignedHead, decode_head, head_problem, sign_head
from lapor_hub.streams.chain.keys import AuditKeyRing, SigningKey, key_id, parse_public_key, public_key_text
from lapor_hub.streams.chain.links import CHAIN_HEADERS, GENESIS, LINK_HEADER, PREV_HEADER, SEQ_HEADER, read_link
from lapor_hub.streams.chain.verify import Break, ChainRecord, PartitionReport, PlacedHead, verify_partition
from lapor_hub.streams.chain.writer import ChainWriter, TailReader

__all__ = [
    "AuditKeyRing", "Break", "CHAIN_HEADERS", "ChainRecord", "ChainWriter", "GENESIS", "LINK_HEADER",
    "PREV_HEADER", "PartitionReport", "PlacedHead", "SEQ_HEADER", "SignedHead", "SigningKey", "TailReader",
    "decode_head", "head_problem", "key_id", "parse_public_key", "public_key_text", "read_link", "sign_head",
    "verify_partition",
]
