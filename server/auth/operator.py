"""Operator-only endpoints (``/metrics``): a platform admin, or the scraper's own token.

Prometheus scrapes with ``Authorization: Bearer <HAUL_METRICS_TOKEN>`` (its ``authorization``
setting with ``credentials_file``), so the scraper needs no user account; a platform admin's bearer
token or session works too, for a person looking. Anyone else is refused: 401 without a credential
(or with an unknown one), 403 with a credential of someone who is not an operator.
"""

from __future__ import annotations

import hmac

from flask import current_app, request
from flask_babel import gettext as _

from server.auth.principal import resolve_principal
from server.errors import ApiProblem


def require_operator() -> None:
    """Raise a 401/403 problem unless the caller is the metrics scraper or a platform admin."""
    header = request.headers.get("Authorization", "")
    expected = current_app.config.get("METRICS_TOKEN") or ""
    if expected and header.startswith("Bearer ") and hmac.compare_digest(
            header[len("Bearer "):].strip().encode(), expected.encode()):
        return
    principal = resolve_principal()
    if principal is None:
        raise ApiProblem(401, _("Metrics need the HAUL_METRICS_TOKEN or a platform admin's credential."))
    if principal.org_kind != "platform" or not principal.has_any("admin"):
        raise ApiProblem(403, _("Metrics are for the platform's operators."))
