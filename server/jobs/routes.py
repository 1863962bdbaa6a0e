"""Background job status and cancellation."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.jobs.job_words import status_text
from server.jobs.runner import request_cancel
from server.models import Job
from server.planning.outcome_words import job_result_in_readers_words

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs", description="Background optimisation jobs")


class JobOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String(metadata={"description": "queued running cancelling succeeded failed cancelled"})
    status_text = fields.Function(lambda job: status_text(job.status),
                                  metadata={"type": "string", "description": "the status in the caller's language"})
    progress = fields.Float()
    result = fields.Function(lambda job: job_result_in_readers_words(job.kind, job.result), allow_none=True,
                             metadata={"type": "object", "description": "once finished; the engines' reasons "
                                       "(`reason`) in the caller's language, their `code` and values unchanged"})
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


@blp.get("/<int:job_id>")
@blp.response(200, JobOut)
def get_job(job_id):
    """A job's status, progress and, once finished, its result."""
    return get_scoped_or_404(Job, job_id, current_principal())


@blp.post("/<int:job_id>/cancel")
@blp.response(200, JobOut)
@require("manage_jobs")
def cancel_job(job_id):
    """Ask a running job to stop; the solver returns its best answer so far."""
    return request_cancel(get_scoped_or_404(Job, job_id, current_principal()))
