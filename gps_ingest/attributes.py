"""A fix's attributes: what a device said beyond the columns, kept flat and small.

Stored in ``positions.attributes`` (JSON). Each decoder maps the fields its protocol documents
to the shared names below; OsmAnd requests may also carry parameters of their own (trackers put
``fuel``, ``ignition``, ``driverUniqueId``... there, and Traccar keeps them), which are kept under
their own names. Whatever the source, `bounded` is the only way in, so a device cannot grow the
row: at most `MAX_KEYS` keys, each `KEY` (a letter, then up to 31 letters, digits or ``_``), each
value a boolean, a finite number or a text of at most `MAX_TEXT` characters, and at most
`MAX_BYTES` of JSON in all. What does not fit is left out, in the order given (the decoders give
the documented fields first). Anything nested (lists, objects) is left out.

Shared names (the decoders document which of their fields map here):

==================  =========  ==============================================================
name                type       meaning
==================  =========  ==============================================================
time_source         text       ``received``: the device sent no fix time, the server's is used
hdop                number     horizontal dilution of precision
sat                 number     satellites in use
charging            boolean    the device is on a charger
battery_status      text       ``unknown``, ``unplugged``, ``charging`` or ``full``
vertical_accuracy   number     metres, of the altitude
pressure            number     barometric pressure, kPa
motion              boolean    the device thinks it is moving
activity            text       what the phone thinks its holder does (``in_vehicle``, ...)
odometer            number     metres the device counted
event               text       what made the device report (``motionchange``, ...)
trigger             text       OwnTracks ``t``: ``p`` ping, ``c`` region, ``u`` manual, ...
connection          text       OwnTracks ``conn``: ``w`` wifi, ``m`` mobile, ``o`` offline
tracker_id          text       OwnTracks ``tid``, a display label
monitoring          number     OwnTracks ``m``: the app's reporting mode
==================  =========  ==============================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

MAX_KEYS = 16
MAX_TEXT = 64
MAX_BYTES = 1024
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
_NUMBER_BYTES = 24  # the longest JSON number a float or a 64-bit integer becomes
_KEY_OVERHEAD = 4  # the key's quotes, its colon and the comma after the value


def bounded(items: Iterable[tuple[str, Any]]) -> dict[str, Any] | None:
    """The attributes from ``(name, value)`` pairs within the limits above; None when none fit."""
    out: dict[str, Any] = {}
    size = 2  # the braces
    for key, value in items:
        if value is None or key in out or not KEY.match(key):
            continue
        if isinstance(value, bool):
            cost = 5
        elif isinstance(value, int | float):
            if not (abs(value) < 2**63 if isinstance(value, int) else math.isfinite(value)):
                continue
            cost = _NUMBER_BYTES
        elif isinstance(value, str):
            value = value[:MAX_TEXT]
            cost = _text_cost(value)
            if cost is None:
                continue
        else:
            continue
        cost += len(key) + _KEY_OVERHEAD
        if size + cost > MAX_BYTES:
            continue
        out[key] = value
        size += cost
        if len(out) == MAX_KEYS:
            break
    return out or None


def _text_cost(value: str) -> int | None:
    """The most bytes ``value`` can take as JSON text; None for text PostgreSQL's jsonb refuses
    (a NUL character) or that is no UTF-8 at all (a lone surrogate), which would fail a whole batch."""
    if "\x00" in value:
        return None
    if value.isascii() and value.isprintable():
        return 2 + len(value) + value.count('"') + value.count("\\")  # quotes and backslashes escaped
    try:
        value.encode()
    except UnicodeEncodeError:
        return None
    return 2 + 6 * len(value)  # any other character may become a six-byte escape ("\u0001")


NUMBER = (int, float)


def of_type(value: Any, kind: type | tuple[type, ...]) -> Any:
    """``value`` if it is of ``kind``, else None (a JSON true/false is no number here)."""
    if isinstance(value, bool) and kind is not bool:
        return None
    return value if isinstance(value, kind) else None


def parameter_value(text: str) -> bool | float | str:
    """A query parameter's value as Traccar keeps it: a boolean, a finite number, else the text."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text
