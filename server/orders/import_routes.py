"""CSV import of orders: at once for a small file, as a background job for a large one.

``POST /orders/import`` imports up to ``HAUL_IMPORT_SYNC_MAX_ROWS`` rows (1,000) in the request and
answers the report; a larger file is a 413 that names the limit and the background endpoint.
``POST /orders/import-jobs`` takes up to ``HAUL_IMPORT_MAX_ROWS`` rows (20,000), checks the header
at once, and answers 202 with a job: ``GET /jobs/{id}`` shows its progress, and its result is the
same report. Semantics (per order, idempotent by reference) are in ``server/orders/csv_import.py``.
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.auth.principal import current_principal, require
from server.errors import ApiProblem
from server.jobs.routes import JobOut
from server.orders import import_job
from server.orders.csv_import import Groups, TooManyRows, import_groups, read_groups, row_count

blp = Blueprint("orders_import", __name__, url_prefix="/api/v1/orders", description="CSV order import")

BACKGROUND_PATH = "/api/v1/orders/import-jobs"
CSV_BODY = {"requestBody": {"content": {
    "text/csv": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
}}}


class RowError(Schema):
    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class ImportReport(Schema):
    created = fields.List(fields.Dict())
    existing = fields.List(fields.Dict())
    errors = fields.List(fields.Nested(RowError))
    rows = fields.Integer()
    orders = fields.Integer()


def row_limits() -> tuple[int, int]:
    """(rows one request imports at once, rows one background import takes)."""
    return current_app.config["IMPORT_SYNC_MAX_ROWS"], current_app.config["IMPORT_MAX_ROWS"]


def _read_text() -> str:
    upload = request.files.get("file")
    raw = upload.read() if upload else request.get_data()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiProblem(400, _("The CSV must be UTF-8.")) from exc


def _groups(text: str, limit: int, too_many: str) -> Groups:
    try:
        return read_groups(text, limit)
    except TooManyRows as exc:
        raise ApiProblem(413, too_many, [("_body", _("at most %(limit)s rows", limit=exc.limit))],
                         limit=exc.limit) from exc


@blp.post("/import")
@blp.response(200, ImportReport)
@blp.doc(**CSV_BODY)
@require("create_orders", org_kinds=("seller",))
def import_orders():
    """Import orders from CSV at once (columns: reference, buyer_id, sites, windows, then line columns)."""
    sync_rows, max_rows = row_limits()
    groups = _groups(_read_text(), sync_rows,
                     f"This CSV has more than {sync_rows} rows, the most one request imports at once. Import it "
                     f"in the background with POST {BACKGROUND_PATH} (up to {max_rows} rows) and follow the job.")
    report = import_groups(current_principal(), groups)
    if report["errors"] and not (report["created"] or report["existing"]):
        raise ApiProblem(422, _("No row of the CSV could be imported."), report=report)
    return report


@blp.post("/import-jobs")
@blp.response(202, JobOut)
@blp.doc(**CSV_BODY)
@require("create_orders", org_kinds=("seller",))
def start_import_job():
    """Import a large CSV in the background; GET /jobs/{id} shows progress, then the report as its result."""
    _sync_rows, max_rows = row_limits()
    text = _read_text()
    groups = _groups(text, max_rows, f"This CSV has more than {max_rows} rows, the most one import takes; "
                                     "split it into several files.")
    if not groups:
        raise ApiProblem(422, _("The CSV has no rows."), [("_body", _("no rows"))])
    return import_job.submit_import(current_principal(), text, row_count(groups))
