"""What the screens show of a load, tender or yard visit: texts (Kivy-free).

A stop's navigation link depends on the platform: ``PlatformServices.navigation_link``.

The server's JSON for loads is still evolving, so each reader accepts the few shapes the
API may reasonably take (nested ``pickup`` objects, flat ``pickup_*`` fields, a ``stops``
list) and shows an empty text rather than fail when a field is missing.
"""

from __future__ import annotations

from typing import Any

from driver_app.core import plant_time
from driver_app.core.i18n import N_, Msg

# The server's load statuses, as the driver reads them (unknown ones are shown as sent).
STATUS_TEXT = {
    "draft": N_("draft"),
    "tendered": N_("on the board"),
    "awarded": N_("awarded"),
    "assigned": N_("assigned"),
    "authorized": N_("authorized"),
    "at_pickup": N_("at pickup"),
    "loading": N_("loading"),
    "in_transit": N_("on the way"),
    "delivered": N_("delivered"),
    "cancelled": N_("cancelled"),
}


def _first(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = data.get(key)
        if value not in (None, ""):
            return value
    return None


def clock_text(value: Any) -> str:
    """``2026-03-01T14:30:00+01:00`` -> ``03-01 14:30``; other values as they came."""
    if not value:
        return ""
    text = str(value)
    if "T" in text and len(text) >= 16:
        return f"{text[5:10]} {text[11:16]}"
    return text


def window_text(earliest: Any, latest: Any) -> str:
    start, end = clock_text(earliest), clock_text(latest)
    if start and end:
        # Same day: show the date once ("03-01 08:00-12:00").
        return f"{start}-{end[6:]}" if start[:5] == end[:5] else f"{start} - {end}"
    return start or end


def load_title(load: dict[str, Any]) -> str:
    return str(_first(load, "reference", "id") or "")


def stops(load: dict[str, Any]) -> list[dict[str, Any]]:
    """The load's stops as ``{kind, name, address, lat, lon, window}`` in driving order."""
    # A plain load's API answer carries ``stops: []`` (only multi-drop loads list theirs): fall back to
    # its pickup and delivery then, or the driver would see no place at all.
    if isinstance(load.get("stops"), list) and load["stops"]:
        raw = [s for s in load["stops"] if isinstance(s, dict)]
    else:
        raw = []
        for kind in ("pickup", "delivery"):
            site = load.get(kind) or load.get(f"{kind}_site") or {}
            site = dict(site) if isinstance(site, dict) else {}
            window = load.get(f"{kind}_window") if isinstance(load.get(f"{kind}_window"), dict) else {}
            site.setdefault("kind", kind)
            site.setdefault("name", load.get(f"{kind}_site_name"))
            site.setdefault("site_id", load.get(f"{kind}_site_id"))
            site.setdefault("location", load.get(f"{kind}_location"))
            site.setdefault("earliest", window.get("earliest") or load.get(f"{kind}_earliest"))
            site.setdefault("latest", window.get("latest") or load.get(f"{kind}_latest"))
            site.setdefault("local_window", load.get(f"{kind}_window_local"))
            raw.append(site)
    out = []
    for stop in raw:
        location = stop.get("location") if isinstance(stop.get("location"), dict) else {}
        window = stop.get("window") if isinstance(stop.get("window"), dict) else {}
        name = _first(stop, "name", "site_name")
        if name is None and stop.get("site_id") is not None:
            name = f"#{stop['site_id']}"  # the server shows carriers the site's id, not its name
        out.append({
            "kind": str(stop.get("kind") or ""),
            "name": str(name or ""),
            "address": str(stop.get("address") or ""),
            "lat": stop["lat"] if stop.get("lat") is not None else location.get("lat"),
            "lon": stop["lon"] if stop.get("lon") is not None else location.get("lon"),
            # the plant's clock with its zone when the server gives it (driver assignments do)
            "window": plant_time.window(stop.get("local_window")) or window_text(
                stop.get("earliest") or window.get("earliest"), stop.get("latest") or window.get("latest")),
        })
    return out


def dock_slot(load: dict[str, Any]) -> str:
    """``Dock 2 · 03-01 14:30`` from an ``appointment``/``dock_slot`` object or flat fields."""
    slot = load.get("dock_slot") or load.get("appointment") or {}
    if not isinstance(slot, dict):
        return str(slot)
    if isinstance(slot.get("start"), dict) or slot.get("start_local"):
        return plant_time.slot(slot)  # "D2, 09:37 CET" on the plant's clock
    dock = _first(slot, "dock_name", "dock") or load.get("dock_name")
    start = clock_text(_first(slot, "start", "slot_start") or load.get("slot_start"))
    return " · ".join(str(p) for p in (dock, start) if p)


def assignment_line(load: dict[str, Any]) -> dict[str, str]:
    """The texts of one row on the Today screen."""
    pickup = next((s for s in stops(load) if s["kind"] == "pickup"), {})
    return {
        "title": load_title(load),
        "pickup": pickup.get("window") or clock_text(load.get("pickup_earliest")),
        "dock": dock_slot(load),
        "status": STATUS_TEXT.get(str(load.get("status") or ""), str(load.get("status") or "")),
        "where": " → ".join(s["name"] for s in stops(load) if s["name"]),
        "queue": str(queue_position(load) or ""),
    }


def queue_position(load: dict[str, Any]) -> int | None:
    """The truck's place in the plant's queue, once checked in and waiting."""
    visit = load.get("visit")
    return visit_queue_position(visit) if isinstance(visit, dict) else None


def pickup_authorization_token(load: dict[str, Any]) -> str | None:
    """The signed pickup-authorization token shown as a QR at the gate, when issued."""
    auth = load.get("pickup_authorization") or load.get("authorization")
    if isinstance(auth, dict):
        token = None if auth.get("revoked_at") else _first(auth, "token", "qr")
        return str(token) if token else None
    token = _first(load, "pickup_token", "authorization_token")
    return str(token) if token else None


def pickup_caption(load: dict[str, Any]) -> str:
    """The server's caption of the pickup code ("Pickup at Plant X, 7 Dec 09:37 CET, truck HX-123")."""
    auth = load.get("pickup_authorization") or load.get("authorization")
    return str(auth.get("caption") or "") if isinstance(auth, dict) and not auth.get("revoked_at") else ""


def authorization_for(load_id: Any, authorizations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest valid authorization of ``load_id`` in the server's list (newest first)."""
    for auth in authorizations:
        if str(auth.get("load_id")) == str(load_id) and auth.get("token") and not auth.get("revoked_at"):
            return auth
    return None


def documents(load: dict[str, Any]) -> list[dict[str, str]]:
    """``{name, url}`` for each document attached to the load."""
    out = []
    for doc in load.get("documents") or []:
        if isinstance(doc, dict):
            out.append({"name": str(_first(doc, "name", "title", "kind") or ""), "url": str(doc.get("url") or "")})
    return out


def tender_line(tender: dict[str, Any]) -> dict[str, Any]:
    """The texts and actions of one load-board row."""
    load = tender.get("load") if isinstance(tender.get("load"), dict) else tender
    mode = str(tender.get("mode") or ("grab" if tender.get("price") is not None else "auction"))
    # "sequential" offers a fixed price to one carrier at a time: taken like a grab.
    mode = "auction" if mode == "auction" else "grab"
    price = tender.get("price") if mode == "grab" else _first(tender, "lead_price", "best_bid", "ceiling_price")
    distance = _first(tender, "distance_km", "pickup_distance_km")
    return {
        "id": str(tender.get("id") or ""),
        "title": load_title(load) or str(tender.get("id") or ""),
        "where": assignment_line(load)["where"] if any(s["name"] and not s["name"].startswith("#")
                                                       for s in stops(load)) else "",
        "pickup": assignment_line(load)["pickup"],
        "mode": mode,
        "price": "" if price is None else f"{float(price):,.0f} €",
        "distance": "" if distance is None else f"{float(distance):.0f} km",
        "deadline": clock_text(tender.get("deadline")),
    }


def visit_queue_position(visit: dict[str, Any]) -> int | None:
    value = _first(visit, "queue_position", "position")
    return value if isinstance(value, int) else None


def visit_called_dock(visit: dict[str, Any]) -> str | None:
    """The dock the truck is called to, when the visit says it was called (else None)."""
    called = _first(visit, "called_dock_name", "called_dock")
    if called is None and str(visit.get("status") or "") in ("called", "at_dock", "loading"):
        called = _first(visit, "dock_name", "dock")
    if isinstance(called, dict):
        called = _first(called, "name", "id")
    return None if called is None else str(called)


NOT_AVAILABLE = Msg("This is not available on this server yet.")
