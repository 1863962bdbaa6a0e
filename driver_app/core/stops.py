"""The delivery stops of a multi-drop load: which one the driver signs next, and the proof's body.

A multi-drop load (several buyers on one truck) takes no whole-load proof of delivery; each
delivery stop is signed on its own (``POST /loads/{id}/stops/{stop_id}/pod``) and the load is
delivered when its last stop is. The driver's assignment lists the stops in sequence, each with
its place (``site``), buyer name and ``signed`` flag. A plain load has no delivery stops.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from typing import Any

from driver_app.core.i18n import Msg

# A truck this close to a stop's site is at that stop (a plant yard or a customer's DC fits inside).
AT_SITE_M = 500.0


def delivery_stops(load: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The load's delivery stops in sequence (none for a plain load)."""
    stops = (load or {}).get("stops") or []
    return sorted((s for s in stops if s.get("kind") == "delivery"), key=lambda s: s.get("seq") or 0)


def is_multi_drop(load: Mapping[str, Any] | None) -> bool:
    return bool(delivery_stops(load))


def unsigned(load: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [s for s in delivery_stops(load) if not s.get("signed")]


def _distance_m(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Great-circle distance between two ``{"lat", "lon"}`` points (haversine; metres)."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _site_point(stop: Mapping[str, Any]) -> dict[str, Any] | None:
    site = stop.get("site") or {}
    return site if site.get("lat") is not None and site.get("lon") is not None else None


def next_stop(load: Mapping[str, Any] | None, position: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The stop to sign: the unsigned one at whose site the truck is (``position``, when known), else the
    first unsigned one in sequence; None when every stop is signed or the load is a plain one."""
    left = unsigned(load)
    if position and position.get("lat") is not None and position.get("lon") is not None:
        near = [(_distance_m(position, point), s) for s in left if (point := _site_point(s)) is not None]
        near = [pair for pair in near if pair[0] <= AT_SITE_M]
        if near:
            return min(near, key=lambda pair: pair[0])[1]
    return left[0] if left else None


def merge_stops(assigned: Sequence[Mapping[str, Any]] | None,
                fresh: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """A load's stops from ``GET /loads/{id}`` (``fresh``: current status, but no place names) over the
    assignment's (``assigned``: with ``site``, ``buyer_name``), matched by id; ``signed`` from the status."""
    if not fresh:
        return [dict(s) for s in assigned or []]
    by_id = {s.get("id"): s for s in assigned or []}
    merged = []
    for stop in fresh:
        both = {**by_id.get(stop.get("id"), {}), **stop}
        both["signed"] = bool(both.get("signed")) or both.get("status") == "delivered"
        merged.append(both)
    return merged


def find_stop(load: Mapping[str, Any] | None, stop_id: Any) -> dict[str, Any] | None:
    return next((s for s in delivery_stops(load) if str(s.get("id")) == str(stop_id)), None)


def with_stop_signed(load: Mapping[str, Any], stop_id: Any) -> list[dict[str, Any]]:
    """The load's stops (new dicts) with ``stop_id`` marked signed, for ``DriverDay.patch_load``."""
    return [{**s, "signed": True, "status": "delivered"} if str(s.get("id")) == str(stop_id) else dict(s)
            for s in (load.get("stops") or [])]


def stop_label(stop: Mapping[str, Any], load: Mapping[str, Any] | None = None) -> Msg:
    """"Stop 2 of 3: Bonn yard (Buyer B)": its place in the delivery order, its site and buyer."""
    stops = delivery_stops(load) if load is not None else []
    number = next((i for i, s in enumerate(stops, 1) if s.get("id") == stop.get("id")), stop.get("seq") or "?")
    site = (stop.get("site") or {}).get("name") or f"#{stop.get('site_id', '?')}"
    buyer = stop.get("buyer_name")
    place = f"{site} ({buyer})" if buyer else site
    return Msg("Stop {n} of {total}: {place}", n=number, total=len(stops) or number, place=place)


def _file_base64(path: str) -> str:
    with open(path, "rb") as handle:
        return base64.b64encode(handle.read()).decode("ascii")


def stop_pod_body(payload: Mapping[str, Any], files: Sequence[str]) -> dict[str, Any]:
    """The queued POD form as the stop endpoint takes it (JSON, files inline in base64: signature first).

    The stop endpoint speaks the API's own field names, not the phone's form ones, and its
    position takes only ``lat``/``lon``. An unreadable file raises ``OSError``.
    """
    exceptions = []
    if payload.get("exception"):
        exceptions.append({"code": payload.get("exception_kind") or "exception", "note": payload["exception"]})
    position = payload.get("position") or None
    body: dict[str, Any] = {
        "signed_by": payload["receiver_name"], "received_quantity": payload["received_quantity"],
        "exceptions": exceptions, "device_id": "driver-app",
        "position": {"lat": position["lat"], "lon": position["lon"]} if position else None,
    }
    if files:
        body["signature_base64"] = _file_base64(files[0])
        body["photos_base64"] = [_file_base64(path) for path in files[1:]]
    return body
