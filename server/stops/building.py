"""The stops of a consolidated load: the pickup, then one delivery per order, in delivery order."""

from __future__ import annotations

from server.extensions import db
from server.models import Load, LoadStop, Order, OrderLine


def add_stops(load: Load, allocations: list[dict], lines: dict[int, OrderLine], orders: dict[int, Order]) -> list[LoadStop]:
    """Stops for ``load`` when its orders go to more than one buyer or delivery site (none otherwise).

    Each order is one delivery stop with its own buyer, site, window and goods; deliveries
    are sequenced by their windows (the route plan may still reorder the truck's day).
    """
    goods: dict[int, list[float]] = {}
    for alloc in allocations:
        line = lines[int(alloc["line_id"])]
        weight_pallets = goods.setdefault(line.order_id, [0.0, 0.0])
        weight_pallets[0] += line.unit_weight_kg * alloc["quantity"]
        weight_pallets[1] += line.unit_pallets * alloc["quantity"]
    carried = [orders[order_id] for order_id in goods]
    if len({(o.buyer_org_id, o.delivery_site_id) for o in carried}) < 2:
        return []
    stops = [LoadStop(load_id=load.id, seq=1, kind="pickup", site_id=load.pickup_site_id, buyer_org_id=None,
                      earliest=load.pickup_earliest, latest=load.pickup_latest, weight_kg=load.weight_kg,
                      pallets=load.pallets)]
    for seq, order in enumerate(sorted(carried, key=lambda o: (o.delivery_latest, o.delivery_earliest, o.id)), 2):
        weight, pallets = goods[order.id]
        stops.append(LoadStop(load_id=load.id, seq=seq, kind="delivery", site_id=order.delivery_site_id,
                              buyer_org_id=order.buyer_org_id, order_id=order.id, earliest=order.delivery_earliest,
                              latest=order.delivery_latest, weight_kg=weight, pallets=pallets))
    db.session.add_all(stops)
    return stops
