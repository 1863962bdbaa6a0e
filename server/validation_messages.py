"""The libraries' own messages (marshmallow, webargs, werkzeug) and the pure engines', in the caller's language.

The libraries write them in English and formatted ("Must be greater than or equal to 1."), so
they cannot go through gettext where they are made. ``translated`` looks each one up when
errors are flattened into problem+json: a fixed message by its text, a formatted one by the
pattern of its template (the numbers and choices are kept as they came). A message Haul wrote
itself is already translated and passes through unchanged. The planning engines import no Flask,
so their field messages (the evidence chain's) are put in the caller's language the same way where
the yard answers with them.
"""

from __future__ import annotations

import re

from flask_babel import gettext


def N_(text: str) -> str:
    """Marks a message for the catalog (babel's extractor knows this keyword); translated later."""
    return text


FIXED = frozenset({
    N_("Missing data for required field."), N_("Field may not be null."), N_("Unknown field."),
    N_("Invalid input type."), N_("Invalid input."), N_("Invalid type."), N_("Invalid value."),
    N_("Not a valid integer."), N_("Not a valid number."), N_("Not a valid string."), N_("Not a valid "
                                                                                         "boolean."),
    N_("Not a valid date."), N_("Not a valid datetime."), N_("Not a valid time."), N_("Not a valid list."),
    N_("Not a valid tuple."), N_("Not a valid mapping type."), N_("Not a valid UUID."), N_("Not a valid URL."),
    N_("Not a valid email address."), N_("Not a valid IP address."), N_("Not a valid IPv4 address."),
    N_("Not a valid IPv6 address."), N_("Not a valid period of time."), N_("Not a valid utf-8 string."),
    N_("Not a valid aware datetime."), N_("Not a valid naive datetime."), N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("String does not match expected pattern."), N_("Invalid JSON body."),
    # server.engines.evidence_chain
    N_("must be a timezone-aware ISO 8601 time"),
    N_("must be None or (lat, lon) with lat in -90..90 and lon in -180..180"),
    N_("must be a non-empty string"), N_("must be a finite number"), N_("must be positive"),
    N_("must equal gross_kg - tare_kg"), N_("must be a finite number >= 0"), N_("must be an object"),
    N_("must be the photo's SHA-256 as 64 lowercase hex digits"),
    # server.engines.loadbuilding, routing and docks (the services build their input, so these are rare)
    N_("must not be negative"), N_("must be a number"), N_("must be a whole number"),
    N_("at least one vehicle type is needed"), N_("at least one order line is needed"),
    N_("must be a non-negative integer or null"), N_("must be a positive integer or null"),
    N_("must be a whole number of units"), N_("must be true or false"),
    N_("is required when max_stop_distance_km is set"),
    # werkzeug's descriptions of the HTTP errors it raises itself (an unknown URL, a wrong method, ...)
    N_("The browser (or proxy) sent a request that this server could not understand."),
    N_("The server could not verify that you are authorized to access the URL requested. You either supplied "
       "the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the "
       "credentials required."),
    N_("You don't have the permission to access the requested resource. It is either read-protected or not "
       "readable by the server."),
    N_("The requested URL was not found on the server. If you entered the URL manually please check your "
       "spelling and try again."),
    N_("The method is not allowed for the requested URL."),
    N_("The server closed the network connection because the browser didn't finish the request within the "
       "specified time."),
    N_("A conflict happened while processing the request. The resource might have been modified while the "
       "request was being processed."),
    N_("The data value transmitted exceeds the capacity limit."),
    N_("The length of the requested URL exceeds the capacity limit for this server. The request cannot be "
       "processed."),
    N_("The server does not support the media type transmitted in the request."),
    N_("The request was well-formed but was unable to be followed due to semantic errors."),
    N_("This user has exceeded an allotted request count. Try again later."),
    N_("One or more header fields exceeds the maximum size."),
    N_("The server is temporarily unable to service your request due to maintenance downtime or capacity "
       "problems. Please try again later."),
})

# (the library's message as a pattern, Haul's msgid with the same named parts)
_TEMPLATES = (
    (r"Must be greater than or equal to (?P<min>.+) and less than or equal to (?P<max>.+)\.",
     N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s.")),
    (r"Must be greater than (?P<min>.+) and less than (?P<max>.+)\.",
     N_("Must be greater than %(min)s and less than %(max)s.")),
    (r"Must be greater than or equal to (?P<min>.+) and less than (?P<max>.+)\.",
     N_("Must be greater than or equal to %(min)s and less than %(max)s.")),
    (r"Must be greater than (?P<min>.+) and less than or equal to (?P<max>.+)\.",
     N_("Must be greater than %(min)s and less than or equal to %(max)s.")),
    (r"Must be greater than or equal to (?P<min>.+)\.", N_("Must be greater than or equal to %(min)s.")),
    (r"Must be greater than (?P<min>.+)\.", N_("Must be greater than %(min)s.")),
    (r"Must be less than or equal to (?P<max>.+)\.", N_("Must be less than or equal to %(max)s.")),
    (r"Must be less than (?P<max>.+)\.", N_("Must be less than %(max)s.")),
    (r"Length must be between (?P<min>.+) and (?P<max>.+)\.", N_("Length must be between %(min)s and %(max)s.")),
    (r"Length must be (?P<equal>.+)\.", N_("Length must be %(equal)s.")),
    (r"Shorter than minimum length (?P<min>.+)\.", N_("Shorter than minimum length %(min)s.")),
    (r"Longer than maximum length (?P<max>.+)\.", N_("Longer than maximum length %(max)s.")),
    (r"Must be one of: (?P<choices>.+)\.", N_("Must be one of: %(choices)s.")),
    (r"Must be equal to (?P<other>.+)\.", N_("Must be equal to %(other)s.")),
    (r"One or more of the choices you made was not in: (?P<choices>.+)\.",
     N_("One or more of the choices you made was not in: %(choices)s.")),
    (r"(?P<input>.+) cannot be formatted as a date\.", N_("%(input)s cannot be formatted as a date.")),
    (r"gross (?P<gross>\S+) is below tare (?P<tare>\S+)", N_("gross %(gross)s is below tare %(tare)s")),
    (r"is not canonical JSON: (?P<problem>.+)", N_("is not canonical JSON: %(problem)s")),
    (r"this chain belongs to load (?P<load>.+)", N_("this chain belongs to load %(load)s")),
    (r"unknown kind (?P<kind>.+) \(known: (?P<known>.+)\)", N_("unknown kind %(kind)s (known: %(known)s)")),
    (r"must be the seq of an earlier item of this load, got (?P<seq>.+)",
     N_("must be the seq of an earlier item of this load, got %(seq)s")),
    (r"item (?P<seq>\S+) is a (?P<kind>\S+), not a (?P<wanted>\S+)", N_("item %(seq)s is a %(kind)s, not a "
                                                                        "%(wanted)s")),
    (r"(?P<input>.+) cannot be formatted as a (?P<what>\w+)\.", N_("%(input)s cannot be formatted as a "
                                                                   "%(what)s.")),
)
TEMPLATES = tuple((re.compile(pattern, re.DOTALL), msgid) for pattern, msgid in _TEMPLATES)

# The problem titles Haul answers with (werkzeug's names of the statuses; RFC 9457 lets a title be localized).
STATUS_TITLES = {
    400: N_("Bad Request"), 401: N_("Unauthorized"), 403: N_("Forbidden"), 404: N_("Not Found"),
    405: N_("Method Not Allowed"), 406: N_("Not Acceptable"), 409: N_("Conflict"), 410: N_("Gone"),
    411: N_("Length Required"), 413: N_("Request Entity Too Large"), 414: N_("Request URI Too Long"),
    415: N_("Unsupported Media Type"), 422: N_("Unprocessable Entity"), 428: N_("Precondition Required"),
    429: N_("Too Many Requests"), 431: N_("Request Header Fields Too Large"), 500: N_("Internal Server Error"),
    502: N_("Bad Gateway"), 503: N_("Service Unavailable"), 504: N_("Gateway Timeout"),
}


def status_title(status: int) -> str | None:
    """The problem title of ``status`` in the caller's language; None for a status without one here."""
    title = STATUS_TITLES.get(status)
    return gettext(title) if title is not None else None


def translated(message: str) -> str:
    """``message`` in the caller's language when it is one of the libraries' own; else unchanged."""
    if message in FIXED:
        return gettext(message)
    for pattern, msgid in TEMPLATES:
        match = pattern.fullmatch(message)
        if match:
            return gettext(msgid, **match.groupdict())
    return message
