"""Evidence recorded at the shipping point, append-only and hash-chained per load.

Weigh-bridge tickets, seal numbers, sample IDs and photos (by content hash) are *items*.
Each item carries its kind, payload, time (UTC), position, author and device, the item it
corrects (if any), its sequence number in the load's chain (1, 2, ...), the previous item's
hash and its own hash::

    hash = sha256(canonical({"prev_hash": prev_hash, "load_id": ..., "seq": ..., "kind": ...,
                             "payload": ..., "time": ..., "position": ..., "author_id": ...,
                             "device_id": ..., "corrects": ...}))

``canonical`` is RFC 8785 (JSON Canonicalization Scheme): sorted keys, UTF-8, no
whitespace, numbers in ECMAScript's shortest round-trip form (so ``1.0`` and ``1`` hash the
same, as they would after a trip through any JSON client). The first item links to
``GENESIS``. Nothing is ever edited: a mistake is fixed by a new item that ``corrects`` the
earlier one. Changing, removing or reordering anything makes :func:`verify` name the first
bad item; a rewrite that recomputes every later hash is caught by comparing the last hash
with one kept elsewhere (``expected_head``), e.g. the one sent to the buyer at write time.
"""

from __future__ import annotations

import copy
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785

GENESIS = "0" * 64
KINDS = ("weigh_ticket", "seal", "sample", "photo", "note")
HASHED_FIELDS = (
    "load_id",
    "seq",
    "kind",
    "payload",
    "time",
    "position",
    "author_id",
    "device_id",
    "corrects",
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NET_TOLERANCE_KG = 0.001  # float noise allowed between a stated net weight and gross - tare


class EvidenceValidationError(ValueError):
    """Bad evidence input. ``errors`` lists ``(field_path, message)`` pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))


@dataclass(frozen=True)
class EvidenceItem:
    """One chained piece of evidence; build it with :func:`append`, never by hand."""

    load_id: str
    seq: int
    kind: str
    payload: dict[str, Any]
    time: str  # UTC, ISO 8601 with milliseconds and a trailing Z
    position: tuple[float, float] | None  # (lat, lon)
    author_id: str
    device_id: str
    corrects: int | None  # seq of the item this one corrects
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    """``ok``, or the sequence number of the first bad item and why it is bad."""

    ok: bool
    first_bad_seq: int | None = None
    reason: str = ""


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of ``value``; NaN and infinities are refused."""
    return rfc8785.dumps(value)


def compute_hash(prev_hash: str, item_fields: Mapping[str, Any]) -> str:
    """Hex SHA-256 of an item's hashed fields, chained to ``prev_hash``."""
    body = {name: item_fields.get(name) for name in HASHED_FIELDS}
    if body["position"] is not None:
        body["position"] = list(body["position"])
    body["prev_hash"] = prev_hash
    return hashlib.sha256(canonical(body)).hexdigest()


def _utc(value: Any, errors: list[tuple[str, str]]) -> str | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    except ValueError:
        moment = None
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        errors.append(("time", "must be a timezone-aware ISO 8601 time"))
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _position(value: Any, errors: list[tuple[str, str]]) -> tuple[float, float] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = (value.get("lat"), value.get("lon"))
    ok = isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2
    ok = ok and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value
    )
    if not ok or not (-90 <= value[0] <= 90 and -180 <= value[1] <= 180):
        errors.append(("position", "must be None or (lat, lon) with lat in -90..90 and lon in -180..180"))
        return None
    return (float(value[0]), float(value[1]))


def _text(
    fields: Mapping[str, Any], name: str, errors: list[tuple[str, str]], path: str | None = None
) -> str | None:
    value = fields.get(name)
    if not isinstance(value, str) or not value.strip():
        errors.append((path or name, "must be a non-empty string"))
        return None
    return value


def validate_weigh_ticket(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Errors of a weigh-ticket payload: numbers, ``gross_kg >= tare_kg > 0``, a matching ``net_kg``."""
    errors: list[tuple[str, str]] = []
    weights = {}
    for name in ("tare_kg", "gross_kg"):
        value = payload.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            errors.append((f"payload/{name}", "must be a finite number"))
        else:
            weights[name] = value
    if len(weights) == 2:
        if weights["tare_kg"] <= 0:
            errors.append(("payload/tare_kg", "must be positive"))
        if weights["gross_kg"] < weights["tare_kg"]:
            errors.append(
                ("payload/gross_kg", f"gross {weights['gross_kg']} is below tare {weights['tare_kg']}")
            )
        stated = payload.get("net_kg")
        if stated is not None and not (
            isinstance(stated, int | float)
            and abs(stated - (weights["gross_kg"] - weights["tare_kg"])) <= _NET_TOLERANCE_KG
        ):
            errors.append(("payload/net_kg", "must equal gross_kg - tare_kg"))
    return errors


def _payload(kind: str, payload: Any, errors: list[tuple[str, str]]) -> dict[str, Any] | None:
    if not isinstance(payload, Mapping):
        errors.append(("payload", "must be an object"))
        return None
    payload = copy.deepcopy(dict(payload))  # the item must not change when the caller's dict does
    if kind == "weigh_ticket":
        found = validate_weigh_ticket(payload)
        errors.extend(found)
        if not found:
            payload.setdefault("net_kg", payload["gross_kg"] - payload["tare_kg"])
    elif kind == "seal":
        _text(payload, "seal_number", errors, "payload/seal_number")
    elif kind == "sample":
        _text(payload, "sample_id", errors, "payload/sample_id")
    elif kind == "photo":
        if not isinstance(payload.get("sha256"), str) or not _SHA256.match(payload["sha256"]):
            errors.append(("payload/sha256", "must be the photo's SHA-256 as 64 lowercase hex digits"))
    elif kind == "note":
        _text(payload, "text", errors, "payload/text")
    try:
        canonical(payload)
    except (ValueError, TypeError) as exc:
        errors.append(("payload", f"is not canonical JSON: {exc}"))
    return payload


def append(chain: Sequence[EvidenceItem], new_item_fields: Mapping[str, Any]) -> EvidenceItem:
    """The next item of ``chain`` (not added to it: the caller stores it), with seq, prev_hash and hash set.

    ``new_item_fields`` holds kind, payload, time, position, author_id, device_id, corrects
    and, for the first item, load_id. A correction must name an earlier item of the same kind.
    """
    fields, errors = new_item_fields, []
    load_id = chain[0].load_id if chain else _text(fields, "load_id", errors)
    if chain and fields.get("load_id") not in (None, load_id):
        errors.append(("load_id", f"this chain belongs to load {load_id!r}"))
    kind = fields.get("kind")
    if kind not in KINDS:
        errors.append(("kind", f"unknown kind {kind!r} (known: {', '.join(KINDS)})"))
    payload = _payload(kind, fields.get("payload"), errors)
    moment, position = _utc(fields.get("time"), errors), _position(fields.get("position"), errors)
    author, device = _text(fields, "author_id", errors), _text(fields, "device_id", errors)
    corrects = fields.get("corrects")
    if corrects is not None:
        target = (
            next((item for item in chain if item.seq == corrects), None)
            if isinstance(corrects, int)
            else None
        )
        if target is None:
            errors.append(("corrects", f"must be the seq of an earlier item of this load, got {corrects!r}"))
        elif target.kind != kind:
            errors.append(("corrects", f"item {corrects} is a {target.kind}, not a {kind}"))
    if errors:
        raise EvidenceValidationError(errors)
    seq, prev_hash = len(chain) + 1, chain[-1].hash if chain else GENESIS
    body = dict(
        load_id=load_id,
        seq=seq,
        kind=kind,
        payload=payload,
        time=moment,
        position=position,
        author_id=author,
        device_id=device,
        corrects=corrects,
    )
    return EvidenceItem(**body, prev_hash=prev_hash, hash=compute_hash(prev_hash, body))


def _as_dict(item: EvidenceItem | Mapping[str, Any]) -> Mapping[str, Any]:
    return asdict(item) if isinstance(item, EvidenceItem) else item


def verify(
    chain: Sequence[EvidenceItem | Mapping[str, Any]], expected_head: str | None = None
) -> VerifyResult:
    """Check every item's sequence number, hash, link and correction reference, in order."""
    kinds: dict[int, str] = {}
    prev_hash, load_id = GENESIS, None
    for position, raw in enumerate(chain):
        expected = position + 1
        item = _as_dict(raw)
        seq = item.get("seq")
        if seq != expected:
            return VerifyResult(False, expected, f"sequence gap: expected item {expected}, found {seq!r}")
        load_id = item.get("load_id") if load_id is None else load_id
        if item.get("load_id") != load_id:
            return VerifyResult(False, expected, f"belongs to load {item.get('load_id')!r}, not {load_id!r}")
        try:
            recomputed = compute_hash(item.get("prev_hash"), item)
        except (ValueError, TypeError) as exc:
            return VerifyResult(False, expected, f"malformed item: {exc}")
        if recomputed != item.get("hash"):
            return VerifyResult(False, expected, "hash mismatch: the item was changed after it was written")
        if item.get("prev_hash") != prev_hash:
            return VerifyResult(
                False, expected, f"broken link: prev_hash is not the hash of item {expected - 1}"
            )
        corrects = item.get("corrects")
        if corrects is not None and kinds.get(corrects) != item.get("kind"):
            return VerifyResult(
                False, expected, f"corrects {corrects!r}, which is no earlier item of its kind"
            )
        kinds[expected] = item.get("kind")
        prev_hash = item.get("hash")
    if expected_head is not None and prev_hash != expected_head:
        return VerifyResult(False, len(chain), "the last hash differs from the head recorded elsewhere")
    return VerifyResult(True)


def corrections_of(chain: Sequence[EvidenceItem], seq: int) -> list[EvidenceItem]:
    """The items that correct item ``seq``, oldest first; the last one is what counts."""
    return [item for item in chain if item.corrects == seq]
