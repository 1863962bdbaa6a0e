"""Shared helpers for the dock-scheduling tests (a unique name, so it never clashes on sys.path)."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "data" / "docks"


class FixedMinutes:
    """Duration policy for tests: minutes per load id."""

    def __init__(self, minutes: dict[str, int]):
        self.table = minutes

    def minutes(self, load, dock) -> int:
        return self.table[load.id]


def read_fixture(name: str) -> dict:
    """A JSON fixture from tests/data/docks."""
    return json.loads((DATA / name).read_text())


def plan_of(problem, result) -> dict[int, tuple[int, int]]:
    """The solver plan (load index -> (dock index, start)) behind a result, pins left out."""
    return {
        problem.load_index[a.load_id]: (problem.dock_index[a.dock_id], a.start)
        for a in result.appointments
        if not a.frozen
    }
