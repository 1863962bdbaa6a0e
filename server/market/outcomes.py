"""Telling carriers where they stand: outbid, won, lost, closed without award, a tender near them.

The board's Socket.IO updates (``notify``) say what changed on the board; these say what it means
for each party, as stored notifications (in the app, by e-mail and webhook through
``server.notify.publish_event``). They are worked out and published by a background sender after the
commit, so a bid pays nothing for them: its answer never waits for the notification's queries.
Carriers never learn who else bid or at what price they lost; the winner and the seller learn the
awarded price.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from server import clock
from server.extensions import db
from server.market import truck_needed
from server.market.fanout import Fanout
from server.market.standing import best_bids
from server.models import Load, Tender
from server.notify.publish import publish_event

log = logging.getLogger("haul.market.outcomes")


def _run(item) -> None:
    app, job, args = item
    with app.app_context():
        try:
            job(*args)
        except Exception:  # the market change is committed; a notice that fails is only logged
            log.exception("could not publish the market notice %s", getattr(job, "__name__", job))
        finally:
            db.session.remove()


sender = Fanout(_run)


def later(job, *args) -> None:
    """Run ``job(*args)`` in an app context on the background sender (in order, never in the request)."""
    sender.submit((current_app._get_current_object(), job, args))


def flush(timeout: float = 10.0) -> bool:
    """Wait until every queued notice went out (tests, and the demo's end of day)."""
    return sender.flush(timeout)


def _reference(load_id: int) -> str | None:
    return db.session.scalar(select(Load.reference).where(Load.id == load_id))


def _base(tender: Tender) -> dict:
    return {"tender_id": tender.id, "load_id": tender.load_id, "reference": _reference(tender.load_id)}


def outbid(tender_id: int, bidder_id: int, new_price: float, previous_lead: float) -> None:
    """Tell each other carrier that held the lead (``previous_lead``) until ``new_price`` undercut it; a carrier
    already behind is not told again, nor is one whose own lead the bidder only widened."""
    tender = db.session.get(Tender, tender_id)
    if tender is None or tender.status != "open" or new_price >= previous_lead:
        return
    best = best_bids(tender_id, ("active",))
    lead = min(best.values(), default=new_price)
    others = {c: p for c, p in best.items() if c != bidder_id}
    beaten = [c for c, p in others.items() if p == previous_lead]
    for carrier in beaten:
        publish_event("outbid", organisation_ids=[carrier],
                      data={**_base(tender), "your_price": others[carrier], "lead_price": lead,
                            "deadline": tender.deadline})


def awarded(tender_id: int) -> None:
    """The tender was awarded: the winner won, every other bidder lost, the seller and buyer hear of it."""
    tender = db.session.get(Tender, tender_id)
    if tender is None or tender.status != "awarded":
        return
    load = db.session.get(Load, tender.load_id)
    base = {**_base(tender)}
    winner, price = load.carrier_org_id, load.price
    publish_event("won", organisation_ids=[winner], load_id=load.id, data={**base, "price": price})
    truck_needed.remind(load, clock.now())  # an award close to the pickup needs its truck now
    losers = {c: p for c, p in best_bids(tender_id).items() if c != winner}
    for carrier, own in losers.items():  # each loser is told its own price only
        publish_event("lost", organisation_ids=[carrier], data={**base, "your_price": own})
    publish_event("awarded", organisation_ids=[load.seller_org_id, load.buyer_org_id], load_id=load.id,
                  data={**base, "carrier_id": winner, "price": price})


def closed_without_award(tender_id: int) -> None:
    """An auction (or an offer) ended with no winner: the seller and every bidder are told."""
    tender = db.session.get(Tender, tender_id)
    if tender is None or tender.status not in ("expired", "cancelled"):
        return
    bidders = best_bids(tender_id, ("active", "lost"))
    data = {**_base(tender), "status": tender.status}
    publish_event("closed_without_award", organisation_ids=[tender.seller_org_id], load_id=tender.load_id, data=data)
    if bidders:
        publish_event("closed_without_award", organisation_ids=list(bidders), data=data)


def tender_opened(tender_id: int, carriers: list[int]) -> None:
    """Carriers near the pickup with a matching truck (the tender's current audience) hear of a new tender."""
    tender = db.session.get(Tender, tender_id)
    if tender is None or tender.status != "open" or not carriers:
        return
    publish_event("tender_opened", organisation_ids=carriers,
                  data={**_base(tender), "mode": tender.mode, "price": tender.price,
                        "ceiling_price": tender.ceiling_price, "deadline": tender.deadline})
