"""Personal data protection: the reporter's identity sealed in every record, erasable, disclosed by entitlement.

- :mod:`~lapor_hub.streams.privacy.sealing`: what of a submission is identity, and AES-256-GCM
  sealing with the complaint's own data key (pure);
- :mod:`~lapor_hub.streams.privacy.kek`: the key-encryption key that wraps every data key: a
  file, or an external KMS through a small interface;
- :mod:`~lapor_hub.streams.privacy.keybook`, :mod:`~lapor_hub.streams.privacy.vault` and
  :mod:`~lapor_hub.streams.privacy.keystore`: the wrapped keys on the compacted topic
  ``hub.data-keys``, followed by every worker; sealing, opening, erasing (crypto-shredding);
- :mod:`~lapor_hub.streams.privacy.retention`: identities erased a configurable number of days
  after a complaint was closed and not reopened.

Who may see an identity is the web layer's question (``streams/web/disclosure.py``); every
disclosure is an audited request.
"""

from lapor_hub.streams.privacy.kek import KeyEncryptionKey, LocalKek, load_kek, write_new_kek
from lapor_hub.streams.privacy.keybook import Erasure, KeyBook, WrappedKey
from lapor_hub.streams.privacy.keystore import KeyStore
from lapor_hub.streams.privacy.sealing import DataKey, Identity, SealError, carries_clear_identity, sealed_record
from lapor_hub.streams.privacy.vault import IdentityErased, IdentityUnavailable, IdentityVault, Sealing

__all__ = [
    "DataKey",
    "Erasure",
    "Identity",
    "IdentityErased",
    "IdentityUnavailable",
    "IdentityVault",
    "KeyBook",
    "KeyEncryptionKey",
    "KeyStore",
    "LocalKek",
    "SealError",
    "Sealing",
    "WrappedKey",
    "carries_clear_identity",
    "load_kek",
    "sealed_record",
    "write_new_kek",
]
