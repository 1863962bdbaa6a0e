"""Pairing from the sign-in screen's actions (controller, without Kivy) and in a real window against ``haul serve``."""

from __future__ import annotations

import json

import pytest
import requests
from stub_haul_api import PAIRING_CODE

from driver_app.core.app_state import Step
from driver_app.core.pairing import REFUSALS
from driver_app.core.validation import FormInvalid
from driver_app.glue.load_view import NOT_AVAILABLE
from driver_app.glue.session_actions import NOT_A_CODE


class Recorder:
    def __init__(self):
        self.ok, self.errors = [], []


def _pair(controller, server_url, code):
    rec = Recorder()
    controller.pair(server_url, code, rec.ok.append, rec.errors.append)
    return rec


def test_pairing_link_signs_in_with_the_links_server_and_remembers_it(controller, api):
    """The scanned link's server wins over the typed one; the driver is signed in and the address is saved."""
    rec = _pair(controller, "http://127.0.0.1:9", f"{api.url}/pair#code={PAIRING_CODE.lower()}")
    assert rec.errors == [] and len(rec.ok) == 1
    assert controller.day.step is Step.SIGNED_IN and controller.day.user.name == "Jan Kowalski"
    assert controller.settings.server_url == api.url and controller.client.base_url == api.url
    sent = json.loads(api.posts_to("/devices/pair")[0]["body"])
    assert sent["code"] == PAIRING_CODE and sent["device_name"]
    controller.refresh_today()  # the phone's token works for the day's loads
    assert controller.day.step is Step.TODAY and controller.day.assignments


def test_form_problems_are_named_before_any_call(controller, api):
    """An empty or malformed code, or a bare code without a server address, is a field error; nothing is sent."""
    for code, field, message in (("", "pairing_code", None), ("PAIR-1234", "pairing_code", NOT_A_CODE),
                                 (PAIRING_CODE, "server_url", None)):
        with pytest.raises(FormInvalid) as caught:
            controller.pair("", code)
        assert caught.value.errors[0][0] == field
        if message is not None:
            assert caught.value.errors[0][1] is message
    assert api.posts_to("/devices/pair") == []


def test_a_used_or_wrong_code_says_so_and_an_old_server_says_not_available(controller, api):
    """The server's reason becomes the driver's sentence; a server without pairing is 'not available'."""
    assert _pair(controller, api.url, PAIRING_CODE).errors == []
    controller.sign_out()
    assert _pair(controller, api.url, PAIRING_CODE).errors == [REFUSALS["used"]]
    assert _pair(controller, api.url, "ZZZZZ-ZZZZZ").errors == [REFUSALS["unknown_code"]]
    api.state.pairing_missing = True
    assert _pair(controller, api.url, "ZZZZZ-ZZZZZ").errors == [NOT_AVAILABLE]
    assert controller.day.step is Step.SIGNED_OUT


@pytest.mark.timeout(300)
def test_pairing_in_a_real_window_with_a_code_from_the_real_server(haul_server, run_scenario, ui_artifacts):
    """A dispatcher's code (made through the API) pairs the app, which lands on Today; reusing it is refused."""
    session = requests.Session()
    login = session.post(f"{haul_server}/api/v1/auth/token",
                         json={"email": "dispatch@weber.demo", "password": "haul-demo-2026"}, timeout=10)
    session.headers["Authorization"] = f"Bearer {login.json()['token']}"
    driver = session.get(f"{haul_server}/api/v1/drivers", timeout=10).json()["items"][0]
    made = session.post(f"{haul_server}/api/v1/devices/pairings", json={"driver_id": driver["id"]}, timeout=10)
    assert made.status_code == 201, made.text

    run_scenario("pairing", haul_server, made.json()["pair_url"], made.json()["code"])

    seen = json.loads((ui_artifacts / "summary-pairing.json").read_text())["seen"]
    assert seen["malformed"] == "Some fields are not valid." and seen["wrong"].startswith("This pairing code is not valid")
    assert seen["paired_as"] == driver["name"] and seen["screen"] == "today"
    assert seen["reused"].startswith("This pairing code was already used")
    assert seen["reused_zh"].startswith("此配对码已被使用")
    pairings = session.get(f"{haul_server}/api/v1/devices/pairings", timeout=10).json()["items"]
    assert pairings[0]["status"] == "paired" and pairings[0]["device_name"]
