"""CSV imports are bounded: rows per request, a background job for large files, one summary event per import."""

from sqlalchemy import select

from server.auth.principal import Principal
from server.extensions import db
from server.models import Notification, Order, Webhook, WebhookDelivery
from server.orders.csv_import import import_groups, read_groups

HEADER = ("reference,buyer_id,pickup_site_id,delivery_site_id,pickup_earliest,pickup_latest,delivery_earliest,"
          "delivery_latest,sku,quantity,unit_weight_kg,unit_volume_m3\n")
WINDOWS = "2030-05-01T06:00:00+00:00,2030-05-01T10:00:00+00:00,2030-05-01T12:00:00+00:00,2030-05-02T12:00:00+00:00"


def _csv(trade, orders: int, lines_each: int = 1, bad: tuple = ()) -> bytes:
    """``orders`` orders of ``lines_each`` rows; the orders numbered in ``bad`` have a negative quantity."""
    rows = [f"SO-{n},{trade['buyer'].id},{trade['plant']['id']},{trade['yard']['id']},{WINDOWS},"
            f"CEM,{-1 if n in bad else 10},1000,0.7\n" for n in range(orders) for _ in range(lines_each)]
    return (HEADER + "".join(rows)).encode()


def _post(client, trade, path, body):
    return client.post(path, headers={**trade["seller"].headers, "Content-Type": "text/csv"}, data=body)


def _notes(kind=None):
    db.session.remove()
    query = select(Notification)
    return db.session.scalars(query.where(Notification.kind == kind) if kind else query).all()


def test_a_request_imports_at_most_a_thousand_rows_and_names_the_limit(client, trade):
    """1,001 rows in one request are a 413 naming the limit and the background endpoint; nothing is created."""
    r = _post(client, trade, "/api/v1/orders/import", _csv(trade, 1001))
    assert r.status_code == 413 and r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["limit"] == 1000 and "1000 rows" in body["detail"] and "/api/v1/orders/import-jobs" in body["detail"]
    assert db.session.scalar(select(Order.id)) is None


def test_an_import_tells_each_party_once_not_once_per_order(client, trade):
    """Forty orders make one orders_imported notification for the seller and one for the buyer, with their ids."""
    hook = Webhook(organisation_id=trade["seller"].id, url="https://erp.example.com/h", secret="whsec_x",
                   events=["*"], active=True, consecutive_failures=0)
    db.session.add(hook)
    db.session.commit()
    r = _post(client, trade, "/api/v1/orders/import", _csv(trade, 40))
    assert r.status_code == 200 and len(r.get_json()["created"]) == 40
    assert _notes("order_received") == []
    notes = {n.organisation_id: n.payload["data"] for n in _notes("orders_imported")}
    assert set(notes) == {trade["seller"].id, trade["buyer"].id} and len(_notes()) == 2
    assert notes[trade["seller"].id]["created"] == 40 and len(notes[trade["buyer"].id]["order_ids"]) == 40
    assert notes[trade["buyer"].id]["seller_id"] == trade["seller"].id
    assert [d.event for d in db.session.scalars(select(WebhookDelivery))] == ["orders_imported"]


def test_a_large_file_is_imported_by_a_background_job_with_progress_and_a_report(client, trade, app, monkeypatch,
                                                                                 wait_for_job):
    """Above the request's limit the job imports every valid order, reports bad rows, and drops the stored CSV."""
    monkeypatch.setitem(app.config, "IMPORT_SYNC_MAX_ROWS", 10)
    body = _csv(trade, 12, lines_each=2, bad=(3,))
    assert _post(client, trade, "/api/v1/orders/import", body).status_code == 413
    r = _post(client, trade, "/api/v1/orders/import-jobs", body)
    assert r.status_code == 202 and r.get_json()["kind"] == "orders.import"
    job = wait_for_job(trade["seller"].headers, r.get_json()["id"], {"succeeded", "failed"})
    assert job["status"] == "succeeded" and job["progress"] == 1.0, job
    report = job["result"]
    assert (report["rows"], report["orders"], len(report["created"])) == (24, 12, 11)
    assert {(e["row"], e["column"]) for e in report["errors"]} == {(8, "quantity"), (9, "quantity")}
    assert len(_notes("orders_imported")) == 2
    from server.models import Job

    assert "csv" not in db.session.get(Job, job["id"]).params


def test_background_imports_are_bounded_and_checked_before_queueing(client, trade, app, monkeypatch):
    """More rows than a job takes are a 413; a bad header or an empty file is a 422 before any job exists."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 5)
    r = _post(client, trade, "/api/v1/orders/import-jobs", _csv(trade, 6))
    assert r.status_code == 413 and r.get_json()["limit"] == 5
    assert _post(client, trade, "/api/v1/orders/import-jobs", b"reference,sku\nX,Y\n").status_code == 422
    assert _post(client, trade, "/api/v1/orders/import-jobs", HEADER.encode()).status_code == 422
    from server.models import Job

    assert db.session.scalar(select(Job.id)) is None


def test_a_stopped_import_keeps_its_orders_and_a_second_run_completes_it(ctx, trade):
    """Orders stand alone: stopping after two keeps those two, and importing the file again adds only the rest."""
    principal = Principal(organisation_id=trade["seller"].id, org_kind="seller", roles=frozenset({"admin"}),
                          user_id=trade["seller"].user.id, via="test")
    groups = read_groups(_csv(trade, 5).decode(), 100)
    asked = []

    def stop_after_two():
        asked.append(1)
        return len(asked) > 2

    first = import_groups(principal, groups, should_stop=stop_after_two)
    assert len(first["created"]) == 2 and first["stopped_after_orders"] == 2
    second = import_groups(principal, groups)
    assert (len(second["created"]), len(second["existing"])) == (3, 2)
    assert len(db.session.scalars(select(Order)).all()) == 5
