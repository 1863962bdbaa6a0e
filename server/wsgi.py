"""The WSGI entry point for gunicorn: ``gunicorn ... 'server.wsgi:app'`` (docs/deployment.md).

The app is built from the environment, as ``create_app()`` does, and the process's garbage
collector is then tuned for serving (``server.gc_tuning``), as ``haul serve`` does.
"""

from __future__ import annotations

from server.app import create_app
from server.gc_tuning import tune_gc

app = create_app()
tune_gc()
