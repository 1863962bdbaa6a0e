"""Settlement events to both parties of a document, in the app and by webhook (``server.notify`` kinds)."""

from __future__ import annotations

from server.extensions import db
from server.models import Load
from server.notify.publish import publish_event


def tell_parties(kind: str, document, data: dict, load_id: int | None = None) -> None:
    """Tell the carrier and the payer of ``document`` (a bill, dispute or statement); call after the commit."""
    publish_event(kind, organisation_ids=[document.carrier_org_id, document.payer_org_id],
                  load_id=load_id if load_id is not None else getattr(document, "load_id", None), data=data)


def evidence_disputed(dispute) -> None:
    """A dispute cites evidence of loads: the carrier (the side that did not open it) is told, once per load,
    which of that load's items are contested; call after the commit."""
    seqs: dict[int, list[int]] = {}
    for item in dispute.evidence or []:
        if item.get("type") == "evidence_item" and item.get("load_id") is not None:
            seqs.setdefault(int(item["load_id"]), []).append(int(item["seq"]))
    for load_id, cited in sorted(seqs.items()):
        load = db.session.get(Load, load_id)
        if load is None or load.carrier_org_id != dispute.carrier_org_id:
            continue  # only a load the disputed carrier carried: nothing of another carrier's load
        publish_event("evidence_disputed", organisation_ids=[dispute.carrier_org_id], load_id=load_id,
                      data={"load_id": load_id, "reference": load.reference, "bill_id": dispute.bill_id,
                            "dispute_id": dispute.id, "evidence_seqs": sorted(set(cited))})
