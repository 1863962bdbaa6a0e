"""Notifications and webhooks: tell organisations what happened to their shipments.

``publish_event(kind, organisation_ids=..., load_id=..., data=...)`` is the one entry
point for the rest of Haul (kinds and audiences: ``server/notify/kinds.py``). It stores an
in-app notification per organisation, emits it over Socket.IO, and queues signed webhook
deliveries that ``deliver_due`` sends in the background with retries and backoff.

Modules: kinds (what can happen), publish (the entry point), delivery (the worker's step),
transport (one signed HTTP request, SSRF-safe), signing (the signature scheme), urls
(which endpoints are accepted), endpoints (managing webhooks), worker (the thread and
the CLI), settings, models (the attempt log); time comes from ``server.clock``.
"""

import server.notify.models  # noqa: F401  (registers webhook_attempts on db.metadata)
from server.notify.kinds import KINDS
from server.notify.publish import publish_event

__all__ = ["KINDS", "publish_event"]
