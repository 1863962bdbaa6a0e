"""server.tracking.log_redaction: access log lines show a device's HTTP id only by its first characters."""

from __future__ import annotations

import logging

from server.tracking.log_redaction import DeviceIdRedaction, install, redact

ID = "k3v9q2m8x7c4d1f6g5h0j2n8p4"


def test_ids_of_osmand_request_lines_are_cut_to_their_prefix():
    """id and deviceid values of /osmand request lines keep six characters; other paths and params are untouched."""
    line = f'"GET /osmand?lat=1&id={ID}&deviceid={ID}&valid=1 HTTP/1.1" 200 -'
    assert redact(line) == f'"GET /osmand?lat=1&id={ID[:6]}...&deviceid={ID[:6]}...&valid=1 HTTP/1.1" 200 -'
    assert redact(f'"GET /api/v1/osmand?id={ID}"') == f'"GET /api/v1/osmand?id={ID[:6]}..."'
    assert redact(f'"GET /orders?id={ID}"') == f'"GET /orders?id={ID}"'
    assert redact('"GET /osmand?uuid=abcdefghij&id=abc"') == '"GET /osmand?uuid=abcdefghij&id=abc"'


def test_filter_redacts_werkzeug_and_gunicorn_records():
    """Tuple arguments (Werkzeug) and dict arguments (gunicorn's access log) are redacted before formatting."""
    werkzeug = logging.LogRecord("werkzeug", logging.INFO, "", 0, '"%s" %s %s', (f"GET /osmand?id={ID} HTTP/1.1",
                                                                              "200", "-"), None)
    assert DeviceIdRedaction().filter(werkzeug) and ID not in werkzeug.getMessage()
    gunicorn = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(r)s", (), None)
    gunicorn.args = {"r": f"GET /osmand?id={ID} HTTP/1.1"}
    assert DeviceIdRedaction().filter(gunicorn) and ID not in gunicorn.getMessage()


def test_install_adds_the_filter_once():
    """Installing twice leaves one filter on each access logger."""
    install()
    install()
    assert sum(isinstance(f, DeviceIdRedaction) for f in logging.getLogger("werkzeug").filters) == 1
