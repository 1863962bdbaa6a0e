"""A pending pairing code of a carrier, for tests that need one (the tenant matrix)."""

from __future__ import annotations

from datetime import timedelta


def pairing_victim(carrier_id: int) -> dict:
    """A pending code for a new driver of ``carrier_id``, made by the real service; returns its id."""
    from server.auth.principal import Principal
    from server.extensions import db
    from server.models import Driver
    from server.tracking import pairing

    driver = Driver(organisation_id=carrier_id, name="Secret paired driver")
    db.session.add(driver)
    db.session.commit()
    dispatcher = Principal(carrier_id, "carrier", frozenset({"dispatcher"}), None, "token")
    made = pairing.create(dispatcher, driver.id, None, timedelta(minutes=15), "https://haul.example")
    return {"pairing_id": made.row.id}
