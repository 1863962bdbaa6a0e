"""The load and tender state machines."""

import pytest

from server.market.refusals import MarketRefused
from server.market.states import LOAD_FLOW, TENDER_FLOW, can, check, sources


def test_the_happy_path_of_a_load_is_legal():
    """draft through closed is a chain of legal steps."""
    path = ["draft", "tendered", "awarded", "assigned", "authorized", "at_pickup", "loading", "in_transit",
            "delivered", "closed"]
    assert all(can("load", a, b) for a, b in zip(path, path[1:], strict=False))


@pytest.mark.parametrize("machine,current,target", [("load", "draft", "awarded"), ("load", "delivered", "draft"),
                                                    ("load", "closed", "cancelled"), ("tender", "expired", "open"),
                                                    ("tender", "awarded", "open"), ("load", "in_transit", "cancelled")])
def test_illegal_transitions_are_conflicts(machine, current, target):
    """Skipping or reversing steps raises a conflict refusal (HTTP 409) naming both states."""
    with pytest.raises(MarketRefused) as exc:
        check(machine, current, target)
    assert exc.value.status == 409 and current in exc.value.detail and target in exc.value.detail


def test_sources_are_the_where_of_conditional_updates():
    """Only a draft load can be tendered; only an open tender can expire."""
    assert sources("load", "tendered") == {"draft"}
    assert sources("tender", "expired") == {"open"}


def test_every_target_is_a_known_state():
    """No transition leads to a state the machine does not define."""
    for flow in (LOAD_FLOW, TENDER_FLOW):
        assert all(t in flow for targets in flow.values() for t in targets)
