"""The one time rule: a time a person sees is the site's local time with its zone shown.

Stored times are aware UTC. Whatever leaves the server for a person (a page, the driver's
phone, a QR caption, a notification, a webhook) carries the instant as ISO UTC *and* the
site's IANA zone, so a receiver never has to guess which clock "09:37" was read on. Pages and
captions render the local time here, once, as ``7 Dec 09:37 CET``; the phone renders its own
from ``local`` (ISO with the site's offset) and ``abbr``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name``; UTC for a missing or unknown name (a bad setting never breaks a page)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse(value) -> datetime | None:
    """A datetime or ISO text (``Z`` allowed) as an aware datetime; naive values are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def utc_iso(value) -> str | None:
    """``2030-06-03T08:37:00Z``: the instant, in UTC."""
    moment = parse(value)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment is not None else None


def stamp(value, tz: ZoneInfo) -> dict | None:
    """One instant for a receiver: ISO UTC, the local ISO time with offset, the zone and its abbreviation."""
    moment = parse(value)
    if moment is None:
        return None
    local = moment.astimezone(tz)
    return {"utc": utc_iso(moment), "local": local.isoformat(), "zone": tz.key, "abbr": local.tzname() or tz.key}


def clock_text(value, tz: ZoneInfo) -> str:
    """``09:37 CET``."""
    moment = parse(value)
    if moment is None:
        return "–"
    local = moment.astimezone(tz)
    return f"{local:%H:%M} {local.tzname() or tz.key}"


def day_text(value, tz: ZoneInfo, language: str = "en") -> str:
    """``7 Dec 09:37 CET``, or ``12月7日 09:37 CET`` in Chinese (the zone's abbreviation, or its offset
    where it has none)."""
    moment = parse(value)
    if moment is None:
        return "–"
    local = moment.astimezone(tz)
    if language.startswith("zh"):
        return f"{local.month}月{local.day}日 {clock_text(moment, tz)}"
    return f"{local.day} {MONTHS[local.month - 1]} {clock_text(moment, tz)}"


def page_text(value, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A page's rendering: ``fmt`` at the site, then the zone (``2030-06-03 10:37 CEST``); ``–`` for none."""
    moment = parse(value)
    if moment is None:
        return "–" if not value else str(value)
    local = moment.astimezone(tz)
    return f"{local.strftime(fmt)} {local.tzname() or tz.key}"
