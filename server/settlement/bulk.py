"""Bills for many delivered loads at once (a self-billing payer's month, the bench): gathered, priced, audited
and stored in batches, each batch one transaction.

Issuing here runs the same audit as ``lifecycle.issue`` (``auditing.compare``) against what Haul
expects from the same facts; bills within the tolerance are approved, the rest wait for an approver.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from server.db.bulk import among
from server.extensions import db
from server.models import Load
from server.settlement import auditing, billing, gather

BATCH = 5000
LOAD_COLUMNS = (Load.id, Load.status, Load.seller_org_id, Load.buyer_org_id, Load.carrier_org_id, Load.freight_payer,
                Load.pickup_site_id, Load.delivery_site_id, Load.required_equipment, Load.pickup_earliest)


def _issued(spec: dict, pricing, now: datetime) -> dict:
    expected = {}
    for line in spec["lines"]:
        key = (line["load_id"], line["code"])
        expected[key] = expected.get(key, 0) + line["amount"]
    billed = [(k, line["load_id"], line["code"], line["amount"], line["notes"])
              for k, line in enumerate(spec["lines"], start=1)]
    audit = auditing.compare(billed, expected, pricing, spec["currency"])
    approved = audit["outcome"] == "auto_approved"
    return {**spec, "status": "approved" if approved else "issued", "issued_on": now.date(), "issued_at": now,
            "approved_at": now if approved else None, "audit": audit}


def generate(load_ids: list[int], now: datetime, *, issue: bool = True,
             progress: Callable[[int], None] | None = None) -> dict:
    """Draft (and issue) the per-load invoices of the given delivered, unbilled loads; returns counts."""
    counts = {"bills": 0, "lines": 0, "approved": 0, "skipped": 0}
    cache: dict = {}
    for start in range(0, len(load_ids), BATCH):
        chunk = load_ids[start:start + BATCH]
        billed = billing.already_billed(chunk)
        rows = [r for r in db.session.execute(select(*LOAD_COLUMNS).where(among(Load.id, chunk)).order_by(Load.id))
                if r.status in billing.BILLABLE and r.carrier_org_id is not None and r.id not in billed]
        counts["skipped"] += len(chunk) - len(rows)
        specs = billing.bill_specs(rows, gather.load_facts([r.id for r in rows]), cache=cache)
        if issue:
            specs = [_issued(spec, billing.pricing_for(row, cache), now) for spec, row in
                     zip(specs, rows, strict=True)]
        billing.store(specs, now=now, action="freight_bill.issued" if issue else "freight_bill.drafted")
        db.session.commit()
        counts["bills"] += len(specs)
        counts["lines"] += sum(len(s["lines"]) for s in specs)
        counts["approved"] += sum(1 for s in specs if s["status"] == "approved")
        if progress is not None:
            progress(len(chunk))
    return counts
