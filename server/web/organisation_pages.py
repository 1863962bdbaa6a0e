"""The organisation page (``/organisation``): departments, roles, users' roles, approval rules, what awaits
approval, and the audit trail; and an inspection agency's dashboard (``/inspector``).

Read with the API's scoping and permissions; the forms send their changes to the REST API with the
session cookie (``static/js/haul.js``) and reload.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from server import clock
from server.access import departments
from server.access.roles import role_view
from server.approvals.chain import may_decide
from server.approvals.request_routes import views as approval_views
from server.audit import search
from server.auth.department_scope import SETTING
from server.auth.permissions import BUILTIN_ROLES, CATALOGUE
from server.auth.scoping import scoped
from server.extensions import db
from server.models import (
    ApprovalRequest,
    ApprovalRule,
    AuditEvent,
    CustomRole,
    Department,
    Load,
    Organisation,
    User,
)
from server.web import views
from server.web.context import principal_of_kind

blp = Blueprint("organisation", __name__)

APPROVAL_STATUS = {"pending": _l("awaiting approval"), "approved": _l("approved"), "rejected": _l("rejected")}
ACTIONS = {"authorize_pickup": _l("Pickup authorization"), "award": _l("Award"),
           "commit_load_plan": _l("Load plan commit")}
METRICS = {"tonnage": _l("tonnes"), "price": _l("freight price"), "trucks": _l("trucks")}


@blp.app_template_filter("approval_status")
def approval_status(code) -> str:
    return str(APPROVAL_STATUS.get(code, code or ""))


@blp.app_template_filter("approval_action")
def approval_action(code) -> str:
    return str(ACTIONS.get(code, code or ""))


def _tree(principal) -> list[dict]:
    """Departments in tree order, each with its depth (for indenting)."""
    rows = list(db.session.scalars(scoped(Department, principal).order_by(Department.name)))
    children: dict[int | None, list[Department]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[dict] = []

    def walk(parent_id, depth):
        for row in children.get(parent_id, []):
            out.append({**departments.view(row), "depth": depth})
            walk(row.id, depth + 1)

    walk(None, 0)
    return out


@blp.get("/organisation")
@login_required
def organisation():
    principal = principal_of_kind()
    org = db.session.get(Organisation, principal.organisation_id)
    custom = [role_view(r) for r in db.session.scalars(scoped(CustomRole, principal).order_by(CustomRole.name))]
    pending = list(db.session.scalars(scoped(ApprovalRequest, principal).order_by(ApprovalRequest.id.desc()).limit(50)))
    moment = clock.now()
    decidable = {row.id for row in pending if row.status == "pending" and may_decide(principal, row, moment)}
    users = list(db.session.scalars(scoped(User, principal).order_by(User.id))) if principal.can("manage_users") else []
    audit = []
    if principal.can("view_audit"):
        audit = list(db.session.scalars(search.query(principal.organisation_id).order_by(None)
                                        .order_by(AuditEvent.id.desc()).limit(30)))
    return render_template(
        "organisation.html", org=org, principal=principal, departments=_tree(principal),
        narrowed=bool((org.settings or {}).get(SETTING)), catalogue=CATALOGUE, builtin=BUILTIN_ROLES, roles=custom,
        role_names=[*BUILTIN_ROLES, *[r["name"] for r in custom]],
        role_options=[(name, name.replace("_", " ")) for name in [*BUILTIN_ROLES, *[r["name"] for r in custom]]],
        users=users, user_names={user.id: user.name for user in users},
        rules=list(db.session.scalars(scoped(ApprovalRule, principal).order_by(ApprovalRule.id))),
        approvals=approval_views(pending), decidable=decidable, audit=audit, metrics=METRICS, actions=ACTIONS)


@blp.get("/inspector")
@login_required
def inspector():
    principal = principal_of_kind("inspector")
    loads = list(db.session.scalars(scoped(Load, principal).order_by(Load.id.desc())))
    return render_template("inspector.html", loads=views.load_rows(loads))
