"""Ids in request bodies: the server takes strict JSON integers, the app carries ids as text."""

from __future__ import annotations

import json

from driver_app.core.rest_client import ApiClient


def test_check_in_sends_a_numeric_load_id_as_a_json_integer(fake_api):
    """"123" goes as 123 (the server refuses "123" with 422); a non-numeric id is sent as it is."""
    fake_api.route("POST", "/api/v1/yard/checkin", 200, {"id": 1, "status": "arrived"})
    client = ApiClient(fake_api.base_url, timeout=2)
    client.token = "tok"

    client.yard_checkin("123", "signed-token")
    client.yard_checkin("L-1001", "signed-token")

    bodies = [json.loads(r.body) for r in fake_api.requests]
    assert bodies == [{"load_id": 123, "token": "signed-token"}, {"load_id": "L-1001", "token": "signed-token"}]
