"""GET /organisations lists only the organisations one deals with (server/api/organisations.py), on both backends."""

from tests.server.market.market_factory import make_driver, make_load, make_truck


def _listed(client, party, kind=None) -> set[int]:
    query = f"?kind={kind}" if kind else ""
    return {o["id"] for o in client.get(f"/api/v1/organisations{query}", headers=party.headers).get_json()["items"]}


class _Site:
    def __init__(self, site_id):
        self.id = site_id


def test_a_tenant_sees_only_the_organisations_it_deals_with(client, trade, make_party):
    """A seller sees its accepted buyer and its load's carrier, not a stranger; the carrier sees the load's
    seller and buyer; a stranger sees only itself."""
    seller, buyer = trade["seller"], trade["buyer"]
    carrier, stranger_buyer, stranger_carrier = make_party("carrier"), make_party("buyer"), make_party("carrier")
    make_load(seller.id, buyer.id, _Site(trade["plant"]["id"]), _Site(trade["yard"]["id"]),
              carrier_org_id=carrier.id, status="awarded", vehicle_id=make_truck(carrier.id).id,
              driver_id=make_driver(carrier.id).id)
    assert _listed(client, seller) == {seller.id, buyer.id, carrier.id}
    assert _listed(client, seller, kind="buyer") == {buyer.id}
    assert _listed(client, carrier) == {seller.id, buyer.id, carrier.id}
    assert _listed(client, stranger_buyer) == {stranger_buyer.id}
    assert _listed(client, stranger_carrier) == {stranger_carrier.id}


def test_a_request_shows_the_seller_to_the_buyer_and_acceptance_the_buyer_to_the_seller(client, make_party):
    """A buyer sees a seller that asked to trade with it; the seller sees the buyer only once accepted."""
    seller, buyer = make_party("seller"), make_party("buyer")
    rel = client.post("/api/v1/trading-relationships", headers=seller.headers, json={"buyer_id": buyer.id}).get_json()
    assert _listed(client, buyer) == {buyer.id, seller.id} and _listed(client, seller) == {seller.id}
    client.post(f"/api/v1/trading-relationships/{rel['id']}/accept", headers=buyer.headers)
    assert _listed(client, seller) == {seller.id, buyer.id}


def test_platform_admins_see_every_organisation(client, make_party):
    """The platform operator's admin lists all active organisations; its viewers do not."""
    parties = [make_party(kind) for kind in ("seller", "buyer", "carrier")]
    admin, viewer = make_party("platform", roles=("admin",)), make_party("platform", roles=("viewer",))
    assert {p.id for p in parties} | {admin.id, viewer.id} <= _listed(client, admin)
    assert _listed(client, viewer) == {viewer.id}
