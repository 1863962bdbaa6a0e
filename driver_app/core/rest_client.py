"""REST client for the Haul server: bearer token, JSON in and out, typed errors.

Every call has a timeout. Every failure raises an :class:`~driver_app.core.errors.ApiError`
subclass (see ``errors.py``); ``application/problem+json`` bodies are parsed into
``title``/``detail``/``field_errors``. Paths come from the named table in ``endpoints.py``.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import os
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from typing import Any

import requests

from driver_app.core import errors
from driver_app.core.api_models import AuthSession, DevicePairing
from driver_app.core.endpoints import ENDPOINTS, Endpoint
from driver_app.core.pairing import default_device_name, parse_pairing
from driver_app.core.stops import stop_pod_body

log = logging.getLogger(__name__)

# (connect, read) seconds: a wrong address fails fast, a slow but working server gets time.
DEFAULT_TIMEOUT = (5.0, 20.0)


class ApiClient:
    """Calls the server at ``base_url``; ``token`` is sent as ``Authorization: Bearer``.

    ``login`` and ``pair_device`` store the token they receive. Not thread-safe per call
    ordering, but ``requests.Session`` tolerates use from the one worker thread the app uses.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        endpoints: Mapping[str, Endpoint] | None = None,
        session: requests.Session | None = None,
        user_agent: str = "haul-driver/0.1",
    ):
        self.base_url = base_url.strip().rstrip("/")
        self.language = "en"
        self.token = token
        self.timeout = timeout
        self.endpoints = {**ENDPOINTS, **(endpoints or {})}
        self._session = session or requests.Session()
        self._session.headers.update({"Accept": "application/json", "User-Agent": user_agent})

    def set_language(self, lang: str) -> None:
        """Ask the server for its words (captions, refusals) in the driver's language (``en``, ``zh_CN``)."""
        self.language = "zh_CN" if lang.startswith("zh") else "en"
        self._session.headers["Accept-Language"] = "zh-CN, zh;q=0.9" if lang.startswith("zh") else "en"

    # -- operations ----------------------------------------------------------------------

    def login(self, email: str, password: str) -> AuthSession:
        """Sign in with email and password; stores and returns the session token."""
        session = AuthSession.from_json(self.call("login", json_body={"email": email, "password": password}))
        self.token = session.token
        return session

    def pair_device(self, code: str, device_name: str | None = None) -> DevicePairing:
        """Trade a one-time pairing code for the phone's token (and MQTT settings); stores the token.

        A refused code raises the status's error with the server's ``reason`` (see ``core.pairing``).
        """
        body = {"code": code, "device_name": device_name or default_device_name()}
        pairing = DevicePairing.from_json(self.call("pair_device", json_body=body))
        self.token = pairing.token
        return pairing

    def assignments(self) -> list[dict[str, Any]]:
        """Today's loads assigned to the signed-in driver."""
        return self._list(self.call("assignments"))

    def load(self, load_id: str) -> dict[str, Any]:
        return self._object(self.call("load", load_id=load_id))

    def board(self) -> list[dict[str, Any]]:
        """Open tenders on the load board visible to this carrier."""
        return self._list(self.call("board"))

    def grab_tender(self, tender_id: str) -> dict[str, Any]:
        """Take a fixed-price tender; a lost race raises ``Conflict``."""
        return self._object(self.call("grab_tender", tender_id=tender_id, json_body={}))

    def bid_tender(self, tender_id: str, price: float) -> dict[str, Any]:
        return self._object(self.call("bid_tender", tender_id=tender_id, json_body={"price": price}))

    def yard_checkin(self, load_id: str, authorization_token: str) -> dict[str, Any]:
        """Check in at the gate with the pickup authorization token; returns the yard visit."""
        # The server's ids are strict JSON integers; the app carries them as text.
        body = {"load_id": int(load_id) if str(load_id).isdigit() else load_id, "token": authorization_token}
        return self._object(self.call("yard_checkin", json_body=body))

    def yard_visit(self, visit_id: str) -> dict[str, Any]:
        return self._object(self.call("yard_visit", visit_id=visit_id))

    def submit_evidence(
        self,
        load_id: str,
        payload: Mapping[str, Any],
        photos: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Send dock evidence; with photos it goes as multipart (``payload`` JSON part + ``photos``)."""
        return self._object(self._submit("submit_evidence", load_id, payload, photos, idempotency_key))

    def submit_pod(
        self,
        load_id: str,
        payload: Mapping[str, Any],
        photos: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Send the proof of delivery; photos and the signature image go as multipart files."""
        return self._object(self._submit("submit_pod", load_id, payload, photos, idempotency_key))

    def submit_stop_pod(
        self,
        load_id: str,
        stop_id: str,
        payload: Mapping[str, Any],
        files: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Send one stop's proof of delivery as JSON, the signature image and photos inline in base64."""
        try:
            body = stop_pod_body(payload, files)
        except OSError as exc:
            raise errors.PhotoUnreadable(detail=f"{exc.filename}: {exc.strerror}") from exc
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self._object(self.call("submit_stop_pod", load_id=load_id, stop_id=stop_id, json_body=body,
                                      headers=headers))

    def notifications(self, limit: int = 100) -> list[dict[str, Any]]:
        """The signed-in user's in-app notifications, newest first, in the driver's language."""
        return self._list(self.call("notifications", limit=limit, lang=self.language))

    def mark_notification_read(self, notification_id: int) -> dict[str, Any]:
        return self._object(self.call("notification_read", notification_id=notification_id, json_body={}))

    # -- machinery -----------------------------------------------------------------------

    def _submit(self, name, load_id, payload, photos, idempotency_key) -> Any:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        if not photos:
            return self.call(name, load_id=load_id, json_body=dict(payload), headers=headers)
        with ExitStack() as stack:
            files = []
            for path in photos:
                try:
                    handle = stack.enter_context(open(path, "rb"))
                except OSError as exc:
                    raise errors.PhotoUnreadable(detail=f"{path}: {exc.strerror}") from exc
                mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
                files.append(("photos", (os.path.basename(path), handle, mime)))
            data = {"payload": json.dumps(dict(payload))}
            return self.call(name, load_id=load_id, form=data, files=files, headers=headers)

    def call(
        self,
        name: str,
        *,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        **path_params: Any,
    ) -> Any:
        """Call the named endpoint and return its decoded JSON (``None`` for an empty body)."""
        endpoint = self.endpoints[name]
        url = self.base_url + endpoint.url_path(**path_params)
        send_headers = dict(headers or {})
        if self.token and endpoint.authenticated:
            send_headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self._session.request(
                endpoint.method,
                url,
                json=json_body if form is None and files is None else None,
                data=form,
                files=files,
                headers=send_headers,
                timeout=self.timeout,
            )
        except requests.exceptions.Timeout as exc:  # before ConnectionError: ConnectTimeout is both
            raise errors.ServerTimeout(detail=str(exc)) from exc
        except requests.exceptions.SSLError as exc:
            raise errors.SecureConnectionFailed(detail=str(exc)) from exc
        except requests.exceptions.ConnectionError as exc:
            raise errors.ServerUnreachable(detail=str(exc)) from exc
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ) as exc:
            raise errors.InvalidServerUrl(detail=str(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise errors.ServerUnreachable(detail=str(exc)) from exc
        return self._decode(endpoint, response)

    def _decode(self, endpoint: Endpoint, response: requests.Response) -> Any:
        if response.status_code >= 400:
            raise _problem_error(endpoint, response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            # Typically a captive portal or a web page at a wrong server address.
            raise errors.BadResponse(status=response.status_code, detail="response is not JSON") from exc

    @staticmethod
    def _list(data: Any) -> list[dict[str, Any]]:
        # Accept a bare list or a {"items": [...]} envelope: the server's paging style is not fixed.
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            data = data["items"]
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise errors.BadResponse(detail="expected a list of objects")
        return data

    @staticmethod
    def _object(data: Any) -> dict[str, Any]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise errors.BadResponse(detail="expected a JSON object")
        return data


def pair(server_url: str, code: str, *, device_name: str | None = None,
         **client_options: Any) -> tuple[ApiClient, DevicePairing]:
    """Pair this phone: ``code`` is the code as typed or the whole pairing link from the QR code.

    A link names its own server, which wins over ``server_url`` (the address typed in the form).
    Returns the client, now holding the phone's token, and the pairing. Raises ``ValueError``
    when ``code`` is neither a code nor a pairing link, and the client's errors otherwise.
    """
    target = parse_pairing(code)
    if target is None:
        raise ValueError("not a pairing code or pairing link")
    client = ApiClient(target.server_url or server_url, **client_options)
    return client, client.pair_device(target.code, device_name)


def _problem_error(endpoint: Endpoint, response: requests.Response) -> errors.ApiError:
    """Build the typed error for an HTTP error response, reading problem+json when present."""
    cls = errors.error_for_status(response.status_code, authenticated=endpoint.authenticated)
    title = detail = problem_type = reason = None
    field_errors: list[errors.FieldError] = []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        title = _text(body.get("title"))
        detail = _text(body.get("detail"))
        problem_type = _text(body.get("type"))
        reason = _text(body.get("reason"))
        for item in body.get("errors") or []:
            if isinstance(item, dict) and item.get("message") is not None:
                field_errors.append(errors.FieldError(str(item.get("path", "")), str(item["message"])))
    if response.status_code >= 500:
        log.warning("server error %s on %s: %s", response.status_code, response.url, detail or title)
    return cls(
        status=response.status_code,
        title=title,
        detail=detail,
        field_errors=field_errors,
        problem_type=problem_type,
        reason=reason,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
