"""Write locks and constraint errors, one function per database dialect.

Two bookings of one dock must not both pass the "is it free?" check. On PostgreSQL the
booking first takes ``SELECT ... FOR UPDATE`` on the dock row; on SQLite, which has no row
locks, a no-op ``UPDATE`` of the row makes the transaction a writer at once (what
``BEGIN IMMEDIATE`` does), so the check that follows reads with the database's single write
lock held. The constraints of migration 0004 (an ``EXCLUDE`` constraint on PostgreSQL,
triggers on SQLite) are the backstop, and :func:`is_overlap` recognises their errors.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.extensions import db

OVERLAP_NAMES = ("ex_dock_appointments_no_overlap", "dock_appointments_no_overlap")
ONE_LIVE_APPOINTMENT = ("uq_dock_appointments_live_load_id", "dock_appointments.load_id")
ONE_LIVE_VISIT = ("uq_yard_visits_live_load_id", "yard_visits.load_id")


def _lock_postgresql(model, row_id: int) -> None:
    db.session.execute(select(model.id).where(model.id == row_id).with_for_update())


def _lock_sqlite(model, row_id: int) -> None:
    db.session.execute(update(model).where(model.id == row_id).values(id=model.id)
                       .execution_options(synchronize_session=False))


_LOCKS = {"postgresql": _lock_postgresql, "sqlite": _lock_sqlite}


def lock_rows(model, row_ids) -> None:
    """Hold the write lock on these rows (in id order, so two lockers never deadlock) until commit."""
    lock = _LOCKS[db.engine.dialect.name]
    for row_id in sorted(set(row_ids)):
        lock(model, row_id)


def violated(exc: IntegrityError, *names: str) -> bool:
    """Whether ``exc`` comes from one of the named constraints, indexes or triggers."""
    text = str(getattr(exc, "orig", exc))
    return any(name in text for name in names)


def is_overlap(exc: IntegrityError) -> bool:
    return violated(exc, *OVERLAP_NAMES)
