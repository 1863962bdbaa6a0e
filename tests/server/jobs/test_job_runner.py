"""Background jobs: progress, cancellation, failure and scoping, on both backends."""

import time

from server.engines.common import Progress
from server.extensions import db
from server.jobs.registry import job_kind
from server.jobs.runner import submit
from server.models import Job


@job_kind("test.count")
def _count(params, limits):
    """Counts until the time limit or a cancel, reporting progress as it goes."""
    started, n = time.monotonic(), 0
    while time.monotonic() - started < limits.time_limit_s:
        if limits.should_stop():
            return {"count": n, "stopped": True}
        n += 1
        limits.on_progress(Progress((time.monotonic() - started) / limits.time_limit_s, "counting", n))
        time.sleep(0.01)
    return {"count": n, "stopped": False}


@job_kind("test.fail")
def _fail(params, limits):
    raise RuntimeError("the solver blew up")




def test_job_runs_to_success_with_result(client, make_party, wait_for_job):
    """A job runs in the background and ends succeeded with its result and full progress."""
    party = make_party("carrier")
    job = submit("test.count", party.id, {}, time_limit_s=0.5)
    body = wait_for_job(party.headers, job.id, {"succeeded"})
    assert body["result"]["stopped"] is False and body["result"]["count"] > 0
    assert body["progress"] == 1.0


def test_cancel_stops_a_running_job(client, make_party, wait_for_job):
    """Cancelling a running job stops the solver early and records it as cancelled."""
    party = make_party("carrier")
    job = submit("test.count", party.id, {}, time_limit_s=30)
    wait_for_job(party.headers, job.id, {"running"})
    started = time.monotonic()
    assert client.post(f"/api/v1/jobs/{job.id}/cancel", headers=party.headers).get_json()["status"] == "cancelling"
    body = wait_for_job(party.headers, job.id, {"cancelled"})
    assert body["result"]["stopped"] is True
    assert time.monotonic() - started < 10


def test_failure_is_recorded_not_raised(client, make_party, wait_for_job):
    """A handler that raises leaves a failed job with the error, and the pool keeps working."""
    party = make_party("carrier")
    failed = submit("test.fail", party.id, {}, time_limit_s=1)
    body = wait_for_job(party.headers, failed.id, {"failed"})
    assert "the solver blew up" in body["error"]
    ok = submit("test.count", party.id, {}, time_limit_s=0.2)
    assert wait_for_job(party.headers, ok.id, {"succeeded"})["status"] == "succeeded"


def test_jobs_of_another_organisation_are_404(client, make_party, wait_for_job):
    """Neither reading nor cancelling another organisation's job is possible."""
    owner, stranger = make_party("carrier"), make_party("carrier")
    job = submit("test.count", owner.id, {}, time_limit_s=0.2)
    assert client.get(f"/api/v1/jobs/{job.id}", headers=stranger.headers).status_code == 404
    assert client.post(f"/api/v1/jobs/{job.id}/cancel", headers=stranger.headers).status_code == 404
    wait_for_job(owner.headers, job.id, {"succeeded"})
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "succeeded"


def test_status_and_progress_are_worded_in_the_readers_language(client, make_party, wait_for_job):
    """``status_text`` follows ``?lang=``; progress frames carry code and values, which the page words itself."""
    from flask_babel import force_locale

    from server.jobs.job_words import page_words, progress_text

    party = make_party("carrier")
    job = submit("test.count", party.id, {}, time_limit_s=0.3)
    wait_for_job(party.headers, job.id, {"succeeded"})
    assert client.get(f"/api/v1/jobs/{job.id}", headers=party.headers).get_json()["status_text"] == "finished"
    zh = client.get(f"/api/v1/jobs/{job.id}?lang=zh_CN", headers=party.headers).get_json()
    assert zh["status"] == "succeeded" and zh["status_text"] != "finished" and not zh["status_text"].isascii()
    with client.application.test_request_context():
        assert progress_text("orders_done", {"done": 3, "total": 10}) == "3 of 10 orders"
        with force_locale("zh_CN"):
            assert progress_text("orders_done", {"done": 3, "total": 10}) == "已处理 3 / 10 个订单"
            assert page_words()["progress"]["orders_done"] == "已处理 {done} / {total} 个订单"
