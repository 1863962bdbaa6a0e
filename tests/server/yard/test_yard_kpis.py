"""Plant KPIs over the API: on-time %, mean and p90 dwell, detention beyond free time and dock utilisation,
per local day and per carrier."""

from datetime import timedelta

import pytest

from server import clock
from server.yard.kpis import p90
from tests.server.yard.yard_factory import MONDAY, add_user, authorize, make_load, make_plant

H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture
def at(ctx, monkeypatch):
    moment = {"now": MONDAY}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])

    def set_(value):
        moment["now"] = value
    return set_


def _visit_through(ctx, at, plant, load, slot, times):
    """Book ``slot`` on D1, then check in, call, load, loaded and depart at ``times`` (five moments)."""
    client, manager = ctx.test_client(), plant.manager.headers
    at(min(slot, times[0]) - 2 * H)
    assert client.post(f"/api/v1/loads/{load.id}/appointment", headers=manager,
                       json={"dock_id": plant.docks["D1"].id, "start": slot.isoformat()}).status_code == 201
    token = authorize(ctx, plant, load, expires=MONDAY + 72 * H)
    at(times[0])
    visit = client.post(f"/api/v1/sites/{plant.site.id}/gate/checkin", headers=manager,
                        json={"token": token, "plate": "DU-AB 123"}).json
    at(times[1])
    r = client.post(f"/api/v1/yard/visits/{visit['id']}/call", headers=manager, json={"dock_id": plant.docks["D1"].id})
    assert r.status_code == 200, r.json
    for moment, step in zip(times[2:], ("loading", "loaded", "departed"), strict=True):
        at(moment)
        r = client.post(f"/api/v1/yard/visits/{visit['id']}/transition", headers=manager, json={"to": step})
        assert r.status_code == 200, r.json


def test_kpis_per_day_and_per_carrier(ctx, at):
    """Two Monday trucks (one on time, one late and detained 30 min) and one Tuesday truck, grouped both ways."""
    plant = make_plant()
    on_time, late = make_load(plant, start=MONDAY + H), make_load(plant, start=MONDAY + 2 * H)
    tuesday = make_load(plant, start=MONDAY + 25 * H)
    nine = MONDAY + H
    _visit_through(ctx, at, plant, on_time, nine, [nine - 10 * M, nine, nine, nine + 40 * M, nine + 50 * M])
    ten = MONDAY + 2 * H
    _visit_through(ctx, at, plant, late, ten, [ten + 30 * M, ten + 40 * M, ten + 40 * M, ten + 80 * M,
                                               ten + 180 * M])
    tue = MONDAY + 25 * H
    _visit_through(ctx, at, plant, tuesday, tue, [tue, tue + 5 * M, tue + 5 * M, tue + 35 * M, tue + 45 * M])
    at(MONDAY + 30 * H)
    r = ctx.test_client().get(f"/api/v1/sites/{plant.site.id}/kpis?from=2030-06-03&to=2030-06-04&group=day",
                              headers=plant.manager.headers)
    assert r.status_code == 200, r.json
    monday, tue_row = r.json["groups"]
    assert monday["day"] == "2030-06-03" and tue_row["day"] == "2030-06-04"
    assert (monday["trucks"], monday["booked_arrivals"], monday["on_time"], monday["on_time_pct"]) == (2, 2, 1, 50.0)
    assert (monday["dwell_avg_minutes"], monday["dwell_p90_minutes"]) == (105.0, 150.0)
    assert (monday["detention_minutes"], monday["detained_trucks"]) == (30.0, 1)
    d1 = next(d for d in monday["docks"] if d["name"] == "D1")
    assert (d1["loading_minutes"], d1["open_minutes"], d1["utilisation"]) == (80.0, 1440, round(80 / 1440, 3))
    assert tue_row["on_time_pct"] == 100.0 and tue_row["dwell_avg_minutes"] == 45.0
    assert r.json["total"]["trucks"] == 3 and r.json["total"]["detention_minutes"] == 30.0
    by_carrier = ctx.test_client().get(f"/api/v1/sites/{plant.site.id}/kpis?from=2030-06-03&to=2030-06-04"
                                       "&group=carrier", headers=plant.seller.headers).json
    (carrier,) = by_carrier["groups"]
    assert carrier["carrier_id"] == plant.carrier.id and carrier["trucks"] == 3
    assert carrier["on_time_pct"] == round(200 / 3, 1)


def test_the_free_time_is_the_sites_own(ctx, at):
    """With 200 free minutes nobody on Monday is detained."""
    plant = make_plant()
    load = make_load(plant, start=MONDAY + H)
    nine = MONDAY + H
    _visit_through(ctx, at, plant, load, nine, [nine, nine, nine, nine + 60 * M, nine + 190 * M])
    client = ctx.test_client()
    client.patch(f"/api/v1/sites/{plant.site.id}/booking-rules", json={"free_minutes": 200},
                 headers=plant.manager.headers)
    r = client.get(f"/api/v1/sites/{plant.site.id}/kpis?from=2030-06-03&to=2030-06-03", headers=plant.manager.headers)
    assert r.json["total"]["detention_minutes"] == 0 and r.json["rules"]["free_minutes"] == 200


def test_bad_periods_and_strangers_are_refused(ctx, at):
    """`from` after `to` or a bad group is 422 with the field; a buyer of the plant sees no KPIs (404)."""
    plant = make_plant()
    client = ctx.test_client()
    bad = client.get(f"/api/v1/sites/{plant.site.id}/kpis?from=2030-06-05&to=2030-06-03",
                     headers=plant.manager.headers)
    assert bad.status_code == 422 and bad.json["errors"][0]["path"].startswith("from")
    group = client.get(f"/api/v1/sites/{plant.site.id}/kpis?group=week", headers=plant.manager.headers)
    assert group.status_code == 422 and group.json["errors"][0]["path"].startswith("group")
    stranger = add_user(plant.buyer.id, "buyer")
    assert client.get(f"/api/v1/sites/{plant.site.id}/kpis", headers=stranger.headers).status_code == 404


def test_p90_is_a_nearest_rank_value():
    """p90 of 1..10 is 9; of one value, that value; of nothing, None."""
    assert (p90(list(range(1, 11))), p90([7.0]), p90([])) == (9, 7.0, None)
