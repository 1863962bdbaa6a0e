"""The screens' actions (driver_app.glue.controller) against the stub API, without Kivy."""

from __future__ import annotations

import json
import threading

import pytest
from stub_haul_api import PICKUP_TOKEN

from driver_app.core import errors
from driver_app.core.app_state import Step
from driver_app.core.i18n import Msg, translator
from driver_app.core.validation import FormInvalid
from driver_app.glue.controller import DriverController
from driver_app.glue.explain import ImmediateRunner, explain
from driver_app.glue.load_view import NOT_AVAILABLE
from driver_app.glue.session_actions import NO_HAUL_SERVER


class Recorder:
    """Collects what a call reported."""

    def __init__(self):
        self.ok, self.errors = [], []

    def on_ok(self, value):
        self.ok.append(value)

    def on_error(self, shown):
        self.errors.append(shown)


def signed_in(controller, api):
    rec = Recorder()
    controller.sign_in(api.url, "driver@weber.demo", "right-password", rec.on_ok, rec.on_error)
    assert not rec.errors, rec.errors
    return controller


def test_sign_in_refuses_empty_fields_before_calling(controller):
    """Empty address, e-mail and password are named as field errors; no request is made."""
    with pytest.raises(FormInvalid) as caught:
        controller.sign_in(" ", "", "")
    assert [name for name, _ in caught.value.errors] == ["server_url", "email", "password"]


def test_sign_in_reports_wrong_password_and_wrong_address(controller, api, unused_port_url):
    """Wrong credentials, a dead address and a non-Haul address each give their own message."""
    rec = Recorder()
    controller.sign_in(api.url, "driver@weber.demo", "nope", rec.on_ok, rec.on_error)
    controller.sign_in(unused_port_url, "driver@weber.demo", "nope", rec.on_ok, rec.on_error)
    controller.sign_in(api.url + "/elsewhere", "driver@weber.demo", "nope", rec.on_ok, rec.on_error)
    assert rec.errors == [errors.AuthenticationFailed.default_msg, errors.ServerUnreachable.default_msg,
                          NO_HAUL_SERVER]
    assert controller.day.step is Step.SIGNED_OUT


def test_sign_in_saves_address_and_email_but_never_the_password(controller, api, tmp_path):
    """After signing in the settings file remembers the server and e-mail only."""
    signed_in(controller, api)
    saved = json.loads((tmp_path / "data" / "settings.json").read_text())
    assert controller.day.step is Step.SIGNED_IN
    assert saved["server_url"] == api.url and saved["email"] == "driver@weber.demo"
    assert "right-password" not in json.dumps(saved)


def test_today_falls_back_to_the_carriers_loads_when_assignments_are_missing(controller, api):
    """A server without driver assignments still fills Today from GET /loads."""
    signed_in(controller, api)
    api.state.assignments_missing = True
    controller.refresh_today()
    assert controller.day.step is Step.TODAY
    assert [load["id"] for load in controller.day.assignments] == [102]


def test_open_load_adds_the_pickup_authorization_token(controller, api):
    """The load shown gets the gate token from the pickup-authorization list."""
    signed_in(controller, api)
    controller.refresh_today()
    controller.open_load(controller.day.assignments[0])
    assert controller.day.load["pickup_authorization"]["token"] == PICKUP_TOKEN


def test_an_expired_session_signs_the_driver_out_with_a_notice(controller, api):
    """A 401 on any call returns to sign-in and says the session expired."""
    signed_in(controller, api)
    api.state.expired = True
    rec = Recorder()
    controller.refresh_today(rec.on_ok, rec.on_error)
    assert controller.day.step is Step.SIGNED_OUT and controller.client is None
    assert controller.day.notice.msgid == "Your session has expired. Please sign in again."
    assert rec.errors == [errors.SessionExpired.default_msg]


def test_check_in_then_a_dock_call_from_another_thread_alerts_once(controller, api):
    """Check-in puts the truck in the queue; a dock call from a network thread raises one alert."""
    signed_in(controller, api)
    controller.refresh_today()
    controller.open_load(controller.day.assignments[0])
    alerts = []
    controller.alert = lambda title, message: alerts.append(message)
    controller.translate = translator("zh_CN")
    controller.check_in()
    assert controller.day.step is Step.AT_GATE and controller.day.queue_position == 3
    for _ in range(2):  # a repeated call (redelivered message) does not ring twice
        thread = threading.Thread(target=controller.day.call_to_dock, args=("4",))
        thread.start()
        thread.join()
    assert len(alerts) == 1 and "4" in alerts[0] and alerts[0] != "Go to dock 4"  # in Chinese


def test_evidence_is_refused_in_the_form_queued_offline_and_sent_once_online(controller, api):
    """Bad weights never reach the outbox; a good form waits offline and is sent with one key."""
    signed_in(controller, api)
    controller.refresh_today()
    controller.open_load(controller.day.assignments[0])
    controller.check_in()
    controller.day.call_to_dock("4")
    controller.start_loading()
    with pytest.raises(FormInvalid) as caught:
        controller.submit_evidence({"ticket_number": "T1", "tare_kg": "abc", "gross_kg": "-5"})
    assert {name for name, _ in caught.value.errors} == {"tare_kg", "gross_kg"}
    assert controller.day.submissions_waiting == 0

    api.state.evidence_down = 1
    rec = Recorder()
    controller.submit_evidence({"ticket_number": "T1", "tare_kg": "14000", "gross_kg": "38000"}, rec.on_ok)
    assert controller.day.step is Step.EVIDENCE and controller.day.submissions_waiting == 1
    assert rec.ok[-1].msgid.startswith("Saved on the phone")
    controller.flush_outbox(rec.on_ok)
    assert controller.day.submissions_waiting == 0 and rec.ok[-1].msgid == "Sent to the server."
    posts = api.posts_to("/loads/101/evidence")
    assert len(posts) == 2 and len({p["headers"]["Idempotency-Key"] for p in posts}) == 1
    body = json.loads(posts[-1]["body"])
    assert body["net_kg"] == 24000 and body["recorded_at"] and "position" in body


def test_bids_need_a_positive_price_and_show_the_servers_refusal(controller, api):
    """A bid of zero is refused in the form; one above the ceiling shows the server's reason."""
    signed_in(controller, api)
    with pytest.raises(FormInvalid):
        controller.bid("8", "0")
    rec = Recorder()
    controller.bid("8", "1700", rec.on_ok, rec.on_error)
    controller.grab("7", rec.on_ok, rec.on_error)
    controller.grab("7", rec.on_ok, rec.on_error)
    assert rec.errors == ["Your bid is above the ceiling price (1500 €).",
                          "Tender 7 was already awarded to another carrier."]


def test_explain_names_missing_features_and_hides_server_internals():
    """A missing route is 'not available'; a 5xx shows our sentence, not the server's text."""
    missing = errors.NotFound(status=404, detail="The requested URL was not found on the server. If you...")
    gone = errors.NotFound(status=404, detail="Load 9 was not found.")
    crash = errors.ServerError(status=500, detail="Traceback ... psycopg")
    assert explain(missing) is NOT_AVAILABLE
    assert explain(gone) == "Load 9 was not found."
    assert explain(crash) == errors.ServerError.default_msg
    assert isinstance(explain(RuntimeError("bug")), Msg)


def test_gps_settings_are_checked_and_applied(controller):
    """An interval of 0 s is refused; a valid one reaches the publishing policy and the file."""
    with pytest.raises(FormInvalid) as caught:
        controller.set_gps("0", "10")
    assert caught.value.errors[0][0] == "gps_interval_s"
    controller.set_gps("15", "25.5")
    assert controller.tracker.policy.settings.interval_s == 15.0
    assert controller.store.load().gps_distance_m == 25.5


def test_a_restart_resumes_the_session_until_the_driver_signs_out(controller, api, tmp_path):
    """A new controller on the same phone data is signed in with the same token; after sign-out it is not."""
    signed_in(controller, api)
    again = DriverController(tmp_path / "data", ImmediateRunner(), timeout=(2.0, 5.0))
    assert again.resume() and again.day.step is Step.SIGNED_IN
    assert again.client.token == controller.client.token and again.client.base_url == api.url
    rec = Recorder()
    again.refresh_today(rec.on_ok, rec.on_error)  # the kept token works against the server
    assert not rec.errors and rec.ok
    again.sign_out()
    assert not DriverController(tmp_path / "data", ImmediateRunner(), timeout=(2.0, 5.0)).resume()
