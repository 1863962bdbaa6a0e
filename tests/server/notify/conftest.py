"""Fixtures for the notification tests: a local webhook receiver, and webhooks made through the API."""

from __future__ import annotations

import pytest

from tests.server.notify.webhook_receiver import Receiver


@pytest.fixture
def receiver():
    """A local HTTP receiver answering 200 unless a test sets ``receiver.answers``."""
    with Receiver() as running:
        yield running


LOCAL_RECEIVERS = "127.0.0.1"  # where the test receivers listen: allowed by name, as an operator allows an ERP


@pytest.fixture
def local_receivers_allowed(app, monkeypatch):
    """The test app may deliver to the local receivers (HAUL_WEBHOOK_ALLOW_HOSTS=127.0.0.1), and nowhere else inside."""
    monkeypatch.setitem(app.config, "HAUL_WEBHOOK_ALLOW_HOSTS", LOCAL_RECEIVERS)


@pytest.fixture
def make_webhook(client, local_receivers_allowed):
    """Register a webhook for a party through the API; returns the creation answer (with its secret)."""

    def make(party, url: str, events=("*",)) -> dict:
        r = client.post("/api/v1/webhooks", headers=party.headers, json={"url": url, "events": list(events)})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    return make


@pytest.fixture
def smtp(app, monkeypatch):
    """A local SMTP server, and the app set to send e-mail through it (HAUL_SMTP_HOST/PORT)."""
    from tests.server.notify.smtp_server import SmtpServer

    with SmtpServer() as server:
        monkeypatch.setitem(app.config, "HAUL_SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "HAUL_SMTP_PORT", server.port)
        monkeypatch.setitem(app.config, "HAUL_SMTP_FROM", "Haul <noreply@haul.test>")
        yield server
