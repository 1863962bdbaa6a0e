"""Device secrets hashed the way Mosquitto checks them, so one hash serves the broker and the API.

Mosquitto 2 password files hold ``username:$7$<iterations>$<salt b64>$<hash b64>``: PBKDF2 with
HMAC-SHA512, a 12-byte salt and a 64-byte key (what ``mosquitto_passwd`` writes). Haul stores
exactly that string in ``DeviceCredential.secret_hash``, so the generated password file is a
copy of the column and `verify_secret` checks the same secret for the OsmAnd HTTP endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

ITERATIONS = 101  # mosquitto_passwd's default; the secrets are random 32-byte tokens, not passwords
SALT_BYTES = 12
KEY_BYTES = 64


def hash_secret(secret: str, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """The Mosquitto ``$7$`` hash of ``secret``."""
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    key = hashlib.pbkdf2_hmac("sha512", secret.encode(), salt, iterations, KEY_BYTES)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def is_mosquitto_hash(value: str) -> bool:
    parts = value.split("$")
    return len(parts) == 5 and parts[0] == "" and parts[1] == "7" and parts[2].isdigit()


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches a ``$7$`` hash (False for any other or malformed hash)."""
    if not is_mosquitto_hash(stored):
        return False
    _, _, iterations, salt_b64, key_b64 = stored.split("$")
    try:
        salt, key = base64.b64decode(salt_b64), base64.b64decode(key_b64)
    except ValueError:
        return False
    if not 0 < int(iterations) <= 1_000_000:
        return False
    candidate = hashlib.pbkdf2_hmac("sha512", secret.encode(), salt, int(iterations), len(key))
    return hmac.compare_digest(candidate, key)


def new_secret() -> str:
    """A random device secret (shown once)."""
    return secrets.token_urlsafe(32)
