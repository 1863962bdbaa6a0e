"""UI scenario against a real ``haul serve``: bad input, sign-in, and what the server has today.

A wrong server address, an address that is not a Haul server, an invalid address, empty
and wrong credentials each show a clear message; the demo carrier then signs in, and Today
and the load board show the server's data or "not available on this server", never a crash.
A pairing code no dispatcher made says so (scenario_pairing.py pairs for real). Run by
test_driver_ui_real_server.py as ``python scenario_real_server.py ARTIFACTS SERVER_URL``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_harness import gl_facts, start_app  # noqa: E402

EMAIL, PASSWORD = "dispatch@weber.demo", "haul-demo-2026"


def main(artifacts: Path, server: str) -> None:
    d = start_app(artifacts, server_url=server)
    app = d.app
    from driver_app.glue.load_view import NOT_AVAILABLE
    from driver_app.glue.translation import tr

    facts = gl_facts()
    d.on_screen("signin")
    s = d.screen

    def sign_in(url: str, email: str, password: str) -> str:
        d.type_into(s.ids.server_url, url)
        d.type_into(s.ids.email, email)
        d.type_into(s.ids.password, password)
        d.tap(s.ids.sign_in)
        d.idle_network()
        return tr.render(s.message)

    seen = {}
    seen["refused"] = sign_in("http://127.0.0.1:9", EMAIL, PASSWORD)
    assert "Cannot reach the server" in seen["refused"], seen
    seen["invalid"] = sign_in("http://127.0.0.1:99999", EMAIL, PASSWORD)
    assert "not valid" in seen["invalid"], seen
    seen["not_haul"] = sign_in(server + "/not-haul", EMAIL, PASSWORD)
    assert "No Haul server" in seen["not_haul"], seen
    sign_in(server, EMAIL, "")
    assert "password" in s.field_errors, s.field_errors
    seen["wrong_password"] = sign_in(server, EMAIL, "not-the-password")
    assert "Sign-in failed" in seen["wrong_password"], seen
    app.set_language("zh_CN")
    d.frames(3)
    assert "登录失败" in tr.render(s.message), tr.render(s.message)  # the same error, in Chinese
    d.shot("real-signin-error")
    app.set_language("en")
    sign_in(server, EMAIL, PASSWORD)

    d.on_screen("today")
    d.idle_network()
    today = d.screen
    loads = app.controller.day.assignments
    assert today.message in (None, NOT_AVAILABLE), today.message
    seen["today"] = "not available" if today.message is NOT_AVAILABLE else f"{len(loads)} loads"
    d.shots_both_languages("real-today")

    app.show("board")
    d.on_screen("board")
    d.idle_network()
    board = d.screen
    assert board.message in (None, NOT_AVAILABLE), board.message
    seen["board"] = "not available" if board.message is NOT_AVAILABLE else f"{len(board.ids.tenders.children)} tenders"
    d.shots_both_languages("real-board")

    app.show("settings")
    d.on_screen("settings")
    d.tap(d.ids("sign_out"))
    d.on_screen("signin")
    s = d.screen
    d.type_into(s.ids.server_url, server)
    d.type_into(s.ids.pairing_code, "ZZZZZ-ZZZZZ")  # well formed, but no dispatcher made it
    d.scroll_to(s.ids.pair)
    d.tap(s.ids.pair)
    d.idle_network()
    seen["pairing"] = tr.render(s.message)
    assert "This pairing code is not valid" in seen["pairing"], seen

    (artifacts / "summary-real-server.json").write_text(json.dumps({"gl": facts, "seen": seen,
                                                                    "screenshots": d.shots}, indent=1))
    app.stop()
    app.on_stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
