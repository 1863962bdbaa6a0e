"""Evidence and proof-of-delivery form validation with per-field messages."""

from __future__ import annotations

import pytest

from driver_app.core.i18n import translator
from driver_app.core.validation import FormInvalid, validate_evidence, validate_pod

GOOD_EVIDENCE = {
    "ticket_number": "W-7781",
    "tare_kg": "14 200",
    "gross_kg": "39850,5",
    "seal_numbers": "S-1, S-2\nS-3",
    "photos": ["/tmp/a.jpg"],
}


def errors_of(data, validate=validate_evidence, lang=None) -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        validate(data)
    return caught.value.messages(translator(lang) if lang else None)


def test_valid_evidence_is_cleaned_into_payload():
    """Spaces and a decimal comma are accepted; seals split on commas and new lines; net is computed."""
    form = validate_evidence(GOOD_EVIDENCE)

    assert (form.tare_kg, form.gross_kg) == (14200.0, 39850.5)
    assert form.to_payload()["net_kg"] == 25650.5
    assert form.seal_numbers == ("S-1", "S-2", "S-3") and form.photos == ("/tmp/a.jpg",)


@pytest.mark.parametrize("value", ["abc", "12.5.1", "nan", "inf", "12,500"])
def test_non_numeric_weight_is_refused(value):
    """Text, non-finite and ambiguous thousands-grouped weights are refused as not a number."""
    assert errors_of({**GOOD_EVIDENCE, "tare_kg": value}) == {
        "tare_kg": "Enter a number, e.g. 12500 or 12500.5."
    }


def test_negative_weight_is_refused():
    """A negative tare weight gets its own message."""
    assert errors_of({**GOOD_EVIDENCE, "tare_kg": "-5"}) == {"tare_kg": "Must not be negative."}


@pytest.mark.parametrize("gross", ["14200", "9000"])
def test_gross_not_above_tare_is_refused_on_gross(gross):
    """Gross equal to or below tare is an error on the gross field."""
    assert errors_of({**GOOD_EVIDENCE, "gross_kg": gross}) == {
        "gross_kg": "Gross weight must be greater than tare weight."
    }


def test_all_empty_required_fields_are_reported_at_once():
    """Every empty required field is reported in one pass, translated to Chinese on request."""
    messages = errors_of({"ticket_number": "  ", "tare_kg": "", "gross_kg": None}, lang="zh_CN")

    assert messages == {
        "ticket_number": "此项为必填项。",
        "tare_kg": "此项为必填项。",
        "gross_kg": "此项为必填项。",
    }


def test_errors_are_field_path_pairs_on_a_value_error():
    """FormInvalid is a ValueError whose errors are (field, message) pairs."""
    with pytest.raises(ValueError) as caught:
        validate_evidence({**GOOD_EVIDENCE, "ticket_number": ""})
    assert [(path, str(msg)) for path, msg in caught.value.errors] == [
        ("ticket_number", "This field is required.")
    ]


def test_valid_pod_uploads_signature_first():
    """A complete POD validates, and the signature is the first file uploaded."""
    form = validate_pod(
        {
            "receiver_name": "A. Buyer",
            "received_quantity": "24",
            "signature": "/tmp/sig.png",
            "photos": ["/tmp/p1.jpg"],
        }
    )

    assert form.files() == ("/tmp/sig.png", "/tmp/p1.jpg")
    assert form.to_payload() == {"receiver_name": "A. Buyer", "received_quantity": 24.0, "exception": None}


def test_pod_requires_receiver_quantity_signature_and_exception_note():
    """An empty POD with an exception ticked reports each missing field with its own message."""
    messages = errors_of({"has_exception": True, "received_quantity": "-1"}, validate=validate_pod)

    assert messages == {
        "receiver_name": "This field is required.",
        "received_quantity": "Must not be negative.",
        "signature": "The receiver must sign.",
        "exception_note": "Describe what was wrong with the delivery.",
    }
