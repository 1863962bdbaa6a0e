"""Narrowing by department: inside what scoping allows the organisation, a user sees their departments' share.

An organisation turns it on (``settings["narrow_to_departments"]``). Then a user who belongs to at least
one department and cannot manage departments sees the orders, loads and sites of their departments and
of the departments below them, plus those that belong to no department; everyone else in the
organisation sees all of the organisation's share, as before. A load or order has one department per
side (seller's, buyer's); a carrier is not narrowed.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import and_, or_, select

from server.auth.department_grants import subtree
from server.auth.principal import Principal
from server.extensions import db
from server.models import DepartmentMember, Load, Order, Organisation, Site

SETTING = "narrow_to_departments"
_CACHE = "haul.department_scope"


def _narrowed(principal: Principal) -> bool:
    if principal.user_id is None or principal.can("manage_departments"):
        return False
    cache = request.environ.setdefault(_CACHE, {}) if has_request_context() else {}
    key = (principal.organisation_id, principal.user_id)
    if key not in cache:
        org = db.session.get(Organisation, principal.organisation_id)
        member = db.session.scalar(select(DepartmentMember.id).where(DepartmentMember.user_id == principal.user_id)
                                   .limit(1))
        cache[key] = bool(org is not None and (org.settings or {}).get(SETTING) and member is not None)
    return cache[key]


def _columns(model, principal: Principal):
    org_id = principal.organisation_id
    if model is Site:
        return [(Site.organisation_id, Site.department_id)]
    if model in (Load, Order):
        return [(model.seller_org_id, model.seller_department_id), (model.buyer_org_id, model.buyer_department_id)]
    raise TypeError(f"no department column on {model.__name__} for organisation {org_id}")


def department_filter(model, principal: Principal):
    """None when the principal is not narrowed; else the clause keeping its departments' rows of ``model``."""
    if not _narrowed(principal):
        return None
    mine = select(DepartmentMember.department_id).where(DepartmentMember.user_id == principal.user_id)
    allowed = subtree(mine)
    return and_(*(or_(org_column != principal.organisation_id, department_column.is_(None),
                      department_column.in_(allowed))
                  for org_column, department_column in _columns(model, principal)))
