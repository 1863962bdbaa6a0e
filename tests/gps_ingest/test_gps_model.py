"""`evolve`, the pipeline's fast copy of a fix, against `dataclasses.replace`; Position's fast ``__init__``."""

from dataclasses import FrozenInstanceError, fields, replace
from datetime import UTC, datetime

import pytest

from gps_ingest.model import Event, Position, ZoneTag, evolve

T = datetime(2024, 6, 10, 8, 0, tzinfo=UTC)


def _full() -> Position:
    """A fix with every field set to a value that differs from its default."""
    return Position(message_id="m", source="haul", vehicle_id="7", time=T, lat=51.0, lon=7.0, speed=11.1,
                    heading=90.0, accuracy=5.0, altitude=40.0, battery=80.0, seq=3, attributes={"hdop": 0.9}, late=True,
                    zones=(ZoneTag("1", "pickup"),), eta=T, eta_site_id="1", inserted=True,
                    events=(Event("7", "dwell", T),))


def test_evolve_keeps_every_field_it_is_not_told_to_change():
    """A field added to Position but not to evolve would be lost here (or shift the others)."""
    p = _full()
    assert evolve(p) == p
    assert len(fields(Position)) == 19


def test_evolve_changes_exactly_what_replace_changes():
    p = _full()
    changes = {"message_id": "n", "late": False, "zones": (), "eta": None, "eta_site_id": None, "inserted": False,
               "events": ()}
    for name, value in changes.items():
        assert evolve(p, **{name: value}) == replace(p, **{name: value})
    assert evolve(p, **changes) == replace(p, **changes)


def test_position_init_sets_every_field_and_defaults_like_the_dataclass():
    """The descriptor-based __init__ takes the same arguments, by position or name, with the same defaults."""
    p = _full()
    assert [getattr(p, f.name) for f in fields(Position)] == [
        "m", "haul", "7", T, 51.0, 7.0, 11.1, 90.0, 5.0, 40.0, 80.0, 3, {"hdop": 0.9}, True, (ZoneTag("1", "pickup"),),
        T, "1", True, (Event("7", "dwell", T),)]
    positional = Position(*[getattr(p, f.name) for f in fields(Position)])
    assert positional == p
    bare = Position("m", "haul", "7", T, 51.0, 7.0)
    assert hash(bare) == hash(Position(message_id="m", source="haul", vehicle_id="7", time=T, lat=51.0, lon=7.0))
    assert hash(replace(bare, attributes={"sat": 7})) == hash(bare)  # attributes (a dict) stay out of the hash
    assert [getattr(bare, f.name) for f in fields(Position)][6:] == [f.default for f in fields(Position)][6:]
    with pytest.raises(TypeError):
        Position("m", "haul", "7", T, 51.0)  # lon is required
    with pytest.raises(TypeError):
        Position("m", "haul", "7", T, 51.0, 7.0, colour="red")


def test_position_stays_frozen():
    """Assigning to a field of a fix raises, as with the generated frozen __init__."""
    p = _full()
    with pytest.raises(FrozenInstanceError):
        p.lat = 0.0  # type: ignore[misc]
    assert replace(p, lat=1.0).lat == 1.0 and p.lat == 51.0
