"""REST client against a real local HTTP server: success paths and every failure class."""

from __future__ import annotations

import json

import pytest

from driver_app.core import errors
from driver_app.core.endpoints import Endpoint
from driver_app.core.i18n import translator
from driver_app.core.rest_client import ApiClient

PROBLEM = "application/problem+json"


def test_login_returns_session_and_later_calls_send_bearer_token(fake_api, driver_data):
    """A successful login stores the token and authenticated calls send it as a bearer token."""
    fake_api.route("POST", "/api/v1/auth/token", 200, driver_data("login_ok.json"))
    fake_api.route("GET", "/api/v1/driver/assignments", 200, driver_data("assignments.json"))
    client = ApiClient(fake_api.base_url + "/", timeout=2)

    session = client.login("li.wei@carrier.example", "pw")
    loads = client.assignments()

    assert session.user.name == "Li Wei" and session.user.roles == ("driver",)
    assert [load["id"] for load in loads] == ["L-1001", "L-1002"]
    login_req, list_req = fake_api.requests
    assert json.loads(login_req.body) == {"email": "li.wei@carrier.example", "password": "pw"}
    assert "Authorization" not in login_req.headers
    assert list_req.headers["Authorization"] == "Bearer tok-abc123"


def test_pairing_parses_mqtt_settings(fake_api, driver_data):
    """Pairing returns the device token and MQTT settings with the broker endpoint parsed."""
    fake_api.route("POST", "/api/v1/devices/pair", 200, driver_data("pair_ok.json"))
    client = ApiClient(fake_api.base_url, timeout=2)

    pairing = client.pair_device("ABCDE-FGHJK", "Pixel 7")

    assert client.token == "device-tok-9" and pairing.driver.name == "Jan Kowalski"
    assert json.loads(fake_api.requests[0].body) == {"code": "ABCDE-FGHJK", "device_name": "Pixel 7"}
    assert pairing.mqtt.vehicle_id == "12"
    assert pairing.mqtt.endpoint() == ("broker.haul.example", 8883, True, "tcp", "/mqtt")


def test_path_parameters_are_filled_and_quoted(fake_api):
    """Named endpoints fill their path parameters, URL-quoting them."""
    fake_api.route("POST", "/api/v1/tenders/T%2F9/bids", 201, {"id": "B-1", "price": 1500})
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    assert client.bid_tender("T/9", 1500)["id"] == "B-1"
    assert json.loads(fake_api.requests[0].body) == {"price": 1500}


def test_endpoint_table_can_be_overridden(fake_api):
    """A path changed in the endpoint table is the one called."""
    fake_api.route("GET", "/v2/board", 200, {"items": [{"id": "T-1"}]})
    client = ApiClient(
        fake_api.base_url, token="t", timeout=2, endpoints={"board": Endpoint("GET", "/v2/board")}
    )

    assert client.board() == [{"id": "T-1"}]


def test_problem_json_422_becomes_validation_error_with_field_errors(fake_api, driver_data):
    """A 422 problem+json becomes ValidationFailed carrying title, detail and field errors."""
    fake_api.route("POST", "/api/v1/tenders/T-1/bids", 422, driver_data("problem_422.json"), PROBLEM)
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    with pytest.raises(errors.ValidationFailed) as caught:
        client.bid_tender("T-1", 2500)

    err = caught.value
    assert err.status == 422 and err.title == "Validation failed"
    assert err.user_message() == "The bid is not valid."
    assert err.field_messages() == {
        "price": "must be below the ceiling price 1800.00",
        "currency": "is required",
    }
    assert len(err.field_errors) == 3


def test_401_on_authenticated_call_is_session_expired(fake_api):
    """A 401 on an authenticated call raises SessionExpired with a translated message."""
    fake_api.route(
        "GET", "/api/v1/driver/assignments", 401, {"title": "Unauthorized", "status": 401}, PROBLEM
    )
    client = ApiClient(fake_api.base_url, token="old", timeout=2)

    with pytest.raises(errors.SessionExpired) as caught:
        client.assignments()

    assert caught.value.retryable
    assert caught.value.user_message() == "Your session has expired. Please sign in again."
    assert caught.value.user_message(translator("zh_CN")) == "您的登录已过期，请重新登录。"


def test_401_on_login_is_authentication_failed_not_session_expired(fake_api):
    """A 401 on sign-in means refused credentials, shown with the server's detail."""
    body = {"title": "Unauthorized", "status": 401, "detail": "Wrong email or password."}
    fake_api.route("POST", "/api/v1/auth/token", 401, body, PROBLEM)
    client = ApiClient(fake_api.base_url, timeout=2)

    with pytest.raises(errors.AuthenticationFailed) as caught:
        client.login("a@b.example", "nope")

    assert caught.value.user_message() == "Wrong email or password."


def test_500_is_server_error_and_hides_server_internals(fake_api):
    """A 500 raises ServerError whose user message is ours, not the server's traceback text."""
    body = {"title": "Internal Server Error", "status": 500, "detail": "psycopg.OperationalError: boom"}
    fake_api.route("GET", "/api/v1/loads/L-1", 500, body, PROBLEM)
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    with pytest.raises(errors.ServerError) as caught:
        client.load("L-1")

    assert caught.value.status == 500 and caught.value.retryable
    assert caught.value.user_message() == "The server had a problem. Try again later."


def test_html_error_page_still_gives_typed_error(fake_api):
    """A 502 with an HTML body (a proxy page) is still a ServerError, never a JSON crash."""
    fake_api.route("GET", "/api/v1/tenders", 502, "<html>Bad Gateway</html>", "text/html")
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    with pytest.raises(errors.ServerError):
        client.board()


def test_non_json_success_is_bad_response(fake_api):
    """A 200 that is not JSON (e.g. a web page at a wrong address) raises BadResponse."""
    fake_api.route("GET", "/api/v1/tenders", 200, "<html>Welcome</html>", "text/html")
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    with pytest.raises(errors.BadResponse):
        client.board()


def test_conflict_on_grab_shows_server_reason(fake_api):
    """A 409 on grabbing a tender raises Conflict with the server's detail for the driver."""
    body = {"title": "Conflict", "status": 409, "detail": "Another carrier took this load."}
    fake_api.route("POST", "/api/v1/tenders/T-3/grab", 409, body, PROBLEM)
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    with pytest.raises(errors.Conflict) as caught:
        client.grab_tender("T-3")

    assert caught.value.user_message() == "Another carrier took this load."


def test_connection_refused_is_server_unreachable(unused_port):
    """Nothing listening at the address raises ServerUnreachable, not a requests exception."""
    client = ApiClient(f"http://127.0.0.1:{unused_port()}", timeout=2)

    with pytest.raises(errors.ServerUnreachable) as caught:
        client.login("a@b.example", "pw")

    assert caught.value.retryable
    assert "Cannot reach the server" in caught.value.user_message()


def test_slow_server_is_timeout(fake_api):
    """A server slower than the read timeout raises ServerTimeout."""
    fake_api.route("GET", "/api/v1/tenders", 200, [], delay_s=1.0)
    client = ApiClient(fake_api.base_url, token="t", timeout=(1.0, 0.2))

    with pytest.raises(errors.ServerTimeout):
        client.board()


@pytest.mark.parametrize("url", ["", "haul.example.com", "ftp://haul.example.com", "http://"])
def test_malformed_server_url_is_invalid_server_url(url):
    """A server address that is not an http(s) URL raises InvalidServerUrl."""
    with pytest.raises(errors.InvalidServerUrl):
        ApiClient(url, timeout=1).board()


def test_evidence_with_photos_goes_multipart_with_idempotency_key(fake_api, tmp_path):
    """Evidence with photos is sent as multipart with the JSON payload part and the key header."""
    photo = tmp_path / "seal.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0fakejpeg")
    fake_api.route("POST", "/api/v1/loads/L-1/evidence", 201, {"id": "E-1"})
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    result = client.submit_evidence("L-1", {"ticket_number": "W-1"}, [str(photo)], idempotency_key="k-1")

    req = fake_api.requests[0]
    assert result == {"id": "E-1"}
    assert req.headers["Content-Type"].startswith("multipart/form-data")
    assert req.headers["Idempotency-Key"] == "k-1"
    assert b'name="payload"' in req.body and b'{"ticket_number": "W-1"}' in req.body
    assert b'filename="seal.jpg"' in req.body and b"fakejpeg" in req.body


def test_missing_photo_is_typed_error(fake_api, tmp_path):
    """A photo file that vanished raises PhotoUnreadable and sends nothing."""
    client = ApiClient(fake_api.base_url, token="t", timeout=2)

    with pytest.raises(errors.PhotoUnreadable):
        client.submit_pod("L-1", {"receiver_name": "A"}, [str(tmp_path / "gone.png")])
    assert fake_api.requests == []


def test_malformed_login_answer_is_bad_response(fake_api):
    """A login answer without a token raises BadResponse instead of a KeyError."""
    fake_api.route("POST", "/api/v1/auth/token", 200, {"user": {}})
    client = ApiClient(fake_api.base_url, timeout=2)

    with pytest.raises(errors.BadResponse):
        client.login("a@b.example", "pw")
