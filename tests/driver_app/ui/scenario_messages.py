"""UI scenario (issue 18): the driver's Messages list and its badge, in a real offscreen window.

sign in (stub API) -> Today -> two inbox messages arrive on a network thread, as paho delivers them
(a slot moved, then a pickup authorization withdrawn) -> the Today button reads "Messages (2)" ->
Messages lists both, newest first, with the time on the plant's clock (screenshots en/zh to
docs/img/driver-app-messages-*.png) -> back on Today the button reads "Messages" -> tapping the
slot message opens its load. Run by test_driver_ui_messages.py as ``python scenario_messages.py ARTIFACTS``.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stub_haul_api import StubHaulApi  # noqa: E402
from ui_harness import gl_facts, start_app  # noqa: E402

DOCS_IMG = Path(__file__).resolve().parents[3] / "docs" / "img"
SLOT_MOVED = {"_type": "replan", "v": 1, "load_id": 101, "reference": "LD-4711", "why": "moved",
              "previous": {"start_local": "2026-12-09T08:00:00+01:00"},
              "appointment": {"dock_name": "D2", "start_local": "2026-12-09T09:37:00+01:00", "abbr": "CET",
                              "timezone": "Europe/Berlin"}}
WITHDRAWN = {"_type": "authorization_withdrawn", "v": 1, "load_id": 102, "reference": "LD-4712",
             "reason": "revoked"}


def main(artifacts: Path) -> None:
    with StubHaulApi() as api:
        d = start_app(artifacts, server_url=api.url)
        app = d.app
        from driver_app.core.inbox import bind_inbox
        from driver_app.glue.translation import tr

        facts = gl_facts()
        seen: dict = {}
        d.on_screen("signin")
        s = d.screen
        d.type_into(s.ids.email, "driver@weber.demo")
        d.type_into(s.ids.password, "right-password")
        d.tap(s.ids.sign_in)
        d.idle_network()
        d.on_screen("today")
        d.idle_network()
        today = d.screen
        assert today.ids.messages.text == "Messages", today.ids.messages.text

        # -- two inbox messages, delivered on a network thread as paho does ---------------------
        class Inbox:
            handlers: dict = {}

            def on_inbox(self, kind, handler):
                self.handlers[kind] = handler

        inbox = Inbox()
        bind_inbox(inbox, app.controller.day, app.controller.notices)
        for message in (SLOT_MOVED, WITHDRAWN):
            thread = threading.Thread(target=inbox.handlers[message["_type"]], args=(message,))
            thread.start()
            thread.join()
        seen["badge_before"] = d.wait(lambda: today.ids.messages.text if "2" in today.ids.messages.text else "",
                                      "the badge counting two unread messages")
        d.shots_both_languages("messages-badge")

        # -- the list: newest first, with the plant's time ------------------------------------------
        d.tap(today.ids.messages)
        d.on_screen("messages")
        screen = d.screen
        rows = list(reversed(screen.ids.list.children))
        seen["texts"] = [tr.render(row.text) for row in rows]
        seen["times"] = [row.when for row in rows]
        seen["loads"] = [row.load_name for row in rows]
        seen["unread_shown"] = [row.unread for row in rows]
        d.shots_both_languages("messages")
        app.set_language("zh_CN")
        d.frames(3)
        seen["texts_zh"] = [tr.render(row.text) for row in rows]
        seen["badge_zh"] = tr._("Messages ({n})")
        app.set_language("en")
        d.frames(3)
        for lang in ("en", "zh"):
            shutil.copy(artifacts / f"driver-messages-{lang}.png", DOCS_IMG / f"driver-app-messages-{lang}.png")

        # -- back on Today: read, so no count; a message opens its load ----------------------------
        d.tap(screen.ids.back)
        d.on_screen("today")
        seen["badge_after"] = today.ids.messages.text
        d.tap(today.ids.messages)
        d.on_screen("messages")
        slot_row = next(row for row in d.screen.ids.list.children if row.load_name == "LD-4711")
        d.tap(slot_row)
        d.on_screen("load")
        d.idle_network()
        seen["opened_load"] = app.controller.day.load["reference"]

        summary = {"gl": facts, "screenshots": d.shots, "seen": seen}
        (artifacts / "summary-messages.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
        app.stop()
        app.on_stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
