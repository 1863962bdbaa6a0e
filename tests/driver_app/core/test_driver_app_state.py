"""The driver's day state machine: the happy path, refused transitions, observers, status text."""

from __future__ import annotations

import pytest

from driver_app.core.app_state import DriverDay, InvalidTransition, Step
from driver_app.core.i18n import translator

LOAD = {"id": "L-1001", "reference": "SO-88121", "delivery_site_name": "Buyer Süd"}


def day_at_gate() -> DriverDay:
    day = DriverDay()
    day.sign_in({"name": "Li Wei"})
    day.show_today([LOAD])
    day.select_load(LOAD)
    day.check_in({"id": "V-1", "queue_position": 4})
    return day


def test_full_day_walks_every_step_in_order():
    """A load walks every step from sign-in to delivered, then the day shows today's loads again."""
    day = DriverDay()
    seen = []
    day.subscribe(lambda d: seen.append(d.step))

    day.sign_in({"name": "Li Wei"})
    day.show_today([LOAD])
    day.select_load(LOAD)
    day.check_in({"id": "V-1", "queue_position": 4})
    day.queue_moved(2)
    day.call_to_dock("3")
    day.start_loading()
    day.record_evidence({"ticket_number": "W-1"})
    day.depart()
    day.deliver({"receiver_name": "A. Buyer"})
    day.show_today([])

    assert seen == [
        Step.SIGNED_IN,
        Step.TODAY,
        Step.LOAD_SELECTED,
        Step.AT_GATE,
        Step.AT_GATE,
        Step.CALLED_TO_DOCK,
        Step.LOADING,
        Step.EVIDENCE,
        Step.DEPARTED,
        Step.DELIVERED,
        Step.TODAY,
    ]
    assert day.load is None and day.dock is None


def test_queue_position_and_dock_are_kept_for_screens():
    """Check-in records the queue position; a dock call records the dock and clears the position."""
    day = day_at_gate()
    assert day.queue_position == 4
    assert day.title() == "At the gate: number 4 in the queue"

    day.call_to_dock("3")

    assert (day.dock, day.queue_position) == ("3", None)
    assert day.title() == "Go to dock 3"
    assert day.title(translator("zh_CN")) == "请前往 3 号月台"


@pytest.mark.parametrize(
    "action",
    [
        lambda d: d.start_loading(),
        lambda d: d.depart(),
        lambda d: d.deliver({}),
        lambda d: d.select_load(LOAD),
    ],
)
def test_out_of_order_events_are_refused_and_change_nothing(action):
    """An event that does not fit the current step raises InvalidTransition and leaves the state."""
    day = day_at_gate()
    calls = []
    day.subscribe(lambda d: calls.append(d))

    with pytest.raises(InvalidTransition):
        action(day)

    assert day.step is Step.AT_GATE and calls == []


def test_session_expiry_signs_out_from_anywhere_with_notice():
    """An expired session returns to signed out, forgets the day, and explains why."""
    day = day_at_gate()

    day.session_expired()

    assert day.step is Step.SIGNED_OUT and day.user is None and day.load is None
    assert day.notice.render(translator("en")) == "Your session has expired. Please sign in again."


def test_unsubscribed_and_failing_observers_do_not_break_notification():
    """A failing observer is logged and skipped; an unsubscribed one is no longer called."""
    day = DriverDay()
    good, gone = [], []

    def broken(_):
        raise RuntimeError("screen bug")

    day.subscribe(broken)
    unsubscribe = day.subscribe(gone.append)
    day.subscribe(good.append)
    unsubscribe()

    day.sign_in({"name": "x"})

    assert len(good) == 1 and gone == []


def test_status_line_counts_waiting_positions_in_both_languages():
    """The status line says online/offline and how many positions and reports wait, pluralised."""
    day = DriverDay()
    assert day.status_line() == "Offline"

    day.set_connection(online=False, positions_waiting=1)
    assert day.status_line() == "Offline · 1 position waiting"

    day.set_connection(online=True, positions_waiting=12, submissions_waiting=2)
    assert day.status_line() == "Online · 12 positions waiting · 2 reports waiting to send"
    assert day.status_line(translator("zh_CN")) == "在线 · 12 个定位点待发送 · 2 份报告待发送"


def test_connection_updates_notify_only_on_change():
    """Setting the same connection state again does not notify observers."""
    day = DriverDay()
    calls = []
    day.subscribe(calls.append)

    day.set_connection(online=True, positions_waiting=0)
    day.set_connection(online=True, positions_waiting=0)

    assert len(calls) == 1
