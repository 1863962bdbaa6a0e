"""The freight bill's states, and who moves it between them.

    draft -> issued -> approved -> paid
                   \\-> disputed -> issued (every dispute resolved: the approver looks again)

A draft is the only state whose lines change; the payer's audit runs when a bill is issued and
approves it at once within the tolerance. A credit note is issued when the carrier accepts or
adjusts a dispute and needs no approval of its own. ``paid`` is reached when payments and credit
notes cover the total.
"""

from __future__ import annotations

from flask_babel import gettext as _

from server.errors import ApiProblem

FLOW: dict[str, frozenset[str]] = {
    "draft": frozenset({"issued"}),
    "issued": frozenset({"approved", "disputed"}),
    "disputed": frozenset({"issued", "disputed"}),
    "approved": frozenset({"paid"}),
    "paid": frozenset(),
}
OPEN_FOR_PAYMENT = ("approved",)
COUNTED = ("issued", "approved", "disputed", "paid")  # on statements: every bill that was issued


def move(bill, target: str) -> str:
    """Move ``bill`` to ``target``; a 409 problem when the step is not allowed. Returns the old status."""
    if target not in FLOW.get(bill.status, frozenset()):
        raise ApiProblem(409, _("A bill that is %(status)s cannot become %(target)s.", status=bill.status,
                                target=target), code="illegal_transition",
                         allowed=sorted(FLOW.get(bill.status, ())))
    before, bill.status = bill.status, target
    return before
