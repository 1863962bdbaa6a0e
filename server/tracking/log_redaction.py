"""Access logs never hold a device's HTTP id whole.

Traccar Client and OsmAnd send their secret HTTP id in the query string (``/osmand?id=...``), and
web servers log the request line: Werkzeug's ``haul serve`` always, gunicorn when its access log is
on. `DeviceIdRedaction` cuts every ``id``/``deviceid`` value of an ``/osmand`` request line down to
the prefix the API shows (`server.tracking.devices.HTTP_ID_PREFIX`), before the line is formatted.
"""

from __future__ import annotations

import logging
import re

from server.tracking.devices import HTTP_ID_PREFIX

_QUERY = re.compile(r"(/osmand\?)([^\s\"]*)")
_ID = re.compile(r"(^|&)((?:id|deviceid)=)([^&]*)")
LOGGERS = ("werkzeug", "gunicorn.access")


def redact(text: str) -> str:
    """``text`` with each OsmAnd id cut to its prefix."""
    return _QUERY.sub(lambda query: query[1] + _ID.sub(_cut, query[2]), text)


def _cut(param: re.Match) -> str:
    value = param[3]
    return param[1] + param[2] + (value if len(value) <= HTTP_ID_PREFIX else value[:HTTP_ID_PREFIX] + "...")


class DeviceIdRedaction(logging.Filter):
    """Redacts OsmAnd ids in a record's message and arguments (tuple or, for gunicorn, dict)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "/osmand?" in record.msg:
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) and "/osmand?" in a else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) and "/osmand?" in v else v
                           for k, v in record.args.items()}
        return True


def install() -> None:
    """Add the filter to the web servers' access loggers (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, DeviceIdRedaction) for f in logger.filters):
            logger.addFilter(DeviceIdRedaction())
