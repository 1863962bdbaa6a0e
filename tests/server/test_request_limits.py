"""Request bodies are bounded in every framing: a chunked body past the limit is a 413, never a truncated file."""

import io

from sqlalchemy import select

from server.extensions import db
from server.models import Order

HEADER = ("reference,buyer_id,pickup_site_id,delivery_site_id,pickup_earliest,pickup_latest,delivery_earliest,"
          "delivery_latest,sku,quantity,unit_weight_kg,unit_volume_m3,description\n")
WINDOWS = "2030-05-01T06:00:00+00:00,2030-05-01T10:00:00+00:00,2030-05-01T12:00:00+00:00,2030-05-02T12:00:00+00:00"


def _chunked(client, trade, body: bytes):
    """POST ``body`` as the production servers pass a chunked upload: no length, the stream ended by the server."""
    return client.post("/api/v1/orders/import", input_stream=io.BytesIO(body), headers={
        **trade["seller"].headers, "Content-Type": "text/csv", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""})


def _csv(trade, orders: int) -> bytes:
    rows = [f"SO-{n},{trade['buyer'].id},{trade['plant']['id']},{trade['yard']['id']},{WINDOWS},CEM,10,1000,0.7,"
            f"{'cement ' * 60}\n" for n in range(orders)]
    return (HEADER + "".join(rows)).encode()


def test_a_chunked_body_past_the_limit_is_refused_whole(client, trade):
    """A chunked CSV larger than MAX_CONTENT_LENGTH is a 413 problem; no order of its first part is created."""
    body = _csv(trade, 900)
    assert len(body) > client.application.config["MAX_CONTENT_LENGTH"]
    r = _chunked(client, trade, body)
    assert r.status_code == 413 and r.mimetype == "application/problem+json", r.get_data()[:300]
    assert db.session.scalar(select(Order.id)) is None


def test_a_chunked_body_within_the_limit_is_read_whole(client, trade):
    """A chunked CSV under the limit is imported as if its length had been declared."""
    r = _chunked(client, trade, _csv(trade, 5))
    assert r.status_code == 200 and len(r.get_json()["created"]) == 5
