"""Types shared by every planning engine: solve limits, progress and cancellation.

Each engine follows the house pattern ``model -> solve(problem, limits) -> result``.
``Limits`` carries the time limit, the seed, the thread count and two optional hooks:
a progress callback (for CLI bars and Socket.IO job events) and a ``should_stop``
predicate (for cancelling a background job).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Progress:
    """One progress report from a running solve."""

    fraction: float | None  # 0..1 of the time budget used, None when unknown
    message: str = ""  # English, for logs and CLI bars
    best_objective: float | None = None
    # The same as data, for a page or the API to say in the reader's language (``server/jobs/job_words.py``):
    # ``searching`` (a better answer was found), ``done``, ``orders_done`` (``values``: done, total).
    code: str = ""
    values: dict = field(default_factory=dict)


ProgressCallback = Callable[[Progress], None]


def _never() -> bool:
    return False


def _ignore(_: Progress) -> None:
    return None


@dataclass(frozen=True)
class Limits:
    """How long and how a solve may run. Every solve honours ``time_limit_s``."""

    time_limit_s: float = 10.0
    seed: int = 0
    threads: int = 1
    on_progress: ProgressCallback = field(default=_ignore, compare=False, repr=False)
    should_stop: Callable[[], bool] = field(default=_never, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (self.time_limit_s > 0):
            raise ValueError("time_limit_s must be positive")
        if self.threads < 1:
            raise ValueError("threads must be at least 1")


def new_cp_solver():
    """A CP-SAT solver that leaves Ctrl-C to the host process.

    By default CP-SAT installs its own SIGINT handler for each solve and resets it to the
    default afterwards, so a server or CLI that ran one solve would then die on Ctrl-C
    without cleaning up.
    """
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False
    return solver
