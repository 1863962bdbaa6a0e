"""CSV order import with a per-row error report, on both backends."""

from pathlib import Path

FIXTURE = Path(__file__).parents[2] / "data" / "orders" / "two_orders_one_bad_row.csv"


def _csv(trade) -> bytes:
    text = FIXTURE.read_text().format(buyer=trade["buyer"].id, plant=trade["plant"]["id"], yard=trade["yard"]["id"])
    return text.encode()


def test_import_creates_valid_orders_and_reports_bad_rows(client, trade):
    """SO-A (two good rows) is created; SO-B is not, and each bad cell is named by row and column."""
    headers = {**trade["seller"].headers, "Content-Type": "text/csv"}
    r = client.post("/api/v1/orders/import", headers=headers, data=_csv(trade))
    assert r.status_code == 200, r.get_json()
    report = r.get_json()
    assert [c["reference"] for c in report["created"]] == ["SO-A"]
    bad = {(e["row"], e["column"]) for e in report["errors"]}
    assert {(4, "quantity"), (5, "unit_weight_kg"), (5, "hazmat_class")} <= bad
    order = client.get(f"/api/v1/orders/{report['created'][0]['id']}", headers=trade["seller"].headers).get_json()
    assert [(ln["sku"], ln["quantity"], ln["splittable"]) for ln in order["lines"]] == [("CEM", 40, True),
                                                                                        ("LIME", 10, False)]


def test_reimporting_the_same_file_creates_nothing_new(client, trade):
    """The reference is the idempotency key, so a second import reports the order as existing."""
    headers = {**trade["seller"].headers, "Content-Type": "text/csv"}
    first = client.post("/api/v1/orders/import", headers=headers, data=_csv(trade)).get_json()
    second = client.post("/api/v1/orders/import", headers=headers, data=_csv(trade)).get_json()
    assert second["created"] == [] and second["existing"] == first["created"]
    assert client.get("/api/v1/orders", headers=trade["seller"].headers).get_json()["total"] == 1


def test_missing_header_columns_answer_422(client, trade):
    """A CSV without the required columns is refused with each missing column named."""
    headers = {**trade["seller"].headers, "Content-Type": "text/csv"}
    r = client.post("/api/v1/orders/import", headers=headers, data=b"reference,sku\nX,Y\n")
    assert r.status_code == 422
    assert "buyer_id" in {e["path"] for e in r.get_json()["errors"]}


def test_multipart_upload_is_accepted(client, trade):
    """The same file can be sent as a multipart form upload named 'file'."""
    import io

    r = client.post("/api/v1/orders/import", headers=trade["seller"].headers,
                    data={"file": (io.BytesIO(_csv(trade)), "orders.csv")}, content_type="multipart/form-data")
    assert r.status_code == 200 and len(r.get_json()["created"]) == 1
