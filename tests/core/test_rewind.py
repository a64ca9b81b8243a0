"""Which partitions are read from their beginning after a recovery (pure; the hub tests run it live)."""

from faust.types import TP

from lapor_hub.streams.core.rewind import to_rewind

TOPICS = ("complaints.intake", "complaints.commands")


def test_partitions_without_a_commit_or_at_zero_are_rewound_others_keep_their_offset():
    assigned = {TP("complaints.intake", 0), TP("complaints.intake", 1), TP("complaints.intake", 2),
                TP("complaints.commands", 0)}
    committed = {("complaints.intake", 1): 0, ("complaints.intake", 2): 17, ("complaints.commands", 0): 3}
    assert to_rewind(assigned, committed, TOPICS) == [TP("complaints.intake", 0), TP("complaints.intake", 1)]


def test_changelogs_and_other_topics_are_never_rewound():
    assigned = {TP("lapor-hub-complaint-state-changelog", 0), TP("lapor-hub-__assignor-__leader", 0)}
    assert to_rewind(assigned, {}, TOPICS) == []
