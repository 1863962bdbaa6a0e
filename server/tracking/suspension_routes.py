"""Re-enabling a device login the ingest suspended (`server.tracking.device_abuse`).

``POST /api/v1/device-credentials/{id}/reinstate`` (``manage_devices``): the carrier has looked at
the phone (or replaced its app) and lets it in again; the broker and the HTTP endpoints accept it
from the next connect or request. A login that is not suspended is answered as it is (200, no-op);
a revoked one is 409: revocation is for good, make a new login instead.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from flask_smorest import Blueprint

from server.auth.principal import current_principal, require
from server.auth.scoping import get_scoped_or_404
from server.errors import ApiProblem
from server.extensions import db
from server.models import DeviceCredential
from server.tracking import devices
from server.tracking.device_abuse import reinstate
from server.tracking.routes import DeviceOut

log = logging.getLogger(__name__)

blp = Blueprint("device_suspension", __name__, url_prefix="/api/v1", description="Suspended device logins")


@blp.post("/device-credentials/<int:credential_id>/reinstate")
@blp.response(200, DeviceOut)
@require("manage_devices")
def reinstate_device_credential(credential_id):
    """Re-enable a login suspended for sending garbage (a login that is not suspended is left as it is)."""
    cred = get_scoped_or_404(DeviceCredential, credential_id, current_principal())
    if cred.revoked_at is not None:
        raise ApiProblem(409, _("This device login was revoked; make a new one."), reason="revoked")
    if reinstate(cred):
        db.session.commit()
        log.info("device login %s reinstated by user %s", cred.username, current_principal().user_id)
    return devices.dump_credential(cred)
