"""The demo day's state file."""

from __future__ import annotations

from server.demo.state import DayState, StateFile


def test_state_survives_a_restart(tmp_path):
    """What one demo process saved, the next one reads back."""
    files = StateFile(tmp_path / "demo")
    files.save(DayState(day=3, started_at="2026-01-01T00:00:00+00:00", order_ids=[1, 2], load_ids=[5],
                        routes={"5": [[51.0, 7.0], [50.9, 6.9]]}))
    again = StateFile(tmp_path / "demo").load()
    assert (again.day, again.order_ids, again.load_ids, again.open) == (3, [1, 2], [5], True)
    assert again.routes == {"5": [[51.0, 7.0], [50.9, 6.9]]}


def test_missing_or_broken_state_starts_afresh(tmp_path):
    """No file, or an unreadable one, means no day is under way."""
    files = StateFile(tmp_path)
    assert files.load() == DayState()
    files.path.write_text("{not json")
    assert not files.load().open
