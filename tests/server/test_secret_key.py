"""The signing key: never a published one; made once per instance, private to its owner, and reused."""

import stat

import pytest
from flask.sessions import SecureCookieSessionInterface

from server.config import ConfigError, load_config

OLD_DEV_KEY = "dev-insecure-change-me"  # the key server/config.py used to publish


def forge_session_cookie(app, user_id: int, key: str = OLD_DEV_KEY) -> str:
    """A session cookie for ``user_id`` signed with ``key``, as an outsider would make it."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    serializer.secret_keys = [key.encode()]  # itsdangerous >= 2: the keys it signs with
    return serializer.dumps({"_user_id": str(user_id), "_fresh": True})


@pytest.fixture
def no_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("HAUL_ENV", raising=False)
    monkeypatch.setenv("HAUL_INSTANCE_DIR", str(tmp_path))
    return tmp_path


def test_without_secret_key_a_private_random_key_is_made_once_and_reused(no_secret):
    """The key file is 0600 in the instance folder, and a second start reads the same key."""
    first = load_config()["SECRET_KEY"]
    key_file = no_secret / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first != OLD_DEV_KEY and len(first) >= 32
    assert load_config()["SECRET_KEY"] == first


def test_two_apps_on_one_instance_folder_sign_alike(no_secret):
    """Two create_app() on one instance folder share the key: a cookie from one is good in the other."""
    from server.app import create_app

    url = f"sqlite:///{no_secret / 'k.db'}"
    settings = {"SQLALCHEMY_DATABASE_URI": url, "WEBHOOK_THREAD": False}  # no tables: no delivery rounds
    one, two = create_app(settings), create_app(settings)
    assert one.secret_key == two.secret_key
    assert (no_secret / "secret_key").read_text().strip() == one.secret_key


def test_production_still_needs_an_explicit_key(no_secret, monkeypatch):
    """Production processes must share one key, so none is made up for them."""
    monkeypatch.setenv("HAUL_ENV", "production")
    with pytest.raises(ConfigError):
        load_config()
    assert not (no_secret / "secret_key").exists()


def test_a_cookie_signed_with_the_old_development_key_is_refused(client, make_party):
    """The outsider's forged admin cookie (the once public dev key) signs nobody in."""
    admin = make_party("platform", roles=("admin",))
    client.set_cookie("session", forge_session_cookie(client.application, admin.user.id))
    assert client.get("/api/v1/auth/me").status_code == 401
    client.set_cookie("session", forge_session_cookie(client.application, admin.user.id,
                                                      client.application.secret_key))
    # Even signed with the right key, a cookie without the session generation of a real sign-in is refused.
    assert client.get("/api/v1/auth/me").status_code == 401
