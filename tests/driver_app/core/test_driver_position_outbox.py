"""The on-disk position outbox: sequence numbers, time order, paging, deletion, restarts."""

from __future__ import annotations

from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.positions import Fix


def fix(t_ms: int, lat: float = 53.54, lon: float = 9.98) -> Fix:
    return Fix(t_ms=t_ms, lat=lat, lon=lon, speed=10.0, heading=90.0, acc=5.0, batt=80.0)


def test_append_numbers_positions_increasingly(tmp_path):
    """Appended fixes get increasing sequence numbers and are stored whole."""
    outbox = PositionOutbox(tmp_path / "outbox.sqlite")

    seqs = [outbox.append(fix(1000 * i)).seq for i in range(5)]

    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert outbox.oldest(1)[0].fix == fix(0)


def test_oldest_returns_time_order_in_pages_and_skips_excluded(tmp_path):
    """``oldest`` pages through positions in time order, skipping the excluded sequence numbers."""
    outbox = PositionOutbox(tmp_path / "outbox.sqlite")
    for t in (3000, 1000, 2000, 4000):
        outbox.append(fix(t))

    first = outbox.oldest(2)
    rest = outbox.oldest(10, exclude={p.seq for p in first})

    assert [p.fix.t_ms for p in first] == [1000, 2000]
    assert [p.fix.t_ms for p in rest] == [3000, 4000]


def test_delete_removes_only_given_rows(tmp_path):
    """Deleting acknowledged sequence numbers leaves every other row in place."""
    outbox = PositionOutbox(tmp_path / "outbox.sqlite")
    positions = [outbox.append(fix(1000 * i)) for i in range(4)]

    removed = outbox.delete([positions[1].seq, positions[2].seq])

    assert removed == 2
    assert [p.seq for p in outbox.oldest(10)] == [positions[0].seq, positions[3].seq]


def test_positions_survive_restart_and_sequence_is_never_reused(tmp_path):
    """After closing and reopening the file, unsent rows are there and new seqs continue upward."""
    path = tmp_path / "outbox.sqlite"
    outbox = PositionOutbox(path)
    kept = outbox.append(fix(1000))
    gone = outbox.append(fix(2000))
    outbox.delete([gone.seq])
    outbox.close()

    reopened = PositionOutbox(path)
    new = reopened.append(fix(3000))

    assert [p.seq for p in reopened.oldest(10)] == [kept.seq, new.seq]
    assert new.seq > gone.seq
