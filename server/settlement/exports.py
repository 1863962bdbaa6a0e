"""A statement as CSV, in a layout ERPs can import (docs/architecture.md, "Settlement").

One row per line, in this order: an ``opening`` row, one row per document of the period in date
order (``invoice``, ``credit_note``, ``payment``), a ``closing`` row. Columns:

    statement_id, period_start, period_end, currency, row_type, date, document_number,
    load_reference, amount, balance

``amount`` is signed as it moves the balance (invoices positive, credit notes and payments
negative) with the currency's decimals and a dot; ``balance`` is the running balance owed by the
payer to the carrier. Dates are ISO 8601 (``YYYY-MM-DD``). UTF-8, comma-separated, ``\\r\\n`` rows.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from server.models import Statement
from server.settlement.money import text
from server.settlement.views import statement_lines

COLUMNS = ("statement_id", "period_start", "period_end", "currency", "row_type", "date", "document_number",
           "load_reference", "amount", "balance")


def statement_rows(statement: Statement):
    """(row_type, date, number, load reference, signed amount, running balance) from opening to closing."""
    balance = Decimal(statement.opening_balance)
    yield "opening", statement.period_start, "", "", None, balance
    for line in statement_lines(statement.id):
        balance += Decimal(line.amount)
        yield line.kind, line.on, line.number, line.load_reference, Decimal(line.amount), balance
    yield "closing", statement.period_end, "", "", None, Decimal(statement.closing_balance)


def statement_csv(statement: Statement) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    c = statement.currency
    for kind, on, number, load_reference, amount, balance in statement_rows(statement):
        writer.writerow([statement.id, statement.period_start.isoformat(), statement.period_end.isoformat(), c, kind,
                         on.isoformat(), number, load_reference, text(amount, c) if amount is not None else "",
                         text(balance, c)])
    return out.getvalue()
