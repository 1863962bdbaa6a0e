"""Submitting, running and cancelling jobs."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from server.db.types import utcnow
from server.engines.common import Limits, Progress
from server.extensions import db
from server.jobs.registry import HANDLERS
from server.models import Job
from server.realtime import emit_to_orgs

log = logging.getLogger("haul.jobs")

TERMINAL = {"succeeded", "failed", "cancelled"}
_pool: ThreadPoolExecutor | None = None
PROGRESS_EVERY_S = 0.5


def submit(kind: str, organisation_id: int, params: dict, time_limit_s: float = 30.0) -> Job:
    """Create the job row and hand it to the queue (RQ on Redis) or the local thread pool."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(organisation_id=organisation_id, kind=kind, status="queued", progress=0.0,
              params={**params, "time_limit_s": time_limit_s})
    db.session.add(job)
    db.session.commit()
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from rq import Queue

        Queue(current_app.config["JOB_QUEUE"], connection=Redis.from_url(redis_url)).enqueue(
            "server.jobs.runner.run_in_worker", job.id, job_timeout=int(time_limit_s * 3 + 60))
    else:
        global _pool
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="haul-job")
        app = current_app._get_current_object()
        _pool.submit(_run_with_app, app, job.id)
    return job


def request_cancel(job: Job) -> Job:
    if job.status not in TERMINAL:
        job.status = "cancelling" if job.status == "running" else "cancelled"
        if job.status == "cancelled":
            job.finished_at = utcnow()
        db.session.commit()
        _announce(job)
    return job


def _announce(job: Job) -> None:
    emit_to_orgs("job.progress", {"job_id": job.id, "kind": job.kind, "status": job.status,
                                  "progress": job.progress}, [job.organisation_id])


def _run_with_app(app, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


_worker_app = None


def serve_jobs_with(app) -> None:
    """Set the app that this worker process runs jobs in (``haul worker`` calls it before taking jobs;
    RQ's forked work horses inherit it)."""
    global _worker_app
    _worker_app = app


def run_in_worker(job_id: int) -> None:
    """Entry point for RQ worker processes, in the app ``serve_jobs_with`` set."""
    if _worker_app is None:
        raise RuntimeError("no app for jobs in this process: run jobs with `haul worker`")
    _run_with_app(_worker_app, job_id)


class _Tracker:
    """Throttled progress writes and cancel checks against the job row."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last_write = 0.0
        self.last_check = 0.0
        self.cancelled = False

    def on_progress(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last_write < PROGRESS_EVERY_S:
            return
        self.last_write = now
        job = db.session.get(Job, self.job_id)
        if progress.fraction is not None:
            job.progress = round(min(max(progress.fraction, 0.0), 1.0), 3)
        db.session.commit()
        emit_to_orgs("job.progress", {"job_id": job.id, "kind": job.kind, "status": job.status,
                                      "progress": job.progress, "message": progress.message,
                                      "code": progress.code, "values": dict(progress.values),
                                      "best_objective": progress.best_objective}, [job.organisation_id])

    def should_stop(self) -> bool:
        now = time.monotonic()
        if not self.cancelled and now - self.last_check >= PROGRESS_EVERY_S:
            self.last_check = now
            db.session.expire_all()
            self.cancelled = db.session.get(Job, self.job_id).status == "cancelling"
        return self.cancelled


def run_job(job_id: int) -> None:
    """Run one job to a terminal state; never raises (failures are recorded on the job)."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != "queued":
        return
    job.status = "running"
    db.session.commit()
    _announce(job)
    tracker = _Tracker(job_id)
    limits = Limits(time_limit_s=float(job.params.get("time_limit_s", 30.0)), seed=0, threads=1,
                    on_progress=tracker.on_progress, should_stop=tracker.should_stop)
    try:
        result = HANDLERS[job.kind]({**job.params, "job_id": job_id}, limits)
        job = db.session.get(Job, job_id)
        job.result = result
        job.status = "cancelled" if tracker.cancelled else "succeeded"
        job.progress = 1.0
    except Exception as exc:  # a failed job is data for the user, not a crash of the pool
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
    job.finished_at = utcnow()
    db.session.commit()
    _announce(job)
