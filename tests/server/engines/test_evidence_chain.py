"""Tests for server/engines/evidence_chain.py."""

import dataclasses
import hashlib
import math

import pytest

from server.engines.evidence_chain import (
    GENESIS,
    EvidenceValidationError,
    append,
    canonical,
    compute_hash,
    corrections_of,
    verify,
)

PHOTO_HASH = hashlib.sha256(b"jpeg bytes").hexdigest()


def _fields(kind, payload, **extra):
    base = {
        "load_id": "LD-1",
        "kind": kind,
        "payload": payload,
        "time": "2025-03-01T08:15:00+01:00",
        "position": (51.05, 3.72),
        "author_id": "user-7",
        "device_id": "dock-tablet-2",
        "corrects": None,
    }
    return base | extra


def _chain():
    chain = []
    for fields in (
        _fields("weigh_ticket", {"ticket_no": "WB-1", "tare_kg": 14200, "gross_kg": 39800}),
        _fields("seal", {"seal_number": "SN-55812"}),
        _fields("sample", {"sample_id": "S-2025-118"}),
        _fields("photo", {"sha256": PHOTO_HASH, "media_type": "image/jpeg"}, position=None),
        _fields("seal", {"seal_number": "SN-55813"}),
    ):
        chain.append(append(chain, fields))
    return chain


def test_append_numbers_links_and_hashes_items():
    """Items get seq 1.., each links to the previous hash, the first to GENESIS."""
    chain = _chain()
    assert [item.seq for item in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:], strict=False))
    assert chain[0].time == "2025-03-01T07:15:00.000Z"
    assert chain[0].payload["net_kg"] == 25600
    assert verify(chain).ok


def test_canonical_form_is_sorted_compact_utf8_with_stable_numbers():
    """Keys are sorted, there is no whitespace, text is UTF-8 and 1.0 renders as 1."""
    assert canonical({"b": 1.0, "a": [0.1, 1e21], "é": "ü"}) == '{"a":[0.1,1e+21],"b":1,"é":"ü"}'.encode()
    with pytest.raises(ValueError):
        canonical({"x": math.nan})


def test_compute_hash_depends_on_prev_hash_and_every_field():
    """Changing the previous hash or any field changes the hash."""
    item = dataclasses.asdict(_chain()[1])
    base = compute_hash(item["prev_hash"], item)
    assert base == item["hash"]
    assert compute_hash(GENESIS, item) != base
    for name, value in (
        ("payload", {"seal_number": "X"}),
        ("author_id", "other"),
        ("seq", 9),
        ("position", None),
    ):
        assert compute_hash(item["prev_hash"], item | {name: value}) != base


def test_tampered_payload_is_found_at_its_item():
    """Editing an item's payload after the fact names that item."""
    chain = _chain()
    chain[2] = dataclasses.replace(chain[2], payload={"sample_id": "S-2025-999"})
    result = verify(chain)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "hash mismatch" in result.reason


def test_tampered_hash_is_found_at_its_item():
    """Overwriting an item's hash names that item, not the one after it."""
    chain = _chain()
    chain[1] = dataclasses.replace(chain[1], hash="f" * 64)
    result = verify(chain)
    assert (result.ok, result.first_bad_seq) == (False, 2)


def test_deleted_item_is_found_as_the_missing_sequence_number():
    """Removing an item names the sequence number that is missing."""
    chain = _chain()
    del chain[3]
    result = verify(chain)
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "sequence gap" in result.reason


def test_reordered_items_are_found_at_the_first_displaced_position():
    """Swapping two items names the first position holding the wrong item."""
    chain = _chain()
    chain[1], chain[2] = chain[2], chain[1]
    result = verify(chain)
    assert (result.ok, result.first_bad_seq) == (False, 2)


def test_rewritten_and_rehashed_item_breaks_the_next_link():
    """Recomputing a tampered item's hash still breaks the following item's link."""
    chain = _chain()
    edited = dataclasses.asdict(chain[1]) | {"payload": {"seal_number": "FORGED"}}
    edited["hash"] = compute_hash(edited["prev_hash"], edited)
    chain[1] = edited
    result = verify(chain)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "broken link" in result.reason


def test_truncation_is_caught_with_a_recorded_head():
    """Dropping the newest item is only visible against a head hash kept elsewhere."""
    chain = _chain()
    head = chain[-1].hash
    assert verify(chain[:-1]).ok
    assert not verify(chain[:-1], expected_head=head).ok
    assert verify(chain, expected_head=head).ok


def test_corrections_reference_the_corrected_item():
    """A correction names an earlier item of its kind and is found by corrections_of."""
    chain = _chain()
    fix = append(
        chain,
        _fields("weigh_ticket", {"ticket_no": "WB-1b", "tare_kg": 14200, "gross_kg": 39900}, corrects=1),
    )
    chain.append(fix)
    assert fix.corrects == 1 and verify(chain).ok
    assert corrections_of(chain, 1) == [fix]
    for bad in (99, 2):  # no such item; a seal is not a weigh ticket
        with pytest.raises(EvidenceValidationError) as caught:
            append(chain, _fields("weigh_ticket", {"tare_kg": 1, "gross_kg": 2}, corrects=bad))
        assert caught.value.errors[0][0] == "corrects"


def test_append_validates_with_field_paths():
    """Bad kind, weights, time, position and photo hash are reported by path."""
    with pytest.raises(EvidenceValidationError) as caught:
        append([], _fields("weigh_ticket", {"tare_kg": 0, "gross_kg": -5}, time="08:15", position=(95, 0)))
    paths = {path for path, _ in caught.value.errors}
    assert {"payload/tare_kg", "payload/gross_kg", "time", "position"} <= paths
    with pytest.raises(EvidenceValidationError) as caught:
        append([], _fields("photo", {"sha256": "not-a-hash"}))
    assert caught.value.errors == [
        ("payload/sha256", "must be the photo's SHA-256 as 64 lowercase hex digits")
    ]
    with pytest.raises(EvidenceValidationError) as caught:
        append([], _fields("selfie", {}))
    assert caught.value.errors[0][0] == "kind"
    with pytest.raises(EvidenceValidationError):
        append(_chain(), _fields("seal", {"seal_number": "S"}, load_id="LD-2"))


def test_item_is_independent_of_the_callers_payload_dict():
    """Mutating the dict passed to append does not change the stored item."""
    payload = {"seal_number": "SN-1"}
    item = append([], _fields("seal", payload))
    payload["seal_number"] = "SN-2"
    assert item.payload["seal_number"] == "SN-1" and verify([item]).ok
