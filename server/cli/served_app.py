"""The application as ``haul serve`` runs it inside gunicorn's gevent worker.

gunicorn imports this module in its worker, after gevent has patched the standard library: the app
is ``server.wsgi``'s (built from the environment, the collector tuned for serving; its request
bodies have a deadline there, ``server.request_limits``), with a warning on stderr when the
database's schema is not the code's.
"""

from __future__ import annotations

import sys

from server.db.migrate import schema_warning
from server.wsgi import app

with app.app_context():
    _warning = schema_warning()
if _warning:  # a warning, not a refusal: a server behind a rolling upgrade may start before the migration
    print(f"warning: {_warning}", file=sys.stderr, flush=True)
