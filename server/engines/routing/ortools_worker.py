"""OR-Tools as a worker process of the portfolio: ``python -m server.engines.routing.ortools_worker``.

A plain subprocess rather than ``multiprocessing``: spawn would re-run the host's main script
in the child (a script without a ``__main__`` guard would redo its work there), and fork is
unsafe in a threaded server. The parent writes one pickled job on stdin — (problem, scaled,
precheck, deadline, seed), the deadline a ``time.monotonic()`` instant, which is the same
clock in every process of the machine — and may later write ``stop`` or close stdin to
cancel. The worker writes one pickled answer on stdout: the routes, or None.

The worker runs at a lower priority: on an idle machine it has a core of its own, and when
other work shares the cores it yields to PyVRP, the stronger engine, rather than slowing it.
Linux's scheduler shares CPU between sessions first ("autogroups"), so the parent starts
the worker in a session of its own and the worker lowers that session's priority; a nice
value alone would only reorder the parent and the worker inside the parent's share.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time

NICENESS = 10


def _lower_priority() -> None:
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    try:
        with open("/proc/self/autogroup", "w") as autogroup:  # Linux with autogroups only
            autogroup.write(str(NICENESS))
    except OSError:
        pass


def main() -> None:
    _lower_priority()
    from server.engines.common import Limits
    from server.engines.routing.search import Clock
    from server.engines.routing.strategy import optimise

    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    problem, scaled, check, deadline, seed = pickle.load(inbox)
    stop = threading.Event()

    def listen() -> None:  # any further line, or the parent closing the pipe, means stop
        inbox.readline()
        stop.set()

    threading.Thread(target=listen, daemon=True).start()
    clock = Clock(Limits(time_limit_s=max(0.01, deadline - time.monotonic()), should_stop=stop.is_set))
    clock.deadline = deadline  # the parent's deadline, not one measured from this late start
    routes = None
    try:
        routes = optimise(problem, scaled, check, clock, seed)
    finally:
        pickle.dump(routes, outbox)
        outbox.flush()


if __name__ == "__main__":
    main()
