"""Webhook endpoints through the API: admin only, secret shown once, validation, tenancy, delivery log."""

import json
from pathlib import Path

import pytest

from server.db.types import utcnow
from server.notify import signing
from server.notify.addresses import AllowList, OutboundPolicy
from server.notify.delivery import deliver_due
from server.notify.settings import DeliverySettings
from tests.server.notify.conftest import LOCAL_RECEIVERS
from tests.server.notify.webhook_receiver import Receiver

LOCAL = DeliverySettings(send_threads=1, policy=OutboundPolicy(AllowList.parse(LOCAL_RECEIVERS)))
HOOK = {"url": "https://erp.example.com/hooks/haul", "events": ["order_received", "delivered"]}


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def admin(make_party):
    return make_party("seller", roles=("admin",))


def test_an_admin_registers_a_webhook_and_sees_its_secret_once(client, admin):
    """Creation answers 201 with the secret; lists and reads show only its prefix."""
    r = client.post("/api/v1/webhooks", headers=admin.headers, json=HOOK)
    assert r.status_code == 201
    made = r.get_json()
    assert made["secret"].startswith("whsec_") and made["active"] is True
    assert made["events"] == ["delivered", "order_received"] and made["secret_prefix"] == made["secret"][:10]
    listed = client.get("/api/v1/webhooks", headers=admin.headers).get_json()
    assert listed["total"] == 1 and "secret" not in listed["items"][0]
    one = client.get(f"/api/v1/webhooks/{made['id']}", headers=admin.headers).get_json()
    assert "secret" not in one and one["url"] == HOOK["url"]


def test_only_admins_manage_webhooks(client, make_party):
    """Dispatchers and viewers get 403 on every webhook operation."""
    for role in ("dispatcher", "viewer", "dock_manager"):
        party = make_party("seller", roles=(role,))
        assert client.get("/api/v1/webhooks", headers=party.headers).status_code == 403
        assert client.post("/api/v1/webhooks", headers=party.headers, json=HOOK).status_code == 403
    assert client.get("/api/v1/webhooks").status_code == 401


@pytest.mark.parametrize(("body", "path"), [
    ({**HOOK, "url": "ftp://erp.example.com/x"}, "url"),
    ({**HOOK, "url": "https://sap:secret@erp.example.com/x"}, "url"),
    ({**HOOK, "url": "https://erp.example.com/" + "x" * 1000}, "url"),
    ({**HOOK, "url": "not a url"}, "url"),
    ({**HOOK, "events": []}, "events"),
    ({**HOOK, "events": ["order_received", "teleported"]}, "events/1"),
    ({"events": ["delivered"]}, "url"),
    ({"url": HOOK["url"]}, "events"),
])
def test_bad_webhooks_answer_422_with_the_field_path(client, admin, body, path):
    """Each bad field comes back as a problem with its path."""
    r = client.post("/api/v1/webhooks", headers=admin.headers, json=body)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert path in [e["path"] for e in r.get_json()["errors"]], r.get_json()


INTERNAL = json.loads((Path(__file__).parents[2] / "data" / "notify" / "urls.json").read_text())["refused_by_default"]


def test_internal_targets_are_refused_on_the_default_setup(client, admin):
    """Without HAUL_ENV=production or any allowance, every spelling of an internal target is a 422 on url."""
    for url in INTERNAL:
        r = client.post("/api/v1/webhooks", headers=admin.headers, json={**HOOK, "url": url})
        assert r.status_code == 422 and r.mimetype == "application/problem+json", url
        assert [e["path"] for e in r.get_json()["errors"]] == ["url"], url
    made = client.post("/api/v1/webhooks", headers=admin.headers, json=HOOK).get_json()
    r = client.patch(f"/api/v1/webhooks/{made['id']}", headers=admin.headers, json={"url": "http://10.0.0.8/"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["path"] == "url"
    assert client.get(f"/api/v1/webhooks/{made['id']}", headers=admin.headers).get_json()["url"] == HOOK["url"]


def test_a_name_resolving_inward_is_refused_and_an_allowed_host_accepted(client, admin, app, monkeypatch):
    """Registration resolves the name: an inward answer is a 422; a host the operator named is accepted."""
    answers = {"inward.example.com": ["10.0.0.7"], "erp.internal": ["10.1.2.3"]}
    monkeypatch.setitem(app.config, "WEBHOOK_RESOLVER", lambda host, port: answers[host])
    r = client.post("/api/v1/webhooks", headers=admin.headers, json={**HOOK, "url": "https://inward.example.com/h"})
    assert r.status_code == 422 and "resolves to a loopback, private" in r.get_json()["errors"][0]["message"]
    assert client.post("/api/v1/webhooks", headers=admin.headers,
                       json={**HOOK, "url": "http://erp.internal/h"}).status_code == 422
    monkeypatch.setitem(app.config, "HAUL_WEBHOOK_ALLOW_HOSTS", "erp.internal")
    assert client.post("/api/v1/webhooks", headers=admin.headers,
                       json={**HOOK, "url": "http://erp.internal/h"}).status_code == 201


def test_a_stored_internal_url_is_refused_at_delivery_and_the_log_tells_nothing(client, admin, receiver):
    """An endpoint whose URL points inward (stored before this check) is never reached; the log says only why."""
    from server.extensions import db
    from server.models import Webhook

    hook = client.post("/api/v1/webhooks", headers=admin.headers, json=HOOK).get_json()
    db.session.get(Webhook, hook["id"]).url = receiver.url.replace("127.0.0.1", "2130706433")
    db.session.commit()
    client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=admin.headers)
    deliver_due(utcnow(), settings=DeliverySettings(send_threads=1))
    assert receiver.received == []
    [entry] = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin.headers).get_json()["items"]
    [attempt] = entry["attempt_log"]
    assert attempt["response_code"] is None and attempt["error"].startswith("refused by Haul")


def test_the_delivery_log_shows_status_and_time_never_the_answer(client, admin, receiver, local_receivers_allowed):
    """A receiver's error body and redirect target never reach the log: only the code and the duration."""
    hook = client.post("/api/v1/webhooks", headers=admin.headers, json={**HOOK, "url": receiver.url}).get_json()
    receiver.answers = [500, 302]
    client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=admin.headers)
    now = utcnow()
    deliver_due(now)
    from datetime import timedelta

    deliver_due(now + timedelta(seconds=15))
    body = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin.headers).get_data(as_text=True)
    assert "receiver says no" not in body and "elsewhere" not in body and "127.0.0.1:9" not in body
    [entry] = json.loads(body)["items"]
    assert [(a["response_code"], a["error"]) for a in entry["attempt_log"]] == [
        (500, "HTTP 500"), (302, "HTTP 302: redirects are not followed")]
    assert all(isinstance(a["duration_ms"], int) for a in entry["attempt_log"])


def test_an_organisation_has_a_bounded_number_of_endpoints(client, admin, app, monkeypatch):
    """Past the quota a new endpoint is a 422 naming the limit; deleting one makes room."""
    monkeypatch.setitem(app.config, "HAUL_NOTIFY_MAX_WEBHOOKS_PER_ORG", 2)
    made = [client.post("/api/v1/webhooks", headers=admin.headers, json=HOOK).get_json() for _ in range(2)]
    r = client.post("/api/v1/webhooks", headers=admin.headers, json=HOOK)
    assert r.status_code == 422 and r.get_json()["limit"] == 2 and "at most 2" in r.get_json()["detail"]
    client.delete(f"/api/v1/webhooks/{made[0]['id']}", headers=admin.headers)
    assert client.post("/api/v1/webhooks", headers=admin.headers, json=HOOK).status_code == 201


def test_another_organisations_webhook_is_not_found(client, admin, make_party):
    """Every webhook operation on a foreign id answers 404, and lists stay empty."""
    hook = client.post("/api/v1/webhooks", headers=admin.headers, json=HOOK).get_json()
    client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=admin.headers)
    delivery = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin.headers).get_json()["items"][0]
    other = make_party("seller", roles=("admin",))
    base = f"/api/v1/webhooks/{hook['id']}"
    for method, url in (("GET", base), ("PATCH", base), ("DELETE", base), ("POST", f"{base}/rotate-secret"),
                        ("POST", f"{base}/ping"), ("GET", f"{base}/deliveries"),
                        ("POST", f"{base}/deliveries/{delivery['id']}/redeliver")):
        r = client.open(url, method=method, headers=other.headers, json={})
        assert r.status_code == 404, (method, url)
        assert "erp.example.com" not in r.get_data(as_text=True)
    assert client.get("/api/v1/webhooks", headers=other.headers).get_json()["items"] == []
    own = client.post("/api/v1/webhooks", headers=other.headers, json=HOOK).get_json()
    r = client.post(f"/api/v1/webhooks/{own['id']}/deliveries/{delivery['id']}/redeliver", headers=other.headers)
    assert r.status_code == 404  # a delivery of someone else's webhook, through one's own


def test_patch_pause_resume_and_delete(client, admin):
    """PATCH changes events and pauses; resuming forgets failures; DELETE removes it and its log."""
    hook = client.post("/api/v1/webhooks", headers=admin.headers, json=HOOK).get_json()
    url = f"/api/v1/webhooks/{hook['id']}"
    changed = client.patch(url, headers=admin.headers, json={"events": ["*"], "active": False}).get_json()
    assert changed["events"] == ["*"] and changed["active"] is False and changed["url"] == HOOK["url"]
    assert client.post(f"{url}/ping", headers=admin.headers).status_code == 409  # paused
    from server.extensions import db
    from server.models import Webhook

    db.session.get(Webhook, hook["id"]).consecutive_failures = 7
    db.session.commit()
    resumed = client.patch(url, headers=admin.headers, json={"active": True}).get_json()
    assert resumed["active"] is True and resumed["consecutive_failures"] == 0
    assert client.post(f"{url}/ping", headers=admin.headers).status_code == 202
    assert client.delete(url, headers=admin.headers).status_code == 204
    assert client.get(url, headers=admin.headers).status_code == 404


def test_ping_is_delivered_and_logged_with_each_attempt(client, admin, receiver, local_receivers_allowed):
    """A ping goes out signed; the log shows the delivery, its attempts and the answer code."""
    hook = client.post("/api/v1/webhooks", headers=admin.headers, json={**HOOK, "url": receiver.url}).get_json()
    receiver.answers = [500, 200]
    queued = client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=admin.headers)
    assert queued.status_code == 202 and queued.get_json()["status"] == "pending"
    now = utcnow()
    deliver_due(now, settings=LOCAL)
    from datetime import timedelta

    deliver_due(now + timedelta(seconds=15), settings=LOCAL)
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin.headers).get_json()
    [entry] = log["items"]
    assert entry["event"] == "ping" and entry["status"] == "delivered" and entry["attempts"] == 2
    assert [(a["number"], a["ok"], a["response_code"]) for a in entry["attempt_log"]] == [(1, False, 500), (2, True, 200)]
    assert entry["attempt_log"][0]["error"].startswith("HTTP 500")
    assert signing.verify(hook["secret"], receiver.received[-1].headers["Haul-Signature"], receiver.received[-1].body,
                          now=(now + timedelta(seconds=15)).timestamp())
    assert entry["event_id"] == receiver.received[-1].headers["Haul-Event-Id"]
    failed_only = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries?status=failed", headers=admin.headers)
    assert failed_only.get_json()["total"] == 0


def test_redelivery_sends_the_same_event_again(client, admin, receiver, local_receivers_allowed):
    """Redeliver queues a new delivery with the same event id and body."""
    hook = client.post("/api/v1/webhooks", headers=admin.headers, json={**HOOK, "url": receiver.url}).get_json()
    first = client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=admin.headers).get_json()
    deliver_due(utcnow(), settings=LOCAL)
    again = client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{first['id']}/redeliver", headers=admin.headers)
    assert again.status_code == 202 and again.get_json()["id"] != first["id"]
    assert again.get_json()["event_id"] == first["event_id"]
    deliver_due(utcnow(), settings=LOCAL)
    assert [r.body for r in receiver.received][0] == receiver.received[1].body
    assert client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/99999999999/redeliver",
                       headers=admin.headers).status_code == 404


def test_rotating_the_secret_signs_later_deliveries_with_the_new_one(client, admin, receiver, local_receivers_allowed):
    """After rotation the answer shows a new secret once; deliveries verify with it and not the old one."""
    hook = client.post("/api/v1/webhooks", headers=admin.headers, json={**HOOK, "url": receiver.url}).get_json()
    rotated = client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=admin.headers)
    assert rotated.status_code == 200
    new = rotated.get_json()["secret"]
    assert new != hook["secret"] and rotated.get_json()["secret_prefix"] == new[:10]
    client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=admin.headers)
    now = utcnow()
    deliver_due(now, settings=LOCAL)
    got = receiver.received[0]
    assert signing.verify(new, got.headers["Haul-Signature"], got.body, now=now.timestamp())
    assert not signing.verify(hook["secret"], got.headers["Haul-Signature"], got.body, now=now.timestamp())


def test_the_event_kinds_are_listed(client, admin):
    """GET /webhooks/kinds lists every subscribable kind."""
    from server.notify.kinds import KINDS

    assert client.get("/api/v1/webhooks/kinds", headers=admin.headers).get_json()["kinds"] == list(KINDS)
