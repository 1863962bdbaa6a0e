"""Readers for one-dimensional bin-packing benchmark files (OR-Library and BPPLIB).

- OR-Library ``binpack``: a count line, then per instance a name line, a ``capacity n best``
  line and ``n`` item sizes, one per line. Names come from the file (``u120_00``).
- BPPLIB: ``n``, then the capacity, then ``n`` sizes one per line (a line ``size count`` stands
  for ``count`` items of that size). The name is the file's stem (``Falkenauer_t120_00``).

The format is recognised from the second line: a name (OR-Library) or a number (BPPLIB).
Decimal sizes (OR-Library's triplets are written with one decimal) are scaled by a power of
ten, with the capacity, to whole numbers; item order is kept, so item ``i`` is the ``i``-th
size in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path


class InstanceFormatError(ValueError):
    """The file is not a bin-packing instance in a known format."""


@dataclass(frozen=True)
class BinPackingInstance:
    """One instance: integer sizes (file order), capacity, and the best count the file states."""

    name: str
    capacity: int
    sizes: tuple[int, ...]
    best_known: int | None = None


def _decimal(token: str, where: str) -> Decimal:
    try:
        value = Decimal(token)
    except InvalidOperation:
        raise InstanceFormatError(f"{where}: {token!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise InstanceFormatError(f"{where}: {token!r} is not a non-negative number")
    return value


def _integral(capacity: Decimal, sizes: list[Decimal], name: str) -> BinPackingInstance:
    scale = max((-v.as_tuple().exponent for v in [capacity, *sizes] if v.as_tuple().exponent < 0), default=0)
    factor = Decimal(10) ** scale
    return BinPackingInstance(name, int(capacity * factor), tuple(int(s * factor) for s in sizes))


def _numeric(line: str) -> bool:
    try:
        Decimal(line.split()[0])
    except (InvalidOperation, IndexError):
        return False
    return True


def parse_or_library(text: str) -> list[BinPackingInstance]:
    """All instances of an OR-Library ``binpack`` file."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise InstanceFormatError("empty file")
    count = int(_decimal(lines[0], "line 1"))
    out, pos = [], 1
    for k in range(count):
        if pos + 1 >= len(lines):
            raise InstanceFormatError(f"instance {k + 1}: file ends early")
        name = lines[pos]
        header = lines[pos + 1].split()
        if len(header) < 2:
            raise InstanceFormatError(f"instance {name}: expected 'capacity n best'")
        capacity = _decimal(header[0], f"instance {name} capacity")
        n = int(_decimal(header[1], f"instance {name} item count"))
        best = int(_decimal(header[2], f"instance {name} best")) if len(header) > 2 else None
        raw = lines[pos + 2: pos + 2 + n]
        if len(raw) < n:
            raise InstanceFormatError(f"instance {name}: {n} sizes announced, {len(raw)} found")
        sizes = [_decimal(tok.split()[0], f"instance {name} item {i}") for i, tok in enumerate(raw)]
        inst = _integral(capacity, sizes, name)
        out.append(BinPackingInstance(inst.name, inst.capacity, inst.sizes, best))
        pos += 2 + n
    return out


def parse_bpplib(text: str, name: str) -> BinPackingInstance:
    """The single instance of a BPPLIB file."""
    lines = [ln.split() for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        raise InstanceFormatError("expected 'n' and 'capacity' lines")
    n = int(_decimal(lines[0][0], "line 1"))
    capacity = _decimal(lines[1][0], "line 2")
    sizes: list[Decimal] = []
    for k, tokens in enumerate(lines[2:], start=3):
        size = _decimal(tokens[0], f"line {k}")
        copies = int(_decimal(tokens[1], f"line {k}")) if len(tokens) > 1 else 1
        sizes.extend([size] * copies)
    if len(sizes) != n:
        raise InstanceFormatError(f"{n} items announced, {len(sizes)} found")
    return _integral(capacity, sizes, name)


def read_instances(path: str | Path) -> list[BinPackingInstance]:
    """The instances in ``path``, whichever of the two formats it is in."""
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) >= 2 and not _numeric(lines[1]):
        return parse_or_library(text)
    return [parse_bpplib(text, path.stem)]
