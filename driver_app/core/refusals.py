"""The server's refusal reasons the driver meets, in the driver's language.

A refused request answers problem+json with a stable ``reason`` code and an English ``detail``;
for the codes below the app shows its own translated sentence, so a Chinese phone never shows
"The buyer revoked this authorization at 2030-...". Unknown codes fall back to the server's text.
"""

from __future__ import annotations

from driver_app.core.i18n import Msg

REASONS: dict[str, Msg] = {
    # the gate's check of the pickup code (server.market.pickup.check_at_gate)
    "forged": Msg("The pickup code is not genuine. Ask your dispatcher for a new one."),
    "expired": Msg("The pickup code has expired. Ask your dispatcher for a new one."),
    "revoked": Msg("The buyer withdrew this pickup authorization. Ask your dispatcher."),
    "unknown": Msg("The plant does not know this pickup code. Ask your dispatcher."),
    "not_party": Msg("This pickup code is for another company's load."),
    "wrong_load": Msg("This pickup code is for another load."),
    "wrong_plate": Msg("This pickup code names another truck."),
    "wrong_driver": Msg("This pickup code names another driver."),
    "carrier_not_awarded": Msg("Your company no longer holds this load."),
    "load_not_ready": Msg("The load is not ready for pickup yet."),
    # the market and the yard
    "bad_assignment": Msg("The truck or driver cannot take this load."),
    "load_changed": Msg("The load changed meanwhile. Refresh and try again."),
    "illegal_transition": Msg("That step is not possible now. Refresh and try again."),
    "too_late_to_reschedule": Msg("It is too late to change this slot. Ask the plant."),
    "already_called": Msg("The truck has been called to the dock; the slot is fixed."),
}


def refusal_message(reason: str | None) -> Msg | None:
    return REASONS.get(reason or "")
