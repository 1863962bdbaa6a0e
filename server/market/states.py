"""The load and tender state machines: every status change goes through ``check``.

Loads:   [awaiting_approval ->] draft -> tendered -> awarded -> assigned -> authorized -> at_pickup -> loading
         -> in_transit -> delivered -> closed, with ``cancelled`` from the states before
         pickup, and back to ``draft`` when a tender fails or the carrier cancels.
Tenders: open -> awarded | expired | cancelled; awarded -> cancelled (the carrier withdrew).

An illegal transition is a ``MarketRefused`` of kind ``conflict`` (HTTP 409).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from server.market.refusals import MarketRefused

LOAD_FLOW: Mapping[str, frozenset[str]] = {
    # A committed load plan over the seller's truck-count rule: approved -> draft, rejected -> cancelled.
    "awaiting_approval": frozenset({"draft", "cancelled"}),
    "draft": frozenset({"tendered", "cancelled"}),
    "tendered": frozenset({"awarded", "draft", "cancelled"}),
    "awarded": frozenset({"assigned", "authorized", "draft", "cancelled"}),
    # assigned -> assigned: the carrier swaps the truck or driver before pickup.
    "assigned": frozenset({"assigned", "authorized", "draft", "cancelled"}),
    # authorized -> assigned/awarded: the buyer revoked the last authorization.
    "authorized": frozenset({"authorized", "assigned", "awarded", "at_pickup", "draft", "cancelled"}),
    "at_pickup": frozenset({"loading", "cancelled"}),
    "loading": frozenset({"in_transit"}),
    "in_transit": frozenset({"delivered"}),
    "delivered": frozenset({"closed"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}

TENDER_FLOW: Mapping[str, frozenset[str]] = {
    "open": frozenset({"awarded", "expired", "cancelled"}),
    "awarded": frozenset({"cancelled"}),
    "expired": frozenset(),
    "cancelled": frozenset(),
}

# A truck on a load in one of these states is not free for another load.
BUSY_LOAD_STATES = frozenset({"assigned", "authorized", "at_pickup", "loading", "in_transit"})
# The carrier may still withdraw from an awarded load in these states (before pickup).
CARRIER_CANCELLABLE = frozenset({"awarded", "assigned", "authorized"})

MACHINES = {"load": LOAD_FLOW, "tender": TENDER_FLOW}


def can(machine: str, current: str, target: str) -> bool:
    return target in MACHINES[machine].get(current, frozenset())


def check(machine: str, current: str, target: str) -> None:
    """Raise a 409-kind refusal unless ``current -> target`` is a legal step of ``machine``."""
    if not can(machine, current, target):
        raise MarketRefused("conflict", "illegal_transition",
                            _("A %(machine)s that is %(current)s cannot become %(target)s.", machine=machine,
                              current=current, target=target))


def sources(machine: str, target: str) -> frozenset[str]:
    """Every state from which ``target`` may be reached: the WHERE of a conditional UPDATE."""
    return frozenset(state for state, targets in MACHINES[machine].items() if target in targets)
