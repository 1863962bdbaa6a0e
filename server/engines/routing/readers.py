"""Readers for Solomon VRPTW, VRPLIB CVRP / VRPTW (.vrp) and Li & Lim PDPTW files, with auto-detection."""

from __future__ import annotations

import math
import re
from pathlib import Path

from server.engines.routing.instances import Instance


class InstanceFormatError(ValueError):
    """The file is not in a format the readers understand."""


def detect_format(text: str) -> str:
    """``"solomon"``, ``"vrplib"`` or ``"lilim"`` from the file's content."""
    upper = text.upper()
    if "NODE_COORD_SECTION" in upper or re.search(r"^\s*DIMENSION\s*:", upper, re.MULTILINE):
        return "vrplib"
    if "CUSTOMER" in upper and "VEHICLE" in upper:
        return "solomon"
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if lines and len(lines[0]) == 3 and all(len(row) == 9 for row in lines[1:]):
        return "lilim"
    raise InstanceFormatError("not a Solomon, VRPLIB or Li & Lim instance")


def read_instance(path: str | Path) -> Instance:
    """Read any supported file; the instance is named after the file's stem."""
    path = Path(path)
    text = path.read_text()
    kind = detect_format(text)
    reader = {"solomon": parse_solomon, "vrplib": parse_vrplib, "lilim": parse_lilim}[kind]
    return reader(text, name=path.stem)


def parse_solomon(text: str, name: str = "solomon") -> Instance:
    """Solomon VRPTW text: a VEHICLE block (number, capacity) then one row per customer."""
    lines = [line.split() for line in text.splitlines()]
    numbers = [row for row in lines if row and all(_is_number(tok) for tok in row)]
    if not numbers or len(numbers[0]) != 2:
        raise InstanceFormatError("Solomon file has no 'NUMBER CAPACITY' line")
    fleet, capacity = int(numbers[0][0]), int(numbers[0][1])
    rows = [row for row in numbers[1:] if len(row) == 7]
    if len(rows) < 2:
        raise InstanceFormatError("Solomon file has no customer rows")
    return Instance(
        name=name,
        kind="vrptw",
        ids=tuple(int(row[0]) for row in rows),
        coords=tuple((float(row[1]), float(row[2])) for row in rows),
        demands=tuple(int(float(row[3])) for row in rows),
        ready=tuple(float(row[4]) for row in rows),
        due=tuple(float(row[5]) for row in rows),
        service=tuple(float(row[6]) for row in rows),
        capacity=capacity,
        vehicles=fleet,
    )


def parse_lilim(text: str, name: str = "lilim") -> Instance:
    """Li & Lim PDPTW: ``vehicles capacity speed`` then ``id x y demand ready due service p d``."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    try:
        fleet, capacity = int(lines[0][0]), int(lines[0][1])
        rows = [[float(tok) for tok in row] for row in lines[1:]]
    except (IndexError, ValueError) as exc:
        raise InstanceFormatError(f"bad Li & Lim file: {exc}") from exc
    if any(len(row) != 9 for row in rows) or not rows:
        raise InstanceFormatError("Li & Lim rows must have 9 columns")
    index = {int(row[0]): i for i, row in enumerate(rows)}
    pairs = []
    for i, row in enumerate(rows):
        delivery_id = int(row[8])
        if i > 0 and delivery_id:
            if delivery_id not in index:
                raise InstanceFormatError(f"node {int(row[0])} names unknown delivery {delivery_id}")
            pairs.append((i, index[delivery_id]))
    return Instance(
        name=name,
        kind="pdptw",
        ids=tuple(int(row[0]) for row in rows),
        coords=tuple((row[1], row[2]) for row in rows),
        demands=tuple(int(row[3]) for row in rows),
        ready=tuple(row[4] for row in rows),
        due=tuple(row[5] for row in rows),
        service=tuple(row[6] for row in rows),
        capacity=capacity,
        vehicles=fleet,
        pairs=tuple(pairs),
    )


def parse_vrplib(text: str, name: str | None = None) -> Instance:
    """VRPLIB CVRP or VRPTW with EUC_2D coordinates, a DEMAND_SECTION and a single depot.

    A TIME_WINDOW_SECTION makes it a VRPTW (CVRPLIB ships Solomon and Gehring & Homberger
    in this form): windows, service times (SERVICE_TIME or SERVICE_TIME_SECTION) and the
    VEHICLES fleet are read, and the edges keep the caller's rounding as for Solomon files.
    """
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.upper() == "EOF":
            continue
        if ":" in line and current is None or re.match(r"^[A-Z_]+\s*:", line):
            key, _, value = line.partition(":")
            header[key.strip().upper()] = value.strip().strip('"')
            current = None
        elif re.match(r"^[A-Z_]+_SECTION$", line.upper()):
            current = line.upper()
            sections[current] = []
        elif current:
            sections[current].append(line.split())
    if header.get("EDGE_WEIGHT_TYPE", "EUC_2D") != "EUC_2D":
        raise InstanceFormatError(f"unsupported EDGE_WEIGHT_TYPE {header['EDGE_WEIGHT_TYPE']}")
    try:
        coords = {int(r[0]): (float(r[1]), float(r[2])) for r in sections["NODE_COORD_SECTION"]}
        demand = {int(r[0]): int(r[1]) for r in sections["DEMAND_SECTION"]}
        capacity = int(header["CAPACITY"])
    except (KeyError, ValueError, IndexError) as exc:
        raise InstanceFormatError(f"bad VRPLIB file, missing or broken {exc}") from exc
    depots = [int(r[0]) for r in sections.get("DEPOT_SECTION", []) if int(r[0]) != -1] or [min(coords)]
    if len(depots) != 1:
        raise InstanceFormatError("only single-depot VRPLIB instances are supported")
    order = [depots[0]] + sorted(node for node in coords if node != depots[0])
    demands = tuple(demand.get(node, 0) for node in order)
    if "TIME_WINDOW_SECTION" in sections:
        return _vrplib_vrptw(header, sections, order, coords, demands, capacity, name)
    lower_bound = math.ceil(sum(demands) / capacity)
    # CVRP fleets are unbounded; a few spare vehicles over the bin-packing bound is plenty.
    fleet = min(len(order) - 1, lower_bound + max(3, lower_bound // 5))
    count = len(order)
    return Instance(
        name=name or header.get("NAME", "vrplib"),
        kind="cvrp",
        ids=tuple(node - 1 for node in order),
        coords=tuple(coords[node] for node in order),
        demands=demands,
        ready=(0.0,) * count,
        due=(1e9,) * count,
        service=(0.0,) * count,
        capacity=capacity,
        vehicles=fleet,
        rounding="nint",
    )


def _vrplib_vrptw(header: dict[str, str], sections: dict[str, list[list[str]]], order: list[int],
                  coords: dict[int, tuple[float, float]], demands: tuple[int, ...], capacity: int,
                  name: str | None) -> Instance:
    """The VRPTW reading of a VRPLIB file (see ``parse_vrplib``)."""
    try:
        windows = {int(r[0]): (float(r[1]), float(r[2])) for r in sections["TIME_WINDOW_SECTION"]}
        per_node = {int(r[0]): float(r[1]) for r in sections.get("SERVICE_TIME_SECTION", [])}
        service_all = float(header.get("SERVICE_TIME", 0))
        fleet = int(header["VEHICLES"]) if "VEHICLES" in header else len(order) - 1
    except (ValueError, IndexError) as exc:
        raise InstanceFormatError(f"bad VRPLIB VRPTW file: {exc}") from exc
    missing = [node for node in order if node not in windows]
    if missing:
        raise InstanceFormatError(f"TIME_WINDOW_SECTION has no window for node {missing[0]}")
    depot = order[0]
    return Instance(
        name=name or header.get("NAME", "vrplib"),
        kind="vrptw",
        ids=tuple(node - 1 for node in order),
        coords=tuple(coords[node] for node in order),
        demands=demands,
        ready=tuple(windows[node][0] for node in order),
        due=tuple(windows[node][1] for node in order),
        # The depot serves no one: a global SERVICE_TIME is for customers only.
        service=tuple(0.0 if node == depot else per_node.get(node, service_all) for node in order),
        capacity=capacity,
        vehicles=fleet,
    )


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
