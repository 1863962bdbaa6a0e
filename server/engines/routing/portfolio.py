"""Which engine answers a routing request, and running two of them side by side.

Each request goes to the engines that model it fully: OR-Tools models everything Haul asks
(driver breaks and stops pinned to vehicles included), PyVRP everything but those. Where
both do:

- with two threads and at least ``PARALLEL_MIN_S`` of budget, PyVRP runs here while OR-Tools
  runs in a worker process (``ortools_worker``), both until the same deadline, and the
  better checked plan wins;
- with one thread, PyVRP alone (measured: it beats OR-Tools on the Solomon and Li & Lim
  classes at every limit tried).

Every plan is checked by ``feasibility`` against the problem and scored by ``objective``
before it is kept, so an engine's own numbers never decide. The answer names its engine.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from server.engines.common import Limits
from server.engines.routing.feasibility import plan_errors, repair
from server.engines.routing.model import Problem
from server.engines.routing.objective import plan_score
from server.engines.routing.prechecks import Precheck
from server.engines.routing.pyvrp_model import models_fully
from server.engines.routing.pyvrp_search import run_pyvrp
from server.engines.routing.scaling import Scaled
from server.engines.routing.search import Clock, Routes
from server.engines.routing.strategy import optimise

ENGINES = ("auto", "ortools", "pyvrp")
PARALLEL_MIN_S = 2.0  # below this, starting a second process costs more than it brings
HANDOVER_S = 0.2  # side by side, both engines stop this long before the solve's deadline
JOIN_GRACE_S = 0.15  # how long past that the worker may take to hand over its plan


@dataclass(frozen=True)
class Answer:
    """The kept plan (stop indices per vehicle), the engine that produced it, cancellation."""

    routes: Routes | None
    engine: str
    cancelled: bool


def engines_for(problem: Problem, limits: Limits, requested: str = "auto") -> tuple[str, ...]:
    """The engines to run, in the order their plans are preferred on a tie."""
    if requested not in ENGINES:
        raise ValueError(f"unknown routing engine {requested!r}; choose from {', '.join(ENGINES)}")
    if requested == "ortools" or not models_fully(problem):
        if requested == "pyvrp":
            raise ValueError("PyVRP does not model driver breaks or pinned stops; use the OR-Tools engine")
        return ("ortools",)
    if requested == "pyvrp":
        return ("pyvrp",)
    if limits.threads >= 2 and limits.time_limit_s >= PARALLEL_MIN_S:
        return ("pyvrp", "ortools")
    return ("pyvrp",)


def run(problem: Problem, scaled: Scaled, check: Precheck, clock: Clock, seed: int,
        engines: tuple[str, ...]) -> Answer:
    """Run ``engines`` until the clock's deadline and keep the best feasible plan."""
    if engines == ("ortools",):
        return Answer(optimise(problem, scaled, check, clock, seed), "ortools", clock.cancelled)
    if engines == ("pyvrp",):
        routes, cancelled = _pyvrp_here(problem, scaled, check, clock, seed)
        return Answer(routes, "pyvrp", cancelled or clock.cancelled)
    return _side_by_side(problem, scaled, check, clock, seed)


def _pyvrp_here(problem: Problem, scaled: Scaled, check: Precheck, clock: Clock, seed: int,
                reserve_s: float = 0.0) -> tuple[Routes, bool]:
    routes, cancelled, feasible = run_pyvrp(problem, scaled, check, clock.deadline - reserve_s, seed,
                                            clock.stop_requested,
                                            lambda _, cost: clock.report("pyvrp", cost))
    return (routes if feasible else repair(problem, scaled, routes)), cancelled


def _side_by_side(problem: Problem, scaled: Scaled, check: Precheck, clock: Clock, seed: int) -> Answer:
    """PyVRP here (it starts at once and honours the deadline per iteration), OR-Tools in a worker.

    The worker (``ortools_worker``) needs about a second to start; whatever it has not handed
    over shortly after the deadline is not waited for, so the time limit holds whichever
    engine is late.
    """
    # Both engines stop a little early: collecting, stopping and checking two plans takes
    # a few tenths of a second on a busy machine, and the time limit is a promise.
    deadline = clock.deadline - HANDOVER_S
    worker = _Worker((problem, scaled, check, deadline, seed))
    try:
        pyvrp_routes, cancelled = _pyvrp_here(problem, scaled, check, clock, seed, HANDOVER_S)
        until = deadline + JOIN_GRACE_S
        if cancelled or clock.cancelled:
            worker.stop()
            until = time.monotonic() + JOIN_GRACE_S  # a cancelled job keeps PyVRP's plan so far
        ortools_routes = worker.answer(until)
    finally:
        worker.close()
    candidates = [(name, routes) for name, routes in (("pyvrp", pyvrp_routes), ("ortools", ortools_routes))
                  if routes is not None and not plan_errors(problem, scaled, routes)]
    if not candidates:
        return Answer(pyvrp_routes, "pyvrp", clock.cancelled)
    name, routes = min(candidates, key=lambda c: plan_score(problem, c[1]))
    return Answer(routes, name, clock.cancelled)


class _Worker:
    """The OR-Tools worker process, fed and read by threads so that the caller never blocks."""

    def __init__(self, job: tuple):
        root = str(Path(__file__).resolve().parents[3])  # the folder holding the ``server`` package
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        self.process = subprocess.Popen([sys.executable, "-m", "server.engines.routing.ortools_worker"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                        start_new_session=True)  # its own scheduling group; see the worker
        self.result: list = []
        # The worker reads the job only once its interpreter and imports are up (about a
        # second): one thread writes it meanwhile, another waits for the answer.
        threading.Thread(target=self._send, args=(job,), daemon=True).start()
        self.reader = threading.Thread(target=self._receive, daemon=True)
        self.reader.start()

    def _send(self, job: tuple) -> None:
        try:
            self.process.stdin.write(pickle.dumps(job))
            self.process.stdin.flush()
        except (OSError, ValueError):  # the worker is gone or closed: it gives no answer
            pass

    def _receive(self) -> None:
        try:
            self.result.append(pickle.load(self.process.stdout))
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):  # it died or was stopped
            pass

    def stop(self) -> None:
        """Ask the worker to finish now and hand over its best plan."""
        try:
            self.process.stdin.write(b"stop\n")
            self.process.stdin.flush()
        except (OSError, ValueError):
            pass

    def answer(self, until: float) -> Routes | None:
        """The worker's routes if they arrive before ``until``, else None."""
        self.reader.join(max(0.0, until - time.monotonic()))
        return self.result[0] if self.result else None

    def close(self) -> None:
        """Stop the worker, killing it if it does not finish at once; never raises."""
        self.stop()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        try:
            self.process.wait(0.05)
        except subprocess.TimeoutExpired:
            self.process.kill()
            # Reap it if it goes at once; otherwise ``subprocess`` reaps it on a later call.
            try:
                self.process.wait(0.05)
            except subprocess.TimeoutExpired:
                pass
