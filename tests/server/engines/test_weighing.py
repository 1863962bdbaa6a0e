"""Tests for server/engines/weighing.py."""

import math

import pytest

from server.engines.evidence_chain import EvidenceValidationError, validate_weigh_ticket
from server.engines.weighing import net_weight, net_weight_exception


def test_weigh_ticket_helpers():
    """Net is gross - tare; gross below tare or a non-positive tare is refused; a stated net must match."""
    assert net_weight(39800, 14200) == 25600
    with pytest.raises(EvidenceValidationError):
        net_weight(10000, 14200)
    with pytest.raises(EvidenceValidationError):
        net_weight(10000, 0)
    assert validate_weigh_ticket({"tare_kg": 10, "gross_kg": 30, "net_kg": 20}) == []
    assert validate_weigh_ticket({"tare_kg": 10, "gross_kg": 30, "net_kg": 25})[0][0] == "payload/net_kg"
    assert validate_weigh_ticket({"tare_kg": math.nan, "gross_kg": 30})[0][0] == "payload/tare_kg"


def test_net_weight_exception_respects_the_tolerance():
    """Inside the tolerance there is no exception; outside it says how much and which way."""
    assert net_weight_exception(25400, 25000, 2.0) is None
    assert net_weight_exception(24500, 25000, 2.0) is None
    over = net_weight_exception(25600, 25000, 2.0)
    assert (
        over.direction == "over" and over.difference_kg == 600 and over.difference_pct == pytest.approx(2.4)
    )
    assert net_weight_exception(24000, 25000, 2.0).direction == "under"
    with pytest.raises(EvidenceValidationError):
        net_weight_exception(25000, 0, 2.0)
    with pytest.raises(EvidenceValidationError):
        net_weight_exception(math.nan, 25000, 2.0)
