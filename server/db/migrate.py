"""Running the Alembic migrations from code (the CLI, the demo and the tests)."""

from __future__ import annotations

import logging

from alembic.runtime.migration import MigrationContext
from flask_migrate import upgrade

from server.extensions import db

log = logging.getLogger("haul.migrate")


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _scripts():
    """The app's migration scripts (Flask-Migrate's Alembic configuration)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def head_revision() -> str | None:
    """The newest revision the code knows (what `haul db upgrade` brings the database to)."""
    return _scripts().get_current_head()


def schema_warning() -> str | None:
    """Why the database's schema is not the code's, or None when it is."""
    at, head = current_revision(), head_revision()
    if at == head:
        return None
    return (f"the database schema is at {at or 'nothing (no tables)'}, not at {head}: "
            "run `haul db upgrade` (haul demo and haul seed do it themselves)")


def upgrade_to_head() -> int:
    """Upgrade to head; returns how many revisions were applied (0 when already there)."""
    before = current_revision()
    pending = list(_scripts().walk_revisions("base", "heads"))
    upgrade()
    after = current_revision()
    if before == after:
        return 0
    ids = [r.revision for r in reversed(pending)]
    start = ids.index(before) + 1 if before in ids else 0
    return ids.index(after) + 1 - start if after in ids else len(ids)
