"""What bench and chaos results say they ran on: the commit and the files changed from it."""

from __future__ import annotations

import subprocess

from lapor_hub.streams.ops.provenance import code_version, loadavg


def test_the_commit_and_the_changed_files_are_named_whole(tmp_path, monkeypatch):
    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.id", *args], cwd=tmp_path,
                              check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    (tmp_path / "streams.py").write_text("a\n")
    (tmp_path / "other.py").write_text("b\n")
    git("add", ".")
    git("commit", "-qm", "first")
    (tmp_path / "streams.py").write_text("changed\n")  # listed first: its porcelain line starts with a blank
    monkeypatch.chdir(tmp_path)
    assert code_version() == {"commit": git("rev-parse", "HEAD"), "modified_files": ["streams.py"]}


def test_the_load_average_has_three_figures():
    assert len(loadavg()) == 3 and all(v >= 0 for v in loadavg())
