"""UI scenario against a real ``haul serve``: pair the phone with a dispatcher's code and land on Today.

A malformed code is a field error, a well-formed code nobody made is refused with the reason,
the pairing link (what the QR code holds) pairs with an empty server field because the link
names its server, and the same code a second time is refused as used, in both languages.
Run by test_driver_ui_pairing.py as ``python scenario_pairing.py ARTIFACTS SERVER_URL PAIR_URL CODE``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_harness import start_app  # noqa: E402


def main(artifacts: Path, server: str, pair_url: str, code: str) -> None:
    d = start_app(artifacts, server_url=server)
    app = d.app
    from driver_app.glue.translation import tr

    d.on_screen("signin")
    s = d.screen

    def pair(text: str, server_url: str = server) -> str:
        d.type_into(s.ids.server_url, server_url)
        d.type_into(s.ids.pairing_code, text)
        d.scroll_to(s.ids.pair)
        d.tap(s.ids.pair)
        d.idle_network()
        return tr.render(s.message)

    assert not s.can_scan and s.ids.scan.disabled  # the desktop's platform has no QR scanner
    s.scan()  # were it pressed anyway: nothing scanned, and the driver is told to type the code
    d.wait(lambda: s.message is not None, "the nothing-scanned message")
    assert "type the pairing code" in tr.render(s.message), s.message

    seen = {"malformed": pair("PAIR-1234")}
    assert "pairing_code" in s.field_errors, s.field_errors
    seen["wrong"] = pair("ZZZZZ-ZZZZZ")
    d.shots_both_languages("pairing-refused")
    pair(pair_url, server_url="")  # what a scan puts in the field; the server comes from the link

    d.on_screen("today")
    d.idle_network()
    seen["paired_as"] = app.controller.day.user.name
    seen["screen"] = app.manager.current
    assert d.screen.message is None, d.screen.message  # the phone's token reads the day's loads
    assert app.controller.settings.server_url == server, app.controller.settings
    d.shots_both_languages("paired-today")

    app.show("settings")
    d.on_screen("settings")
    d.tap(d.ids("sign_out"))
    d.on_screen("signin")
    s = d.screen
    seen["reused"] = pair(code)
    app.set_language("zh_CN")
    d.frames(3)
    seen["reused_zh"] = tr.render(s.message)
    app.set_language("en")

    (artifacts / "summary-pairing.json").write_text(json.dumps({"seen": seen, "screenshots": d.shots}, indent=1))
    app.stop()
    app.on_stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:5])
