"""Device secrets are hashed the way Mosquitto and the OsmAnd endpoint check them."""

from __future__ import annotations

from server.broker.passwords import hash_secret, verify_secret


def test_password_hash_is_what_mosquitto_passwd_writes():
    """hash_secret produces $7$ PBKDF2-SHA512 hashes that verify, and wrong secrets do not."""
    stored = hash_secret("s3cret")
    assert stored.startswith("$7$101$")
    assert verify_secret("s3cret", stored) and not verify_secret("S3cret", stored)
    assert not verify_secret("s3cret", "pbkdf2:sha256:1000$x$y")
