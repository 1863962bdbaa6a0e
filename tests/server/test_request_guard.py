"""The request edge (server/request_guard.py): NUL characters, over-long URIs and chunked bodies, on both backends."""

import io

from tests.server.yard.yard_factory import PIXEL_PNG

CHUNKED = {"wsgi.input_terminated": True, "CONTENT_LENGTH": ""}  # what a server hands over for a chunked body


def _paths(response) -> list[str]:
    return [e["path"] for e in response.get_json().get("errors", [])]


def test_nul_in_a_query_parameter_is_a_422_naming_it(client, make_party):
    """GET /orders?reference=a%00b is refused with the parameter named (it was a 500 on PostgreSQL)."""
    seller = make_party("seller")
    r = client.get("/api/v1/orders?reference=SO%001", headers=seller.headers)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert _paths(r) == ["reference"]


def test_nul_deep_in_a_json_body_is_a_422_and_stores_nothing(client, trade):
    """A NUL inside an order line is refused with its path, and no order is created."""
    body = {**trade["order"], "lines": [{**trade["order"]["lines"][0], "sku": "CEM\u0000"}]}
    r = client.post("/api/v1/orders", headers=trade["seller"].headers, json=body)
    assert r.status_code == 422 and _paths(r) == ["lines/0/sku"]
    assert client.get("/api/v1/orders", headers=trade["seller"].headers).get_json()["total"] == 0


def test_nul_in_a_json_key_is_named_escaped(client, make_party):
    """A NUL in a key is named with the NUL written as \\u0000, so the answer stays readable JSON."""
    admin = make_party("seller")
    r = client.post("/api/v1/sites", headers=admin.headers, json={"name": "x", "bad\u0000key": 1})
    assert r.status_code == 422 and _paths(r) == ["bad\\u0000key"]


def test_nul_in_a_header_is_refused(client, trade):
    """An Idempotency-Key with a NUL is refused before it reaches the database."""
    headers = {**trade["seller"].headers, "Idempotency-Key": "erp\u00004711"}
    r = client.post("/api/v1/orders", headers=headers, json=trade["order"])
    assert r.status_code == 422 and _paths(r) == ["Idempotency-Key"]


def test_nul_in_a_multipart_field_and_its_json_part(client, trade, make_load):
    """A photo caption with a NUL, and a NUL inside the driver app's JSON ``payload`` part, are refused."""
    load = make_load(trade)
    url = f"/api/v1/loads/{load.id}/evidence"
    r = client.post(url, headers=trade["seller"].headers, content_type="multipart/form-data",
                    data={"caption": "gate\u00001", "photos": (io.BytesIO(PIXEL_PNG), "p.png")})
    assert r.status_code == 422 and _paths(r) == ["caption"]
    r = client.post(url, headers=trade["seller"].headers, content_type="multipart/form-data",
                    data={"payload": '{"ticket_number": "T\\u00001", "tare_kg": 1, "gross_kg": 2}'})
    assert r.status_code == 422 and _paths(r) == ["payload/ticket_number"]
    assert client.get(url, headers=trade["seller"].headers).get_json()["items"] == []


def test_nul_in_a_sign_in_form_gets_an_html_page(client):
    """People posting a form get the HTML 422 page, not JSON."""
    r = client.post("/login", data={"email": "a\u0000@b.test", "password": "x"})
    assert r.status_code == 422 and r.mimetype == "text/html"


def test_an_over_long_uri_is_a_414_problem(client, ctx):
    """A URI beyond MAX_URI_BYTES is refused with problem+json before routing (not an HTML page)."""
    r = client.get("/api/v1/orders?x=" + "a" * ctx.config["MAX_URI_BYTES"])
    assert r.status_code == 414 and r.mimetype == "application/problem+json"
    assert r.get_json()["status"] == 414


def test_a_chunked_body_over_the_limit_is_413_not_cut_short(client, trade, ctx):
    """A chunked CSV larger than the limit is refused whole; Werkzeug alone imported its first part."""
    order = trade["order"]
    header = "reference,buyer_id,pickup_site_id,delivery_site_id,pickup_earliest,pickup_latest," \
             "delivery_earliest,delivery_latest,sku,quantity,unit_weight_kg,unit_volume_m3\n"
    row = (f"{{ref}},{trade['buyer'].id},{order['pickup_site_id']},{order['delivery_site_id']},"
           f"{order['pickup_window']['earliest']},{order['pickup_window']['latest']},"
           f"{order['delivery_window']['earliest']},{order['delivery_window']['latest']},CEM,1,1000,0.7\n")
    text = header + "".join(row.format(ref=f"SO-{n}") for n in range(1700))
    assert len(text) > ctx.config["MAX_CONTENT_LENGTH"]
    r = client.post("/api/v1/orders/import", input_stream=io.BytesIO(text.encode()),
                    environ_overrides=CHUNKED,
                    headers={**trade["seller"].headers, "Content-Type": "text/csv", "Transfer-Encoding": "chunked"})
    assert r.status_code == 413 and r.mimetype == "application/problem+json"
    assert client.get("/api/v1/orders", headers=trade["seller"].headers).get_json()["total"] == 0


def test_a_chunked_body_within_the_limit_is_read_whole(client, make_party):
    """A small chunked JSON body reaches the view complete."""
    admin = make_party("seller")
    body = b'{"name": "Chunked plant", "location": {"lat": 51.0, "lon": 7.0}}'
    r = client.post("/api/v1/sites", input_stream=io.BytesIO(body), environ_overrides=CHUNKED,
                    headers={**admin.headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    assert r.status_code == 201 and r.get_json()["name"] == "Chunked plant", r.get_json()


def test_a_multipart_part_without_a_name_is_no_crash(client, make_party):
    """A form part with no name (the fuzzer sent one) passes the NUL check and gets the view's own answer."""
    seller = make_party("seller")
    body = b"--XX\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--XX--\r\n"
    r = client.post("/api/v1/loads/1/pod", data=body,
                    headers={**seller.headers, "Content-Type": "multipart/form-data; boundary=XX"})
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
