"""The server API paths the driver app calls, named, in one table.

The server's API is not final: adjust paths here (or pass an overriding table to
``ApiClient``) and nothing else changes. Paths use ``str.format`` placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Endpoint:
    """One API operation. ``authenticated`` False means a 401 is a refused credential, not expiry."""

    method: str
    path: str
    authenticated: bool = True

    def url_path(self, **params: object) -> str:
        """The path with placeholders filled, each value URL-quoted."""
        return self.path.format(**{k: quote(str(v), safe="") for k, v in params.items()})


ENDPOINTS: dict[str, Endpoint] = {
    "login": Endpoint("POST", "/api/v1/auth/token", authenticated=False),
    "pair_device": Endpoint("POST", "/api/v1/devices/pair", authenticated=False),
    "assignments": Endpoint("GET", "/api/v1/driver/assignments"),
    "load": Endpoint("GET", "/api/v1/loads/{load_id}"),
    "board": Endpoint("GET", "/api/v1/tenders"),  # carriers get the open board they may act on
    "grab_tender": Endpoint("POST", "/api/v1/tenders/{tender_id}/grab"),
    "bid_tender": Endpoint("POST", "/api/v1/tenders/{tender_id}/bids"),
    "yard_checkin": Endpoint("POST", "/api/v1/yard/checkin"),
    "yard_visit": Endpoint("GET", "/api/v1/yard/visits/{visit_id}"),
    "submit_evidence": Endpoint("POST", "/api/v1/loads/{load_id}/evidence"),
    "submit_pod": Endpoint("POST", "/api/v1/loads/{load_id}/pod"),
    # A multi-drop load is signed per delivery stop (the whole-load proof is refused: ``sign_per_stop``).
    "submit_stop_pod": Endpoint("POST", "/api/v1/loads/{load_id}/stops/{stop_id}/pod"),
    # The driver's in-app notifications, worded in ``lang`` (the server's own words); newest first.
    "notifications": Endpoint("GET", "/api/v1/notifications?limit={limit}&lang={lang}"),
    "notification_read": Endpoint("POST", "/api/v1/notifications/{notification_id}/read"),
}
