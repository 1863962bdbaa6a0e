"""Sending one webhook request: signed, short timeouts, no redirects, no internal targets (SSRF, part two).

The connection classes ask the delivery's ``OutboundPolicy`` for the host's addresses (resolved
once, every one checked) and connect to those exact addresses, never resolving again, so a name
that points inward, at creation or later (DNS rebinding), is never reached. TLS still checks the
certificate against the host name. Proxies and credentials from the environment are ignored: a
webhook goes straight to the endpoint its organisation registered.

The outcome says what a delivery log may show: the status code, the time taken, and a fixed
category of failure (refused, timed out, not found, TLS); never the receiver's body or headers,
so an endpoint cannot be used to read or fingerprint the services it points at.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError, NewConnectionError

from server.models.notify import ERROR_LENGTH
from server.notify import signing
from server.notify.addresses import OutboundPolicy, TargetRefused

USER_AGENT = "Haul-Webhooks/1.0"
REFUSED = "refused by Haul"  # how the log begins an attempt the outbound policy stopped


class _Pinned:
    """Mixin for urllib3 connections: connect only to the addresses the policy checked."""

    policy: OutboundPolicy

    def _new_conn(self):
        try:
            addresses = self.policy.addresses(self._dns_host, self.port)
        except OSError as exc:
            raise NameResolutionError(self.host, self, socket.gaierror(str(exc))) from exc
        host, error = self._dns_host, None
        for address in addresses:
            self._dns_host = address  # TLS (SNI, certificate) keeps using self.host
            try:
                return super()._new_conn()
            except NewConnectionError as exc:
                error = exc
            finally:
                self._dns_host = host
        raise error


class PinnedAdapter(HTTPAdapter):
    """A requests adapter whose connections go only where ``policy`` allows."""

    def __init__(self, policy: OutboundPolicy):
        self._policy = policy
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        bound = {"policy": self._policy}
        http_conn = type("PinnedHTTPConnection", (_Pinned, HTTPConnection), bound)
        https_conn = type("PinnedHTTPSConnection", (_Pinned, HTTPSConnection), bound)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})}


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


def _session(policy: OutboundPolicy) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    adapter = PinnedAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _clip(text: str) -> str:
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


def send(outgoing: Outgoing, timestamp: int, *, timeout_s: float, policy: OutboundPolicy) -> Outcome:
    """POST one signed delivery; a 2xx answer is success, anything else (3xx too) a failure."""
    started = time.monotonic()
    code, error = None, None
    try:
        with _session(policy) as session:
            response = session.post(outgoing.url, data=outgoing.body, headers=headers_for(outgoing, timestamp),
                                    timeout=(timeout_s, timeout_s), allow_redirects=False, stream=True)
            code = response.status_code
            response.close()  # the body is never read: the log keeps the status alone
        if 300 <= code < 400:
            error = f"HTTP {code}: redirects are not followed"
        elif not 200 <= code < 300:
            error = f"HTTP {code}"
    except Exception as exc:  # every failure is logged as one, never stops the worker
        error = describe_failure(exc, timeout_s)
    duration_ms = int((time.monotonic() - started) * 1000)
    ok = code is not None and 200 <= code < 300
    return Outcome(ok=ok, response_code=code, error=None if ok else _clip(error or "failed"), duration_ms=duration_ms)


def describe_failure(exc: BaseException, timeout_s: float) -> str:
    """A fixed category for a failed attempt; the wording never comes from the remote side."""
    chain = _causes(exc)
    refused = next((e for e in chain if isinstance(e, TargetRefused)), None)
    if refused is not None:
        return f"{REFUSED}: {refused}"
    if any(isinstance(e, requests.Timeout | socket.timeout | TimeoutError) for e in chain):
        return f"timed out after {timeout_s:g} s"
    if any(isinstance(e, NameResolutionError | socket.gaierror) for e in chain):
        return "the host name does not resolve"
    if any(isinstance(e, requests.exceptions.SSLError) for e in chain):
        return "TLS failed (certificate or handshake)"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, requests.ConnectionError) for e in chain):
        return "connection failed"
    return "invalid answer"


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps (requests and urllib3 nest the cause in args, ``reason`` or ``__cause__``)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 20:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        nested = [a for a in current.args if isinstance(a, BaseException)]
        nested += [n for n in (getattr(current, "reason", None), current.__cause__, current.__context__)
                   if isinstance(n, BaseException)]
        todo.extend(nested)
    return seen
