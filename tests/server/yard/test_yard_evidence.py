"""Append-only, hash-chained evidence per load; tampering in the database or the file store is found and named."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from server.cli.evidence import evidence as evidence_cli
from server.extensions import db
from server.models import Event, EvidenceItem, Load
from server.yard import evidence
from server.yard.evidence_store import FilesystemStore, sha256_of
from server.yard.refusals import YardRefused
from tests.server.yard.yard_factory import MONDAY, PIXEL_PNG, make_load, make_plant

POSITION = {"lat": 51.4301, "lon": 6.7612}


def _record(plant, load, kind, payload, **meta):
    return evidence.record(plant.manager.principal, db.session.get(Load, load.id), kind, payload, MONDAY, **meta)


def _a_chain(plant, load):
    photo = evidence.store_file(PIXEL_PNG, "photos/0")
    items = [("weigh_ticket", {"ticket_no": "WB-77", "tare_kg": 14100.5, "gross_kg": 34080.0}),
             ("seal", {"seal_number": "SL-0042", "note": "grün ✓"}),
             ("sample", {"sample_id": "S-9", "temperature_c": 21.0, "tags": ["a", 1, 1.5, None, True]}),
             ("photo", {**photo, "caption": "rear doors"}),
             ("note", {"text": "loaded by forklift 3"})]
    return [_record(plant, load, kind, payload, position=POSITION, device_id="dock-tablet-2")[0]
            for kind, payload in items]


def _run_cli(*args):
    return CliRunner().invoke(evidence_cli, ["verify", *map(str, args)])


def test_items_chain_in_order_and_verify_after_a_trip_through_the_database(ctx):
    """Five kinds of evidence get seq 1..5, each linked to the one before; the stored chain verifies."""
    plant = make_plant()
    load = make_load(plant)
    rows = _a_chain(plant, load)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    db.session.expire_all()
    result = evidence.verify_load(load.id)
    assert result == {"ok": True, "items": 5, "head": rows[-1].hash, "first_bad_seq": None,
                      "first_bad_item_id": None, "reason": None}
    stored = db.session.query(EvidenceItem).filter_by(load_id=load.id, seq=1).one()
    assert stored.payload["net_kg"] == 19979.5 and stored.device_id == "dock-tablet-2"
    assert evidence.item_view(stored)["position"] == POSITION
    assert evidence.item_view(stored)["author_id"] == str(plant.manager.user_id)


def test_a_correction_is_a_new_item_naming_the_old_one(ctx):
    """Fixing a seal number appends an item that corrects seq 1; the original stays as it was."""
    plant = make_plant()
    load = make_load(plant)
    first, _ = _record(plant, load, "seal", {"seal_number": "SL-1"})
    fixed, _ = _record(plant, load, "seal", {"seal_number": "SL-7"}, corrects=1)
    assert (fixed.seq, fixed.corrects_seq) == (2, 1)
    assert db.session.get(EvidenceItem, first.id).payload == {"seal_number": "SL-1"}
    assert evidence.verify_load(load.id)["ok"] is True
    with pytest.raises(YardRefused) as refused:
        _record(plant, load, "sample", {"sample_id": "X"}, corrects=1)
    assert refused.value.status == 422 and refused.value.errors[0][0] == "corrects"


def test_a_net_weight_off_the_order_raises_an_exception_event(ctx):
    """22 t net against a 20 t load is 10 % over the 2 % tolerance: a weight_exception event; 20.1 t is fine."""
    plant = make_plant()
    load = make_load(plant, weight_kg=20000)
    _, within = _record(plant, load, "weigh_ticket", {"tare_kg": 14000, "gross_kg": 34100})
    assert within is None
    _, over = _record(plant, load, "weigh_ticket", {"tare_kg": 14000, "gross_kg": 36000}, corrects=1)
    assert over["direction"] == "over" and over["difference_kg"] == 2000 and over["tolerance_pct"] == 2.0
    events = db.session.query(Event).filter_by(load_id=load.id, kind="weight_exception").all()
    assert len(events) == 1 and events[0].data["evidence_seq"] == 2


def test_bad_weigh_tickets_are_refused_with_field_paths(ctx):
    """Gross below tare or a wrong stated net weight is a 422 naming the payload field; nothing is stored."""
    plant = make_plant()
    load = make_load(plant)
    with pytest.raises(YardRefused) as refused:
        _record(plant, load, "weigh_ticket", {"tare_kg": 14000, "gross_kg": 9000, "net_kg": 1})
    assert refused.value.status == 422
    assert {"payload/gross_kg", "payload/net_kg"} <= {path for path, _ in refused.value.errors}
    assert db.session.query(EvidenceItem).count() == 0


def test_a_row_changed_in_the_database_is_detected_and_named(ctx):
    """Editing item 2's payload behind the API breaks its hash; verify and the CLI name seq 2."""
    plant = make_plant()
    load = make_load(plant)
    rows = _a_chain(plant, load)
    assert _run_cli(load.id).exit_code == 0
    with db.engine.begin() as conn:
        payload = '{"seal_number": "SL-9999", "note": "grün ✓"}'
        column = "CAST(:p AS JSONB)" if conn.dialect.name == "postgresql" else "json(:p)"
        conn.execute(text(f"UPDATE evidence_items SET payload = {column} WHERE id = :id"),
                     {"p": payload, "id": rows[1].id})
    db.session.expire_all()
    result = evidence.verify_load(load.id)
    assert (result["ok"], result["first_bad_seq"], result["first_bad_item_id"]) == (False, 2, rows[1].id)
    assert "hash mismatch" in result["reason"]
    out = _run_cli(load.id)
    assert out.exit_code == 1 and f"TAMPERED at item seq 2 (id {rows[1].id})" in out.output


def test_a_rewritten_time_or_a_deleted_item_is_detected(ctx):
    """Moving an item's time, or deleting an item, breaks the chain at that point."""
    plant = make_plant()
    load = make_load(plant)
    rows = _a_chain(plant, load)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE evidence_items SET recorded_at = :t WHERE id = :id"),
                     {"t": MONDAY.replace(hour=3, tzinfo=None), "id": rows[2].id})
    db.session.expire_all()
    assert evidence.verify_load(load.id)["first_bad_seq"] == 3
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM evidence_items WHERE id = :id"), {"id": rows[0].id})
    db.session.expire_all()
    assert evidence.verify_load(load.id)["first_bad_seq"] == 1


def test_an_altered_photo_file_is_detected(ctx):
    """A stored photo whose bytes changed no longer matches its hash; the photo item is named."""
    plant = make_plant()
    load = make_load(plant)
    rows = _a_chain(plant, load)
    digest = rows[3].payload["sha256"]
    path = Path(ctx.config["HAUL_INSTANCE_DIR"]) / "evidence" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == PIXEL_PNG
    path.write_bytes(PIXEL_PNG + b"x")
    result = evidence.verify_load(load.id)
    assert (result["ok"], result["first_bad_seq"]) == (False, 4) and "was altered" in result["reason"]
    path.unlink()
    assert "is missing" in evidence.verify_load(load.id)["reason"]


def test_files_are_stored_by_content_hash_once(tmp_path):
    """The store names a file by its SHA-256, keeps one copy, and refuses names that are no hash."""
    store = FilesystemStore(tmp_path)
    digest = store.put(b"abc")
    assert digest == sha256_of(b"abc") and store.put(b"abc") == digest and store.get(digest) == b"abc"
    assert len(list(tmp_path.rglob("*"))) == 3  # ab/, ab/cd/, the file
    assert store.get("../../etc/passwd") is None and not store.exists("nope")


def test_only_parties_at_the_right_time_record_evidence(ctx):
    """The buyer cannot record pickup evidence; a load still on the board has none; not an image is refused."""
    plant = make_plant()
    load = make_load(plant)
    with pytest.raises(YardRefused) as refused:
        evidence.record(plant.buyer.principal, db.session.get(Load, load.id), "note", {"text": "x"}, MONDAY)
    assert refused.value.status == 403
    draft = make_load(plant, status="tendered")
    with pytest.raises(YardRefused) as refused:
        _record(plant, draft, "note", {"text": "x"})
    assert refused.value.reason == "load_not_started"
    with pytest.raises(YardRefused) as refused:
        evidence.store_file(b"%PDF-1.4", "photos/0")
    assert refused.value.reason == "not_an_image"


def test_cli_names_unknown_loads(ctx):
    """Verifying a load that does not exist exits with 2."""
    assert _run_cli(999_999).exit_code == 2
