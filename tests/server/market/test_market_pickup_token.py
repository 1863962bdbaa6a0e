"""Signed, expiring pickup tokens."""

from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from server.market.pickup_token import (
    SALT,
    PickupClaims,
    TokenRefused,
    binding_mismatch,
    normalise_plate,
    sign,
    verify,
)

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
CLAIMS = PickupClaims("jti-1", load_id=7, carrier_id=3, driver_id=11, plate="DUAB123",
                      exp=int((NOW + timedelta(hours=2)).timestamp()))


def _refusal(secret, token, now=NOW):
    with pytest.raises(TokenRefused) as exc:
        verify(secret, token, now)
    return exc.value.reason


def test_a_signed_token_verifies_to_its_claims():
    """What was signed comes back unchanged before the expiry."""
    assert verify("s3cret", sign("s3cret", CLAIMS), NOW) == CLAIMS


def test_forgeries_are_refused():
    """Another key, another salt, a changed payload or garbage: all 'forged'."""
    token = sign("s3cret", CLAIMS)
    assert _refusal("other", token) == "forged"
    assert _refusal("s3cret", URLSafeTimedSerializer("s3cret", salt="else").dumps({"jti": "x"})) == "forged"
    payload, rest = token.split(".", 1)
    assert _refusal("s3cret", payload[:-2] + "xy." + rest) == "forged"
    assert _refusal("s3cret", "garbage") == "forged"


def test_expired_and_malformed_tokens_are_refused():
    """Past ``exp`` the token is 'expired'; empty, oversized or incomplete ones are 'malformed'."""
    assert _refusal("s3cret", sign("s3cret", CLAIMS), NOW + timedelta(hours=2)) == "expired"
    assert _refusal("s3cret", "") == "malformed" and _refusal("s3cret", "x" * 5000) == "malformed"
    partial = URLSafeTimedSerializer("s3cret", salt=SALT).dumps({"jti": "x"})
    assert _refusal("s3cret", partial) == "malformed"


def test_binding_checks_name_the_first_mismatch():
    """Load, carrier, driver and plate must match what the gate sees; plates compare loosely."""
    assert binding_mismatch(CLAIMS, load_id=7, plate="du-ab 123", driver_id=11, carrier_id=3) is None
    assert binding_mismatch(CLAIMS, load_id=8).reason == "wrong_load"
    assert binding_mismatch(CLAIMS, carrier_id=4).reason == "wrong_carrier"
    assert binding_mismatch(CLAIMS, driver_id=12).reason == "wrong_driver"
    assert binding_mismatch(CLAIMS, plate="DU-AB-124").reason == "wrong_plate"
    assert normalise_plate(" k-ln 42 ") == "KLN42"


def test_the_same_authorization_signs_to_the_same_token_at_any_time(monkeypatch):
    """Before: the token carried the signing second, so the QR of one authorization changed each time
    it was shown (and a CI run saw the token differ before and after the manager's approval)."""
    import time

    first = sign("s" * 32, CLAIMS)
    monkeypatch.setattr(time, "time", lambda: 4_000_000_000.0)
    assert sign("s" * 32, CLAIMS) == first
    assert verify("s" * 32, first, NOW) == CLAIMS


def test_a_token_signed_before_the_change_still_verifies():
    """Tokens already printed or on a phone, in the earlier timestamped form, keep working until they expire."""
    from dataclasses import asdict

    older = URLSafeTimedSerializer("s" * 32, salt=SALT).dumps(asdict(CLAIMS))
    assert verify("s" * 32, older, NOW) == CLAIMS
