"""The payer's audit of a bill: what Haul expects against what was billed, and who approves the rest.

Each billed line is compared with the line Haul computed for the same load and charge (the
agreement or the award, the accessorials the facts prove, the weigh ticket's weight). A bill is
approved automatically when its net is within the tolerance of the expected net (the larger of
``tolerance_pct`` of it and ``tolerance_amount``) and no line is a finding: a charge Haul cannot
prove, a line off by more than the same tolerance, or per-tonne freight on a weight outside the
weighing tolerance. Otherwise it waits for an approver of the payer.

Approvers: any active user of the payer's organisation holding the ``approve`` permission, through a
built-in or a custom role (:class:`PayerAdmins`, named for the admins who were its only approvers before).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Protocol

from sqlalchemy import select

from server.auth.principal import Principal, permissions_for
from server.extensions import db
from server.models import FreightBill, Load, User
from server.settlement import billing, gather
from server.settlement.money import ZERO, percent_of, text


class ApprovalPolicy(Protocol):
    def approvers(self, bill: FreightBill) -> list[int]:
        """The users who may approve ``bill`` (told when it waits for them)."""

    def may_approve(self, principal: Principal, bill: FreightBill) -> bool:
        """Whether ``principal`` may approve or dispute ``bill`` for the payer."""


class PayerAdmins:
    """An approver is an active user of the payer organisation who holds ``approve``."""

    def approvers(self, bill: FreightBill) -> list[int]:
        users = db.session.scalars(select(User).where(User.organisation_id == bill.payer_org_id, User.active.is_(True))
                                   .order_by(User.id))
        held: dict[tuple[str, ...], frozenset[str]] = {}  # one look-up per distinct set of roles
        out = []
        for user in users:
            roles = tuple(sorted(user.roles or ()))
            if roles not in held:
                held[roles] = permissions_for(bill.payer_org_id, roles)
            if "approve" in held[roles]:
                out.append(user.id)
        return out

    def may_approve(self, principal: Principal, bill: FreightBill) -> bool:
        return principal.organisation_id == bill.payer_org_id and principal.can("approve")


policy: ApprovalPolicy = PayerAdmins()


def tolerance(expected: Decimal, pricing: billing.Pricing) -> Decimal:
    return max(percent_of(abs(expected), pricing.tolerance_pct), pricing.tolerance_amount)


def expected_for(bill: FreightBill) -> tuple[dict, billing.Pricing | None]:
    """Expected amounts by (load id, code) for the loads on ``bill``, and the pricing used."""
    load_ids = sorted({line.load_id for line in bill.lines if line.load_id is not None})
    loads = list(db.session.scalars(select(Load).where(Load.id.in_(load_ids))))
    facts = gather.load_facts(load_ids)
    expected: dict = defaultdict(lambda: ZERO)
    pricing = None
    cache: dict = {}
    for load in loads:
        pricing = billing.pricing_for(load, cache)
        for line in billing.expected_lines(facts[load.id], pricing):
            expected[(load.id, line["code"])] += line["amount"]
    return expected, pricing


def audit(bill: FreightBill) -> dict:
    """The audit of ``bill``: expected and billed nets, the difference, findings and the outcome."""
    expected, pricing = expected_for(bill)
    billed = [(line.line_no, line.load_id, line.code, line.amount, line.notes or {}) for line in bill.lines]
    found = compare(billed, expected, pricing, bill.currency)
    if found["outcome"] == "needs_approval":
        found["approvers"] = policy.approvers(bill)
    return found


def compare(billed: list[tuple], expected: dict, pricing: billing.Pricing | None, currency: str) -> dict:
    """Billed lines ``(line_no, load_id, code, amount, notes)`` against expected amounts by (load id, code)."""
    pricing = pricing or billing.Pricing(None, billing.Terms(), currency, ZERO, Decimal(2), ZERO)
    amounts: dict = defaultdict(lambda: ZERO)
    first_line: dict = {}
    findings = []
    for line_no, load_id, code, amount, notes in billed:
        amounts[(load_id, code)] += amount
        first_line.setdefault((load_id, code), line_no)
        if notes.get("outside_tolerance"):
            findings.append({"line_no": line_no, "code": code, "reason": "weight_outside_tolerance",
                             "difference_pct": notes.get("difference_pct")})
    for key, amount in amounts.items():
        want = expected.get(key)
        if want is None:
            findings.append({"line_no": first_line[key], "code": key[1], "reason": "not_provable",
                             "billed": text(amount, currency), "expected": None})
        elif amount != want and abs(amount - want) > tolerance(want, pricing):
            findings.append({"line_no": first_line[key], "code": key[1], "reason": "differs",
                             "billed": text(amount, currency), "expected": text(want, currency),
                             "difference": text(amount - want, currency)})
    findings.sort(key=lambda f: f["line_no"])
    billed_net = sum(amounts.values(), ZERO)
    expected_net = sum(expected.values(), ZERO)
    difference = billed_net - expected_net
    allowed = tolerance(expected_net, pricing)
    outcome = "auto_approved" if not findings and abs(difference) <= allowed else "needs_approval"
    return {"outcome": outcome, "expected_net": text(expected_net, currency), "billed_net": text(billed_net, currency),
            "difference": text(difference, currency), "tolerance": text(allowed, currency),
            "findings": findings, "approvers": []}
