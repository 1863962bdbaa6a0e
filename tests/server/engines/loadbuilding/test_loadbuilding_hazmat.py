"""The hazmat segregation table and its overrides."""

from __future__ import annotations

from server.engines.loadbuilding.hazmat import Segregation, default_table, segregation_for


def test_explosives_travel_with_almost_nothing():
    """Class 1 (any division) is kept from flammables, gases and oxidisers, but not from class 9."""
    table = default_table()
    for other in ("2.1", "3", "4.1", "5.1", "8"):
        assert not table.compatible("1.1", other)
        assert not table.compatible(other, "1.4")
    assert table.compatible("1.4", "9")


def test_flammable_liquids_and_oxidisers_are_separated():
    """Class 3 never shares with 5.1; class 3 travels with 8 and 9."""
    table = default_table()
    assert not table.compatible("3", "5.1")
    assert table.compatible("3", "8") and table.compatible("3", "9")


def test_same_class_and_non_dangerous_goods_always_travel():
    """A class travels with itself, and goods without a class go with anything."""
    table = default_table()
    assert table.compatible("5.1", "5.1") and table.compatible("1.1", "1.3")
    assert table.compatible(None, "1.1")


def test_override_replaces_the_table():
    """A problem's own pairs replace the defaults entirely."""
    own = segregation_for([("8", "9")])
    assert not own.compatible("9", "8")
    assert own.compatible("3", "5.1")
    assert segregation_for(None) is default_table()


def test_rule_for_a_class_covers_its_divisions():
    """A pair written for class 2 applies to 2.1, 2.2 and 2.3."""
    table = Segregation.from_pairs([("2", "8")])
    assert not table.compatible("2.2", "8") and table.compatible("2.2", "3")
    assert table.knows("2") and table.knows("6.1") and not table.knows("11")
