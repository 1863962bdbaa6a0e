"""The permission catalogue and the built-in roles, in one place.

A role is a named set of permissions. The five built-in roles are defaults every organisation
has; an organisation's admin composes custom roles from the same catalogue (``CustomRole``).
Endpoints ask for a permission, never for a role (``principal.require``), so a custom role works
everywhere a built-in one does. Nobody hands out more than they hold: a role, a user's roles or
a token may only carry permissions their creator has (``ceiling_breach``).
"""

from __future__ import annotations

from collections.abc import Iterable

# name -> what it lets a person do (listed by GET /api/v1/permissions, shown on the roles page)
CATALOGUE: dict[str, str] = {
    "create_orders": "Post, import and cancel orders",
    "build_loads": "Build load plans and commit them",
    "plan_routes": "Plan the fleet's routes",
    "manage_jobs": "Cancel background jobs",
    "open_tenders": "Open and cancel tenders on the load board",
    "bid": "Bid on, grab and decline tenders; give an award back",
    "award": "Set the award rules",
    "assign_trucks": "Assign a truck and a driver to an awarded load",
    "authorize_pickups": "Authorize and revoke pickups",
    "manage_docks": "Manage docks and plan a site's dock schedule",
    "book_slots": "Book dock slots and report ETAs",
    "check_in": "Check a truck in at the gate",
    "operate_gate": "Call trucks to the dock and move yard visits",
    "record_evidence": "Record weigh tickets, seals, samples and proof of delivery",
    "approve": "Approve or reject requests that need a second person",
    "manage_approvals": "Configure approval rules",
    "manage_users": "Add users and assign their roles",
    "manage_roles": "Compose custom roles",
    "manage_departments": "Manage the department tree",
    "manage_tokens": "Issue, rotate and revoke API tokens",
    "manage_webhooks": "Manage webhooks",
    "manage_sites": "Manage sites",
    "manage_fleet": "Manage vehicles, vehicle types and drivers",
    "manage_devices": "Pair driver devices and manage their logins",
    "propose_trading": "Ask a buyer to trade, withdraw the request",
    "manage_trading": "Accept, decline and end trading relationships",
    "appoint_inspectors": "Appoint an independent inspector for a load",
    "share_tracking": "Share a load's public tracking links and withdraw them",
    "view_finances": "See rate agreements, freight bills and statements",
    "manage_finances": "Draft and issue bills, record payments, agree rates",
    "view_audit": "Read and export the audit trail",
    "manage_organisations": "Create organisations (platform operators)",
}
PERMISSIONS = frozenset(CATALOGUE)

_OFFICE = {"create_orders", "build_loads", "plan_routes", "manage_jobs", "open_tenders", "bid", "assign_trucks",
           "authorize_pickups", "manage_docks", "book_slots", "check_in", "operate_gate", "record_evidence",
           "manage_sites", "manage_fleet", "manage_devices", "propose_trading", "appoint_inspectors",
           "share_tracking", "view_finances", "manage_finances"}

# The built-in roles: what the fixed roles allowed before roles were built from permissions.
BUILTIN_ROLES: dict[str, frozenset[str]] = {
    "admin": PERMISSIONS,
    "dispatcher": frozenset(_OFFICE),
    "dock_manager": frozenset({"manage_docks", "book_slots", "check_in", "operate_gate", "record_evidence"}),
    "driver": frozenset({"book_slots", "check_in", "record_evidence"}),
    "viewer": frozenset({"view_finances"}),
}


def builtin_permissions(roles: Iterable[str]) -> frozenset[str]:
    """The permissions the built-in roles among ``roles`` give (custom role names add nothing here)."""
    granted: set[str] = set()
    for role in roles:
        granted |= BUILTIN_ROLES.get(role, frozenset())
    return frozenset(granted)


def ceiling_breach(wanted: Iterable[str], held: frozenset[str]) -> str | None:
    """The first permission in ``wanted`` that the creator does not hold (sorted, so the answer is stable)."""
    missing = sorted(set(wanted) - held)
    return missing[0] if missing else None
