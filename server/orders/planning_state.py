"""How much of an order its committed load plans carry: planned, partly planned or unplanned, and why.

After a load plan is committed, each of its orders is compared line by line with what its loads
carry (every load that is not cancelled): an order all of whose units ride is ``planned``, one
some of whose units ride is ``partly_planned``, one none of whose units ride is ``unplanned``.
What is left out is kept on the order (``Order.unplaced``), with the plan's reason, so the pages
and the API say it in the reader's language (`describe`).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from server.extensions import db
from server.models import Load, LoadLine, Order

PLANNABLE = ("received", "planned", "partly_planned", "unplanned")
UNITS = {"weight": _l("kg of weight"), "volume": _l("m³ of volume"), "pallets": _l("pallet positions")}


def allocated(line_ids: list[int]) -> dict[int, int]:
    """Units of each order line on loads that are not cancelled."""
    rows = db.session.execute(
        select(LoadLine.order_line_id, func.sum(LoadLine.quantity)).join(Load, Load.id == LoadLine.load_id)
        .where(LoadLine.order_line_id.in_(line_ids), Load.status != "cancelled").group_by(LoadLine.order_line_id))
    return {line_id: int(qty) for line_id, qty in rows}


def settle(orders: list[Order], unplaced: list[dict]) -> None:
    """Set each order's planning status and what is left out of it (``unplaced``: the plan's own entries,
    whose reason is kept for the lines it names). Call after the plan's loads are flushed."""
    reasons = {int(u["line_id"]): u for u in unplaced}
    done = allocated([line.id for order in orders for line in order.lines])
    for order in orders:
        missing = []
        for line in order.lines:
            short = line.quantity - done.get(line.id, 0)
            if short > 0:
                why = reasons.get(line.id, {})
                missing.append({"line_id": line.id, "line_no": line.line_no, "sku": line.sku, "quantity": short,
                                "code": why.get("code") or "not_in_plan", "reason": why.get("reason", ""),
                                "dimension": why.get("dimension", ""), "needed": why.get("needed", 0.0),
                                "largest": why.get("largest", 0.0)})
        carried = sum(line.quantity for line in order.lines) - sum(m["quantity"] for m in missing)
        order.status = "planned" if not missing else "partly_planned" if carried > 0 else "unplanned"
        order.unplaced = missing


def unplaced_view(order: Order) -> list[dict]:
    """What the order's plans left out, each with its reason in the reader's language."""
    return [{"line_id": m["line_id"], "line_no": m["line_no"], "sku": m["sku"], "quantity": m["quantity"],
             "reason_code": m["code"], "reason": describe(m)} for m in order.unplaced or []]


def unplaced_quantity(order: Order) -> int:
    return sum(m["quantity"] for m in order.unplaced or [])


def describe(entry: dict) -> str:
    """One left-out line's reason as a sentence in the reader's language."""
    code = entry.get("code")
    if code in ("unit_too_big", "line_too_big") and entry.get("dimension") in UNITS:
        what = _("one unit") if code == "unit_too_big" else _("the whole line (it may not be split)")
        return _("%(what)s needs %(needed)s %(unit)s; the largest allowed vehicle takes %(largest)s %(unit)s",
                 what=what, needed=_number(entry["needed"]), unit=UNITS[entry["dimension"]],
                 largest=_number(entry["largest"]))
    fixed = {"no_vehicle": _l("no vehicle of an allowed type is available"),
             "no_single_vehicle": _l("no single allowed vehicle takes its weight, volume and pallets together"),
             "fleet_short": _l("the fleet has no vehicle of an allowed type left for these units"),
             "not_in_plan": _l("the committed load plan did not place these units")}
    return str(fixed.get(code, entry.get("reason") or code))


def _number(value: float) -> str:
    return f"{value:,.6g}".replace(",", " ")
