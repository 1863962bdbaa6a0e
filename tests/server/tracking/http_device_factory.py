"""Device logins and requests for the HTTP position tests: made through the real API."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta


def credential(client, carrier, vehicle_id, http_id: bool = True, **extra) -> dict:
    """A device login made through the API, with its HTTP id unless told otherwise (the answer, secrets included)."""
    asked = {"http_id": True} if http_id else {}
    response = client.post("/api/v1/device-credentials", headers=carrier.headers,
                           json={"vehicle_id": vehicle_id, **asked, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def basic(user: str, secret: str) -> dict:
    """HTTP Basic headers for a login."""
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def ts(seconds: float = 0) -> int:
    """An epoch-seconds fix time five minutes ago, plus ``seconds`` (distinct fixes need distinct times)."""
    return int((datetime.now(UTC) - timedelta(minutes=5) + timedelta(seconds=seconds)).timestamp())
