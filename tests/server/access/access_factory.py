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
