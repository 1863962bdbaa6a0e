"""Garbage-collector settings for a long-running Haul process: a web server or an ingest worker.

Called by the process entry points once the application is loaded (``haul serve``, the WSGI entry
``server.wsgi:app`` that gunicorn runs, ``haul ingest``), never by ``create_app``: the settings
are process-wide, and a test process that builds many apps must keep Python's defaults.
"""

from __future__ import annotations

import gc

GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (Python's default: 700)


def tune_gc() -> None:
    """Collect garbage less often, and never scan what was loaded at start-up again.

    Why, from profiles on 2 cores:
    - ``haul bench market``: a full collection walked every object of the loaded application
      (SQLAlchemy models and compiled statements, Flask, the routing tables) and held the GIL for
      160-180 ms, every request of the process waiting behind it.
    - ``haul bench ingest``: a worker allocates several container objects per fix, and with the
      default threshold of 700 a young collection ran every few messages.
    Freezing moves the start-up objects to a generation the collector skips, and the higher
    threshold makes young collections rarer (each costs about the same, so the total falls).
    Cyclic garbage is still collected; only how often and over what the collector looks changes.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)
