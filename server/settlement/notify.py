"""Settlement events to both parties of a document, in the app and by webhook (``server.notify`` kinds)."""

from __future__ import annotations

from server.notify.publish import publish_event


def tell_parties(kind: str, document, data: dict, load_id: int | None = None) -> None:
    """Tell the carrier and the payer of ``document`` (a bill, dispute or statement); call after the commit."""
    publish_event(kind, organisation_ids=[document.carrier_org_id, document.payer_org_id],
                  load_id=load_id if load_id is not None else getattr(document, "load_id", None), data=data)
