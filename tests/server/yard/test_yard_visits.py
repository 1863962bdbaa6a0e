"""The yard visit state machine: legal steps, history, and 409 for illegal ones."""

from datetime import UTC, datetime, timedelta

import pytest

from server.models import YardVisit
from server.yard.refusals import YardRefused
from server.yard.visits import FLOW, can, step

T = datetime(2030, 6, 3, 8, 0, tzinfo=UTC)
HAPPY = ["scheduled", "arrived", "called", "loading", "loaded", "departed"]


def test_the_happy_path_is_legal_and_every_step_is_timestamped():
    """requested -> ... -> departed passes, and history keeps each step with its time, origin and author."""
    visit = YardVisit(status="requested", history=[])
    for k, target in enumerate(HAPPY):
        step(visit, target, T + timedelta(minutes=k), by=7)
    assert visit.status == "departed"
    assert [e["status"] for e in visit.history] == HAPPY
    assert visit.history[2] == {"status": "called", "from": "arrived", "at": (T + timedelta(minutes=2)).isoformat(),
                                "by": 7}


@pytest.mark.parametrize("current,target", [("requested", "loading"), ("scheduled", "called"), ("arrived", "loaded"),
                                            ("loading", "departed"), ("departed", "arrived"), ("cancelled", "scheduled"),
                                            ("loaded", "cancelled"), ("no_show", "loading")])
def test_illegal_steps_are_conflicts_and_change_nothing(current, target):
    """Skipping a state or leaving a final one is refused as a conflict; the visit stays as it was."""
    visit = YardVisit(status=current, history=[])
    with pytest.raises(YardRefused) as refused:
        step(visit, target, T, by=None)
    assert refused.value.status == 409 and refused.value.reason == "illegal_transition"
    assert visit.status == current and visit.history == []
    assert refused.value.extra["allowed"] == sorted(FLOW[current])


def test_unknown_status_is_invalid_input():
    """A made-up status is a 422 refusal naming the field."""
    with pytest.raises(YardRefused) as refused:
        step(YardVisit(status="arrived", history=[]), "teleported", T, by=None)
    assert refused.value.status == 422 and refused.value.errors[0][0] == "to"


def test_side_exits_exist_where_the_yard_needs_them():
    """No-show and cancel before loading, back to the queue from a call, a late no-show may still arrive."""
    assert can("scheduled", "no_show") and can("arrived", "cancelled") and can("called", "arrived")
    assert can("no_show", "arrived") and not can("loading", "cancelled") and not FLOW["departed"]
