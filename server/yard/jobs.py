"""Dock planning as background jobs: ``docks.plan_day`` and ``docks.replan``.

The API plans a day inline by default; a large plant (or a caller that does not want to
wait) submits ``docks.plan_day`` instead and follows the job. ``docks.replan`` re-plans
around a load's current ETA, for callers outside a request (the ingest worker).
"""

from __future__ import annotations

from datetime import date

from server import clock
from server.engines.common import Limits
from server.extensions import db
from server.jobs.registry import job_kind
from server.models import Load, Site
from server.yard.day_plan import plan_day
from server.yard.replanning import announce, replan_site


@job_kind("docks.plan_day")
def plan_day_job(params: dict, limits: Limits) -> dict:
    site = db.session.get(Site, int(params["site_id"]))
    if site is None:
        raise ValueError(f"site {params['site_id']} is gone")
    return plan_day(site, date.fromisoformat(params["day"]), clock.now(), limits, by=params.get("by"))


@job_kind("docks.replan")
def replan_job(params: dict, limits: Limits) -> dict:
    load = db.session.get(Load, int(params["load_id"]))
    if load is None:
        raise ValueError(f"load {params['load_id']} is gone")
    changes = replan_site(db.session.get(Site, load.pickup_site_id), changed={load.id}, now=clock.now(), limits=limits)
    db.session.commit()
    announce(changes)
    return {"moved": [c.load.id for c in changes]}
