"""The session kept on the phone: round trip, owner-only file, and signed out when damaged or expired."""

from __future__ import annotations

import stat
from datetime import UTC, datetime

from driver_app.core.api_models import MqttSettings, PairedDriver, User
from driver_app.core.session_store import SavedSession, SessionStore

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MQTT = MqttSettings("mqtt://broker.example:1883", "dev-7", "s3cret", "7", "3")


def test_a_paired_phone_and_a_signed_in_user_both_come_back_as_they_were(tmp_path):
    store = SessionStore(tmp_path / "session.json")
    paired = SavedSession("https://haul.example", "tok-1", "2026-12-23T14:00:00+00:00",
                          PairedDriver("3", "Ana", "5"), MQTT)
    store.save(paired)
    assert store.load(NOW) == paired
    user = SavedSession("https://haul.example", "tok-2", "2026-11-24T22:00:00Z", User("9", "Bo", "5", ("driver",)))
    store.save(user)
    assert store.load(NOW) == user
    assert stat.S_IMODE((tmp_path / "session.json").stat().st_mode) == 0o600  # the token is a key to the account


def test_an_expired_or_damaged_session_is_signed_out_and_forgotten(tmp_path):
    store = SessionStore(tmp_path / "session.json")
    store.save(SavedSession("https://haul.example", "tok", "2026-11-23T11:59:00+00:00", PairedDriver("3", "Ana", "5")))
    assert store.load(NOW) is None and not store.path.exists()
    store.path.write_text('{"server_url": "x", "token": ')
    assert store.load(NOW) is None and not store.path.exists()
    assert store.load(NOW) is None  # nothing there at all


def test_an_unreadable_expiry_is_left_to_the_server(tmp_path):
    store = SessionStore(tmp_path / "session.json")
    kept = SavedSession("https://haul.example", "tok", "", PairedDriver("3", "Ana", "5"))
    store.save(kept)
    assert store.load(NOW) == kept
