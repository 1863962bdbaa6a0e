"""Open routes: a vehicle whose route ends at its last stop instead of back at a depot.

Both engines end every route at a depot, so an open route ends at a virtual depot
(``OPEN_END``) placed on an extra location that every location reaches in no time and at
no distance. The last leg then costs nothing and adds nothing to the shift, which is what
"the route ends at the last delivery" means, and neither engine needs to know about it.
"""

from __future__ import annotations

from server.engines.routing.model import Depot, TravelMatrix

OPEN_END = "open-end"


def with_open_end(matrix: TravelMatrix, depots: tuple[Depot, ...]) -> tuple[TravelMatrix, tuple[Depot, ...]]:
    """The matrix with one more location, free to reach from everywhere, and the depots with ``OPEN_END`` on it."""
    if any(depot.id == OPEN_END for depot in depots):
        return matrix, depots
    size = matrix.size

    def grow(rows: tuple[tuple[float, ...], ...]) -> tuple[tuple[float, ...], ...]:
        # Leaving the virtual end is never used (no route starts there); make it free as well.
        return tuple(tuple(row) + (0.0,) for row in rows) + ((0.0,) * (size + 1),)

    matrix = TravelMatrix(grow(matrix.distances), grow(matrix.durations))
    return matrix, depots + (Depot(id=OPEN_END, location=size),)
