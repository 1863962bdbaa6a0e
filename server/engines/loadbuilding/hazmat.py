"""Hazmat segregation: which dangerous-goods classes may share a truck.

The default table is data (``hazmat_segregation.json`` beside this module); a problem may
replace it with its own list of incompatible pairs. A rule written for a class ("1") also
covers its divisions ("1.1" ... "1.6"); a rule for a division covers only that division.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_TABLE_FILE = Path(__file__).with_name("hazmat_segregation.json")


def _keys(hazmat_class: str) -> tuple[str, ...]:
    """The labels a rule may be written for: the division itself and its class ("5.1", "5")."""
    head = hazmat_class.split(".", 1)[0]
    return (hazmat_class,) if head == hazmat_class else (hazmat_class, head)


@dataclass(frozen=True)
class Segregation:
    """A set of unordered pairs of hazmat labels that must not travel together."""

    pairs: frozenset[frozenset[str]]
    classes: frozenset[str]

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]], classes: Iterable[str] = ()) -> Segregation:
        """A table from explicit pairs; ``classes`` lists further labels known to be valid."""
        pair_set = frozenset(frozenset((a, b)) for a, b in pairs if a != b)
        known = set(classes)
        for a, b in pairs:
            known.update((a, b))
        return cls(pair_set, frozenset(known))

    def knows(self, hazmat_class: str) -> bool:
        """Whether the label names a class this table (or the UN list) recognises."""
        return hazmat_class in self.classes or hazmat_class in default_table().classes

    def compatible(self, a: str | None, b: str | None) -> bool:
        """Whether goods of classes ``a`` and ``b`` (None: not dangerous) may share a truck."""
        if a is None or b is None or a == b:
            return True
        return not any(frozenset((ka, kb)) in self.pairs for ka in _keys(a) for kb in _keys(b) if ka != kb)


@cache
def default_table() -> Segregation:
    """The shipped table (see the ``about`` note in the JSON file for its basis)."""
    data = json.loads(_TABLE_FILE.read_text(encoding="utf-8"))
    return Segregation.from_pairs([tuple(pair) for pair in data["incompatible"]], data["classes"])


def segregation_for(override: Iterable[tuple[str, str]] | None) -> Segregation:
    """The problem's own table when it gives one, else the default."""
    if override is None:
        return default_table()
    return Segregation.from_pairs(list(override), default_table().classes)
