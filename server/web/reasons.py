"""Refusal reasons in the reader's language: the API's stable ``reason`` codes as words.

A refused request answers problem+json with a ``reason`` code and an English ``detail``; the
pages show the words below for a known code (``haul.js`` reads them as ``reason.<code>`` from
the page's strings) and the server's detail otherwise, so a Chinese page never says
"操作失败： The truck or driver cannot take this load."
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REASONS = {
    # assigning a truck and driver, authorizing the pickup
    "bad_assignment": _l("The truck or driver cannot take this load."),
    "bad_authorization": _l("The authorization cannot be issued."),
    "not_awarded": _l("This load cannot be authorized in its current state."),
    "not_awarded_carrier": _l("Only the carrier awarded this load can do that."),
    "carrier_not_awarded": _l("That carrier was not awarded this load."),
    "not_buyer": _l("Only the load's buyer can do that."),
    "not_assigned": _l("The carrier has not assigned a truck and driver yet."),
    "already_revoked": _l("This authorization is already revoked."),
    "load_changed": _l("The load changed meanwhile; look again."),
    "illegal_transition": _l("That step is not possible in the current state."),
    # the gate's check of a pickup code
    "forged": _l("The code is not genuine."),
    "expired": _l("The code has expired."),
    "revoked": _l("The buyer revoked this authorization."),
    "unknown": _l("No such authorization was issued."),
    "not_party": _l("This authorization is for another organisation's load."),
    "wrong_load": _l("The code is for another load."),
    "wrong_plate": _l("The code is for another truck."),
    "wrong_driver": _l("The code is for another driver."),
    "load_not_ready": _l("The load is not ready for pickup."),
}


def reason_strings() -> dict:
    return {f"reason.{code}": text for code, text in REASONS.items()}
