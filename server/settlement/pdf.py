"""A statement as PDF, in English or Simplified Chinese, with fpdf2 and a CJK font from Debian.

The font is the first of ``CJK_FONTS`` that exists (``HAUL_CJK_FONT`` overrides): WenQuanYi Zen
Hei (``fonts-wqy-zenhei``, TrueType, embedded as a subset). Without one, Chinese statements are
refused with 503 rather than printed as empty boxes.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF

from server.errors import ApiProblem
from server.models import Statement
from server.settlement.exports import statement_rows
from server.settlement.money import text

LANGUAGES = ("en", "zh")
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
MAX_ROWS = 5000
# Zen Hei carries embedded bitmaps that fontTools cannot subset; it drops them (the outlines stay) and would
# log a warning for every statement printed.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # a printed statement lists the first rows; the CSV has them all

WORDS = {
    "en": {"title": "Freight reconciliation statement", "period": "Period", "carrier": "Carrier", "payer": "Payer",
           "currency": "Currency", "status": "Status", "date": "Date", "document": "Document", "load": "Load",
           "amount": "Amount", "balance": "Balance", "opening": "Opening balance", "closing": "Closing balance",
           "invoice": "Invoice", "credit_note": "Credit note", "payment": "Payment", "invoiced": "Invoiced",
           "credited": "Credited", "paid": "Paid", "more": "{n} more rows in the CSV export",
           "open": "open", "differences": "differences raised", "confirmed": "confirmed by both sides"},
    "zh": {"title": "运费对账单", "period": "对账期间", "carrier": "承运商", "payer": "付款方", "currency": "币种",
           "status": "状态", "date": "日期", "document": "单据", "load": "运单", "amount": "金额", "balance": "余额",
           "opening": "期初余额", "closing": "期末余额", "invoice": "发票", "credit_note": "贷项通知单",
           "payment": "付款", "invoiced": "开票金额", "credited": "贷项金额", "paid": "已付金额",
           "more": "另有 {n} 行见 CSV 导出", "open": "待确认", "differences": "有差异", "confirmed": "双方已确认"},
}


def cjk_font() -> str | None:
    wanted = os.environ.get("HAUL_CJK_FONT")
    for candidate in ((wanted,) if wanted else ()) + CJK_FONTS:
        if candidate and Path(candidate).exists():
            return candidate
    return None


def statement_pdf(statement: Statement, names: dict[int, str], lang: str = "en") -> bytes:
    words = WORDS[lang]
    doc = FPDF(format="A4")
    font = cjk_font()
    if font is not None:
        doc.add_font("cjk", fname=font)
        doc.add_font("cjk", style="B", fname=font)  # the table's headings; Zen Hei has one weight
        family = "cjk"
    elif lang == "zh":
        raise ApiProblem(503, _("No CJK font is installed for Chinese statements (fonts-wqy-zenhei)."))
    else:
        family = "helvetica"
    doc.set_title(f"{words['title']} #{statement.id}")
    doc.add_page()
    doc.set_font(family, size=16)
    doc.cell(0, 10, f"{words['title']} #{statement.id}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(family, size=10)
    c = statement.currency
    for label, value in ((words["period"], f"{statement.period_start} - {statement.period_end}"),
                         (words["carrier"], names.get(statement.carrier_org_id, str(statement.carrier_org_id))),
                         (words["payer"], names.get(statement.payer_org_id, str(statement.payer_org_id))),
                         (words["currency"], c), (words["status"], words.get(statement.status, statement.status)),
                         (words["invoiced"], text(statement.invoiced, c)), (words["credited"], text(statement.credited, c)),
                         (words["paid"], text(statement.paid, c))):
        doc.cell(40, 6, label)
        doc.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    widths = (26, 46, 40, 36, 36)
    with doc.table(col_widths=widths, text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"), line_height=6) as table:
        table.row([words["date"], words["document"], words["load"], words["amount"], words["balance"]])
        rows = list(statement_rows(statement))
        for k, (kind, on, number, load_reference, amount, balance) in enumerate(rows):
            if 0 < k < len(rows) - 1 and k > MAX_ROWS:
                continue
            label = words.get(kind, kind) + (f" {number}" if number else "")
            table.row([on.isoformat(), label, load_reference, text(amount, c) if amount is not None else "",
                       text(balance, c)])
    if len(rows) - 2 > MAX_ROWS:
        doc.cell(0, 8, words["more"].format(n=len(rows) - 2 - MAX_ROWS), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
