"""Which engine answers a routing request, and running two of them side by side.

Each request goes to the engines that model it fully: OR-Tools models everything Haul asks
(driver breaks included), PyVRP everything but breaks. Where both do:

- with two threads and at least ``PARALLEL_MIN_S`` of budget, PyVRP runs here while OR-Tools
  runs in a child process, both until the same deadline, and the better checked plan wins;
- with one thread, PyVRP alone (measured: it beats OR-Tools on the Solomon and Li & Lim
  classes at every limit tried).

Every plan is checked by ``feasibility`` against the problem and scored by ``objective``
before it is kept, so an engine's own numbers never decide. The answer names its engine.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from dataclasses import dataclass

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
CHILD_NICENESS = 10
JOIN_GRACE_S = 0.3  # how long past the deadline the child may take to hand over its plan


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
            raise ValueError("PyVRP does not model driver breaks; use the OR-Tools engine")
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


def _pyvrp_here(problem: Problem, scaled: Scaled, check: Precheck, clock: Clock, seed: int) -> tuple[Routes, bool]:
    routes, cancelled, feasible = run_pyvrp(problem, scaled, check, clock.deadline, seed, clock.stop_requested,
                                            lambda _, cost: clock.report("pyvrp", cost))
    return (routes if feasible else repair(problem, scaled, routes)), cancelled


def _ortools_child(inbox, conn, stop, deadline: float, seed: int) -> None:
    """OR-Tools in a child process, until ``deadline`` or ``stop``; its plan goes up the pipe.

    The child runs at a lower priority: on an idle machine it has a core of its own, and when
    other work shares the cores it yields to PyVRP, the stronger engine, rather than slowing it.
    """
    try:
        if hasattr(os, "nice"):
            os.nice(CHILD_NICENESS)
        problem, scaled, check = inbox.recv()
        inbox.close()
        clock = Clock(Limits(time_limit_s=max(0.01, deadline - time.monotonic()), should_stop=stop.is_set))
        clock.deadline = deadline  # the parent's deadline, not one measured from this late start
        conn.send(("done", optimise(problem, scaled, check, clock, seed)))
    except Exception as exc:  # the parent keeps PyVRP's plan
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


def _side_by_side(problem: Problem, scaled: Scaled, check: Precheck, clock: Clock, seed: int) -> Answer:
    """PyVRP here (it starts at once and honours the deadline per iteration), OR-Tools in a child.

    The child needs about a second to start; whatever it has not handed over shortly after
    the deadline is not waited for, so the time limit holds whichever engine is late.
    """
    # spawn, not fork: the host may be a threaded server, and forking threads is unsafe.
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    inbox, post = context.Pipe(duplex=False)
    stop = context.Event()
    child = context.Process(target=_ortools_child, args=(inbox, send, stop, clock.deadline, seed), daemon=True,
                            name="haul-ortools")
    child.start()
    send.close()
    inbox.close()
    # The child reads the problem only once its interpreter and imports are up; sending from
    # a thread lets PyVRP start searching meanwhile.
    courier = threading.Thread(target=_post, args=(post, (problem, scaled, check)), daemon=True)
    courier.start()
    try:
        pyvrp_routes, cancelled = _pyvrp_here(problem, scaled, check, clock, seed)
        if cancelled or clock.cancelled:
            stop.set()
        ortools_routes = _collect(receive, clock.deadline + JOIN_GRACE_S)
    finally:
        stop.set()
        child.join(0.1)
        if child.is_alive():
            child.terminate()
            child.join(0.2)  # reap it, so no zombie is left behind
        receive.close()
    candidates = [(name, routes) for name, routes in (("pyvrp", pyvrp_routes), ("ortools", ortools_routes))
                  if routes is not None and not plan_errors(problem, scaled, routes)]
    if not candidates:
        return Answer(pyvrp_routes, "pyvrp", clock.cancelled)
    name, routes = min(candidates, key=lambda c: plan_score(problem, c[1]))
    return Answer(routes, name, clock.cancelled)


def _post(post, payload) -> None:
    try:
        post.send(payload)
    except OSError:  # the child is gone; its missing plan is handled by _collect
        pass
    finally:
        post.close()


def _collect(receive, until: float) -> Routes | None:
    """The child's plan if it arrives before ``until``, else None."""
    try:
        if not receive.poll(max(0.0, until - time.monotonic())):
            return None
        kind, payload = receive.recv()
    except (EOFError, OSError):
        return None
    return payload if kind == "done" else None
