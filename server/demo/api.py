"""A demo user's HTTP session: signs in with POST /api/v1/auth/token and calls the API as them.

Every call goes over HTTP to the running server, exactly as an ERP, a dashboard or the driver
app would. A refused call raises `ApiError` with the status, the problem's detail and its
reason code; an expired token is renewed once by signing in again.
"""

from __future__ import annotations

import logging
import threading

import requests

from server.demo.transport import HttpFactory, over_http

log = logging.getLogger("haul.demo")

TIMEOUT_S = 30.0


class ApiError(RuntimeError):
    """The server refused a call (or could not be reached): status 0 means no answer."""

    def __init__(self, method: str, path: str, status: int, detail: str, reason: str | None = None,
                 errors: list | None = None):
        self.method, self.path, self.status = method, path, status
        self.detail, self.reason, self.errors = detail, reason, errors or []
        super().__init__(f"{method} {path} -> {status or 'no answer'}: {detail}"
                         + (f" [{reason}]" if reason else "")
                         + (f" {self.errors}" if self.errors else ""))


class ApiSession:
    """One signed-in demo user (``email``) against the server at ``base_url``."""

    def __init__(self, base_url: str, email: str, password: str, http: HttpFactory = over_http):
        self.base_url = base_url.rstrip("/")
        self.email = email
        self._password = password
        self.http_factory = http  # another user of the same demo reaches the server the same way
        self._http = http()
        self._lock = threading.Lock()
        self._token: str | None = None
        self.me: dict = {}

    @property
    def organisation_id(self) -> int:
        return int(self.me["organisation_id"])

    @property
    def user_id(self) -> int:
        return int(self.me["id"])

    def sign_in(self) -> ApiSession:
        """Exchange the demo login for a bearer token (and remember who we are)."""
        answer = self._send("POST", "/api/v1/auth/token", {"email": self.email, "password": self._password},
                            auth=False)
        with self._lock:
            self._token = answer["token"]
        self.me = answer["user"]
        return self

    def get(self, path: str, **params) -> dict | list:
        return self.call("GET", path, params=params or None)

    def post(self, path: str, body: dict | None = None, headers: dict | None = None) -> dict | list | None:
        return self.call("POST", path, body=body if body is not None else {}, headers=headers)

    def patch(self, path: str, body: dict) -> dict | list | None:
        return self.call("PATCH", path, body=body)

    def delete(self, path: str) -> dict | list | None:
        return self.call("DELETE", path)

    def call(self, method: str, path: str, body=None, params=None, headers=None):
        if self._token is None:
            self.sign_in()
        try:
            return self._send(method, path, body, params=params, headers=headers)
        except ApiError as exc:
            if exc.status != 401:
                raise
            log.info("demo: %s's token ran out; signing in again", self.email)
            self.sign_in()
            return self._send(method, path, body, params=params, headers=headers)

    def _send(self, method, path, body=None, params=None, headers=None, auth=True):
        all_headers = dict(headers or {})
        if auth and self._token:
            all_headers["Authorization"] = f"Bearer {self._token}"
        try:
            response = self._http.request(method, self.base_url + path, json=body, params=params,
                                          headers=all_headers, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            raise ApiError(method, path, 0, f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text[:200]}
            raise ApiError(method, path, response.status_code, str(problem.get("detail") or problem.get("title")),
                           problem.get("reason"), problem.get("errors"))
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def items(self, path: str, **params) -> list[dict]:
        """Every item of a paged list (pages of 200)."""
        out, offset = [], 0
        while True:
            page = self.get(path, limit=200, offset=offset, **params)
            out += page["items"]
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                return out

    def close(self) -> None:
        self._http.close()
