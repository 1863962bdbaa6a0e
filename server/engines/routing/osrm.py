"""OSRM ``table`` service as a matrix provider.

Calls ``GET {base}/table/v1/{profile}/{lon,lat;...}?annotations=distance,duration`` and
turns OSRM's metres and seconds into a ``TravelMatrix`` in km and seconds. Any failure
(HTTP error, timeout, ``code`` other than ``"Ok"``, malformed or incomplete answer) raises
``MatrixProviderError`` with a message saying what went wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

from server.engines.routing.matrix import Coordinate, MatrixProviderError
from server.engines.routing.model import TravelMatrix
from server.engines.routing.validation import check_coordinates


@dataclass(frozen=True)
class OsrmProvider:
    """Asks an OSRM server's table service for distances and durations."""

    base_url: str
    profile: str = "driving"
    timeout_s: float = 10.0

    def url(self, coordinates: Sequence[Coordinate]) -> str:
        """The table request URL; OSRM wants ``lon,lat`` pairs separated by ``;``."""
        points = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in coordinates)
        return f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{points}"

    def matrix(self, coordinates: Sequence[Coordinate]) -> TravelMatrix:
        """Fetch the matrix; raises ``MatrixProviderError`` on any failure."""
        check_coordinates(coordinates)
        if not coordinates:
            return TravelMatrix(distances=(), durations=())
        url = self.url(coordinates)
        try:
            response = requests.get(
                url, params={"annotations": "distance,duration"}, timeout=self.timeout_s
            )
        except requests.Timeout as exc:
            raise MatrixProviderError(f"OSRM table request timed out after {self.timeout_s} s") from exc
        except requests.RequestException as exc:
            raise MatrixProviderError(f"OSRM table request failed: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200:
            detail = body.get("message", "") if isinstance(body, dict) else response.text[:200]
            raise MatrixProviderError(f"OSRM table returned HTTP {response.status_code}: {detail}".rstrip(": "))
        if not isinstance(body, dict):
            raise MatrixProviderError("OSRM table returned a body that is not a JSON object")
        if body.get("code") != "Ok":
            raise MatrixProviderError(
                f"OSRM table answered code {body.get('code')!r}: {body.get('message', 'no message')}"
            )
        size = len(coordinates)
        durations = _square(body, "durations", size, scale=1.0)
        distances = _square(body, "distances", size, scale=0.001)  # metres -> km
        return TravelMatrix(distances=distances, durations=durations)


def _square(body: dict[str, Any], key: str, size: int, scale: float) -> tuple[tuple[float, ...], ...]:
    rows = body.get(key)
    if not isinstance(rows, list) or len(rows) != size or any(
        not isinstance(row, list) or len(row) != size for row in rows
    ):
        raise MatrixProviderError(f"OSRM table answer has no {size}x{size} '{key}' matrix")
    result = []
    for i, row in enumerate(rows):
        values = []
        for j, value in enumerate(row):
            if value is None:
                raise MatrixProviderError(f"OSRM found no route from location {i} to location {j}")
            if not isinstance(value, int | float) or value < 0:
                raise MatrixProviderError(f"OSRM '{key}'[{i}][{j}] is not a non-negative number")
            values.append(float(value) * scale)
        result.append(tuple(values))
    return tuple(result)
