"""Job kinds and their handlers: ``handler(params: dict, limits: Limits) -> dict``; ``params`` are the job's,
with its own id as ``job_id``."""

from __future__ import annotations

from collections.abc import Callable

from server.engines.common import Limits

JobHandler = Callable[[dict, Limits], dict]
HANDLERS: dict[str, JobHandler] = {}


def job_kind(name: str):
    """Register a handler for a job kind."""

    def decorator(fn: JobHandler) -> JobHandler:
        HANDLERS[name] = fn
        return fn

    return decorator
