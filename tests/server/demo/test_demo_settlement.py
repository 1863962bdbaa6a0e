"""The demo settles its delivered loads: bill, issue, approve when the audit asks, pay, and confirm statements."""

from datetime import date
from types import SimpleNamespace

from server.demo.api import ApiError
from server.demo.settlement import Settlement


class FakeSession:
    """Answers the demo's calls like the API would, and records them."""

    def __init__(self, org_id: int, answers: dict):
        self.organisation_id, self.answers, self.calls = org_id, answers, []

    def post(self, path, body=None):
        self.calls.append((path, body))
        for prefix, answer in self.answers.items():
            if path.startswith(prefix):
                return answer(path, body) if callable(answer) else answer
        return {}


def _cast(bill_status="issued", billed_before=False):
    def draft(path, body):
        if billed_before:
            raise ApiError("POST", path, 409, "already billed", "already_billed")
        return {"id": 5}

    bill = {"id": 5, "status": bill_status, "open": "1190.00", "currency": "EUR", "total": "1190.00", "lines": [1, 2]}
    carrier = SimpleNamespace(org_id=3, name="Weber", session=FakeSession(3, {
        "/api/v1/freight-bills/5/issue": bill, "/api/v1/freight-bills": draft, "/api/v1/statements": {}}))
    seller = SimpleNamespace(plant_id=1, session=FakeSession(2, {
        "/api/v1/rate-agreements": {}, "/api/v1/freight-bills/5/approve": {**bill, "status": "approved"},
        "/api/v1/statements": {"id": 9, "documents": 2, "closing_balance": "0.00", "currency": "EUR"}}))
    buyer = SimpleNamespace(site_id=4)
    return SimpleNamespace(seller=seller, carriers={3: carrier}, buyers={7: buyer})


def test_delivered_load_is_billed_approved_and_paid_once():
    """A bill above the tolerance is approved by the seller, then paid its open amount; the next tick skips it."""
    cast = _cast()
    settlement = Settlement(cast)
    loads = {1: {"id": 1, "status": "delivered", "carrier_id": 3, "reference": "L-1"},
             2: {"id": 2, "status": "in_transit", "carrier_id": 3, "reference": "L-2"}}
    settlement.tick(loads)
    settlement.tick(loads)
    seller_paths = [path for path, _ in cast.seller.session.calls]
    assert seller_paths == ["/api/v1/rate-agreements", "/api/v1/freight-bills/5/approve",
                            "/api/v1/freight-bills/5/payments"]
    assert cast.seller.session.calls[-1][1]["amount"] == "1190.00"
    assert [path for path, _ in cast.carriers[3].session.calls] == ["/api/v1/freight-bills",
                                                                    "/api/v1/freight-bills/5/issue"]


def test_load_billed_on_an_earlier_run_is_left_alone():
    """A 409 on drafting (billed before a restart) is not an error and nothing else is sent."""
    cast = _cast(billed_before=True)
    Settlement(cast).tick({1: {"id": 1, "status": "delivered", "carrier_id": 3, "reference": "L-1"}})
    assert [path for path, _ in cast.seller.session.calls] == ["/api/v1/rate-agreements"]


def test_day_statement_is_confirmed_by_both_sides():
    """At the end of the day the seller draws each carrier's statement and both confirm it."""
    cast = _cast()
    Settlement(cast).close_day(date(2026, 12, 7))
    assert [path for path, _ in cast.seller.session.calls] == ["/api/v1/statements", "/api/v1/statements/9/confirm"]
    assert cast.carriers[3].session.calls == [("/api/v1/statements/9/confirm", None)]
