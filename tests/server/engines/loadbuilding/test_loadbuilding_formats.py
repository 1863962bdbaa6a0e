"""Readers for OR-Library and BPPLIB bin-packing files (tests/data/loadbuilding/)."""

from __future__ import annotations

import pytest

from server.engines.loadbuilding.formats import InstanceFormatError, parse_bpplib, read_instances
from tests.server.engines.loadbuilding.loadbuilding_fixtures import DATA


def test_or_library_file_with_several_instances():
    """Names, capacities, best counts and sizes come from the file; decimals are scaled to integers."""
    first, second = read_instances(DATA / "tiny_binpack1.txt")
    assert (first.name, first.capacity, first.best_known, first.sizes) == ("toy_a", 10, 3, (6, 5, 4, 3, 2))
    assert (second.name, second.capacity, second.sizes) == ("toy_b", 100, (55, 45, 32))


def test_bpplib_file_named_by_stem():
    """A BPPLIB file is one instance named after the file."""
    (inst,) = read_instances(DATA / "Toy_bpplib_00.txt")
    assert (inst.name, inst.capacity, inst.sizes, inst.best_known) == ("Toy_bpplib_00", 100, (60, 50, 40, 30, 10, 10), None)


def test_bpplib_size_count_lines():
    """A 'size count' line stands for count items of that size."""
    (inst,) = read_instances(DATA / "toy_bpplib_counts.txt")
    assert inst.sizes == (7, 7, 3, 3, 3)


def test_wrong_item_count_is_an_error():
    """A file announcing more items than it lists is rejected with a clear message."""
    with pytest.raises(InstanceFormatError, match="3 items announced"):
        parse_bpplib("3\n10\n4\n5\n", "bad")


def test_garbage_is_an_error():
    """Text that is not a number where one is expected is rejected."""
    with pytest.raises(InstanceFormatError):
        parse_bpplib("2\n10\nfour\n5\n", "bad")
