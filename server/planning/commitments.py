"""What a route plan must keep: each load's assigned truck and booked dock slot, unless freed.

A load the carrier already put on a truck stays on that truck, and a load with a booked dock
slot is picked up at that slot: the plan works around commitments other people rely on (the
buyer authorized that plate, the plant planned that dock). The dispatcher frees a load by
listing it in the request's ``free``; then the plan may move it.

Also here: one reason per left-out load, from the engine's reasons for its two stops, with its code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.engines.routing import DropReason
from server.engines.routing.result import drop_codes
from server.extensions import db
from server.models import DockAppointment, Load

# Slots that are still ahead of the truck (the yard's own notion: booked, called, loading).
SLOT_AHEAD = ("booked", "called", "loading")


@dataclass(frozen=True)
class Commitment:
    """A load's committed truck (or None) and its booked pickup slot (or None)."""

    vehicle_id: int | None
    slot_start: datetime | None
    slot_end: datetime | None


def commitments(loads: list[Load], free: set[int]) -> dict[int, Commitment]:
    """Per load id, what the plan must keep (nothing for the loads in ``free``)."""
    ids = [load.id for load in loads if load.id not in free]
    slots = {row.load_id: row for row in db.session.scalars(
        select(DockAppointment).where(DockAppointment.load_id.in_(ids), DockAppointment.status.in_(SLOT_AHEAD))
        .order_by(DockAppointment.start))} if ids else {}
    out = {}
    for load in loads:
        if load.id in free:
            out[load.id] = Commitment(None, None, None)
            continue
        slot = slots.get(load.id)
        out[load.id] = Commitment(load.vehicle_id, slot.start if slot else None, slot.end if slot else None)
    return out


def left_out_loads(result: dict, index: dict) -> list[dict]:
    """One entry per load the plan left out, with one reason (the engine gives one per stop)."""
    reasons: dict[int, str] = {}
    for dropped in result.get("dropped", []):
        load_id = index["stops"][dropped["stop_index"]]["load_id"]
        reason = dropped["reason"]
        # "its partner cannot be served (why)" only echoes the partner's own reason.
        if reason.startswith(DropReason.PARTNER_DROPPED.value) and load_id in reasons:
            continue
        if load_id not in reasons or reasons[load_id].startswith(DropReason.PARTNER_DROPPED.value):
            reasons[load_id] = _own_reason(reason)
    # ``code`` and ``cause`` (``drop_codes``) let the API and the pages say it in the reader's language.
    return [{"load_id": load_id, "reason": reason, **dict(zip(("code", "cause"), drop_codes(reason), strict=True))}
            for load_id, reason in reasons.items()]


def _own_reason(reason: str) -> str:
    prefix = DropReason.PARTNER_DROPPED.value + " ("
    return reason[len(prefix):-1] if reason.startswith(prefix) and reason.endswith(")") else reason
