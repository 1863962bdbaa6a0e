"""Validation of the evidence and proof-of-delivery forms, field by field.

Inputs are the raw texts of the form widgets. A valid form yields a frozen dataclass whose
``to_payload()`` is the JSON body for the server; an invalid one raises ``FormInvalid``
(a ``ValueError``) carrying every ``(field, Msg)`` problem at once, so the screen can mark
all wrong fields in one pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from driver_app.core.i18n import Msg

REQUIRED = Msg("This field is required.")
NOT_A_NUMBER = Msg("Enter a number, e.g. 12500 or 12500.5.")
NEGATIVE = Msg("Must not be negative.")
GROSS_NOT_ABOVE_TARE = Msg("Gross weight must be greater than tare weight.")
EXCEPTION_NOTE_REQUIRED = Msg("Describe what was wrong with the delivery.")
SIGNATURE_REQUIRED = Msg("The receiver must sign.")


class FormInvalid(ValueError):
    """The form has errors: ``errors`` is a list of ``(field, Msg)``."""

    def __init__(self, errors: list[tuple[str, Msg]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {msg}" for path, msg in errors))

    def messages(self, _: Callable[[str], str] | None = None) -> dict[str, str]:
        """Field -> translated message (the first problem of each field)."""
        out: dict[str, str] = {}
        for path, msg in self.errors:
            out.setdefault(path, msg.render(_))
        return out


class _Checker:
    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: list[tuple[str, Msg]] = []

    def text(self, name: str, required: bool = False) -> str:
        value = self.data.get(name)
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.errors.append((name, REQUIRED))
        return text

    def number(self, name: str, required: bool = True) -> float | None:
        """A non-negative decimal; a comma is accepted as the decimal mark (as phones type it).

        "12,500" is refused: it reads as 12.5 in Europe and 12500 in England, and a wrong
        weight on a weigh-bridge record is worse than asking again.
        """
        text = self.text(name, required=required)
        if not text:
            return None
        cleaned = text.replace(" ", "").replace("\u00a0", "")
        if cleaned.count(",") == 1 and "." not in cleaned:
            whole, fraction = cleaned.split(",")
            cleaned = "ambiguous" if len(fraction) == 3 and fraction.isdigit() else f"{whole}.{fraction}"
        try:
            value = float(cleaned)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.errors.append((name, NOT_A_NUMBER))
            return None
        if value < 0:
            self.errors.append((name, NEGATIVE))
            return None
        return value

    def words(self, name: str) -> tuple[str, ...]:
        """A list typed as text separated by commas, spaces or new lines (seals, sample ids)."""
        value = self.data.get(name)
        if isinstance(value, list | tuple):
            items = [str(v).strip() for v in value]
        else:
            items = str(value or "").replace(",", " ").split()
        return tuple(item for item in items if item)

    def paths(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name) or ()
        return tuple(str(p) for p in value if str(p).strip())

    def done(self) -> None:
        if self.errors:
            raise FormInvalid(self.errors)


@dataclass(frozen=True)
class EvidenceForm:
    """Dock evidence: the weigh-bridge ticket (tare and gross kg), seals, samples and photos."""

    ticket_number: str
    tare_kg: float
    gross_kg: float
    seal_numbers: tuple[str, ...] = ()
    sample_ids: tuple[str, ...] = ()
    notes: str = ""
    photos: tuple[str, ...] = field(default=())

    @property
    def net_kg(self) -> float:
        return self.gross_kg - self.tare_kg

    def to_payload(self) -> dict[str, Any]:
        return {
            "ticket_number": self.ticket_number,
            "tare_kg": self.tare_kg,
            "gross_kg": self.gross_kg,
            "net_kg": self.net_kg,
            "seal_numbers": list(self.seal_numbers),
            "sample_ids": list(self.sample_ids),
            "notes": self.notes,
        }


def validate_evidence(data: Mapping[str, Any]) -> EvidenceForm:
    """Check the evidence form; raises ``FormInvalid`` listing every problem."""
    check = _Checker(data)
    ticket = check.text("ticket_number", required=True)
    tare = check.number("tare_kg")
    gross = check.number("gross_kg")
    if tare is not None and gross is not None and gross <= tare:
        check.errors.append(("gross_kg", GROSS_NOT_ABOVE_TARE))
    seals = check.words("seal_numbers")
    samples = check.words("sample_ids")
    notes = check.text("notes")
    photos = check.paths("photos")
    check.done()
    assert tare is not None and gross is not None  # guaranteed by done()
    return EvidenceForm(ticket, tare, gross, seals, samples, notes, photos)


@dataclass(frozen=True)
class PodForm:
    """Proof of delivery: who received, how much, the signature image and any exception."""

    receiver_name: str
    received_quantity: float
    signature: str
    has_exception: bool = False
    exception_note: str = ""
    photos: tuple[str, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        return {
            "receiver_name": self.receiver_name,
            "received_quantity": self.received_quantity,
            "exception": self.exception_note if self.has_exception else None,
        }

    def files(self) -> Sequence[str]:
        """Files to upload: the signature image first, then photos."""
        return (self.signature, *self.photos)


def validate_pod(data: Mapping[str, Any]) -> PodForm:
    """Check the POD form; raises ``FormInvalid`` listing every problem."""
    check = _Checker(data)
    receiver = check.text("receiver_name", required=True)
    quantity = check.number("received_quantity")
    signature = check.text("signature")
    if not signature:
        check.errors.append(("signature", SIGNATURE_REQUIRED))
    has_exception = bool(data.get("has_exception"))
    note = check.text("exception_note")
    if has_exception and not note:
        check.errors.append(("exception_note", EXCEPTION_NOTE_REQUIRED))
    photos = check.paths("photos")
    check.done()
    assert quantity is not None
    return PodForm(receiver, quantity, signature, has_exception, note, photos)
