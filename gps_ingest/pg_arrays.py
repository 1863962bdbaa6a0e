"""Binary PostgreSQL arrays of numbers packed with one ``struct.pack`` call per column.

The store sends each batch as ten arrays (see `gps_ingest.sql_store`). psycopg dumps a list
element by element in Python, which was the largest single cost of a store write (about a
tenth of a worker's CPU per fix with batched phones). A `Float8Array` or `Int4Array` is a list
that psycopg dumps with the dumpers below instead: the array header and every element in one
``struct.pack``; an array holding ``None`` packs its NULLs with a format built per element.

Wire format (PostgreSQL ``array_send``): ndim, has-null flag, element type oid, then per
dimension its length and lower bound (1), then per element its byte length (-1 for NULL) and
its big-endian bytes.
"""

from __future__ import annotations

import functools
import struct

from psycopg.adapt import Dumper
from psycopg.pq import Format

_FLOAT8, _FLOAT8_ARRAY = 701, 1022
_INT4, _INT4_ARRAY = 23, 1007


class Float8Array(list):
    """A list of floats (or None) sent as ``float8[]``."""


class Int4Array(list):
    """A list of 32-bit ints (or None) sent as ``int4[]``."""


@functools.lru_cache(maxsize=64)
def _packer(code: str, n: int) -> struct.Struct:
    return struct.Struct(f">iiiii{('i' + code) * n}")


def _pack(values: list, elem_oid: int, code: str, size: int) -> bytes:
    n = len(values)
    if None not in values:
        args = [size] * (2 * n)
        args[1::2] = values
        return _packer(code, n).pack(1, 0, elem_oid, n, 1, *args)
    fmt, args = [">iiiii"], [1, 1, elem_oid, n, 1]
    for value in values:
        if value is None:
            fmt.append("i")
            args.append(-1)
        else:
            fmt.append("i" + code)
            args += (size, value)
    return struct.pack("".join(fmt), *args)


class _Float8ArrayDumper(Dumper):
    format = Format.BINARY
    oid = _FLOAT8_ARRAY

    def dump(self, obj: Float8Array) -> bytes:
        return _pack(obj, _FLOAT8, "d", 8)


class _Int4ArrayDumper(Dumper):
    format = Format.BINARY
    oid = _INT4_ARRAY

    def dump(self, obj: Int4Array) -> bytes:
        return _pack(obj, _INT4, "i", 4)


def register(adapters) -> None:
    """Teach a psycopg adapters map (a connection's, or ``psycopg.adapters``) both array types."""
    adapters.register_dumper(Float8Array, _Float8ArrayDumper)
    adapters.register_dumper(Int4Array, _Int4ArrayDumper)
