"""Who pays the freight is explicit per order and follows the order onto its loads."""


def test_buyer_collecting_pays_and_the_load_says_so(client, trade):
    """An order the buyer collects (freight_payer=buyer) makes a load paid by the buyer; the default is the seller."""
    seller = trade["seller"]
    paid_by_buyer = client.post("/api/v1/orders", headers=seller.headers,
                                json={**trade["order"], "reference": "SO-B", "freight_payer": "buyer"}).get_json()
    default = client.post("/api/v1/orders", headers=seller.headers, json={**trade["order"], "reference": "SO-S"}).get_json()
    assert (paid_by_buyer["freight_payer"], default["freight_payer"]) == ("buyer", "seller")
    plan = client.post("/api/v1/load-plans", headers=seller.headers,
                       json={"order_ids": [paid_by_buyer["id"]], "time_limit_s": 1}).get_json()
    load_ids = client.post(f"/api/v1/load-plans/{plan['id']}/commit", headers=seller.headers).get_json()["load_ids"]
    load = client.get(f"/api/v1/loads/{load_ids[0]}", headers=seller.headers).get_json()
    assert load["freight_payer"] == "buyer"


def test_unknown_payer_is_a_field_error(client, trade):
    """freight_payer must be seller or buyer: 422 on that field."""
    r = client.post("/api/v1/orders", headers=trade["seller"].headers,
                    json={**trade["order"], "freight_payer": "carrier"})
    assert r.status_code == 422 and [e["path"] for e in r.get_json()["errors"]] == ["freight_payer"]
