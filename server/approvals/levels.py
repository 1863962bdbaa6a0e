"""Who may decide a level of a chain: pure rules over plain data (no database, no Flask).

A level is ``{"mode": "any" | "all", "role": name | None, "user_ids": [ids]}``. An approver must hold
the ``approve`` permission, the level's role when it names one, and be one of its users when it lists
them; a delegate decides in the place of such a person. ``any`` is passed by one approval, ``all`` by
one from each listed user. The requester never decides, nor does anyone decide two levels of a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _


@dataclass(frozen=True)
class Person:
    user_id: int
    roles: frozenset[str]
    permissions: frozenset[str]


def qualifies(level: dict, person: Person) -> bool:
    """Whether ``person`` may decide ``level`` in their own name."""
    if "approve" not in person.permissions:
        return False
    if level.get("role") and level["role"] not in person.roles:
        return False
    users = level.get("user_ids") or []
    return not users or person.user_id in users


def passed(level: dict, approvals: Iterable[int]) -> bool:
    """``approvals`` are the users (in whose name) who approved this level."""
    approvals = set(approvals)
    if level.get("mode", "any") == "all" and level.get("user_ids"):
        return set(level["user_ids"]) <= approvals
    return bool(approvals)


def level_problems(levels: list[dict]) -> list[tuple[str, str]]:
    """Field errors of a rule's levels (paths ``levels/<i>/...``)."""
    errors = []
    for i, level in enumerate(levels):
        if level.get("mode", "any") == "all" and not level.get("user_ids"):
            errors.append((f"levels/{i}/user_ids", _("an 'all' level lists the users who must each approve")))
        if not level.get("role") and not level.get("user_ids"):
            errors.append((f"levels/{i}", _("name a role or list users who may approve")))
    return errors
