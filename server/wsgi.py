"""The WSGI entry point for gunicorn: ``gunicorn ... 'server.wsgi:app'`` (docs/deployment.md).

The app is built from the environment, as ``create_app()`` does, and the process's garbage
collector is then tuned for serving (``server.gc_tuning``), as ``haul serve`` does. gunicorn's own
refusals (414, 431, 400: before the app sees the request) are written as problem+json
(``server.server_errors``).
"""

from __future__ import annotations

from server.app import create_app
from server.gc_tuning import tune_gc
from server.server_errors import use_problem_errors_in_gunicorn

app = create_app()
tune_gc()
use_problem_errors_in_gunicorn()
