"""Notifications and webhooks: tell organisations what happened to their shipments.

``publish.publish_event(kind, organisation_ids=..., load_id=..., data=...)`` is the one entry
point for the rest of Haul (kinds and audiences: ``kinds``). It stores an in-app notification per
organisation, emits it over Socket.IO, and queues signed webhook deliveries that
``delivery.deliver_due`` sends in the background with retries and backoff.

Modules: kinds (what can happen), publish (the entry point), delivery (the worker's step),
transport (one signed HTTP request, SSRF-safe), signing (the signature scheme), urls
(which endpoints are accepted), endpoints (managing webhooks), worker (the delivery thread),
wakeup (how a new delivery wakes that thread), settings. The HTTP layer is
``notification_routes`` and ``webhook_routes``; ``haul webhooks deliver`` is in ``server.cli``.
Time comes from ``server.clock``.
"""
