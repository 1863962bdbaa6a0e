"""Settings file, CJK font lookup, the dock chime, offline tracking and the catalogs, without Kivy."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from driver_app.core.app_state import DriverDay
from driver_app.core.clock import ManualClock
from driver_app.core.position_outbox import PositionOutbox
from driver_app.core.publish_policy import PolicySettings
from driver_app.core.simulated_gps import SimulatedGps
from driver_app.core.validation import FormInvalid
from driver_app.fonts import NoCjkFont, find_cjk_font
from driver_app.glue.dock_sound import write_chime
from driver_app.glue.settings_store import DriverSettings, SettingsStore, with_gps
from driver_app.glue.tracking_glue import DEMO_ROUTE, Tracker

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "driver_app" / "locale"


def test_settings_survive_a_round_trip_and_a_damaged_file_gives_defaults(tmp_path):
    """Saved settings load back; garbage or an unknown language falls back to the defaults."""
    store = SettingsStore(tmp_path / "settings.json")
    store.save(DriverSettings(language="zh_CN", server_url="https://haul.example", gps_interval_s=20.0))
    assert store.load().language == "zh_CN" and store.load().gps_interval_s == 20.0
    (tmp_path / "settings.json").write_text("{not json")
    assert store.load() == DriverSettings()
    (tmp_path / "settings.json").write_text('{"language": "tlh", "bogus": 1}')
    assert store.load() == DriverSettings()


def test_gps_settings_outside_their_range_name_the_field():
    """A distance of -1 m and an interval of 'often' are both refused, field by field."""
    with pytest.raises(FormInvalid) as caught:
        with_gps(DriverSettings(), "often", "-1")
    assert [name for name, _ in caught.value.errors] == ["gps_interval_s", "gps_distance_m"]
    assert with_gps(DriverSettings(), "2,5", "0").gps_interval_s == 2.5


def test_a_cjk_font_is_found_and_a_bad_override_is_refused(monkeypatch, tmp_path):
    """An installed CJK font is found; HAUL_CJK_FONT naming no file is an error, not a silent box font."""
    regular, _bold = find_cjk_font()
    assert Path(regular).is_file()
    monkeypatch.setenv("HAUL_CJK_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(NoCjkFont):
        find_cjk_font()
    monkeypatch.delenv("HAUL_CJK_FONT")
    with pytest.raises(NoCjkFont):
        find_cjk_font(candidates=[(str(tmp_path / "none.ttc"), None)])


def test_the_dock_chime_is_a_half_second_wav(tmp_path):
    """The generated chime is a mono 16-bit WAV of two quarter-second tones."""
    path = write_chime(tmp_path / "chime.wav")
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        assert wav.getnframes() / wav.getframerate() == pytest.approx(0.5, abs=0.01)


def test_offline_tracking_fills_the_outbox_and_stamps_forms(tmp_path):
    """Without MQTT credentials, accepted fixes wait on disk and the day counts them."""
    day = DriverDay()
    tracker = Tracker(PositionOutbox(tmp_path / "o.sqlite"), day, PolicySettings(interval_s=5, min_distance_m=10))
    gps = SimulatedGps(list(DEMO_ROUTE[:2]), speed_mps=30, interval_s=1, clock=ManualClock())
    tracker.start(gps)
    assert gps.join(timeout=10)
    tracker.stop()
    assert day.positions_waiting == tracker.positions.count() > 10
    stamp = tracker.stamp()
    assert stamp["position"]["lat"] == pytest.approx(DEMO_ROUTE[1][0]) and stamp["recorded_at"]


def test_every_message_has_a_chinese_translation():
    """The zh_CN catalog translates every msgid of the template, with nothing left fuzzy."""
    with open(LOCALE / "zh_CN" / "LC_MESSAGES" / "haul_driver.po", "rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy
                                                       or (isinstance(m.string, tuple) and not all(m.string)))]
    assert not untranslated


def test_the_template_holds_every_string_of_the_screens_and_the_core(tmp_path):
    """Extracting again (Python and .kv) finds no msgid missing from the committed template."""
    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-c", "from babel.messages.frontend import main; main()", "-q", "extract", "-F",
                    str(LOCALE / "babel.cfg"), "-k", "Msg", "-k", "N_", "-k", "plural:1,2", "-k", "_",
                    "--no-default-keywords", "--no-location", "-o", str(out), "driver_app"],
                   cwd=ROOT, check=True, capture_output=True, timeout=60)
    with open(out, "rb") as f:
        fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with open(LOCALE / "haul_driver.pot", "rb") as f:
        committed = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert fresh - committed == set()
    assert {"Go to dock {dock}", "Pull down to refresh.", "Confirm delivery"} <= fresh


def test_the_controller_and_its_helpers_never_import_kivy():
    """The glue the screens call runs without Kivy (tests and tools use it headless)."""
    modules = ["controller", "explain", "load_view", "settings_store", "submissions", "tracking_glue", "alerts"]
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module('driver_app.glue.' + m)\n"
            "assert not [m for m in sys.modules if m.split('.')[0] == 'kivy']\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
