"""Opening an approval request and deciding it, level by level; what approval means is the object's business.

An object's package registers what happens when its chain ends (``@settles("pickup_authorization")``);
this module never imports the packages whose objects it gates. Every request and decision is in the
audit trail, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from server.approvals.levels import Person, passed, qualifies
from server.audit.trail import record
from server.auth.object_permissions import person_on
from server.auth.principal import Principal, permissions_for, refuse_without
from server.errors import ApiProblem
from server.extensions import db
from server.models import ApprovalDecision, ApprovalDelegation, ApprovalRequest, ApprovalRule, Load, User
from server.yard.locking import lock_rows

# object_type -> settle(request, now): called in the deciding transaction once a chain is approved or rejected
_SETTLERS: dict[str, Callable[[ApprovalRequest, datetime], None]] = {}


def settles(object_type: str):
    """Register what ends a chain for ``object_type`` (the approved or rejected request is passed)."""

    def register(settle):
        _SETTLERS[object_type] = settle
        return settle

    return register


def rule_for(organisation_id: int, action: str, measures: dict[str, float | None]) -> tuple[ApprovalRule, float] | None:
    """The organisation's active rule for ``action`` that the measures cross (the highest threshold), if any."""
    crossing = []
    for rule in db.session.scalars(select(ApprovalRule).where(ApprovalRule.organisation_id == organisation_id,
                                                              ApprovalRule.action == action,
                                                              ApprovalRule.active.is_(True))):
        value = measures.get(rule.metric)
        if value is not None and value > rule.threshold:
            crossing.append((rule.threshold, rule.id, rule, value))
    if not crossing:
        return None
    _threshold, _rule_id, rule, value = max(crossing, key=lambda item: (item[0], item[1]))
    return rule, value


def open_request(principal: Principal | None, organisation_id: int, rule: ApprovalRule, measured: float,
                 object_type: str, object_id: int, load_id: int | None) -> ApprovalRequest:
    """A pending request for the object (in the caller's transaction)."""
    row = ApprovalRequest(organisation_id=organisation_id, rule_id=rule.id, object_type=object_type,
                          object_id=object_id, load_id=load_id, status="pending", level=0, levels=list(rule.levels),
                          measured=measured, requested_by_user_id=principal.user_id if principal else None)
    db.session.add(row)
    db.session.flush()
    record("approval.requested", "approval", row.id, principal=principal, organisation_id=organisation_id,
           after={"object_type": object_type, "object_id": object_id, "rule": rule.name, "metric": rule.metric,
                  "threshold": rule.threshold, "measured": measured})
    return row


def pending_for(object_type: str, object_id: int) -> ApprovalRequest | None:
    """The object's latest request (pending, approved or rejected), or None when it never needed one."""
    return db.session.scalar(select(ApprovalRequest).where(ApprovalRequest.object_type == object_type,
                                                           ApprovalRequest.object_id == object_id)
                             .order_by(ApprovalRequest.id.desc()).limit(1))


def awaiting_approval(load_id: int) -> list[str]:
    """What of a load waits for a chain now (shown to every party of the load, without the details)."""
    waiting = set(db.session.scalars(select(ApprovalRequest.object_type).where(
        ApprovalRequest.load_id == load_id, ApprovalRequest.status == "pending")))
    # A load plan's request names no single load: its loads carry the wait in their status.
    if db.session.scalar(select(Load.status).where(Load.id == load_id)) == "awaiting_approval":
        waiting.add("load_plan")
    return sorted(waiting)


def _person(user_id: int, request: ApprovalRequest) -> Person | None:
    """An absent approver as a level sees them on this request (with the roles of their departments covering it)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    roles, permissions = person_on(user.organisation_id, user.id, frozenset(user.roles),
                                   permissions_for(user.organisation_id, user.roles), request)
    return Person(user.id, roles, permissions)


def delegators(organisation_id: int, user_id: int, now: datetime) -> list[int]:
    """Whom ``user_id`` stands in for right now."""
    return list(db.session.scalars(select(ApprovalDelegation.from_user_id).where(
        ApprovalDelegation.organisation_id == organisation_id, ApprovalDelegation.to_user_id == user_id,
        ApprovalDelegation.revoked_at.is_(None), ApprovalDelegation.ends_at > now)
        .order_by(ApprovalDelegation.id)))


def decisions_of(request: ApprovalRequest) -> list[ApprovalDecision]:
    return list(db.session.scalars(select(ApprovalDecision).where(ApprovalDecision.request_id == request.id)
                                   .order_by(ApprovalDecision.id)))


def _in_whose_name(principal: Principal, request: ApprovalRequest, level: dict, decided: set[int],
                   now: datetime) -> int | None:
    """The user in whose name the caller decides this level: themselves, or someone they stand in for.

    A role held in a department counts only on requests about that department's (or a lower one's) load."""
    roles, permissions = person_on(principal.organisation_id, principal.user_id, principal.roles,
                                   principal.permissions, request, principal.token_subset)
    if qualifies(level, Person(principal.user_id, roles, permissions)):
        return principal.user_id
    for absent in delegators(request.organisation_id, principal.user_id, now):
        person = _person(absent, request)
        if (person is not None and absent != request.requested_by_user_id and absent not in decided
                and qualifies(level, person)):
            return absent
    return None


def _decider(principal: Principal, request: ApprovalRequest, history: list[ApprovalDecision],
             now: datetime) -> tuple[int | None, ApiProblem | None]:
    """In whose name the caller would decide the current level, or why they may not (one rule for the
    decision itself and for the pages that offer the buttons)."""
    if request.status != "pending":
        return None, ApiProblem(409, _("This request is already %(status)s.", status=request.status),
                                reason="already_decided")
    if principal.user_id is None:
        return None, ApiProblem(403, _("Approvals are given by people, not by API tokens."), reason="not_a_person")
    if principal.user_id == request.requested_by_user_id:
        return None, ApiProblem(403, _("The requester cannot approve their own request."), reason="requester")
    decided = {d.user_id for d in history} | {d.on_behalf_of_user_id for d in history if d.on_behalf_of_user_id}
    if principal.user_id in decided:
        return None, ApiProblem(403, _("You already decided a level of this request: the next one needs another "
                                       "person."), reason="second_person")
    name = _in_whose_name(principal, request, request.levels[request.level], decided, now)
    if name is None:
        return None, ApiProblem(403, _("You are not an approver of this level."), reason="not_an_approver")
    return name, None


def may_decide(principal: Principal, request: ApprovalRequest, now: datetime) -> bool:
    """Whether the caller may approve or reject the request's current level now."""
    return _decider(principal, request, decisions_of(request), now)[1] is None


def decide(principal: Principal, request: ApprovalRequest, decision: str, comment: str,
           now: datetime) -> ApprovalRequest:
    """Approve or reject the request's current level; the last approval (or any rejection) settles the object."""
    lock_rows(ApprovalRequest, [request.id])
    db.session.refresh(request)
    history = decisions_of(request)
    name, problem = _decider(principal, request, history, now)
    if problem is not None:
        if problem.extra.get("reason") == "not_an_approver":
            refuse_without(principal, "approve")
        raise problem
    level = request.levels[request.level]
    row = ApprovalDecision(request_id=request.id, level=request.level, user_id=principal.user_id,
                           on_behalf_of_user_id=name if name != principal.user_id else None, decision=decision,
                           comment=comment)
    db.session.add(row)
    before = {"status": request.status, "level": request.level}
    if decision == "reject":
        request.status = "rejected"
    elif passed(level, [d.on_behalf_of_user_id or d.user_id for d in [*history, row]
                        if d.level == request.level and d.decision == "approve"]):
        request.level += 1
        if request.level >= len(request.levels):
            request.status = "approved"
    if request.status != "pending":
        request.decided_at = now
        _SETTLERS[request.object_type](request, now)
    record({"approve": "approval.approved", "reject": "approval.rejected"}[decision], "approval", request.id, principal=principal, before=before,
           after={"status": request.status, "level": request.level, "on_behalf_of": row.on_behalf_of_user_id,
                  "comment": comment})
    return request
