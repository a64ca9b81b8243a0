"""Idempotency-Key claims: the first claim on the log wins, the same on every worker."""

from datetime import UTC, datetime, timedelta

from lapor_hub.streams.intake.claims import Claim, ClaimBook, claim_key, request_fingerprint

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)


def _claim(tracking_id: str, body: bytes = b"{}", at: datetime = T0) -> Claim:
    return Claim.new(tracking_id, request_fingerprint(body), at)


def test_a_claim_survives_the_log_as_it_was_written():
    claim = _claim("LPR-20261130-7K3M9Q2X")
    assert Claim.decode(claim.encode()) == claim
    assert len(claim.nonce) == 32


def test_the_first_claim_of_a_key_wins_whatever_comes_after():
    book = ClaimBook(WINDOW)
    key = claim_key("public", "9b1c6b1e")
    first, second = _claim("LPR-20261130-AAAAAAAA"), _claim("LPR-20261130-BBBBBBBB", b'{"other": 1}')
    book.read(key, first.encode(), T0)
    book.read(key, second.encode(), T0)
    assert book.winner(key, T0) == first


def test_two_workers_reading_the_same_log_agree_on_every_winner():
    log = [(claim_key("public", f"key-{i % 5}"), _claim(f"LPR-20261130-{i:08d}").encode()) for i in range(20)]
    early, late = ClaimBook(WINDOW), ClaimBook(WINDOW)
    for key, value in log:
        early.read(key, value, T0)
    for key, value in log:  # a worker started later reads the same log from the start
        late.read(key, value, T0 + timedelta(hours=1))
    for key, _ in log:
        assert early.winner(key, T0) == late.winner(key, T0 + timedelta(hours=1))
    assert len(early) == len(late) == 5


def test_keys_are_scoped_by_client_and_never_stored_as_sent():
    assert claim_key("public", "abc") != claim_key("channel:sms-1708", "abc")
    assert b"abc" not in claim_key("public", "abc")


def test_a_claim_older_than_the_window_gives_way_to_the_next_one():
    book = ClaimBook(WINDOW)
    key = claim_key("public", "k")
    old, fresh = _claim("LPR-20261101-AAAAAAAA", at=T0 - timedelta(days=8)), _claim("LPR-20261130-BBBBBBBB")
    book.read(key, old.encode(), T0)
    assert book.winner(key, T0) is None
    book.read(key, fresh.encode(), T0)
    assert book.winner(key, T0) == fresh
    assert book.forget_expired(T0 + timedelta(days=8)) == 1 and len(book) == 0


def test_records_that_are_not_claims_are_ignored():
    book = ClaimBook(WINDOW)
    key = claim_key("public", "k")
    for garbage in (b"not json", b"[]", b'{"tracking_id": 1}', b""):
        book.read(key, garbage, T0)
    book.read(None, _claim("LPR-20261130-AAAAAAAA").encode(), T0)
    assert book.winner(key, T0) is None and len(book) == 0
