"""OSRM table provider against a real local HTTP server serving documented-format answers."""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from server.engines.routing.matrix import GreatCircleProvider, MatrixProviderError
from server.engines.routing.osrm import OsrmProvider
from server.engines.routing.providers import provider_from_config

DATA = Path(__file__).resolve().parents[3] / "data" / "routing"
COORDS = [(48.8566, 2.3522), (48.8600, 2.3600), (48.8700, 2.3700)]  # (lat, lon)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers with whatever the test put in ``server.behaviour``; records each request path."""

    def do_GET(self):  # noqa: N802 - http.server naming
        self.server.requests.append(self.path)
        status, body, delay = self.server.behaviour
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        return None


@pytest.fixture
def osrm_server():
    """A real HTTP server on 127.0.0.1 at a free port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests = []
    server.behaviour = (200, (DATA / "osrm_table_ok.json").read_text(), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _base(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_osrm_table_is_parsed_into_km_and_seconds(osrm_server):
    """Distances come back in km, durations in seconds, in the fixture's order."""
    matrix = OsrmProvider(base_url=_base(osrm_server)).matrix(COORDS)
    assert matrix.distances[0][1] == pytest.approx(1.5)
    assert matrix.distances[2][1] == pytest.approx(2.89)
    assert matrix.durations[1][2] == pytest.approx(200.0)
    assert matrix.durations[2][0] == pytest.approx(310.0)


def test_osrm_request_uses_lon_lat_order_and_annotations(osrm_server):
    """The request path lists lon,lat pairs joined by ';' and asks for both annotations."""
    OsrmProvider(base_url=_base(osrm_server) + "/").matrix(COORDS)
    (path,) = osrm_server.requests
    url = urlsplit(path)
    assert url.path == "/table/v1/driving/2.352200,48.856600;2.360000,48.860000;2.370000,48.870000"
    assert parse_qs(url.query) == {"annotations": ["distance,duration"]}


def test_osrm_error_code_gives_a_clear_error(osrm_server):
    """A code other than Ok raises with OSRM's code and message."""
    osrm_server.behaviour = (200, (DATA / "osrm_table_error.json").read_text(), 0)
    with pytest.raises(MatrixProviderError, match="InvalidQuery.*malformed"):
        OsrmProvider(base_url=_base(osrm_server)).matrix(COORDS)


def test_osrm_http_500_gives_a_clear_error(osrm_server):
    """An HTTP 500 raises naming the status."""
    osrm_server.behaviour = (500, json.dumps({"message": "internal"}), 0)
    with pytest.raises(MatrixProviderError, match="HTTP 500"):
        OsrmProvider(base_url=_base(osrm_server)).matrix(COORDS)


def test_osrm_timeout_gives_a_clear_error(osrm_server):
    """A server slower than the timeout raises a timeout error instead of hanging."""
    osrm_server.behaviour = (200, (DATA / "osrm_table_ok.json").read_text(), 1.0)
    with pytest.raises(MatrixProviderError, match="timed out"):
        OsrmProvider(base_url=_base(osrm_server), timeout_s=0.2).matrix(COORDS)


def test_osrm_missing_route_gives_a_clear_error(osrm_server):
    """A null entry (no route between two points) raises naming the pair."""
    body = json.loads((DATA / "osrm_table_ok.json").read_text())
    body["durations"][0][2] = None
    osrm_server.behaviour = (200, json.dumps(body), 0)
    with pytest.raises(MatrixProviderError, match="no route from location 0 to location 2"):
        OsrmProvider(base_url=_base(osrm_server)).matrix(COORDS)


def test_provider_from_config_picks_osrm_only_with_a_url():
    """A configured base URL selects OSRM; otherwise great-circle is used."""
    assert isinstance(provider_from_config(osrm_url="http://127.0.0.1:5000"), OsrmProvider)
    assert isinstance(provider_from_config(), GreatCircleProvider)
