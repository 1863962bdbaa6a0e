"""The process entry points tune the garbage collector; building an app alone does not."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

from server.gc_tuning import GC_YOUNG_THRESHOLD, tune_gc

_REPORT = "import gc, json; print(json.dumps([gc.get_freeze_count(), gc.get_threshold()[0]]))"


def test_tune_gc_freezes_start_up_objects_and_raises_the_young_threshold():
    """After tune_gc the loaded objects are frozen and young collections are rarer."""
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def _in_fresh_python(tmp_path, code: str) -> list[int]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MQTT_URL", "REDIS_URL", "HAUL_ENV")}
    env["HAUL_INSTANCE_DIR"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", f"{code}\n{_REPORT}"], env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_wsgi_entry_point_serves_with_a_tuned_collector(tmp_path):
    """gunicorn's ``server.wsgi:app`` is a Flask app, built with the collector tuned for serving."""
    frozen, young = _in_fresh_python(tmp_path, "from server.wsgi import app\nassert app.name == 'server.app'")
    assert frozen > 1000 and young == GC_YOUNG_THRESHOLD


def test_create_app_alone_keeps_pythons_defaults(tmp_path):
    """A process that only builds apps (a test run) keeps the default collector: nothing frozen."""
    frozen, young = _in_fresh_python(tmp_path, "from server.app import create_app\ncreate_app()")
    assert frozen == 0 and young == _in_fresh_python(tmp_path, "pass")[1] < GC_YOUNG_THRESHOLD
