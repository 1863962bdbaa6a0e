"""An organisation's approval rules and delegations (``/approval-rules``, ``/approval-delegations``)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from server import clock
from server.api.common import IdField, PageArgs, page_of, page_schema
from server.approvals.levels import level_problems
from server.audit.trail import record
from server.auth.permissions import BUILTIN_ROLES
from server.auth.principal import current_principal, refuse_without, require
from server.auth.scoping import get_scoped_or_404, scoped
from server.errors import ApiProblem
from server.extensions import db
from server.models import ApprovalDelegation, ApprovalRule, CustomRole, User

blp = Blueprint("approval_rules", __name__, url_prefix="/api/v1", description="Approval rules and delegations")

ACTIONS = ("authorize_pickup", "award", "commit_load_plan")
METRICS = ("tonnage", "price", "trucks")
# What each action can be measured by (a load plan by its number of trucks, the others by their load).
ACTION_METRICS = {"authorize_pickup": ("tonnage", "price"), "award": ("price",), "commit_load_plan": ("trucks",)}


class LevelSchema(Schema):
    mode = fields.String(load_default="any", validate=validate.OneOf(["any", "all"]),
                         metadata={"description": "any: one approver passes the level; all: each listed user"})
    role = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=60),
                         metadata={"description": "approvers must hold this role (and the approve permission)"})
    user_ids = fields.List(IdField(), load_default=list, validate=validate.Length(max=20))


class RuleIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    metric = fields.String(required=True, validate=validate.OneOf(METRICS),
                           metadata={"description": "tonnage (t of the load) or price (the freight price) for pickups "
                                                    "and awards; trucks (loads of the plan) for commit_load_plan"})
    threshold = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1e12))
    levels = fields.List(fields.Nested(LevelSchema), required=True, validate=validate.Length(min=1, max=5),
                         metadata={"description": "decided in order; each level any-of or all-of its approvers"})
    active = fields.Boolean(load_default=True)


class RulePatch(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    threshold = fields.Float(allow_nan=False, validate=validate.Range(min=0, max=1e12))
    levels = fields.List(fields.Nested(LevelSchema), validate=validate.Length(min=1, max=5))
    active = fields.Boolean()


class RuleOut(Schema):
    id = fields.Integer()
    name = fields.String()
    action = fields.String()
    metric = fields.String()
    threshold = fields.Float()
    levels = fields.List(fields.Dict())
    active = fields.Boolean()
    created_at = fields.DateTime()


class DelegationIn(Schema):
    to_user_id = IdField(required=True)
    ends_at = fields.AwareDateTime(required=True)


class DelegationOut(Schema):
    id = fields.Integer()
    from_user_id = fields.Integer()
    to_user_id = fields.Integer()
    ends_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


def _checked_levels(principal, levels: list[dict]) -> list[dict]:
    errors = level_problems(levels)
    # A level's role is a built-in one or one of the organisation's custom roles: a misspelt name would
    # leave a chain nobody can ever decide.
    named_roles = {level["role"] for level in levels if level.get("role")} - set(BUILTIN_ROLES)
    known = set(db.session.scalars(select(CustomRole.name).where(
        CustomRole.organisation_id == principal.organisation_id, CustomRole.name.in_(named_roles)))) if named_roles else set()
    errors += [(f"levels/{i}/role", "is not a role of this organisation")
               for i, level in enumerate(levels) if level.get("role") and level["role"] in named_roles - known]
    named = {user_id for level in levels for user_id in level["user_ids"]}
    ours = set(db.session.scalars(select(User.id).where(User.id.in_(named),
                                                        User.organisation_id == principal.organisation_id))) if named else set()
    errors += [(f"levels/{i}/user_ids/{j}", _("is not a user of this organisation"))
               for i, level in enumerate(levels) for j, user_id in enumerate(level["user_ids"]) if user_id not in ours]
    if errors:
        raise ApiProblem(422, _("Some levels are invalid."), errors)
    return levels


def _rule_view(row: ApprovalRule) -> dict:
    return {name: getattr(row, name) for name in RuleOut().fields}


@blp.get("/approval-rules")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(RuleOut, "ApprovalRulePage"))
@require("manage_approvals")
def list_rules(args):
    """The organisation's approval rules."""
    return page_of(scoped(ApprovalRule, current_principal()).order_by(ApprovalRule.id), args, _rule_view)


@blp.post("/approval-rules")
@blp.arguments(RuleIn)
@blp.response(201, RuleOut)
@require("manage_approvals")
def create_rule(data):
    """A rule: ``action`` above ``threshold`` of ``metric`` needs each level's approval, in order."""
    principal = current_principal()
    if data["metric"] not in ACTION_METRICS[data["action"]]:
        raise ApiProblem(422, _("This action cannot be measured by that metric."),
                         [("metric", _("%(action)s is measured by %(metrics)s", action=data["action"],
                                       metrics=" | ".join(ACTION_METRICS[data["action"]])))])
    row = ApprovalRule(organisation_id=principal.organisation_id, **{**data, "levels": _checked_levels(principal,
                                                                                                      data["levels"])})
    db.session.add(row)
    db.session.flush()
    record("approval_rule.created", "approval_rule", row.id, principal=principal, after=_rule_view(row))
    db.session.commit()
    return _rule_view(row)


@blp.patch("/approval-rules/<int:rule_id>")
@blp.arguments(RulePatch)
@blp.response(200, RuleOut)
@require("manage_approvals")
def update_rule(data, rule_id):
    """Change a rule (requests already open keep the levels they were opened with)."""
    principal = current_principal()
    row = get_scoped_or_404(ApprovalRule, rule_id, principal)
    before = _rule_view(row)
    if "levels" in data:
        _checked_levels(principal, data["levels"])
    for key, value in data.items():
        setattr(row, key, value)
    record("approval_rule.changed", "approval_rule", row.id, principal=principal, before=before, after=_rule_view(row))
    db.session.commit()
    return _rule_view(row)


@blp.get("/approval-delegations")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(DelegationOut, "ApprovalDelegationPage"))
def list_delegations(args):
    """Delegations from or to the caller (admins with manage_approvals: all of the organisation's)."""
    principal = current_principal()
    query = scoped(ApprovalDelegation, principal).order_by(ApprovalDelegation.id.desc())
    if not principal.can("manage_approvals"):
        query = query.where((ApprovalDelegation.from_user_id == principal.user_id)
                            | (ApprovalDelegation.to_user_id == principal.user_id))
    return page_of(query, args, lambda row: row)


@blp.post("/approval-delegations")
@blp.arguments(DelegationIn)
@blp.response(201, DelegationOut)
@require("approve")
def create_delegation(data):
    """While away, let a colleague decide in your place until ``ends_at``."""
    principal = current_principal()
    now = clock.now()
    to_user = db.session.get(User, data["to_user_id"])
    errors = []
    if principal.user_id is None:
        raise ApiProblem(403, _("Delegations are made by people, not by API tokens."), reason="not_a_person")
    if to_user is None or to_user.organisation_id != principal.organisation_id or not to_user.active:
        errors.append(("to_user_id", _("is not an active user of this organisation")))
    elif to_user.id == principal.user_id:
        errors.append(("to_user_id", _("is yourself")))
    if data["ends_at"] <= now:
        errors.append(("ends_at", _("must be in the future")))
    if errors:
        raise ApiProblem(422, _("The delegation is invalid."), errors)
    row = ApprovalDelegation(organisation_id=principal.organisation_id, from_user_id=principal.user_id,
                             to_user_id=to_user.id, ends_at=data["ends_at"])
    db.session.add(row)
    db.session.flush()
    record("approval_delegation.created", "approval_delegation", row.id, principal=principal,
           after={"to_user_id": to_user.id, "ends_at": data["ends_at"]})
    db.session.commit()
    return row


@blp.delete("/approval-delegations/<int:delegation_id>")
@blp.response(204)
def revoke_delegation(delegation_id):
    """End a delegation early (its giver, or an admin with manage_approvals)."""
    principal = current_principal()
    row = get_scoped_or_404(ApprovalDelegation, delegation_id, principal)
    if row.from_user_id != principal.user_id:
        refuse_without(principal, "manage_approvals")
    row.revoked_at = row.revoked_at or clock.now()
    record("approval_delegation.revoked", "approval_delegation", row.id, principal=principal)
    db.session.commit()
