"""Background jobs (route solves, dock re-plans) with progress, cancellation and live events.

With ``REDIS_URL`` set, jobs go to an RQ queue served by ``haul worker`` processes; without
it (the embedded default) a small thread pool in the server runs them. Either way the job
row in the database is the truth: status, progress, result and the cancel request. ``routes`` is
the HTTP layer (status and cancel).
"""
