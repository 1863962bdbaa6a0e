"""A second person in a party's organisation, with the roles asked (built-in or custom), and a bearer token."""

from __future__ import annotations

import uuid

from tests.conftest import _TEST_PASSWORD_HASH, Party, _detached


def member(party: Party, roles, name: str = "colleague") -> Party:
    """A user of ``party``'s organisation holding ``roles``, with a session token as the app would get."""
    from server.auth.principal import issue_token
    from server.extensions import db
    from server.models import User

    user = User(organisation_id=party.id, email=f"{uuid.uuid4().hex[:8]}@{name}.test", name=name,
                password_hash=_TEST_PASSWORD_HASH, roles=list(roles))
    db.session.add(user)
    db.session.flush()
    token, _ = issue_token(party.id, "test", list(roles), user_id=user.id, kind="session")
    db.session.commit()
    return Party(party.org, _detached(user), token)


def custom_role(client, admin: Party, name: str, permissions) -> dict:
    r = client.post("/api/v1/roles", headers=admin.headers, json={"name": name, "permissions": list(permissions)})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def access_victim(seller_id: int, seller_user_id: int, load_id: int) -> dict:
    """The victim seller's department, custom role, approval rule, request and delegation, and an inspector on its
    load (inspection agencies are a public directory: its name is no secret)."""
    from datetime import UTC, datetime, timedelta

    from server.extensions import db
    from server.models import (
        ApprovalDelegation,
        ApprovalRequest,
        ApprovalRule,
        CustomRole,
        Department,
        InspectionAppointment,
        Organisation,
    )

    role = CustomRole(organisation_id=seller_id, name="secret_role", description="SECRET", permissions=["approve"])
    rule = ApprovalRule(organisation_id=seller_id, name="SECRET rule", action="award", metric="price", threshold=1,
                        levels=[{"mode": "any", "role": "admin", "user_ids": []}])
    department = Department(organisation_id=seller_id, name="SECRET department")
    db.session.add_all([role, rule, department])
    db.session.flush()
    request = ApprovalRequest(organisation_id=seller_id, rule_id=rule.id, object_type="award", object_id=load_id,
                              load_id=load_id, status="pending", level=0, levels=rule.levels, measured=2)
    delegation = ApprovalDelegation(organisation_id=seller_id, from_user_id=seller_user_id, to_user_id=seller_user_id,
                                    ends_at=datetime.now(UTC) + timedelta(days=1))
    agency = Organisation(name="Public weighing agency", kind="inspector", settings={})
    db.session.add_all([request, delegation, agency])
    db.session.flush()
    appointment = InspectionAppointment(load_id=load_id, inspector_org_id=agency.id, appointed_by_org_id=seller_id)
    db.session.add(appointment)
    db.session.commit()
    return {"department_id": department.id, "role_id": role.id, "rule_id": rule.id, "approval_id": request.id, "delegation_id": delegation.id,
            "inspection_appointment_id": appointment.id}
