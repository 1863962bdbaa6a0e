"""``haul bench settlement``: bills and one monthly statement for many delivered loads, on PostgreSQL.

Seeds (not timed) a seller paying a carrier under one per-tonne agreement with fuel, detention and
VAT, and ``--loads`` delivered loads picked up during one month, each with its yard visit (gate-in
and gate-out; a share waited beyond the free time) and, for a share, a third-party weigh ticket on
the real evidence chain. Then it times: drafting, auditing and issuing every load's bill
(``settlement.bulk.generate``), recording payments for most of them, and drawing the month's
statement (``settlement.statements.build``). Finally it checks the statement against the
documents themselves: invoiced, credited and paid equal the sums of the bills and payments of
the month to the cent, and the statement's lines add up from the opening to the closing balance.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import click
from sqlalchemy import func, select, text

from server.bench.market import prepare_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/haul_bench_settlement"
MONTH = date(2026, 11, 1)
SEED_BATCH = 10_000


def _app(url: str):
    from server.app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "WEBHOOK_THREAD": False})


def _parties():
    from server.api.common import point_to_db
    from server.extensions import db
    from server.models import Organisation, RateAgreement, Site

    seller = Organisation(name="Bench Cement", kind="seller", settings={})
    buyer = Organisation(name="Bench Builders", kind="buyer", settings={})
    carrier = Organisation(name="Bench Haulage", kind="carrier", settings={})
    db.session.add_all([seller, buyer, carrier])
    db.session.flush()
    plant = Site(organisation_id=seller.id, name="Plant", location=point_to_db({"lat": 31.23, "lon": 121.47}),
                 timezone="Asia/Shanghai")
    yard = Site(organisation_id=buyer.id, name="Yard", kind="customer",
                location=point_to_db({"lat": 31.30, "lon": 120.58}), timezone="Asia/Shanghai")
    db.session.add_all([plant, yard])
    db.session.flush()
    db.session.add(RateAgreement(
        payer_org_id=seller.id, carrier_org_id=carrier.id, reference="BENCH-RA", currency="CNY",
        origin_site_id=plant.id, destination_site_id=yard.id, valid_from=MONTH, valid_to=date(2026, 12, 31),
        basis="tonne", rate=Decimal("38.50"), minimum=Decimal("600.00"), fuel_pct=Decimal("6.5"),
        accessorials={"free_minutes_pickup": 120, "detention_period_minutes": 60, "detention_rate": "80.00"},
        tax_rate_pct=Decimal("9"), tolerance_pct=Decimal("2")))
    db.session.commit()
    return seller, buyer, carrier, plant, yard


def _seed_loads(n: int, rng: random.Random, parties) -> list[int]:
    from server.db.bulk import insert_rows
    from server.engines import evidence_chain
    from server.extensions import db
    from server.models import EvidenceItem, Load, YardVisit

    seller, buyer, carrier, plant, yard = parties
    created = datetime.now(UTC)
    ids: list[int] = []
    for start in range(0, n, SEED_BATCH):
        rows = []
        for k in range(start, min(n, start + SEED_BATCH)):
            pickup = datetime.combine(MONTH, datetime.min.time(), UTC) + timedelta(minutes=rng.randrange(29 * 24 * 60))
            rows.append({"seller_org_id": seller.id, "buyer_org_id": buyer.id, "carrier_org_id": carrier.id,
                         "reference": f"B-{k + 1:06d}", "status": "delivered", "pickup_site_id": plant.id,
                         "delivery_site_id": yard.id, "pickup_earliest": pickup,
                         "pickup_latest": pickup + timedelta(hours=4), "delivery_earliest": pickup + timedelta(hours=3),
                         "delivery_latest": pickup + timedelta(hours=30), "weight_kg": float(rng.randrange(18, 25) * 1000),
                         "created_at": created, "freight_payer": "seller"})
        batch = insert_rows(Load, rows, with_ids=True)
        visits, tickets = [], []
        for load_id, row in zip(batch, rows, strict=True):
            gate_in = row["pickup_earliest"] + timedelta(minutes=rng.randrange(-30, 30))
            gate_out = gate_in + timedelta(minutes=rng.choice((90, 110, 120, 150, 200, 260)))
            visits.append({"load_id": load_id, "site_id": plant.id, "status": "departed", "arrived_at": gate_in,
                           "created_at": created, "history": [
                               {"status": "arrived", "at": gate_in.isoformat(), "by": None},
                               {"status": "departed", "at": gate_out.isoformat(), "by": None}]})
            if rng.random() < 0.3:
                net = row["weight_kg"] + rng.randrange(-300, 300)
                item = evidence_chain.append([], {
                    "load_id": str(load_id), "kind": "weigh_ticket", "author_id": "system", "device_id": "bench",
                    "payload": {"tare_kg": 14000, "gross_kg": 14000 + net, "net_kg": net, "third_party": True},
                    "time": (gate_in + timedelta(minutes=40)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "position": None, "corrects": None})
                tickets.append({"load_id": load_id, "seq": item.seq, "kind": item.kind, "payload": item.payload,
                                "recorded_at": gate_in + timedelta(minutes=40), "device_id": "bench",
                                "prev_hash": item.prev_hash, "hash": item.hash, "created_at": created})
        insert_rows(YardVisit, visits)
        insert_rows(EvidenceItem, tickets)
        db.session.commit()
        ids.extend(batch)
    return ids


def _bill_slice(url: str, load_ids: list[int], now: datetime) -> dict:
    """One billing process: its own app and connections, its share of the loads."""
    from server.extensions import db
    from server.settlement import bulk

    started = time.process_time()
    app = _app(url)
    with app.app_context():
        counts = bulk.generate(load_ids, now)
        db.session.remove()
        db.engine.dispose()
    return {**counts, "cpu_s": time.process_time() - started}


def _bill_in_processes(url: str, load_ids: list[int], now: datetime, processes: int) -> dict:
    """Bill the loads in ``processes`` forked processes, each a contiguous slice (a pool of one runs here)."""
    if processes <= 1:
        return _bill_slice(url, load_ids, now)
    size = -(-len(load_ids) // processes)
    slices = [load_ids[k:k + size] for k in range(0, len(load_ids), size)]
    with multiprocessing.get_context("fork").Pool(len(slices)) as pool:
        results = pool.starmap(_bill_slice, [(url, part, now) for part in slices])
    return {key: sum(r[key] for r in results) for key in results[0]}  # cpu_s: the processes' CPU time added up


def _pay(share: float, rng: random.Random, now: datetime) -> int:
    """Record full payments for a share of the approved bills (one multi-row INSERT, one UPDATE)."""
    from server.db.bulk import insert_rows
    from server.extensions import db
    from server.models import FreightBill, Payment

    bills = db.session.execute(select(FreightBill.id, FreightBill.carrier_org_id, FreightBill.payer_org_id,
                                      FreightBill.currency, FreightBill.total)
                               .where(FreightBill.status == "approved")).all()
    chosen = [b for b in bills if rng.random() < share]
    paid_on = date(2026, 11, 28)
    for start in range(0, len(chosen), SEED_BATCH):
        part = chosen[start:start + SEED_BATCH]
        insert_rows(Payment, [
            {"bill_id": b.id, "carrier_org_id": b.carrier_org_id, "payer_org_id": b.payer_org_id,
             "currency": b.currency, "amount": b.total, "reference": f"PAY-{b.id}", "paid_on": paid_on,
             "created_at": now} for b in part])
        db.session.execute(text("UPDATE freight_bills SET paid = total, status = 'paid' WHERE id = ANY(:ids)"),
                           {"ids": [b.id for b in part]})
    db.session.commit()
    return len(chosen)


def _check(statement) -> dict:
    """The statement against its documents, summed independently in SQL, to the cent."""
    from server.extensions import db
    from server.models import FreightBill, Payment, StatementLine

    end = statement.period_end
    in_month = (FreightBill.issued_on >= statement.period_start) & (FreightBill.issued_on <= end)
    invoiced = db.session.scalar(select(func.coalesce(func.sum(FreightBill.total), 0))
                                 .where(in_month, FreightBill.kind == "invoice"))
    credited = db.session.scalar(select(func.coalesce(func.sum(FreightBill.total), 0))
                                 .where(in_month, FreightBill.kind == "credit_note"))
    paid = db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0))
                             .where(Payment.paid_on >= statement.period_start, Payment.paid_on <= end))
    lines = db.session.scalar(select(func.coalesce(func.sum(StatementLine.amount), 0))
                              .where(StatementLine.statement_id == statement.id))
    checks = {"invoiced": Decimal(statement.invoiced) == Decimal(invoiced),
              "credited": Decimal(statement.credited) == Decimal(credited),
              "paid": Decimal(statement.paid) == Decimal(paid),
              "lines": Decimal(statement.opening_balance) + Decimal(lines) == Decimal(statement.closing_balance)}
    return {"balanced_to_the_cent": all(checks.values()), **checks, "documents_invoiced": str(invoiced),
            "documents_paid": str(paid)}


@click.command("settlement")
@click.option("--loads", "n_loads", default=100_000, show_default=True, help="delivered loads to bill")
@click.option("--pay-share", default=0.6, show_default=True, help="share of the approved bills paid in the month")
@click.option("--processes", default=2, show_default=True, help="billing processes (one per core)")
@click.option("--database-url", default=DEFAULT_URL, show_default=True)
@click.option("--fresh/--no-fresh", default=True, show_default=True, help="drop and recreate a haul_bench* database")
@click.option("--seed", "seed_value", default=7, show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None)
def settlement_bench(n_loads, pay_share, processes, database_url, fresh, seed_value, json_out):
    """Bill N delivered loads and draw their monthly statement on PostgreSQL; target <= 60 s."""
    from server.db.migrate import upgrade_to_head
    from server.extensions import db
    from server.settlement import statements

    prepare_database(database_url, fresh)
    app = _app(database_url)
    rng = random.Random(seed_value)
    with app.app_context():
        upgrade_to_head()
        started = time.perf_counter()
        parties = _parties()
        load_ids = _seed_loads(n_loads, rng, parties)
        seeded = time.perf_counter() - started
        seller_id, carrier_id = parties[0].id, parties[2].id
        now = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
        db.session.remove()
        db.engine.dispose()  # the billing processes fork from here and open their own connections
        t0 = time.perf_counter()
        counts = _bill_in_processes(database_url, load_ids, now, processes)
        t1 = time.perf_counter()
        payments = _pay(pay_share, rng, now)
        t2 = time.perf_counter()
        statement = statements.build(carrier_id, seller_id, "CNY", MONTH, date(2026, 11, 30), now)
        t3 = time.perf_counter()
        check = _check(statement)
        report = {
            "command": f"haul bench settlement --loads {n_loads} --processes {processes}", "loads": n_loads,
            "processes": processes, **{k: v for k, v in counts.items() if k != "cpu_s"}, "payments": payments,
            "billing_cpu_s": round(counts["cpu_s"], 2),
            "statement": {"id": statement.id, "documents": statement.documents,
                          "opening": str(statement.opening_balance), "invoiced": str(statement.invoiced),
                          "paid": str(statement.paid), "closing": str(statement.closing_balance)},
            "check": check, "seconds": {"seed": round(seeded, 2), "bills": round(t1 - t0, 2),
                                        "payments": round(t2 - t1, 2), "statement": round(t3 - t2, 2),
                                        "bills_and_statement": round(t1 - t0 + t3 - t2, 2)},
            "target_s": 60, "met": (t1 - t0 + t3 - t2) <= 60 and check["balanced_to_the_cent"],
            "when_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"), "load_average_1m": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(), "backend": db.engine.dialect.name}
        db.session.remove()
        db.engine.dispose()
    text_out = json.dumps(report, indent=2)
    click.echo(text_out)
    if json_out:
        with open(json_out, "w") as handle:
            handle.write(text_out + "\n")
