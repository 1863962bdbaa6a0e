"""CSV import of orders, one row per order line, with a per-row error report.

Rows with the same ``reference`` form one order. An order is created only when all its
rows are valid; the report names every bad row and column. The reference doubles as the
idempotency key (``csv:<reference>``), so importing the same file twice creates nothing new.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields

from server.auth.principal import current_principal, require
from server.errors import ApiProblem, flatten_field_errors
from server.orders.intake import check_references, create_order
from server.orders.routes import OrderIn

blp = Blueprint("orders_import", __name__, url_prefix="/api/v1/orders", description="CSV order import")

MAX_ROWS = 20_000
ORDER_COLUMNS = ["reference", "buyer_id", "pickup_site_id", "delivery_site_id", "pickup_earliest",
                 "pickup_latest", "delivery_earliest", "delivery_latest"]
LINE_COLUMNS = ["sku", "description", "quantity", "unit_weight_kg", "unit_volume_m3", "unit_pallets",
                "hazmat_class", "splittable"]
NUMERIC = {"buyer_id": int, "pickup_site_id": int, "delivery_site_id": int, "quantity": int,
           "unit_weight_kg": float, "unit_volume_m3": float, "unit_pallets": float}


class RowError(Schema):
    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class ImportReport(Schema):
    created = fields.List(fields.Dict())
    existing = fields.List(fields.Dict())
    errors = fields.List(fields.Nested(RowError))


def _read_text() -> str:
    upload = request.files.get("file")
    raw = upload.read() if upload else request.get_data()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiProblem(400, "The CSV must be UTF-8.") from exc


def _cell(row: dict, column: str):
    value = (row.get(column) or "").strip()
    if value == "":
        return None
    if column in NUMERIC:
        try:
            return NUMERIC[column](value)
        except ValueError:
            return value  # the schema then reports a clear type error for this cell
    if column == "splittable":
        return value.lower() in ("1", "true", "yes", "y")
    return value


def _order_payload(rows: list[tuple[int, dict]]) -> dict:
    first = rows[0][1]
    payload = {c: _cell(first, c) for c in ("reference", "buyer_id", "pickup_site_id", "delivery_site_id")}
    payload["pickup_window"] = {"earliest": _cell(first, "pickup_earliest"), "latest": _cell(first, "pickup_latest")}
    payload["delivery_window"] = {"earliest": _cell(first, "delivery_earliest"),
                                  "latest": _cell(first, "delivery_latest")}
    payload["lines"] = [{c: v for c in LINE_COLUMNS if (v := _cell(r, c)) is not None} for _, r in rows]
    return {k: v for k, v in payload.items() if v is not None}


def _row_for(path: str, rows: list[tuple[int, dict]]) -> tuple[int, str]:
    """Map a schema path (lines/2/quantity, pickup_window/latest) back to a CSV row and column."""
    parts = path.split("/")
    if parts[0] == "lines" and len(parts) >= 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
        return rows[int(parts[1])][0], parts[2]
    if parts[0] in ("pickup_window", "delivery_window") and len(parts) > 1:
        return rows[0][0], f"{parts[0].split('_')[0]}_{parts[1]}"
    return rows[0][0], parts[0]


def _group_rows(reader: csv.DictReader) -> dict[str, list[tuple[int, dict]]]:
    missing = [c for c in ORDER_COLUMNS + ["sku", "quantity", "unit_weight_kg", "unit_volume_m3"]
               if c not in (reader.fieldnames or [])]
    if missing:
        raise ApiProblem(422, "The CSV header is missing columns.", [(c, "missing column") for c in missing])
    groups: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        if number - 1 > MAX_ROWS:
            raise ApiProblem(413, f"At most {MAX_ROWS} rows per import.")
        groups[(row.get("reference") or "").strip()].append((number, row))
    return groups


@blp.post("/import")
@blp.response(200, ImportReport)
@blp.doc(requestBody={"content": {"text/csv": {"schema": {"type": "string"}},
                                  "multipart/form-data": {"schema": {"type": "object", "properties": {
                                      "file": {"type": "string", "format": "binary"}}}}}})
@require("admin", "dispatcher", org_kinds=("seller",))
def import_orders():
    """Import orders from CSV (columns: reference, buyer_id, sites, windows, then line columns)."""
    principal = current_principal()
    try:
        groups = _group_rows(csv.DictReader(io.StringIO(_read_text(), newline="")))
    except csv.Error as exc:
        raise ApiProblem(422, f"The CSV cannot be parsed: {exc}.") from exc
    report = {"created": [], "existing": [], "errors": []}
    for reference, rows in groups.items():
        try:
            data = OrderIn().load(_order_payload(rows))
        except ValidationError as exc:
            for path, message in flatten_field_errors(exc.messages):
                row, column = _row_for(path, rows)
                report["errors"].append({"row": row, "column": column, "message": message})
            continue
        reference_errors = check_references(principal, data)
        if reference_errors:
            report["errors"] += [{"row": rows[0][0], "column": p, "message": m} for p, m in reference_errors]
            continue
        order, created = create_order(principal, data, f"csv:{reference}")
        report["created" if created else "existing"].append({"reference": reference, "id": order.id})
    if report["errors"] and not (report["created"] or report["existing"]):
        raise ApiProblem(422, "No row of the CSV could be imported.", report=report)
    return report
