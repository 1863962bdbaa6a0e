"""A scripted Haul API for the full driver flow, shaped like the real server's answers.

The full-flow UI scenario runs against this stub so that it can stage what a real server
rarely does on demand (a lost grab race, a server error, an expired session, the network down
for one evidence upload): a real HTTP server on 127.0.0.1 that answers with ``problem+json``
errors like the real one (including Werkzeug's text for an unknown route) and records what it
was sent. The real-server scenarios (scenario_real_server*.py) cover the same day against
``haul serve``.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "stub-session-token"
PAIRING_CODE = "ABCDE-FGHJK"
PICKUP_TOKEN = "eyJsb2FkX2lkIjoxMDEsInBsYXRlIjoiRE8tSEwgNDcxMSJ9.stub-signature"
ROUTE_MISSING = ("The requested URL was not found on the server. If you entered the URL manually please check "
                 "your spelling and try again.")


def _in_hours(hours: float) -> str:
    """A token expiry ahead of now, as the server gives it (a fixed date would expire the stub's sessions)."""
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def _load(load_id: int, ref: str, status: str, hour: int, dock: str | None) -> dict:
    return {
        "id": load_id, "reference": ref, "status": status, "seller_id": 1, "buyer_id": 2, "carrier_id": 5,
        "pickup_site_id": 1, "delivery_site_id": 3,
        "pickup": {"name": "Rheinkalk Werk Wülfrath", "address": "Wilhelmstraße 77, 42489 Wülfrath",
                   "location": {"lat": 51.2817, "lon": 7.0386}},
        "delivery": {"name": "BauStoff Handel Köln", "address": "Industriestraße 12, 50735 Köln",
                     "location": {"lat": 50.9781, "lon": 6.9736}},
        "pickup_window": {"earliest": f"2026-11-24T{hour:02d}:00:00+01:00",
                          "latest": f"2026-11-24T{hour + 2:02d}:00:00+01:00"},
        "delivery_window": {"earliest": f"2026-11-24T{hour + 3:02d}:00:00+01:00",
                            "latest": f"2026-11-24T{hour + 8:02d}:00:00+01:00"},
        "appointment": {"dock_name": dock, "start": f"2026-11-24T{hour:02d}:30:00+01:00"} if dock else None,
        "weight_kg": 24000.0, "documents": [{"name": "CMR 2026-4711", "url": "https://haul.example/cmr/4711.pdf"}],
    }


def multi_drop_load(load_id: int = 103) -> dict:
    """A load with two buyers' deliveries (Köln, then Bonn), as the driver's assignment lists its stops."""
    load = _load(load_id, "LD-4713", "in_transit", 9, None)

    def stop(stop_id, seq, kind, name, lat, lon, buyer=None):
        return {"id": stop_id, "seq": seq, "kind": kind, "site_id": stop_id + 100, "buyer_id": None,
                "buyer_name": buyer, "status": "planned", "signed": False,
                "site": {"site_id": stop_id + 100, "name": name, "address": "", "lat": lat, "lon": lon}}
    load["stops"] = [stop(30, 1, "pickup", "Rheinkalk Werk Wülfrath", 51.2817, 7.0386),
                     stop(31, 2, "delivery", "BauStoff Handel Köln", 50.9781, 6.9736, "BauStoff Handel"),
                     stop(32, 3, "delivery", "Bonn yard", 50.73, 7.10, "Rhein Bau Bonn")]
    return load


@dataclass
class StubState:
    loads: dict = field(default_factory=lambda: {
        101: _load(101, "LD-4711", "awarded", 8, "Dock 2"),
        102: _load(102, "LD-4712", "awarded", 13, None),
    })
    expired: bool = False  # answer 401 to authenticated calls (session expired)
    board_fails: int = 0  # answer 500 to this many board reads
    evidence_down: int = 0  # answer 503 to this many evidence posts (offline outbox)
    grabbed: bool = False
    assignments_missing: bool = False  # behave like a server without driver assignments
    pairing_codes: dict = field(default_factory=lambda: {PAIRING_CODE: "pending"})  # code -> pending | used
    pairing_missing: bool = False  # behave like a server without device pairing
    notifications: list | None = None  # the driver user's in-app notifications (None: no such route)
    requests: list = field(default_factory=list)
    stop_pods: dict = field(default_factory=dict)  # stop id -> the proof's JSON body


class _Handler(BaseHTTPRequestHandler):
    state: StubState

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: object, problem: bool = False) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/problem+json" if problem else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _problem(self, status: int, title: str, detail: str, errors: list | None = None) -> None:
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": self.path}
        if errors:
            body["errors"] = errors
        self._send(status, body, problem=True)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        st = self.state
        st.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": raw})
        path = self.path.split("?")[0]
        if not path.startswith("/api/v1/"):
            return self._problem(404, "Not Found", ROUTE_MISSING)
        if (self.command, path) == ("POST", "/api/v1/auth/token"):
            creds = json.loads(raw or b"{}")
            if creds.get("email") == "driver@weber.demo" and creds.get("password") == "right-password":
                st.expired = False
                return self._send(201, {"token": TOKEN, "expires_at": _in_hours(12), "user": {
                    "id": 9, "name": "Jan Kowalski", "organisation_id": 5, "roles": ["driver"]}})
            return self._problem(401, "Unauthorized", "Wrong email or password.")
        if (self.command, path) == ("POST", "/api/v1/devices/pair"):  # no login: routed before the token check
            if st.pairing_missing:
                return self._problem(404, "Not Found", ROUTE_MISSING)
            return self._pair(json.loads(raw or b"{}"))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}" or st.expired:
            return self._problem(401, "Unauthorized", "The token has expired.")
        return self._route(path, raw)

    def _route(self, path: str, raw: bytes) -> None:
        st = self.state
        get = self.command == "GET"
        if get and path == "/api/v1/driver/assignments" and not st.assignments_missing:
            return self._send(200, {"items": list(st.loads.values()), "total": len(st.loads)})
        if get and path == "/api/v1/loads" and st.assignments_missing:
            return self._send(200, {"items": [st.loads[102]], "total": 1})
        if get and (m := re.fullmatch(r"/api/v1/loads/(\d+)", path)) and int(m[1]) in st.loads:
            return self._send(200, st.loads[int(m[1])])
        if get and path == "/api/v1/pickup-authorizations":
            return self._send(200, {"items": [{"id": 31, "load_id": 101, "plate": "DO-HL 4711", "revoked_at": None,
                                               "expires_at": "2026-11-25T08:00:00+00:00", "token": PICKUP_TOKEN}]})
        if get and path == "/api/v1/tenders":
            if st.board_fails:
                st.board_fails -= 1
                return self._problem(500, "Internal Server Error", "database is locked")
            return self._send(200, {"items": self._board()})
        if self.command == "POST" and path == "/api/v1/tenders/7/grab":
            if st.grabbed:
                return self._problem(409, "Conflict", "Tender 7 was already awarded to another carrier.")
            st.grabbed = True
            return self._send(200, {"id": 70, "tender_id": 7, "load_id": 201, "price": 820.0})
        if self.command == "POST" and path == "/api/v1/tenders/8/bids":
            price = json.loads(raw or b"{}").get("price", 0)
            if price > 1500:
                return self._problem(422, "Unprocessable Entity", "Your bid is above the ceiling price (1500 €).",
                                     [{"path": "price", "message": "above the ceiling price"}])
            return self._send(201, {"id": 90, "tender_id": 8, "price": price})
        if path.startswith("/api/v1/notifications") and st.notifications is not None:
            return self._notifications(path)
        if self.command == "POST" and path == "/api/v1/yard/checkin":
            return self._send(201, {"id": 55, "load_id": 101, "status": "queued", "queue_position": 3})
        if get and path == "/api/v1/yard/visits/55":
            return self._send(200, {"id": 55, "load_id": 101, "status": "queued", "queue_position": 2})
        if self.command == "POST" and (m := re.fullmatch(r"/api/v1/loads/(\d+)/stops/(\d+)/pod", path)):
            return self._stop_pod(int(m[1]), int(m[2]), raw)
        if self.command == "POST" and (m := re.fullmatch(r"/api/v1/loads/(\d+)/pod", path)) and \
                st.loads.get(int(m[1]), {}).get("stops"):
            return self._send(409, {"title": "Conflict", "status": 409, "reason": "sign_per_stop",
                                    "detail": "Sign each stop."}, problem=True)
        if self.command == "POST" and re.fullmatch(r"/api/v1/loads/\d+/(evidence|pod)", path):
            if path.endswith("evidence") and st.evidence_down:
                st.evidence_down -= 1
                return self._problem(503, "Service Unavailable", "maintenance")
            return self._send(201, {"id": len(st.requests)})
        return self._problem(404, "Not Found", ROUTE_MISSING)

    def _stop_pod(self, load_id: int, stop_id: int, raw: bytes) -> None:
        """Like the server's per-stop proof: JSON only, once per stop (then 409 ``already_delivered``)."""
        stops = {s["id"]: s for s in self.state.loads.get(load_id, {}).get("stops") or []}
        if stop_id not in stops:
            return self._problem(404, "Not Found", f"LoadStop {stop_id} was not found.")
        if stop_id in self.state.stop_pods:
            return self._send(409, {"title": "Conflict", "status": 409, "reason": "already_delivered",
                                    "detail": "This stop already has its proof of delivery."}, problem=True)
        self.state.stop_pods[stop_id] = json.loads(raw)
        stops[stop_id].update(status="delivered", signed=True)
        return self._send(201, {"id": len(self.state.requests), "load_id": load_id, "stop_id": stop_id})

    def _notifications(self, path: str) -> None:
        """Like the server's GET /notifications (newest first, with the unread count) and POST .../read."""
        notes = self.state.notifications
        if self.command == "GET" and path == "/api/v1/notifications":
            unread = sum(1 for n in notes if n.get("read_at") is None)
            return self._send(200, {"items": notes, "total": len(notes), "unread": unread, "limit": 100, "offset": 0})
        m = re.fullmatch(r"/api/v1/notifications/(\d+)/read", path)
        note = next((n for n in notes if m and n["id"] == int(m[1])), None)
        if self.command != "POST" or note is None:
            return self._problem(404, "Not Found", f"Notification {path} was not found.")
        note["read_at"] = note.get("read_at") or _in_hours(0)
        return self._send(200, note)

    def _pair(self, body: dict) -> None:
        """Like the server's POST /devices/pair: a pending code once, then 409 'used'; others 404."""
        codes = self.state.pairing_codes
        code = body.get("code")
        if codes.get(code) == "used":
            body = {"type": "about:blank", "title": "Conflict", "status": 409, "reason": "used",
                    "detail": "This pairing code was already used. Ask for a new one.", "instance": self.path}
            return self._send(409, body, problem=True)
        if codes.get(code) != "pending":
            body = {"type": "about:blank", "title": "Not Found", "status": 404, "reason": "unknown_code",
                    "detail": "This pairing code is not known. Check it, or ask for a new one.", "instance": self.path}
            return self._send(404, body, problem=True)
        codes[code] = "used"
        self.state.expired = False
        return self._send(200, {"token": TOKEN, "expires_at": _in_hours(30 * 24), "organisation_id": 5,
                                "driver": {"id": 9, "name": "Jan Kowalski", "user_id": None},
                                "vehicle": None, "device": None, "mqtt": None})

    @staticmethod
    def _board() -> list:
        summary = {"id": 201, "reference": "LD-5001", "pickup_location": {"lat": 51.28, "lon": 7.04},
                   "delivery_location": {"lat": 53.55, "lon": 9.99},
                   "pickup_window": {"earliest": "2026-11-24T10:00:00+01:00", "latest": "2026-11-24T12:00:00+01:00"}}
        auction = dict(summary, id=202, reference="LD-5002")
        return [
            {"id": 7, "load_id": 201, "mode": "grab", "status": "open", "price": 820.0, "deadline": None,
             "load": summary},
            {"id": 8, "load_id": 202, "mode": "auction", "status": "open", "price": None, "ceiling_price": 1500.0,
             "lead_price": 1380.0, "deadline": "2026-11-24T09:00:00+01:00", "load": auction},
        ]

    do_GET = do_POST = _serve


class StubHaulApi:
    """``with StubHaulApi() as api: api.url ...``; ``api.state`` scripts failures and holds requests."""

    def __init__(self) -> None:
        self.state = StubState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self) -> StubHaulApi:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def posts_to(self, suffix: str) -> list:
        return [r for r in self.state.requests if r["method"] == "POST" and r["path"].endswith(suffix)]
