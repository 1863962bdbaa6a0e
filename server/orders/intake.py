"""Order intake shared by the JSON API and the CSV import."""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.audit.trail import record
from server.auth.dealings import trades_with
from server.auth.principal import Principal
from server.errors import ApiProblem
from server.extensions import db
from server.models import Order, OrderLine, Organisation, OrgKind, Site
from server.notify.publish import publish_event

CANCELLABLE = {"received", "planned", "partly_planned", "unplanned"}


def fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _find_by_key(seller_org_id: int, key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.seller_org_id == seller_org_id,
                                                 Order.idempotency_key == key))


TRADING_RULE = "trading_relationship_required"
NO_RELATIONSHIP = _l("no accepted trading relationship with this buyer: request one "
                      "(POST /api/v1/trading-relationships) and wait for the buyer to accept it")


def check_references(principal: Principal, data: dict) -> list[tuple[str, str]]:
    """Buyer and sites must exist and be usable by this seller; the message never says whose they are.

    The seller orders only for a buyer that accepted its trading relationship, and delivers only to
    that buyer's sites (or its own): without it, a buyer's site is as unknown as a foreign one."""
    errors = []
    buyer = db.session.get(Organisation, data["buyer_id"])
    trading = False
    if buyer is None or buyer.kind != OrgKind.BUYER or not buyer.active:
        errors.append(("buyer_id", _("unknown buyer")))
    elif not (trading := trades_with(principal.organisation_id, buyer.id)):
        errors.append(("buyer_id", str(NO_RELATIONSHIP)))
    pickup = db.session.get(Site, data["pickup_site_id"])
    if pickup is None or pickup.organisation_id != principal.organisation_id:
        errors.append(("pickup_site_id", _("unknown site")))
    delivery = db.session.get(Site, data["delivery_site_id"])
    allowed = {principal.organisation_id, data["buyer_id"]} if trading else {principal.organisation_id}
    if delivery is None or delivery.organisation_id not in allowed:
        errors.append(("delivery_site_id", _("unknown site")))
    return errors


def create_order(principal: Principal, data: dict, idempotency_key: str | None,
                 announce: bool = True) -> tuple[Order, bool]:
    """Create an order, or return the first one created with this idempotency key.

    Returns ``(order, created)``. Two concurrent posts with one key race on the unique
    constraint; the loser rolls back and returns the winner's order. ``announce=False`` leaves
    telling the parties to the caller (a CSV import tells them once for all its orders).
    """
    if idempotency_key:
        existing = _find_by_key(principal.organisation_id, idempotency_key)
        if existing is not None:
            return existing, False
    errors = check_references(principal, data)
    if errors:
        untraded = any(message == str(NO_RELATIONSHIP) for _path, message in errors)
        raise ApiProblem(422, _("Some fields are invalid."), errors,
                         **({"rule": TRADING_RULE} if untraded else {}))
    order = Order(
        seller_org_id=principal.organisation_id, buyer_org_id=data["buyer_id"], reference=data["reference"],
        idempotency_key=idempotency_key, request_fingerprint=fingerprint(data),
        pickup_site_id=data["pickup_site_id"], delivery_site_id=data["delivery_site_id"],
        pickup_earliest=data["pickup_window"]["earliest"], pickup_latest=data["pickup_window"]["latest"],
        delivery_earliest=data["delivery_window"]["earliest"],
        delivery_latest=data["delivery_window"]["latest"], notes=data.get("notes", ""),
        freight_payer=data.get("freight_payer", "seller"), created_by_user_id=principal.user_id,
        seller_department_id=data.get("department_id"),  # checked by the caller (``orders.routes``)
    )
    for number, line in enumerate(data["lines"], start=1):
        order.lines.append(OrderLine(line_no=number, **line))
    db.session.add(order)
    try:
        db.session.flush()  # the idempotency key's unique index answers here or at the commit
        record("order.created", "order", order.id, principal=principal, counterparty_org_id=order.buyer_org_id,
               after={"reference": order.reference, "lines": len(order.lines)})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _find_by_key(principal.organisation_id, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing, False
    if announce:
        publish_event("order_received", organisation_ids=[order.seller_org_id, order.buyer_org_id],
                      data={"order_id": order.id, "reference": order.reference})
    return order, True
