"""Sending one webhook request: signed, short timeouts, no redirects, no private targets.

When private targets are not allowed, the connection classes resolve the host themselves
and connect only to a public address (never re-resolving), so a host name that points
inward, at creation or later (DNS rebinding), is never reached. TLS still checks the
certificate against the host name. Proxies and credentials from the environment are
ignored: a webhook goes straight to the endpoint its organisation registered.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from server.models.notify import ERROR_LENGTH
from server.notify import signing
from server.notify.urls import is_public_address

USER_AGENT = "Haul-Webhooks/1.0"
EXCERPT_BYTES = 300  # of a failed answer's body, for the delivery log


class _PublicOnly:
    """Mixin for urllib3 connections: connect to the first reachable public address of the host."""

    def _new_conn(self):
        try:
            infos = socket.getaddrinfo(self._dns_host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror:
            return super()._new_conn()  # let urllib3 report the name error its usual way
        public = list(dict.fromkeys(info[4][0] for info in infos if is_public_address(info[4][0])))
        if not public:
            raise NewConnectionError(self, f"{self.host} resolves to no public address; refused")
        host, error = self._dns_host, None
        for address in public:
            self._dns_host = address  # TLS (SNI, certificate) keeps using self.host
            try:
                return super()._new_conn()
            except NewConnectionError as exc:
                error = exc
            finally:
                self._dns_host = host
        raise error


class _PublicHTTPConnection(_PublicOnly, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicOnly, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}


@dataclass(frozen=True)
class Outgoing:
    """Everything one attempt needs, copied out of the database before the network call."""

    delivery_id: int
    webhook_id: int
    url: str
    secret: str
    event_id: str
    kind: str
    body: bytes
    attempt: int  # 1 for the first try


@dataclass(frozen=True)
class Outcome:
    ok: bool
    response_code: int | None
    error: str | None
    duration_ms: int


def headers_for(outgoing: Outgoing, timestamp: int) -> dict:
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT,
            signing.SIGNATURE_HEADER: signing.signature_header(outgoing.secret, timestamp, outgoing.body),
            signing.EVENT_ID_HEADER: outgoing.event_id, signing.EVENT_TYPE_HEADER: outgoing.kind,
            signing.DELIVERY_ID_HEADER: str(outgoing.delivery_id), signing.ATTEMPT_HEADER: str(outgoing.attempt)}


def _session(allow_private: bool) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    if not allow_private:
        adapter = PublicOnlyAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


def _clip(text: str) -> str:
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


def send(outgoing: Outgoing, timestamp: int, *, timeout_s: float, allow_private: bool) -> Outcome:
    """POST one signed delivery; a 2xx answer is success, anything else (3xx too) a failure."""
    started = time.monotonic()
    code, error = None, None
    try:
        with _session(allow_private) as session:
            response = session.post(outgoing.url, data=outgoing.body, headers=headers_for(outgoing, timestamp),
                                    timeout=(timeout_s, timeout_s), allow_redirects=False, stream=True)
            try:
                code = response.status_code
                if not 200 <= code < 300:
                    excerpt = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
                    error = f"HTTP {code}: {excerpt.decode('utf-8', 'replace').strip()}".strip().rstrip(":")
                    if 300 <= code < 400:
                        error = f"HTTP {code}: redirects are not followed (to {response.headers.get('Location', '?')})"
            finally:
                response.close()
    except requests.Timeout:
        error = f"timed out after {timeout_s:g} s"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {_root_cause(exc)}"
    except Exception as exc:  # a malformed answer must be logged as a failure, never stop the worker
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    ok = code is not None and 200 <= code < 300
    return Outcome(ok=ok, response_code=code, error=None if ok else _clip(error or "failed"), duration_ms=duration_ms)


def _root_cause(exc: BaseException) -> str:
    """The innermost message, which says what happened (refused, resolves to no public address)."""
    seen = exc
    while True:
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        nested = nested or getattr(seen, "reason", None) or seen.__cause__
        if not isinstance(nested, BaseException) or nested is seen:
            return str(seen)
        seen = nested
