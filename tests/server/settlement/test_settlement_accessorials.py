"""Each accessorial rule on tiny named fixtures (tests/data/settlement): what it charges and what it cites."""

import pytest

from server.settlement.charges import expected_charges
from server.settlement.documents import charge_amount
from tests.server.settlement.rule_fixtures import load

FIXTURES = ["free_time_exactly_used", "one_minute_over", "missing_gate_out_with_gps_dwell",
            "delivery_without_gate_gps_only", "early_truck_waits_for_its_slot", "third_party_weight_outside_tolerance",
            "late_cancellation", "truck_ordered_not_used", "plant_moved_slot_overnight", "three_stops"]


def _charges(name):
    facts, terms, data = load(name)
    wanted = {e["code"] for e in data["expect"]}
    charges = expected_charges(facts, terms)
    accessorials = [c for c in charges if c.code not in ("linehaul", "fuel") or c.code in wanted]
    return accessorials, data["expect"]


@pytest.mark.parametrize("name", FIXTURES)
def test_rule_charges_what_the_fixture_expects(name):
    """The fixture's charges come out with the expected codes, quantities and amounts, and nothing else."""
    charges, expected = _charges(name)
    assert [c.code for c in charges] == [e["code"] for e in expected], name
    for charge, want in zip(charges, expected, strict=True):
        assert str(charge.quantity) == want["quantity"], (name, charge)
        assert str(charge_amount(charge, "EUR")) == want["amount"], (name, charge)
        for key in ("clock_start", "clock_stop", "outside_tolerance"):
            if key in want:
                assert charge.notes[key] == want[key], (name, charge.notes)


def test_free_time_exactly_used_charges_nothing():
    """Two hours on site with two hours free is no detention at all."""
    assert _charges("free_time_exactly_used")[0] == []


def test_detention_cites_the_gate_steps():
    """One minute over: the line cites the gate-in and the gate-out it was measured between."""
    (charge,), _ = _charges("one_minute_over")
    assert [e["type"] for e in charge.evidence] == ["pickup_gate_in", "pickup_gate_out"]
    assert charge.evidence[0]["at"] == "2026-12-01T08:00:00+00:00"


def test_missing_gate_out_falls_back_to_the_gps_dwell():
    """Without a gate-out the clock stops at the GPS dwell event, and the line cites it."""
    (charge,), _ = _charges("missing_gate_out_with_gps_dwell")
    assert charge.evidence[-1]["source"] == "dwell" and charge.notes["minutes_on_site"] == "210"


def test_third_party_ticket_wins_and_is_cited_with_its_hash():
    """The third-party ticket is charged on, cited with its chain hash, and flagged outside tolerance."""
    (charge,), _ = _charges("third_party_weight_outside_tolerance")
    ticket = [e for e in charge.evidence if e.get("kind") == "weigh_ticket"]
    assert ticket == [{"type": "evidence_item", "seq": 2, "hash": "hash2", "kind": "weigh_ticket", "third_party": True}]
    assert charge.notes["difference_pct"] == "4.17"


def test_cancellation_long_before_pickup_is_free():
    """A cancellation with more than the notice period costs nothing."""
    from dataclasses import replace
    from datetime import timedelta

    facts, terms, _ = load("late_cancellation")
    early = replace(facts, cancellation=replace(facts.cancellation, at=facts.pickup_at - timedelta(hours=30)))
    assert expected_charges(early, terms) == []


def test_carrier_moved_slot_is_no_layover():
    """A slot the carrier moved itself (not the plant) gives no layover."""
    from dataclasses import replace

    facts, terms, _ = load("plant_moved_slot_overnight")
    own = replace(facts, slots=(facts.slots[0], replace(facts.slots[1], by_plant=False)))
    assert [c.code for c in expected_charges(own, terms) if c.code == "layover"] == []
