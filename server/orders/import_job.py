"""A large CSV import as a background job (``orders.import``), with progress and cancel.

The job keeps the CSV in its parameters until it has run, then drops it (the result keeps the
report). It imports order by order exactly as the request does (``csv_import.import_groups``);
a cancelled job stops between orders, keeps what it created, and a second import of the same
file completes it, since each reference is its own idempotency key.
"""

from __future__ import annotations

from server.auth.principal import Principal
from server.engines.common import Limits, Progress
from server.extensions import db
from server.jobs.registry import job_kind
from server.jobs.runner import submit
from server.models import Job
from server.orders.csv_import import import_groups, read_groups

KIND = "orders.import"
# Not a solver: the job's clock is for the queue's timeout (RQ kills a job after 3x this + 60 s).
TIME_BUDGET_S = 1800.0


def submit_import(principal: Principal, text: str, rows: int) -> Job:
    params = {"csv": text, "rows": rows, "seller_org_id": principal.organisation_id, "user_id": principal.user_id,
              "roles": sorted(principal.roles)}
    return submit(KIND, principal.organisation_id, params, time_limit_s=TIME_BUDGET_S)


@job_kind(KIND)
def run_import(params: dict, limits: Limits) -> dict:
    """Job handler: import the stored CSV for the job's seller, reporting progress per order."""
    principal = Principal(organisation_id=params["seller_org_id"], org_kind="seller",
                          roles=frozenset(params["roles"]), user_id=params["user_id"], via="job")
    groups = read_groups(params["csv"], params["rows"])

    def progress(done: int, total: int) -> None:
        limits.on_progress(Progress(fraction=done / max(total, 1), message=f"{done} of {total} orders",
                                    code="orders_done", values={"done": done, "total": total}))

    report = import_groups(principal, groups, job_id=params["job_id"], on_progress=progress,
                           should_stop=limits.should_stop)
    job = db.session.get(Job, params["job_id"])
    job.params = {key: value for key, value in job.params.items() if key != "csv"}  # the report is the result
    db.session.commit()
    return report
