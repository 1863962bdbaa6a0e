"""Binary PostgreSQL arrays of numbers packed with one ``struct.pack`` call per column.

The store sends each batch as eleven or twelve arrays (see `gps_ingest.sql_store`). psycopg dumps a list
element by element in Python, which was the largest single cost of a store write (about a
tenth of a worker's CPU per fix with batched phones). A `Float8Array` or `Int4Array` is a list
that psycopg dumps with the dumpers below instead: the array header and every element in one
``struct.pack``; an array of ``None`` only is packed once per length and kept, any other array
holding ``None`` packs its NULLs with a format built per element. A `JsonbArray` carries each
fix's attributes, already JSON text (orjson), straight into ``jsonb[]``.

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
_JSONB, _JSONB_ARRAY = 3802, 3807


class Float8Array(list):
    """A list of floats (or None) sent as ``float8[]``."""


class Int4Array(list):
    """A list of 32-bit ints (or None) sent as ``int4[]``."""


@functools.lru_cache(maxsize=64)
def _packer(code: str, n: int) -> struct.Struct:
    return struct.Struct(f">iiiii{('i' + code) * n}")


@functools.lru_cache(maxsize=64)
def _all_null(elem_oid: int, n: int) -> bytes:
    return struct.pack(f">iiiii{n}i", 1, 1, elem_oid, n, 1, *([-1] * n))


def _pack(values: list, elem_oid: int, code: str, size: int) -> bytes:
    n = len(values)
    if None not in values:
        args = [size] * (2 * n)
        args[1::2] = values
        return _packer(code, n).pack(1, 0, elem_oid, n, 1, *args)
    if values.count(None) == n:  # a column no fix of the batch has (altitude from most phones)
        return _all_null(elem_oid, n)
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


class JsonbArray(list):
    """A list of JSON documents, each as UTF-8 bytes (``orjson.dumps``) or None, sent as ``jsonb[]``."""


_NULL = struct.pack(">i", -1)


class _JsonbArrayDumper(Dumper):
    format = Format.BINARY
    oid = _JSONB_ARRAY

    def dump(self, obj: JsonbArray) -> bytes:
        # jsonb's binary form is a version byte (1) and the JSON text: the documents go as they are.
        parts = [struct.pack(">iiiii", 1, 1 if None in obj else 0, _JSONB, len(obj), 1)]
        for doc in obj:
            parts.append(_NULL if doc is None else struct.pack(">ib", len(doc) + 1, 1) + doc)
        return b"".join(parts)


def register(adapters) -> None:
    """Teach a psycopg adapters map (a connection's, or ``psycopg.adapters``) the three array types."""
    adapters.register_dumper(Float8Array, _Float8ArrayDumper)
    adapters.register_dumper(Int4Array, _Int4ArrayDumper)
    adapters.register_dumper(JsonbArray, _JsonbArrayDumper)
