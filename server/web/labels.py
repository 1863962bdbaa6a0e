"""Words for codes (statuses, event kinds, tender modes) and the date format of the pages.

The API speaks in codes (``in_transit``, ``status_changed``); people read them in their own
language. Unknown codes are shown as they are, so a new status never breaks a page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "draft": _l("draft"), "tendered": _l("on the board"), "awarded": _l("awarded"), "assigned": _l("truck assigned"),
    "authorized": _l("pickup authorized"), "at_pickup": _l("at pickup"), "loading": _l("loading"),
    "in_transit": _l("in transit"), "delivered": _l("delivered"), "closed": _l("closed"),
    "cancelled": _l("cancelled"), "received": _l("received"), "planned": _l("planned"), "open": _l("open"),
    "expired": _l("expired"), "booked": _l("booked"), "called": _l("called"), "done": _l("done"),
    "requested": _l("requested"), "scheduled": _l("scheduled"), "arrived": _l("waiting in the yard"),
    "loaded": _l("loaded"), "departed": _l("departed"), "no_show": _l("no show"), "queued": _l("queued"),
    "running": _l("running"), "succeeded": _l("finished"), "failed": _l("failed"),
    "cancelling": _l("stopping"), "active": _l("active"), "won": _l("won"), "lost": _l("lost"),
    "accepted": _l("accepted"), "declined": _l("declined"), "withdrawn": _l("withdrawn"), "ended": _l("ended"),
    "at_delivery": _l("arrived at delivery"), "partly_planned": _l("partly planned"), "unplanned": _l("unplanned"), "optimal": _l("optimal"),
    "feasible": _l("feasible"), "partial": _l("partial: some units are not placed"),
    "awaiting_approval": _l("awaiting approval"),
}

EVENT = {
    "status_changed": _l("Status changed"), "eta_changed": _l("New ETA"), "arrived_pickup": _l("Arrived at pickup"),
    "departed_pickup": _l("Left the pickup site"), "arrived_delivery": _l("Arrived at delivery"),
    "departed_delivery": _l("Left the delivery site"), "zone_enter": _l("Entered a site"),
    "zone_exit": _l("Left a site"), "dwell": _l("Waiting"), "late": _l("Running late"),
    "delivered": _l("Delivered"), "pod_off_site": _l("Proof of delivery given away from the site"),
}

# A carrier's standing on a tender (``server.market.standing``).
STANDING = {"open": _l("no bid yet"), "leading": _l("your bid leads"), "outbid": _l("outbid"), "won": _l("won"),
            "lost": _l("lost"), "closed": _l("closed without award")}

MODE = {"grab": _l("fixed price (grab)"), "auction": _l("reverse auction"), "sequential": _l("offer in turn")}

EQUIPMENT = {"pallet_dock": _l("pallet dock"), "liquid_arm": _l("liquid loading arm"), "bulk_chute": _l("bulk chute"),
             "side_loader": _l("side loader")}

EVIDENCE = {"weigh_ticket": _l("Weigh-bridge ticket"), "seal": _l("Seal"), "sample": _l("Sample"),
            "photo": _l("Photo"), "note": _l("Note"), "pod": _l("Proof of delivery")}

# Why a route plan left a load out, keyed by the routing engine's reason (its DropReason text).
LEFT_OUT = {
    "demand exceeds every vehicle": _l("it is heavier or larger than every truck"),
    "time window unreachable from any depot": _l("no truck can reach it within its time window"),
    "pickup and delivery cannot be served by one vehicle in time":
        _l("no truck can pick it up and deliver it within its time windows and the shift"),
    "no vehicle that can carry its demand reaches its time window":
        _l("the trucks that can carry it cannot reach it within its time window"),
    "the vehicle it is committed to cannot serve it in time":
        _l("its assigned truck cannot serve it at its times; free the load to let the plan move it"),
    "dropped by optimiser: penalty cheaper than serving": _l("serving it would cost more than leaving it out"),
    "no feasible route found for it within the time limit": _l("no route was found for it within the time limit"),
}


def left_out_label(reason, code: str | None = None, cause: str | None = None) -> str:
    """A left-out load's reason on the page: the page's own wording, else the engine's code in the reader's
    language (a dropped partner, a group), else the engine's text."""
    if reason in LEFT_OUT:
        return str(LEFT_OUT[reason])
    from server.planning.outcome_words import describe_outcome

    return describe_outcome(code, {"cause": cause, "reason": reason}) or "–"


def status_label(code) -> str:
    return str(STATUS.get(code, code or "–"))


def event_label(code) -> str:
    return str(EVENT.get(code, (code or "").replace("_", " ")))


def equipment_label(code) -> str:
    return str(EQUIPMENT.get(code, (code or "").replace("_", " ")))


# The kinds of notification, as a user chooses which to get by e-mail.
NOTIFICATION_KIND = {
    "order_received": _l("Order received"), "orders_imported": _l("Orders imported"), "load_built": _l("Load built"),
    "tendered": _l("Load put on the board"), "tender_opened": _l("New tender near me"), "outbid": _l("I was outbid"),
    "won": _l("I won a load"), "lost": _l("I did not win a load"),
    "closed_without_award": _l("Tender closed without award"), "awarded": _l("Load awarded"),
    "authorized": _l("Pickup authorized"), "dock_scheduled": _l("Dock slot booked"),
    "dock_rescheduled": _l("Dock slot moved"), "arrived": _l("Truck arrived"), "called": _l("Truck called to the dock"),
    "loading": _l("Loading started"), "departed": _l("Truck departed"), "eta_changed": _l("ETA changed"),
    "delivered": _l("Delivered"), "exception": _l("Exception"), "bill_issued": _l("Freight bill issued"),
    "bill_approved": _l("Freight bill approved"), "bill_disputed": _l("Freight bill disputed"),
    "dispute_updated": _l("Dispute updated"), "bill_paid": _l("Payment recorded"),
    "statement_issued": _l("Statement drawn up"), "statement_confirmed": _l("Statement confirmed"),
    "trading_relationship": _l("Trading relationship changed"),
    "driver_assigned": _l("I was put on a load"), "driver_unassigned": _l("I was taken off a load"),
}


def notification_kind_label(code) -> str:
    return str(NOTIFICATION_KIND.get(code, (code or "").replace("_", " ")))


def standing_label(code) -> str:
    return str(STANDING.get(code, code or "–"))


def time_left(seconds) -> str:
    """Seconds as ``1 h 05 min`` / ``4 min``; ``–`` when there is no deadline."""
    if seconds is None:
        return "–"
    hours, minutes = divmod(int(seconds) // 60, 60)
    return str(_l("%(h)d h %(m)02d min", h=hours, m=minutes)) if hours else str(_l("%(m)d min", m=minutes))


def mode_label(code) -> str:
    return str(MODE.get(code, code or "–"))


def evidence_label(code) -> str:
    return str(EVIDENCE.get(code, (code or "").replace("_", " ")))


def site_when(value, timezone: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time on a site's clock with its zone (``2030-06-03 10:37 CEST``); ``–`` when there is none.
    Times of a plant's day (slots, queue, visits) are read on the plant's clock, as the Gantt shows them."""
    from server.local_times import page_text, zone

    return page_text(value, zone(timezone), fmt)


def options(rows, value: str, text: str) -> list[tuple]:
    """``(value, text)`` pairs for a select, from objects or dicts."""
    def get(row, name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    return [(get(row, value), get(row, text)) for row in rows]


def register(app_or_blueprint) -> None:
    from server.orders.planning_state import describe
    from server.web.zones import eta_site, site_time, when

    filters = {"options": options, "status_label": status_label, "event_label": event_label, "mode_label": mode_label,
               "evidence_label": evidence_label, "when": when, "site_time": site_time, "eta_site": eta_site,
               "site_when": site_when, "equipment_label": equipment_label, "unplaced_reason": describe,
               "standing_label": standing_label, "time_left": time_left}
    for name, function in filters.items():
        app_or_blueprint.add_app_template_filter(function, name)
    from server.jobs.job_words import page_words

    app_or_blueprint.add_app_template_global(page_words, "job_words")  # a job's frames worded on the page
