"""Rate agreements: checked and stored (an overlapping one is refused), found for a load, turned into ``Terms``.

A lane runs from an origin site or region to a destination site or region (regions are GeoJSON
polygons in WGS84). Two agreements of the same payer and carrier overlap when their validity
periods share a day, their equipment is the same (or either takes any), and both their origins and
their destinations overlap (the same site, a site inside the other's region, or intersecting
regions); the second is refused with 422, since a load must never match two contract rates.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from decimal import Decimal

from flask_babel import gettext as _
from shapely.geometry import Point, shape
from sqlalchemy import func, select

from server.errors import ApiProblem
from server.extensions import db
from server.models import Organisation, RateAgreement, Site
from server.settlement.accessorials import Schedule
from server.settlement.charges import FuelIndex, Terms
from server.settlement.money import RATE_DECIMALS, MoneyError, check_currency, parse_amount, parse_decimal

MONEY_FIELDS = ("detention_rate", "late_cancellation_fee", "truck_ordered_not_used_fee", "layover_fee",
                "extra_stop_fee")
DEFAULT_CURRENCY = "EUR"


def _money(errors: list, path: str, value, currency: str, rate: bool = False) -> Decimal | None:
    try:
        if rate:
            return parse_decimal(value, max_decimals=RATE_DECIMALS)
        return parse_amount(value, currency)
    except MoneyError as exc:
        errors.append((path, str(exc)))
        return None


def _pct(errors: list, path: str, value) -> Decimal | None:
    try:
        pct = parse_decimal(value, max_decimals=4)
    except MoneyError as exc:
        errors.append((path, str(exc)))
        return None
    if pct > 100:
        errors.append((path, _("must be at most 100")))
    return pct


def checked(data: dict) -> dict:
    """The agreement's columns from validated API input; money and percentages checked with field paths."""
    errors: list[tuple[str, str]] = []
    try:
        currency = check_currency(data["currency"])
    except MoneyError as exc:
        raise ApiProblem(422, _("Some fields are invalid."), [("currency", str(exc))]) from exc
    lane = data["lane"]
    out = {"reference": data["reference"], "currency": currency, "equipment": data.get("equipment"),
           "valid_from": data["valid_from"], "valid_to": data["valid_to"], "basis": data["basis"],
           "billing": data["billing"], "self_billing": data["self_billing"],
           "origin_site_id": lane.get("origin_site_id"), "origin_region": lane.get("origin_region"),
           "destination_site_id": lane.get("destination_site_id"),
           "destination_region": lane.get("destination_region"),
           "rate": _money(errors, "rate", data["rate"], currency, rate=True),
           "minimum": _money(errors, "minimum", data["minimum"], currency),
           "tax_rate_pct": _pct(errors, "tax_rate_pct", data["tax_rate_pct"]),
           "tolerance_pct": _pct(errors, "tolerance_pct", data["tolerance_pct"]),
           "tolerance_amount": _money(errors, "tolerance_amount", data["tolerance_amount"], currency)}
    fuel = data.get("fuel") or {}
    out["fuel_pct"] = _pct(errors, "fuel/pct", fuel["pct"]) if "pct" in fuel else None
    if "bands" in fuel:
        bands = [{"from": str(_money(errors, f"fuel/bands/{k}/from", b["from"], currency, rate=True)),
                  "pct": str(_pct(errors, f"fuel/bands/{k}/pct", b["pct"]))} for k, b in enumerate(fuel["bands"])]
        prices = {month: str(_money(errors, f"fuel/prices/{month}", p, currency, rate=True))
                  for month, p in (fuel.get("prices") or {}).items()}
        out["fuel_index"] = {"bands": bands, "prices": prices}
    else:
        out["fuel_index"] = None
    schedule = dict(data.get("accessorials") or {})
    for name in MONEY_FIELDS:
        if name in schedule:
            value = _money(errors, f"accessorials/{name}", schedule[name], currency)
            schedule[name] = str(value) if value is not None else None
    if "weight_tolerance_pct" in schedule:
        schedule["weight_tolerance_pct"] = str(_pct(errors, "accessorials/weight_tolerance_pct",
                                                    schedule["weight_tolerance_pct"]))
    out["accessorials"] = schedule
    if errors:
        raise ApiProblem(422, _("Some fields are invalid."), errors)
    return out


def _site_point(site_id: int | None):
    if site_id is None:
        return None
    row = db.session.execute(select(func.ST_X(Site.location), func.ST_Y(Site.location)).where(Site.id == site_id)).first()
    return Point(row[0], row[1]) if row else None


def _ends_overlap(site_a, region_a, site_b, region_b) -> bool:
    if site_a is not None and site_a == site_b:
        return True
    if region_a and region_b:
        return shape(region_a).intersects(shape(region_b))
    if region_a and site_b is not None:
        return shape(region_a).covers(_site_point(site_b))
    if region_b and site_a is not None:
        return shape(region_b).covers(_site_point(site_a))
    return False


def overlapping(payer_id: int, carrier_id: int, values: dict, exclude_id: int | None = None) -> RateAgreement | None:
    """An active agreement of the same parties whose lane, equipment and validity overlap ``values``."""
    rows = db.session.scalars(select(RateAgreement).where(
        RateAgreement.payer_org_id == payer_id, RateAgreement.carrier_org_id == carrier_id,
        RateAgreement.active.is_(True), RateAgreement.valid_from <= values["valid_to"],
        RateAgreement.valid_to >= values["valid_from"]))
    for row in rows:
        if row.id == exclude_id:
            continue
        if row.equipment and values["equipment"] and row.equipment != values["equipment"]:
            continue
        if _ends_overlap(row.origin_site_id, row.origin_region, values["origin_site_id"], values["origin_region"]) \
                and _ends_overlap(row.destination_site_id, row.destination_region, values["destination_site_id"],
                                  values["destination_region"]):
            return row
    return None


def _covers(site_id, region, load_site_id: int) -> bool:
    if site_id is not None:
        return site_id == load_site_id
    return bool(region) and shape(region).covers(_site_point(load_site_id))


def for_load(load, payer_id: int) -> RateAgreement | None:
    """The agreement between the load's payer and carrier that covers its lane, equipment and pickup date."""
    if load.carrier_org_id is None:
        return None
    day = load.pickup_earliest.date()
    rows = db.session.scalars(select(RateAgreement).where(
        RateAgreement.payer_org_id == payer_id, RateAgreement.carrier_org_id == load.carrier_org_id,
        RateAgreement.active.is_(True), RateAgreement.valid_from <= day, RateAgreement.valid_to >= day)
        .order_by(RateAgreement.id))
    for row in rows:
        if row.equipment and row.equipment != load.required_equipment:
            continue
        if _covers(row.origin_site_id, row.origin_region, load.pickup_site_id) and \
                _covers(row.destination_site_id, row.destination_region, load.delivery_site_id):
            return row
    return None


def schedule_of(values: dict) -> Schedule:
    known = {f.name: f.type for f in dataclass_fields(Schedule)}
    given = {k: (Decimal(v) if k in MONEY_FIELDS or k == "weight_tolerance_pct" else int(v))
             for k, v in (values or {}).items() if k in known and v is not None}
    return Schedule(**given)


def terms_of(agreement: RateAgreement | None) -> Terms:
    if agreement is None:
        return Terms()
    index = agreement.fuel_index
    fuel_index = FuelIndex(tuple((Decimal(b["from"]), Decimal(b["pct"])) for b in index["bands"]),
                           {m: Decimal(p) for m, p in index["prices"].items()}) if index else None
    return Terms(basis=agreement.basis, rate=Decimal(agreement.rate), minimum=Decimal(agreement.minimum),
                 fuel_pct=agreement.fuel_pct, fuel_index=fuel_index, schedule=schedule_of(agreement.accessorials),
                 agreement_ref={"type": "agreement", "agreement_id": agreement.id, "reference": agreement.reference})


def payer_defaults(payer_id: int) -> dict:
    """A payer's settlement settings for loads without an agreement (organisation settings ``settlement``)."""
    org = db.session.get(Organisation, payer_id)
    given = ((org.settings or {}).get("settlement") or {}) if org else {}
    return {"currency": given.get("currency", DEFAULT_CURRENCY), "tax_rate_pct": Decimal(str(given.get("vat_pct", 0))),
            "tolerance_pct": Decimal(str(given.get("tolerance_pct", 2))),
            "tolerance_amount": Decimal(str(given.get("tolerance_amount", 0))),
            "accessorials": given.get("accessorials") or {}}
