"""Load plans through the API: preview, commit, and refusals, on both backends."""

import copy


def _order(client, trade, reference="SO-1", **line):
    body = copy.deepcopy(trade["order"])
    body["reference"] = reference
    body["lines"] = [{**body["lines"][0], **line}]
    r = client.post("/api/v1/orders", headers=trade["seller"].headers, json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_preview_then_commit_creates_the_previewed_loads(client, trade):
    """40 t on 24 t trucks previews as two loads; committing creates them with every unit allocated."""
    order_id = _order(client, trade, quantity=40, unit_weight_kg=1000, unit_pallets=1, splittable=True)
    r = client.post("/api/v1/load-plans", headers=trade["seller"].headers,
                    json={"order_ids": [order_id], "time_limit_s": 2})
    assert r.status_code == 201, r.get_json()
    plan = r.get_json()["plan"]
    assert len(plan["loads"]) == 2 and plan["unplaced"] == []
    assert plan["status"] in ("optimal", "feasible") and plan["lower_bound_trucks"] == 2
    committed = client.post(f"/api/v1/load-plans/{r.get_json()['id']}/commit", headers=trade["seller"].headers)
    assert committed.status_code == 201
    load_ids = committed.get_json()["load_ids"]
    from server.extensions import db
    from server.models import Load, Order

    loads = [db.session.get(Load, i) for i in load_ids]
    assert sum(line.quantity for load in loads for line in load.lines) == 40
    assert all(load.weight_kg <= 24_000 and load.status == "draft" for load in loads)
    assert db.session.get(Order, order_id).status == "planned"


def test_commit_twice_and_replanning_allocated_lines_are_refused(client, trade):
    """A plan commits once; a new preview of fully allocated orders is a 409."""
    order_id = _order(client, trade, quantity=10)
    plan_id = client.post("/api/v1/load-plans", headers=trade["seller"].headers,
                          json={"order_ids": [order_id], "time_limit_s": 1}).get_json()["id"]
    assert client.post(f"/api/v1/load-plans/{plan_id}/commit", headers=trade["seller"].headers).status_code == 201
    assert client.post(f"/api/v1/load-plans/{plan_id}/commit", headers=trade["seller"].headers).status_code == 409
    again = client.post("/api/v1/load-plans", headers=trade["seller"].headers,
                        json={"order_ids": [order_id], "time_limit_s": 1})
    assert again.status_code == 409


def test_unplaceable_line_comes_back_with_a_reason(client, trade):
    """A 30 t indivisible unit fits no truck: it is returned with a reason, not an error."""
    order_id = _order(client, trade, quantity=1, unit_weight_kg=30_000, splittable=False)
    r = client.post("/api/v1/load-plans", headers=trade["seller"].headers,
                    json={"order_ids": [order_id], "time_limit_s": 1})
    assert r.status_code == 201
    plan = r.get_json()["plan"]
    assert plan["loads"] == [] and len(plan["unplaced"]) == 1 and plan["unplaced"][0]["reason"]
    assert plan["status"] == "partial"


def test_orders_say_how_much_of_them_a_committed_plan_left_out(client, trade):
    """After a commit an order is planned, partly planned or unplanned, with the unplaced quantity and reason
    (issue 18: an order none of which was loaded showed "planned")."""
    whole = _order(client, trade, "SO-W", quantity=10, unit_weight_kg=1000, unit_pallets=1, splittable=True)
    too_big = _order(client, trade, "SO-B", quantity=1, unit_weight_kg=30_000, splittable=False)
    two_lines = {**copy.deepcopy(trade["order"]), "reference": "SO-P"}
    fits = {**two_lines["lines"][0], "quantity": 5, "unit_weight_kg": 1000, "splittable": True}
    two_lines["lines"] = [fits, {**fits, "sku": "HEAVY", "quantity": 2, "unit_weight_kg": 26_000,
                                 "splittable": False}]
    part = client.post("/api/v1/orders", headers=trade["seller"].headers, json=two_lines).get_json()["id"]
    seller = trade["seller"].headers
    preview = client.post("/api/v1/load-plans", headers=seller,
                          json={"order_ids": [whole, too_big, part], "time_limit_s": 1}).get_json()
    assert preview["plan"]["status"] == "partial"
    assert client.post(f"/api/v1/load-plans/{preview['id']}/commit", headers=seller).status_code == 201
    orders = {i: client.get(f"/api/v1/orders/{i}", headers=seller).get_json() for i in (whole, too_big, part)}
    assert orders[whole]["status"] == "planned" and orders[whole]["unplaced"] == []
    assert orders[too_big]["status"] == "unplanned" and orders[too_big]["unplaced_quantity"] == 1
    [missing] = orders[too_big]["unplaced"]
    assert missing["quantity"] == 1 and "weight" in missing["reason"]
    assert orders[part]["status"] == "partly_planned" and orders[part]["unplaced_quantity"] == 2
    assert [u["sku"] for u in orders[part]["unplaced"]] == ["HEAVY"]
    buyer_view = client.get(f"/api/v1/orders/{part}", headers=trade["buyer"].headers).get_json()
    assert buyer_view["status"] == "partly_planned"
    unplanned = client.get("/api/v1/orders", headers=seller, query_string={"status": "unplanned"}).get_json()
    assert [o["id"] for o in unplanned["items"]] == [too_big]


def test_foreign_or_unknown_orders_are_field_errors(client, trade, make_party):
    """Another seller's order is 'unknown order', exactly like a missing one."""
    order_id = _order(client, trade, quantity=5)
    stranger = make_party("seller")
    r = client.post("/api/v1/load-plans", headers=stranger.headers, json={"order_ids": [order_id, 999_999]})
    assert r.status_code == 422
    assert {e["path"] for e in r.get_json()["errors"]} == {"order_ids/0", "order_ids/1"}
    assert client.post("/api/v1/load-plans", headers=trade["buyer"].headers,
                       json={"order_ids": [order_id]}).status_code == 403


def test_bad_vehicle_types_are_named(client, trade):
    """Zero capacities in a requested fleet are field errors with paths."""
    order_id = _order(client, trade, quantity=5)
    r = client.post("/api/v1/load-plans", headers=trade["seller"].headers, json={
        "order_ids": [order_id], "vehicle_types": [{"id": "x", "max_weight_kg": 0, "max_volume_m3": 10,
                                                    "pallet_positions": 3, "cost": 1}]})
    assert r.status_code == 422
    assert "vehicle_types/0/max_weight_kg" in {e["path"] for e in r.get_json()["errors"]}


def test_a_plan_of_more_loads_than_the_limit_is_refused_at_once(client, trade):
    """One order of 1,000,000 t-units (41,667 truckloads) is a 422 naming the limit and what to do, without solving."""
    import time

    order_id = _order(client, trade, quantity=1_000_000, unit_weight_kg=1000, unit_volume_m3=0.01, splittable=True)
    started = time.monotonic()
    r = client.post("/api/v1/load-plans", headers=trade["seller"].headers,
                    json={"order_ids": [order_id], "time_limit_s": 30})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["limit"] == 500 and body["loads_needed"] == 41_667
    assert "at most 500" in body["detail"] and "fewer orders" in body["detail"]
    assert body["errors"][0]["path"] == "order_ids"
    assert time.monotonic() - started < 25  # refused before the 30 s solve it asked for
    assert len(r.get_data()) < 2000


def test_the_loads_per_plan_limit_is_configurable(client, trade, app, monkeypatch):
    """With HAUL_MAX_LOADS_PER_PLAN=1 the two-truck order is refused; one truck's worth still plans."""
    monkeypatch.setitem(app.config, "MAX_LOADS_PER_PLAN", 1)
    big = _order(client, trade, quantity=40, unit_weight_kg=1000)
    r = client.post("/api/v1/load-plans", headers=trade["seller"].headers, json={"order_ids": [big], "time_limit_s": 1})
    assert r.status_code == 422 and r.get_json()["loads_needed"] == 2
    small = _order(client, trade, quantity=10, unit_weight_kg=1000)
    assert client.post("/api/v1/load-plans", headers=trade["seller"].headers,
                       json={"order_ids": [small], "time_limit_s": 1}).status_code == 201


def test_unplaced_reason_is_in_the_callers_language_with_its_numbers(client, trade):
    """?lang=zh_CN (or a Chinese-speaking user) reads why a 30 t unit is unplaced in Chinese with its numbers;
    an English caller reads the engine's own sentence, and the code and values never change."""
    from sqlalchemy import update

    from server.extensions import db
    from server.models import User

    order_id = _order(client, trade, quantity=1, unit_weight_kg=30_000, splittable=False)
    seller = trade["seller"].headers
    english = client.post("/api/v1/load-plans", headers=seller, json={"order_ids": [order_id], "time_limit_s": 1})
    [line] = english.get_json()["plan"]["unplaced"]
    assert line["reason"] == "one unit needs 30 000 kg of weight; the largest allowed vehicle takes 24 000 kg"
    assert (line["code"], line["part"], line["dimension"], line["needed"]) == ("unit_too_big", "unit", "weight",
                                                                                30_000)
    plan_id = english.get_json()["id"]
    [zh] = client.get(f"/api/v1/load-plans/{plan_id}?lang=zh_CN", headers=seller).get_json()["plan"]["unplaced"]
    assert zh["reason"] == "单件货物需要 30 000 千克重量；允许的最大车辆只能承载 24 000 千克"
    assert {k: v for k, v in zh.items() if k != "reason"} == {k: v for k, v in line.items() if k != "reason"}
    db.session.execute(update(User).where(User.id == trade["seller"].user.id).values(language="zh_CN"))
    db.session.commit()
    again = client.post("/api/v1/load-plans", headers=seller, json={"order_ids": [order_id], "time_limit_s": 1})
    assert again.get_json()["plan"]["unplaced"][0]["reason"] == zh["reason"]

