"""Pairing in the core: reading the QR payload or a typed code, and pair() against a local HTTP server."""

from __future__ import annotations

import json

import pytest

from driver_app.core import errors
from driver_app.core.endpoints import ENDPOINTS
from driver_app.core.i18n import translator
from driver_app.core.pairing import PairingTarget, normalise_code, parse_pairing, refusal_message
from driver_app.core.rest_client import pair

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ABCDE-FGHJK", PairingTarget(None, "ABCDE-FGHJK")),
        ("  abcde fghjk ", PairingTarget(None, "ABCDE-FGHJK")),
        ("abcdefghjk", PairingTarget(None, "ABCDE-FGHJK")),
        ("OIL23-45678", PairingTarget(None, "01123-45678")),  # read as the server reads them
        ("https://haul.example.com/pair#code=ABCDE-FGHJK", PairingTarget("https://haul.example.com", "ABCDE-FGHJK")),
        ("http://10.0.0.5:5000/pair#code=abcde-fghjk", PairingTarget("http://10.0.0.5:5000", "ABCDE-FGHJK")),
        ("HTTPS://haul.example.com/haul/pair/?code=ABCDEFGHJK",
         PairingTarget("https://haul.example.com/haul", "ABCDE-FGHJK")),
    ],
)
def test_codes_and_pairing_links_are_understood(text, expected):
    """A typed code in any case or spacing, and the QR code's link (server under a prefix too), give server and code."""
    assert parse_pairing(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "PAIR-1234", "ABCDE-FGHJ", "ABCDE-FGHJKK", "ABCDE-FGHJU", "https://haul.example.com/pair",
     "https://haul.example.com/login#code=ABCDE-FGHJK", "ftp://haul.example.com/pair#code=ABCDE-FGHJK",
     "https:///pair#code=ABCDE-FGHJK", "https://haul.example.com/pair#code=short"],
)
def test_anything_else_is_not_a_pairing(text):
    """Wrong lengths, letters outside the alphabet, other paths and schemes, and links without a code are refused."""
    assert parse_pairing(text) is None


def test_code_matches_what_the_server_makes():
    """The app's alphabet and reading rules are the server's, so every server code is accepted as is."""
    from server.tracking import pairing_codes

    for _ in range(200):
        code = pairing_codes.new_code()
        assert normalise_code(code) == code
        assert normalise_code(code.lower()).replace("-", "") == pairing_codes.normalise(code.lower())


def test_pair_with_a_link_calls_the_links_server_and_keeps_the_token(fake_api, driver_data):
    """The link's server wins over the typed address; the phone's token is kept for later calls."""
    fake_api.route("POST", "/api/v1/devices/pair", 200, driver_data("pair_ok.json"))
    fake_api.route("GET", "/api/v1/tenders", 200, {"items": []})

    client, pairing = pair("http://127.0.0.1:9", f"{fake_api.base_url}/pair#code=abcde-fghjk",
                           device_name="Pixel 7", timeout=2)

    assert client.base_url == fake_api.base_url and client.board() == []
    pair_req, board_req = fake_api.requests
    assert json.loads(pair_req.body) == {"code": "ABCDE-FGHJK", "device_name": "Pixel 7"}
    assert "Authorization" not in pair_req.headers
    assert board_req.headers["Authorization"] == "Bearer device-tok-9"
    assert (pairing.driver.id, pairing.driver.organisation_id) == ("7", "5")
    assert pairing.mqtt is not None and pairing.mqtt.endpoint()[0] == "broker.haul.example"


def test_pair_with_a_code_uses_the_typed_server_and_mqtt_may_be_absent(fake_api, driver_data):
    """A bare code goes to the typed address; an answer without MQTT settings still pairs."""
    answer = {**driver_data("pair_ok.json"), "mqtt": None, "vehicle": None, "device": None}
    fake_api.route("POST", "/api/v1/devices/pair", 200, answer)

    client, pairing = pair(fake_api.base_url, "abcde fghjk", timeout=2)

    assert client.token == "device-tok-9" and pairing.mqtt is None
    assert json.loads(fake_api.requests[0].body)["device_name"]  # a name for the dispatcher's list


def test_pair_refuses_text_that_is_no_pairing_before_calling(fake_api):
    """Neither a code nor a link: ValueError, and nothing is sent."""
    with pytest.raises(ValueError):
        pair(fake_api.base_url, "PAIR-1234", timeout=2)
    assert fake_api.requests == []


@pytest.mark.parametrize(
    ("status", "reason", "error", "english"),
    [
        (404, "unknown_code", errors.NotFound, "This pairing code is not valid."),
        (410, "expired", errors.ApiError, "This pairing code has expired."),
        (410, "cancelled", errors.ApiError, "This pairing code was replaced by a newer one."),
        (409, "used", errors.Conflict, "This pairing code was already used."),
        (429, "too_many_attempts", errors.RateLimited, "Too many wrong pairing codes."),
    ],
)
def test_refused_codes_carry_the_servers_reason(fake_api, status, reason, error, english):
    """Each refusal keeps the problem's reason, which maps to a translated sentence for the driver."""
    body = {"title": "Refused", "status": status, "detail": "server words", "reason": reason}
    fake_api.route("POST", "/api/v1/devices/pair", status, body, PROBLEM)

    with pytest.raises(error) as caught:
        pair(fake_api.base_url, "ABCDE-FGHJK", timeout=2)

    assert caught.value.reason == reason
    message = refusal_message(caught.value.reason)
    assert message.render().startswith(english)
    assert message.render(translator("zh_CN")) != message.render()  # translated, not left in English


def test_board_is_the_real_servers_tender_list(tmp_path):
    """The core's board, grab, bid, sign-in and pairing paths are routes of the real server (no override needed)."""
    from server.app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'routes.db'}",
                      "HAUL_INSTANCE_DIR": str(tmp_path)})
    routes = app.url_map.bind("localhost")
    for name in ("board", "grab_tender", "bid_tender", "login", "pair_device", "load"):
        endpoint = ENDPOINTS[name]
        path = endpoint.url_path(tender_id=7, load_id=3)
        assert routes.match(path, method=endpoint.method), name
    assert ENDPOINTS["board"].path == "/api/v1/tenders"
