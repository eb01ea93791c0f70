"""Regenerating docs/performance.md keeps the sections written by hand below its marker."""

from datetime import UTC, datetime
from pathlib import Path

from bench.report import HAND_WRITTEN, write_markdown


def _write(path: Path, machine: str) -> None:
    write_markdown(
        path,
        command="python -m bench",
        results={},
        started=datetime(2026, 12, 7, tzinfo=UTC),
        seconds=60.0,
        machine=[f"- CPU: {machine}"],
    )


def test_regenerating_keeps_what_was_written_by_hand(tmp_path: Path) -> None:
    report = tmp_path / "performance.md"
    _write(report, "old machine")
    with report.open("a") as out:
        out.write("\n\n## An investigation\n\nWritten by hand.\n")

    _write(report, "new machine")
    _write(report, "newer machine")

    text = report.read_text()
    assert "newer machine" in text and "old machine" not in text
    assert text.count(HAND_WRITTEN) == 1
    assert text.count("## An investigation") == 1
    assert text.index("## Method") < text.index(HAND_WRITTEN) < text.index("## An investigation")
