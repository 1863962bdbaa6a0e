"""`haul bench routing` on the shipped Gehring & Homberger set: which BKS a run is compared with."""

from __future__ import annotations

from server.bench.routing import SHIPPED_SETS, _expand, load_bks, summarise

TABLE = [SHIPPED_SETS["homberger200"] / "BKS.csv"]


def test_hierarchical_runs_compare_with_sintef_vehicles_and_distance():
    """--objective hierarchical reads the SINTEF columns (vehicles first, then exact distance)."""
    bks = load_bks(TABLE, "hierarchical", "exact")
    assert bks["r1_2_1"] == (20, 4784.106)
    assert len(bks) == 12


def test_distance_runs_under_dimacs_compare_with_the_dimacs_column_without_vehicles():
    """The default run (distance, DIMACS) is compared with the DIMACS distance BKS, which names no fleet size."""
    assert load_bks(TABLE, "distance", "dimacs")["r1_2_1"] == (None, 4667.2)


def test_distance_runs_in_exact_doubles_get_no_bks_rather_than_a_wrong_one():
    """Neither column is a distance-only BKS in exact doubles, so no gap is reported for that run."""
    assert load_bks(TABLE, "distance", "exact") == {}


def test_a_file_named_by_the_set_and_by_path_is_solved_once():
    """--set plus --instances naming the same file does not solve (and count) it twice."""
    folder = SHIPPED_SETS["homberger200"]
    paths = _expand((str(folder / "C1_2_1.vrp"), str(folder)))
    assert len(paths) == 12 and paths[0].name == "C1_2_1.vrp"


def test_summary_names_the_worst_gap_beside_the_mean():
    """The class figure is a mean and a worst case: both are in the summary, with the worst instance."""
    def record(name, gap):
        return {"name": name, "gap_pct": gap, "bks_vehicles": None, "feasible": True, "vehicles": 5,
                "distance": 100.0, "seconds": 1.0, "within_promise": True}

    summary = summarise([record("A", 0.5), record("B", 2.5), record("C", None)])
    assert (summary["mean_gap_pct"], summary["worst_gap_pct"], summary["worst"]) == (1.5, 2.5, "B")
