"""The evidence/POD outbox: kept while offline, sent in order with idempotency keys, rejects set aside."""

from __future__ import annotations

import json

from driver_app.core.errors import ServerUnreachable
from driver_app.core.rest_client import ApiClient
from driver_app.core.submission_outbox import SubmissionOutbox

PROBLEM = "application/problem+json"


def test_offline_submissions_stay_queued_across_restart(tmp_path, unused_port):
    """With the server unreachable, flush stops at the first item and everything survives a reopen."""
    path = tmp_path / "outbox.sqlite"
    outbox = SubmissionOutbox(path)
    outbox.enqueue("evidence", "L-1", {"ticket_number": "W-1"})
    outbox.enqueue("pod", "L-1", {"receiver_name": "A"})

    result = outbox.flush(ApiClient(f"http://127.0.0.1:{unused_port()}", token="t", timeout=1))

    assert isinstance(result.stopped_by, ServerUnreachable) and result.sent == []
    assert str(result.message).startswith("Cannot reach the server")
    reopened = SubmissionOutbox(path)
    assert [(s.kind, s.attempts) for s in reopened.pending()] == [("evidence", 1), ("pod", 0)]


def test_flush_sends_in_order_with_stable_idempotency_keys(tmp_path, fake_api):
    """Queued submissions go in order, each with its own key, and leave the queue once accepted."""
    fake_api.route("POST", "/api/v1/loads/L-1/evidence", 503, {"title": "Unavailable"}, PROBLEM)
    fake_api.route("POST", "/api/v1/loads/L-1/evidence", 201, {"id": "E-1"})
    fake_api.route("POST", "/api/v1/loads/L-1/pod", 201, {"id": "P-1"})
    outbox = SubmissionOutbox(tmp_path / "outbox.sqlite")
    evidence = outbox.enqueue("evidence", "L-1", {"ticket_number": "W-1"})
    pod = outbox.enqueue("pod", "L-1", {"receiver_name": "A"})
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    first = outbox.flush(client)
    second = outbox.flush(client)

    assert first.sent == [] and first.stopped_by.status == 503
    assert [s.kind for s in second.sent] == ["evidence", "pod"] and outbox.count() == 0
    keys = [r.headers["Idempotency-Key"] for r in fake_api.requests]
    assert keys == [evidence.idempotency_key, evidence.idempotency_key, pod.idempotency_key]
    assert json.loads(fake_api.requests[1].body) == {"ticket_number": "W-1"}


def test_refused_submission_is_set_aside_and_the_rest_go_on(tmp_path, fake_api):
    """A 422 marks that submission rejected with the reason, and the next one is still sent."""
    problem = {"title": "Validation failed", "status": 422, "detail": "Load L-9 is closed."}
    fake_api.route("POST", "/api/v1/loads/L-9/pod", 422, problem, PROBLEM)
    fake_api.route("POST", "/api/v1/loads/L-1/pod", 201, {"id": "P-1"})
    outbox = SubmissionOutbox(tmp_path / "outbox.sqlite")
    outbox.enqueue("pod", "L-9", {"receiver_name": "A"})
    outbox.enqueue("pod", "L-1", {"receiver_name": "B"})

    result = outbox.flush(ApiClient(fake_api.base_url, token="t", timeout=2))

    assert [s.load_id for s in result.sent] == ["L-1"]
    ((rejected, error),) = result.rejected
    assert error.user_message() == "Load L-9 is closed."
    assert [s.load_id for s in outbox.rejected()] == ["L-9"] and outbox.count() == 0
    outbox.discard(rejected.id)
    assert outbox.rejected() == []


def test_photos_are_uploaded_from_their_paths(tmp_path, fake_api):
    """A queued submission with photos sends them as multipart when flushed."""
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"jpegbytes")
    fake_api.route("POST", "/api/v1/loads/L-1/evidence", 201, {"id": "E-1"})
    outbox = SubmissionOutbox(tmp_path / "outbox.sqlite")
    outbox.enqueue("evidence", "L-1", {"ticket_number": "W-1"}, (str(photo),))

    outbox.flush(ApiClient(fake_api.base_url, token="t", timeout=2))

    assert b"jpegbytes" in fake_api.requests[0].body and outbox.count() == 0
