"""Times on the plant's clock, with its zone: "09:37 CET", never a bare UTC "08:37".

The server sends each time as a stamp ``{"utc", "local", "zone", "abbr"}`` (``local`` is ISO
with the site's offset), so the phone shows the plant's time whatever zone the phone is set
to and needs no time-zone database of its own. An appointment in an inbox message carries
``start_local`` and ``timezone`` instead; plain ISO text is shown as the clock it was written
on. Texts are numeric (``12-09 08:00``), so they read the same in every language.
"""

from __future__ import annotations

from typing import Any


def _local(value: Any) -> tuple[str, str]:
    """``(iso, zone label)`` of a stamp dict or ISO text (zone label empty when unknown)."""
    if isinstance(value, dict):
        iso = value.get("local") or value.get("utc") or ""
        label = value.get("abbr") or value.get("zone") or ("UTC" if not value.get("local") and iso else "")
        return str(iso), str(label)
    text = str(value or "")
    return text, "UTC" if text.endswith(("Z", "+00:00")) else ""


def clock(value: Any, zone_label: str | None = None) -> str:
    """``09:37 CET`` from a stamp (or ISO text, with ``zone_label`` naming its zone)."""
    iso, label = _local(value)
    if "T" not in iso or len(iso) < 16:
        return iso
    label = zone_label or label
    return f"{iso[11:16]} {label}".strip()


def day(value: Any) -> str:
    """``12-09`` (month-day on the plant's calendar)."""
    iso, _ = _local(value)
    return iso[5:10] if "T" in iso and len(iso) >= 16 else ""


def window(local_window: Any) -> str:
    """``12-09 08:00–12:00 CET`` (the date again when the window ends on another day)."""
    if not isinstance(local_window, dict) or not local_window.get("earliest"):
        return ""
    start, end = local_window.get("earliest"), local_window.get("latest")
    if not end:
        return f"{day(start)} {clock(start)}"
    start_clock = clock(start).split(" ")[0]
    end_text = clock(end) if day(end) == day(start) else f"{day(end)} {clock(end)}"
    return f"{day(start)} {start_clock}–{end_text}"


def slot(dock_slot: Any) -> str:
    """``D2, 09:37 CET`` from the assignment's ``dock_slot`` or an inbox ``appointment``."""
    if not isinstance(dock_slot, dict):
        return ""
    name = dock_slot.get("dock_name") or dock_slot.get("dock") or ""
    start = dock_slot.get("start")
    if dock_slot.get("start_local"):
        start = {"local": dock_slot["start_local"], "abbr": dock_slot.get("abbr") or dock_slot.get("timezone")}
    when = clock(start) if start else ""
    return ", ".join(str(part) for part in (name, when) if part)


def moment(epoch_s: float, zone: str | None = None) -> str:
    """``12-09 09:37 CET``: an instant on the site's clock when its IANA ``zone`` is known and the phone
    has the zone's rules, else on the phone's own clock; the zone is always named."""
    from datetime import UTC, datetime

    instant = datetime.fromtimestamp(epoch_s, UTC)
    local = None
    if zone:
        try:
            from zoneinfo import ZoneInfo

            local = instant.astimezone(ZoneInfo(zone))
        except (ImportError, ValueError, OSError, KeyError):  # no tz database on this phone, or a bad name
            local = None
    if local is None:
        local = instant.astimezone()  # the phone's zone
    return f"{local:%m-%d %H:%M} {local.tzname() or ''}".strip()
