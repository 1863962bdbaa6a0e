"""Password guessing is braked per account and per address (429 + Retry-After); unknown e-mails cost the same."""

import re
import types
import uuid

import pytest
import redis

from server.auth import sign_in
from server.auth.shared_brake import RedisFailureBrake, failure_brake
from server.tracking.failure_brake import FailureBrake
from tests.conftest import TEST_PASSWORD


def _guess_30_times(post):
    answers = [post(f"wrong-password-{i}") for i in range(30)]
    assert answers[0].status_code in (401, 422)  # the API's 401, the form's page with the error
    return answers


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/auth/token"])
def test_30_wrong_passwords_brake_the_account_before_the_right_one_gets_in(client, make_party, path):
    """After wrong guesses the API answers 429 with Retry-After, and then refuses the right password too."""
    email = make_party("buyer").user.email
    answers = _guess_30_times(lambda pw: client.post(path, json={"email": email, "password": pw}))
    braked = [a for a in answers if a.status_code == 429]
    assert braked and int(braked[0].headers["Retry-After"]) > 0
    assert braked[0].mimetype == "application/problem+json" and braked[0].get_json()["reason"] == "too_many_attempts"
    right = client.post(path, json={"email": email, "password": TEST_PASSWORD})
    assert right.status_code == 429 and "Retry-After" in right.headers


def test_the_sign_in_form_is_braked_too(client, make_party):
    """The HTML sign-in form answers 429 with Retry-After and says when to try again, in Chinese too."""
    email = make_party("seller").user.email

    def post(password):
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get("/login").get_data(as_text=True)).group(1)
        return client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    _guess_30_times(post)
    right = post(TEST_PASSWORD)
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in right.get_data(as_text=True)
    client.get("/login?lang=zh_CN")
    assert "登录失败次数过多" in post(TEST_PASSWORD).get_data(as_text=True)


def test_many_accounts_from_one_address_brake_the_address(client, make_party):
    """Spraying one password over many e-mails from one address is braked by the address."""
    statuses = [client.post("/api/v1/auth/login", json={"email": f"{uuid.uuid4().hex[:8]}@nobody.test",
                                                        "password": "Winter2026!"}).status_code for _ in range(31)]
    assert statuses[0] == 401 and statuses[-1] == 429
    party = make_party("buyer")
    assert client.post("/api/v1/auth/login", json={"email": party.user.email,
                                                   "password": TEST_PASSWORD}).status_code == 429


def test_another_address_is_not_braked_by_a_guesser(client, make_party):
    """One address guessing at one account leaves other accounts alone from other addresses."""
    victim, other = make_party("buyer"), make_party("buyer")
    for i in range(12):
        client.post("/api/v1/auth/login", json={"email": victim.user.email, "password": f"x{i}"})
    assert client.post("/api/v1/auth/login", json={"email": other.user.email, "password": TEST_PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 200


def test_an_unknown_email_costs_one_password_check_like_a_known_one(client, make_party, monkeypatch):
    """The dummy hash is checked for an unknown e-mail, so answer times do not tell which accounts exist."""
    checked = []
    real = sign_in.check_password_hash
    monkeypatch.setattr(sign_in, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    party = make_party("buyer")
    assert client.post("/api/v1/auth/login", json={"email": party.user.email, "password": "nope"}).status_code == 401
    assert client.post("/api/v1/auth/login", json={"email": "ghost@nowhere.test",
                                                   "password": "nope"}).status_code == 401
    assert len(checked) == 2
    assert checked[1].split("$")[0] == checked[0].split("$")[0]  # same method and cost


def test_the_redis_brake_is_shared_between_processes():
    """Two brakes on one Redis (two server processes) count the same failures and lift together."""
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    prefix = f"haul-test-{uuid.uuid4().hex[:8]}"
    one, two = (RedisFailureBrake(client, prefix, limit=3, window_s=60) for _ in range(2))
    one.failed("account:a@b.test")
    two.failed("account:a@b.test")
    assert one.retry_after("account:a@b.test") == 0
    assert one.failed("account:a@b.test") is True
    assert 0 < two.retry_after("account:a@b.test") <= 61
    assert two.retry_after("account:other@b.test") == 0
    client.delete(f"{prefix}:account:a@b.test")


def test_the_brake_is_in_redis_when_configured_and_in_memory_otherwise():
    """REDIS_URL picks the shared brake; without it the process keeps its own."""
    shared = types.SimpleNamespace(config={"REDIS_URL": "redis://127.0.0.1:6379/0"}, extensions={})
    local = types.SimpleNamespace(config={"REDIS_URL": ""}, extensions={})
    assert isinstance(failure_brake(shared, "login-account", 10, 900), RedisFailureBrake)
    assert isinstance(failure_brake(local, "login-account", 10, 900), FailureBrake)


def test_a_redis_outage_falls_back_to_this_process():
    """With Redis away the brake still counts, in memory, instead of failing every sign-in."""
    away = RedisFailureBrake(redis.Redis(host="127.0.0.1", port=1, socket_timeout=0.2), "x", limit=2, window_s=60)
    away.failed("k")
    away.failed("k")
    assert away.retry_after("k") > 0
