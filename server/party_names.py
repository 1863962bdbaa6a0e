"""The names of kinds of organisation and of a bill's parties, as a refusal puts them in a sentence.

A refusal such as "This is for seller or buyer organisations." is built from codes; these give
each code its word in the caller's language (English keeps the code itself), and ``either``
joins several the way the language says "or".
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

NAMES = {
    "seller": _l("seller"), "buyer": _l("buyer"), "carrier": _l("carrier"), "platform": _l("platform"),
    "inspector": _l("inspector"), "payer": _l("payer"), "bill's issuer": _l("bill's issuer"),
    "issuer (the carrier, or the payer when self-billing)":
        _l("issuer (the carrier, or the payer when self-billing)"),
}


def named(code: str) -> str:
    return str(NAMES.get(code, code))


def either(codes: Iterable[str]) -> str:
    """'seller or buyer' (卖方或买方)."""
    words = [named(code) for code in codes]
    text = words[0] if words else ""
    for word in words[1:]:
        text = _("%(first)s or %(second)s", first=text, second=word)
    return text
