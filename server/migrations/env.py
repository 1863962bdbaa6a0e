"""Alembic environment: runs on PostgreSQL + PostGIS and on SQLite + SpatiaLite alike."""

from __future__ import annotations

import logging

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

from server.db.spatial import ensure_extensions

log = logging.getLogger("alembic.env")
config = context.config
target_metadata = current_app.extensions["migrate"].db.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # SpatiaLite and PostGIS keep their own bookkeeping tables; they are not Haul's to migrate.
    if type_ == "table" and (name.startswith(("spatial_ref_sys", "geometry_columns", "idx_", "spatialite"))
                             or name in {"sql_statements_log", "views_geometry_columns", "virts_geometry_columns",
                                         "SpatialIndex", "ElementaryGeometries", "KNN", "KNN2",
                                         "data_licenses", "spatial_ref_sys_aux", "geometry_columns_auth"}):
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def run_migrations_online() -> None:
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        ensure_extensions(connection)
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            process_revision_directives=alembic_helpers.writer,
            render_item=alembic_helpers.render_item,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
