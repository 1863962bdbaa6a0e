"""What the server's inbox messages (``haul/v1/drivers/{id}/inbox``) do to the driver's day.

The server sends (``server.yard.notify``, ``server.market.authorization_news``):

* ``dock_call`` ``{load_id, dock_id, dock_name, appointment}``: go to the dock now;
* ``queue`` ``{load_id, position}``: the truck's place in the plant's queue;
* ``appointment`` / ``replan`` ``{load_id, reference, why, appointment, previous}``: a slot was
  booked, moved or cancelled (``appointment`` has ``start_local``, ``abbr`` and ``timezone``);
* ``authorization_withdrawn`` ``{load_id, reference, reason}`` and ``authorized``: the buyer's
  pickup authorization stopped counting, or a new one was issued.

A dock call or queue move applies to the selected load only (a stale one is logged and ignored);
slot and authorization changes of any of the day's loads update that load and leave a visible
notice, so the driver learns of them wherever the app is; each such notice is also kept in the
driver's Messages list (``notices``, a ``NoticeList``) with the load and the site's zone.
"""

from __future__ import annotations

import logging
from typing import Any

from driver_app.core import plant_time
from driver_app.core.app_state import DriverDay, InvalidTransition
from driver_app.core.i18n import Msg

log = logging.getLogger(__name__)


def _load_name(message: dict[str, Any]) -> str:
    return str(message.get("reference") or message.get("load_id") or "")


def slot_notice(message: dict[str, Any]) -> Msg:
    """The notice for a booked, moved or cancelled dock slot."""
    appointment = message.get("appointment")
    if not isinstance(appointment, dict):
        if message.get("dock") is not None and message.get("slot_start"):  # the older flat shape
            return Msg("Your dock slot moved: {slot}", load=_load_name(message),
                       slot=plant_time.slot({"dock_name": message["dock"], "start": message["slot_start"]}))
        if message.get("why") == "cancelled":
            return Msg("The dock slot for {load} was cancelled. Check today's loads.", load=_load_name(message))
        return Msg("Your plan has changed. Check today's loads.")
    slot = plant_time.slot(appointment)
    if message.get("why") in ("booked", "planned") or message.get("previous") is None:
        return Msg("Dock slot booked for {load}: {slot}", load=_load_name(message), slot=slot)
    return Msg("Your dock slot moved: {slot}", load=_load_name(message), slot=slot)


def _site_zone(message: dict[str, Any], day: DriverDay) -> str | None:
    """The plant's IANA zone: the appointment's, else the one of the load's booked slot."""
    appointment = message.get("appointment")
    if isinstance(appointment, dict) and appointment.get("timezone"):
        return str(appointment["timezone"])
    load = next((a for a in day.assignments if str(a.get("id")) == str(message.get("load_id"))), None)
    start = ((load or {}).get("dock_slot") or {}).get("start")
    zone = start.get("zone") if isinstance(start, dict) else None
    return str(zone) if zone and "/" in str(zone) else None


def bind_inbox(mqtt: Any, day: DriverDay, notices: Any = None) -> None:
    """Register the handlers on ``mqtt`` (anything with ``on_inbox(kind, handler)``); the notices they
    raise are also kept in ``notices`` (a ``NoticeList``) when given."""

    def tell(notice: Msg, message: dict[str, Any]) -> None:
        if notices is not None:  # kept before the day changes, so screens see both at once
            key = message.get("event_id") or message.get("id")
            notices.add(notice, message.get("load_id"), _site_zone(message, day),
                        key=f"inbox:{key}" if key else None)
        day.set_notice(notice)

    def for_current_load(message: dict[str, Any]) -> bool:
        load = day.load or {}
        return message.get("load_id") is None or str(message.get("load_id")) == str(load.get("id"))

    def dock_call(message: dict[str, Any]) -> None:
        # The server names the dock in ``dock_name`` (and ``dock_id``); ``dock`` is the older field.
        dock = next((message[k] for k in ("dock_name", "dock", "dock_id") if message.get(k) is not None), None)
        if not for_current_load(message) or dock is None:
            return
        if isinstance(message.get("appointment"), dict) and message.get("load_id") is not None:  # pinned, now
            day.patch_load(message["load_id"], dock_slot=message["appointment"])
        try:
            day.call_to_dock(str(dock))
        except InvalidTransition as exc:
            log.info("ignoring dock call: %s", exc)

    def queue(message: dict[str, Any]) -> None:
        if for_current_load(message) and isinstance(message.get("position"), int) and day.can("queue_moved"):
            day.queue_moved(message["position"])

    def slot_changed(message: dict[str, Any]) -> None:
        appointment = message.get("appointment")
        if message.get("load_id") is not None:
            day.patch_load(message["load_id"], dock_slot=appointment if isinstance(appointment, dict) else None)
        tell(slot_notice(message), message)

    def authorization_withdrawn(message: dict[str, Any]) -> None:
        if message.get("load_id") is not None:
            day.patch_load(message["load_id"], pickup_authorization=None)
        tell(Msg("The pickup authorization for {load} was withdrawn. Ask your dispatcher.",
                 load=_load_name(message)), message)

    def authorized(message: dict[str, Any]) -> None:
        tell(Msg("New pickup authorization for {load}. Open the load for its code.",
                 load=_load_name(message)), message)

    mqtt.on_inbox("dock_call", dock_call)
    mqtt.on_inbox("queue", queue)
    mqtt.on_inbox("replan", slot_changed)
    mqtt.on_inbox("appointment", slot_changed)
    mqtt.on_inbox("authorization_withdrawn", authorization_withdrawn)
    mqtt.on_inbox("authorized", authorized)
