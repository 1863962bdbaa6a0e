"""A pending pairing code and a device login of a carrier, for tests that need them (the tenant matrix)."""

from __future__ import annotations

from datetime import timedelta


def pairing_victim(carrier_id: int) -> dict:
    """A pending code for a new driver of ``carrier_id`` and a device login on one of its trucks, made by the
    real services; returns their ids."""
    from sqlalchemy import select

    from server.auth.principal import Principal
    from server.extensions import db
    from server.models import Driver, Vehicle
    from server.tracking import devices, pairing

    driver = Driver(organisation_id=carrier_id, name="Secret paired driver")
    db.session.add(driver)
    db.session.commit()
    dispatcher = Principal(carrier_id, "carrier", frozenset({"dispatcher"}), None, "token")
    made = pairing.create(dispatcher, driver.id, None, timedelta(minutes=15), "https://haul.example")
    truck = db.session.scalar(select(Vehicle.id).where(Vehicle.organisation_id == carrier_id).order_by(Vehicle.id))
    _, login = devices.create_credential(carrier_id, truck, driver.id, "secret-device-login")
    devices.new_http_id(login)
    db.session.commit()
    return {"pairing_id": made.row.id, "credential_id": login.id}
