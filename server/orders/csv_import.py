"""CSV import of orders, one row per order line: parsing, creating, the report and one summary event.

Rows with the same ``reference`` form one order. Each order stands alone: it is created only when
all its rows are valid, and committed on its own, so a bad order never holds back the good ones
and the report names every bad row and column. The reference doubles as the idempotency key
(``csv:<reference>``): importing the same file again creates only what is missing, which is also
how an import that was cancelled or stopped half-way is completed.

An import publishes one ``orders_imported`` event, not one ``order_received`` per order: the
seller's summary, and each buyer its own orders (the first ``LISTED_IDS`` ids of each).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable

from flask_babel import gettext as _
from marshmallow import ValidationError

from server.auth.principal import Principal
from server.errors import ApiProblem, flatten_field_errors
from server.notify.publish import publish_event
from server.orders.intake import check_references, create_order
from server.orders.routes import OrderIn

ORDER_COLUMNS = ["reference", "buyer_id", "pickup_site_id", "delivery_site_id", "pickup_earliest",
                 "pickup_latest", "delivery_earliest", "delivery_latest"]
LINE_COLUMNS = ["sku", "description", "quantity", "unit_weight_kg", "unit_volume_m3", "unit_pallets",
                "hazmat_class", "splittable"]
REQUIRED_COLUMNS = ORDER_COLUMNS + ["sku", "quantity", "unit_weight_kg", "unit_volume_m3"]
NUMERIC = {"buyer_id": int, "pickup_site_id": int, "delivery_site_id": int, "quantity": int,
           "unit_weight_kg": float, "unit_volume_m3": float, "unit_pallets": float}
LISTED_IDS = 1000  # order ids an event lists; the report (or the job's result) has them all

Groups = dict[str, list[tuple[int, dict]]]


class TooManyRows(Exception):
    """The CSV has more rows than ``limit``."""

    def __init__(self, limit: int):
        super().__init__(f"more than {limit} rows")
        self.limit = limit


def read_groups(text: str, max_rows: int) -> Groups:
    """The CSV's rows grouped by reference, each with its line number; 422 for a bad header or CSV,
    ``TooManyRows`` past ``max_rows`` (found before anything is created)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ApiProblem(422, _("The CSV header is missing columns."),
                             [(c, _("missing column")) for c in missing])
        groups: Groups = defaultdict(list)
        for number, row in enumerate(reader, start=2):  # row 1 is the header
            if number - 1 > max_rows:
                raise TooManyRows(max_rows)
            groups[(row.get("reference") or "").strip()].append((number, row))
    except csv.Error as exc:
        raise ApiProblem(422, _("The CSV cannot be parsed: %(exc)s.", exc=exc)) from exc
    return dict(groups)


def row_count(groups: Groups) -> int:
    return sum(len(rows) for rows in groups.values())


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


def import_groups(principal: Principal, groups: Groups, *, job_id: int | None = None,
                  on_progress: Callable[[int, int], None] = lambda done, total: None,
                  should_stop: Callable[[], bool] = lambda: False) -> dict:
    """Create each valid order (committed one by one) and return the report; stops between orders
    when ``should_stop`` says so. Publishes the import's one summary event."""
    report: dict = {"created": [], "existing": [], "errors": [], "rows": row_count(groups), "orders": len(groups)}
    buyers: dict[int, list[int]] = defaultdict(list)
    for done, (reference, rows) in enumerate(groups.items()):
        if should_stop():
            report["stopped_after_orders"] = done
            break
        on_progress(done, len(groups))
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
        order, created = create_order(principal, data, f"csv:{reference}", announce=False)
        report["created" if created else "existing"].append({"reference": reference, "id": order.id})
        if created:
            buyers[order.buyer_org_id].append(order.id)
    announce_import(principal.organisation_id, report, buyers, job_id)
    return report


def _listed(ids: list[int]) -> dict:
    return {"created": len(ids), "order_ids": ids[:LISTED_IDS], "order_ids_truncated": len(ids) > LISTED_IDS}


def announce_import(seller_id: int, report: dict, buyers: dict[int, list[int]], job_id: int | None) -> None:
    """One ``orders_imported`` event for the whole import: the seller's summary, each buyer its own orders."""
    if not report["created"]:
        return
    seller = {**_listed([c["id"] for c in report["created"]]), "existing": len(report["existing"]),
              "rows_with_errors": len({e["row"] for e in report["errors"]}), "job_id": job_id}
    per_buyer = {buyer: {**_listed(ids), "seller_id": seller_id} for buyer, ids in buyers.items()}
    publish_event("orders_imported", organisation_ids=[seller_id, *per_buyer], data=seller,
                  per_organisation=per_buyer)
