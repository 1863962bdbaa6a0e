"""What a notification says and where it leads, in the reader's language.

A notification is stored as a kind and plain data (``publish``); the words are made when someone
reads it (the API, the bell, an e-mail), through Flask-Babel in that reader's language, so one
stored row reads in English for one user and in Chinese for another. The link goes to the object
the reader may open: a load's page when the reader is a party to it, else the board row of the tender.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import force_locale, format_decimal
from flask_babel import lazy_gettext as _l

TITLES = {
    "order_received": _l("Order %(reference)s received"),
    "orders_imported": _l("Orders imported"),
    "load_built": _l("Load %(reference)s built"),
    "tendered": _l("Load %(reference)s is on the board"),
    "tender_opened": _l("New tender near you: %(reference)s"),
    "outbid": _l("You were outbid on %(reference)s: lead %(lead_price)s, your bid %(your_price)s"),
    "won": _l("You won %(reference)s at %(price)s"),
    "lost": _l("You did not win %(reference)s (your bid %(your_price)s)"),
    "closed_without_award": _l("The tender for %(reference)s closed without award"),
    "awarded": _l("Load %(reference)s was awarded at %(price)s"),
    "authorized": _l("Pickup of %(reference)s authorized"),
    "authorization_withdrawn": _l("Pickup authorization for %(reference)s withdrawn"),
    "truck_needed": _l("Assign a truck and a driver to %(reference)s"),
    "dock_scheduled": _l("Dock slot booked for %(reference)s"),
    "dock_rescheduled": _l("Dock slot moved for %(reference)s"),
    "slot_missed": _l("Dock slot missed for %(reference)s"),
    "arrived": _l("Truck arrived for %(reference)s"),
    "called": _l("Truck called to the dock for %(reference)s"),
    "loading": _l("Loading started for %(reference)s"),
    "departed": _l("Truck left a site with %(reference)s"),
    "eta_changed": _l("New ETA for %(reference)s"),
    "delayed": _l("%(reference)s is running late: ETA after the delivery window"),
    "delivered": _l("%(reference)s delivered"),
    "pod_recorded": _l("Proof of delivery for %(reference)s"),
    "exception": _l("Exception on %(reference)s"),
    "driver_assigned": _l("You drive %(reference)s with %(plate)s"),
    "driver_unassigned": _l("You no longer drive %(reference)s"),
    "evidence_disputed": _l("Evidence disputed on %(reference)s"),
    "bill_issued": _l("Freight bill issued"),
    "bill_approved": _l("Freight bill approved"),
    "bill_disputed": _l("Freight bill disputed"),
    "dispute_updated": _l("Dispute updated"),
    "bill_paid": _l("Payment recorded"),
    "statement_issued": _l("Statement drawn up"),
    "statement_confirmed": _l("Statement confirmed"),
    "trading_relationship": _l("Trading relationship changed"),
    "webhook_disabled": _l("A webhook endpoint was disabled after repeated failures"),
    "email_disabled": _l("E-mail notifications are off: your address bounced"),
    "approval_requested": _l("Approval needed for %(reference)s"),
    "approval_reminder": _l("Still waiting for approval: %(reference)s"),
    "approval_decided": _l("Approval decided for %(reference)s"),
    "ping": _l("Test notification"),
    "device_flagged": _l("A device keeps sending invalid positions"),
    "device_suspended": _l("A device login was suspended for sending invalid positions"),
}
# Kinds whose sentence depends on what the data says happened (``data.at`` of a delay).
VARIANTS = {
    ("delayed", "pickup"): _l("%(reference)s is running late: ETA after the pickup window"),
    ("exception", "gate"): _l("Refused at the gate: %(reference)s"),
}
UNKNOWN = _l("Notification")
NO_REFERENCE = _l("a load")


def _shown(value):
    """Numbers as the reader writes them (``1,050``, ``1,050.5``); the rest as it is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_decimal(value, format="#,##0.##")
    return value


def _fields(data: dict) -> defaultdict:
    values = defaultdict(lambda: "–", {k: _shown(v) for k, v in (data or {}).items() if v is not None})
    if "reference" not in values:
        values["reference"] = str(NO_REFERENCE) if "load_id" in values or "tender_id" in values else "–"
    return values


def title(kind: str, data: dict) -> str:
    """The notification's sentence in the current locale; a missing field shows as ``–``, never an error."""
    template = VARIANTS.get((kind, (data or {}).get("at")), TITLES.get(kind))
    if template is None:
        return str(UNKNOWN)
    return str(template) % _fields(data)


def link(kind: str, data: dict, load_id: int | None, org_kind: str | None) -> str | None:
    """Where the notification leads its reader: the load (a party's), the carrier's board row, or a bill."""
    data = data or {}
    if load_id is not None:
        return f"/loads/{load_id}"
    if "tender_id" in data and org_kind == "carrier":
        return f"/carrier#tender-{data['tender_id']}"
    if "bill_id" in data:
        return f"/settlement/bills/{data['bill_id']}"
    if "statement_id" in data:
        return f"/settlement/statements/{data['statement_id']}"
    return None


def described(view: dict, org_kind: str | None, language: str | None = None) -> dict:
    """``view`` (a notification as the API shows it) with its ``title`` and ``url``, in ``language`` if given."""
    def words() -> dict:
        return {**view, "title": title(view["kind"], view.get("data")),
                "url": link(view["kind"], view.get("data"), view.get("load_id"), org_kind)}

    if language:
        with force_locale(language):
            return words()
    return words()
