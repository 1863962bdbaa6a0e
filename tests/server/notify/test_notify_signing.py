"""The Stripe-style signature scheme, as a receiver would check it."""

import hashlib
import hmac

from server.notify import signing


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    """v1 is the hex HMAC-SHA256 of '<t>.<body>' with the secret as key."""
    header = signing.signature_header("whsec_k", 1700000000, b'{"a":1}')
    expected = hmac.new(b"whsec_k", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_verify_accepts_any_matching_v1_and_refuses_old_or_malformed_headers():
    """One matching v1 among several passes; stale, missing or garbled headers fail."""
    body = b"{}"
    good = signing.compute("whsec_k", 100, body)
    assert signing.verify("whsec_k", f"t=100,v1={'0' * 64},v1={good}", body, now=150)
    assert not signing.verify("whsec_k", f"t=100,v1={good}", body, now=100 + signing.DEFAULT_TOLERANCE_S + 1)
    for header in ("", "garbage", f"v1={good}", "t=100", f"t=abc,v1={good}"):
        assert not signing.verify("whsec_k", header, body, now=100)


def test_new_secrets_are_prefixed_and_unique():
    """Secrets carry the whsec_ prefix, are long and never repeat."""
    secrets = {signing.new_secret() for _ in range(50)}
    assert len(secrets) == 50 and all(s.startswith("whsec_") and len(s) > 40 for s in secrets)
