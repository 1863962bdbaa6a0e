"""Scorecards over the last N loads and each seller's thresholds."""

import pytest

from server.market.scorecard import MarketSettings, SettingsInvalid, build, ineligibility


def test_a_new_carrier_gets_the_default_score():
    """Without history the score is the neutral default and nothing is averaged."""
    card = build([])
    assert (card.loads, card.score, card.on_time_pickup) == (0, 0.8, None)


def test_facts_are_averaged_and_cancellations_counted():
    """Two loads: half on time at pickup, a cancellation on one, tracked 50% and 100%."""
    card = build([(1, "on_time_pickup", 1), (2, "on_time_pickup", 0), (1, "tracked_share", 0.5),
                  (2, "tracked_share", 1.0), (2, "cancelled", 1)])
    assert (card.loads, card.on_time_pickup, card.tracked_share, card.cancellations) == (2, 0.5, 0.75, 1)
    perfect = build([(1, "on_time_pickup", 1), (1, "on_time_delivery", 1), (1, "tracked_share", 1.0)])
    assert perfect.score == 1.0 and card.score < perfect.score


def test_thresholds_apply_once_a_carrier_has_enough_loads():
    """Below min_loads a carrier is not judged; above, each missed threshold is a reason."""
    settings = MarketSettings(min_loads=2, min_on_time_pickup=0.9, max_cancellations=0)
    one = build([(1, "on_time_pickup", 0), (1, "cancelled", 1)])
    assert ineligibility(one, settings) == []
    two = build([(1, "on_time_pickup", 0), (2, "on_time_pickup", 1), (2, "cancelled", 1)])
    reasons = ineligibility(two, settings)
    assert len(reasons) == 2 and "on time pickup 50% is below 90%" in reasons[0]


def test_settings_are_read_from_the_organisation():
    """Known keys are read; the rest keep their defaults."""
    settings = MarketSettings.from_settings({"market": {"window": 10, "max_cancellations": 2}})
    assert (settings.window, settings.max_cancellations, settings.radius_max_km) == (10, 2, 1000.0)
    assert settings.has_thresholds and not MarketSettings.from_settings({}).has_thresholds


@pytest.mark.parametrize("raw,path", [({"window": 0}, "market/window"), ({"window": 2.5}, "market/window"),
                                      ({"min_tracked_share": 2}, "market/min_tracked_share"),
                                      ({"colour": "red"}, "market/colour"), ({"score_weight": "x"}, "market/score_weight"),
                                      ({"min_loads": True}, "market/min_loads")])
def test_bad_settings_are_named(raw, path):
    """Out-of-range, wrongly typed and unknown settings raise with their paths."""
    with pytest.raises(SettingsInvalid) as exc:
        MarketSettings.from_settings({"market": raw})
    assert [p for p, _ in exc.value.errors] == [path]
