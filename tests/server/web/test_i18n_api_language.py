"""The API answers refusals in the caller's language: a Chinese user reads Chinese details and field
messages (bearer token or cookie), an English user English; the codes and paths stay the same."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from server import clock
from server.extensions import db
from server.models import User, YardVisit
from tests.conftest import TEST_PASSWORD
from tests.server.yard.yard_factory import MONDAY, authorize, make_load, make_plant

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}")  # three English words in a row


def speaks(user_id: int, language: str) -> None:
    db.session.get(User, user_id).language = language
    db.session.commit()


def texts(body: dict) -> list[str]:
    return [body["detail"], *(error["message"] for error in body.get("errors", []))]


def assert_in_language(body: dict, language: str) -> None:
    for text in texts(body):
        if language == "zh_CN":
            assert CJK.search(text) and not ENGLISH_SENTENCE.search(text), body
        else:
            assert not CJK.search(text) and re.search(r"[A-Za-z]+ [A-Za-z]+", text), body


LANGUAGES = pytest.mark.parametrize("language", ["zh_CN", "en"])


@LANGUAGES
def test_field_errors_not_found_and_a_named_permission(client, make_party, language):
    """marshmallow's own messages, a 404 and a 403 that names the permission, in the user's language."""
    seller = make_party("seller")
    speaks(seller.user.id, language)
    r = client.post("/api/v1/orders", headers=seller.headers, json={"buyer_id": "many", "reference": "R-1"})
    body = r.get_json()
    assert r.status_code == 422 and {e["path"] for e in body["errors"]} >= {"buyer_id", "lines"}
    assert_in_language(body, language)
    if language == "zh_CN":
        assert "不是有效的整数。" in [e["message"] for e in body["errors"]]
        assert "缺少必填字段。" in [e["message"] for e in body["errors"]]
    r = client.get("/api/v1/orders/987654", headers=seller.headers)
    assert r.status_code == 404
    assert_in_language(r.get_json(), language)
    assert r.get_json()["title"] == ("未找到" if language == "zh_CN" else "Not Found")  # the title too
    r = client.get("/api/v1/no-such-endpoint", headers=seller.headers)  # werkzeug's own 404, nobody resolved yet
    assert r.status_code == 404
    assert_in_language(r.get_json(), language)
    dispatcher = make_party("seller", roles=("dispatcher",))
    speaks(dispatcher.user.id, language)
    r = client.post("/api/v1/webhooks", headers=dispatcher.headers, json={"url": "https://erp.example.com/h"})
    body = r.get_json()
    assert r.status_code == 403 and body["permission"] == "manage_webhooks" and "manage_webhooks" in body["detail"]
    assert_in_language(body, language)


@LANGUAGES
def test_a_webhook_aimed_inward_is_refused_in_the_users_language(client, make_party, language):
    admin = make_party("seller", roles=("admin",))
    speaks(admin.user.id, language)
    r = client.post("/api/v1/webhooks", headers=admin.headers,
                    json={"url": "http://127.0.0.1/hook", "events": ["delivered"]})
    body = r.get_json()
    assert r.status_code == 422 and [e["path"] for e in body["errors"]] == ["url"]
    assert_in_language(body, language)


@pytest.fixture
def plant(ctx, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: MONDAY)
    return make_plant(docks=(("D1", "pallet_dock"), ("D2", "pallet_dock")))


@LANGUAGES
def test_yard_refusals_dock_busy_and_an_expired_pickup_pass(client, plant, language):
    """A held dock is a 409 dock_busy and an expired pass a 403 expired; only the words change."""
    speaks(plant.manager.user_id, language)
    speaks(plant.driver_user.user_id, language)
    visits = []
    for load in (make_load(plant, start=MONDAY - timedelta(hours=1)), make_load(plant, start=MONDAY)):
        visit = YardVisit(load_id=load.id, site_id=plant.site.id, status="arrived", arrived_at=MONDAY,
                          history=[{"status": "arrived", "at": MONDAY.isoformat()}])
        db.session.add(visit)
        db.session.commit()
        visits.append(visit.id)
    dock = plant.docks["D1"].id
    assert client.post(f"/api/v1/yard/visits/{visits[0]}/call", headers=plant.manager.headers,
                       json={"dock_id": dock}).status_code == 200
    r = client.post(f"/api/v1/yard/visits/{visits[1]}/call", headers=plant.manager.headers, json={"dock_id": dock})
    body = r.get_json()
    assert (r.status_code, body["reason"]) == (409, "dock_busy")
    assert_in_language(body, language)
    load = make_load(plant)
    token = authorize(client.application, plant, load, expires=MONDAY - timedelta(minutes=1))
    r = client.post("/api/v1/yard/checkin", headers=plant.driver_user.headers, json={"load_id": load.id, "token": token})
    body = r.get_json()
    assert (r.status_code, body["reason"]) == (403, "expired")
    assert_in_language(body, language)


def test_without_a_user_the_browser_language_decides(client):
    """An unknown token has no user: Accept-Language picks the words, else English."""
    bad = {"Authorization": "Bearer haul_nobody"}
    zh = client.get("/api/v1/orders", headers={**bad, "Accept-Language": "zh-CN,zh;q=0.9"}).get_json()
    assert zh["status"] == 401 and CJK.search(zh["detail"])
    assert not CJK.search(client.get("/api/v1/orders", headers=bad).get_json()["detail"])


def test_a_cookie_session_answers_in_the_users_language(client, make_party):
    """The dashboard's own fetches (cookie, no token) get the signed-in user's language too."""
    seller = make_party("seller")
    speaks(seller.user.id, "zh_CN")
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    r = client.post("/login", data={"email": seller.user.email, "password": TEST_PASSWORD, "csrf_token": csrf})
    assert r.status_code == 302
    r = client.get("/api/v1/orders/987654")
    assert r.status_code == 404 and CJK.search(r.get_json()["detail"])
