"""Which webhook URLs Haul accepts (SSRF, part one: at registration).

``check_url`` runs when an endpoint is created or changed. It refuses malformed URLs, hosts
written as a special-purpose address in any spelling, internal names, and names that resolve
to a special-purpose address now. A name can point elsewhere later (DNS rebinding), so the
transport checks again at every delivery, after resolving, and connects to exactly the
addresses it checked (``server/notify/transport.py``). The policy (operator allowances and the
resolver) is ``server.notify.addresses.OutboundPolicy``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from flask_babel import gettext as _

from server.notify.addresses import HostError, OutboundPolicy, TargetRefused, normalise_host

MAX_URL_LENGTH = 1000  # the column's width
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")


class WebhookUrlError(ValueError):
    """The URL is refused; ``errors`` holds (field_path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = errors


def _with_ascii_host(url: str) -> str:
    """``url`` with an international host name in IDNA (punycode); the rest must be ASCII already."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.isascii():
        return url
    try:
        ascii_host = normalise_host(host)
    except HostError:
        return url  # the printable-ASCII check below refuses it
    netloc = ascii_host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def check_url(url, policy: OutboundPolicy, *, path: str = "url", resolve: bool = True) -> str:
    """The URL as Haul will store and call it; raises ``WebhookUrlError`` when it is refused.

    Only http and https, at most ``MAX_URL_LENGTH`` printable ASCII characters once an
    international host name is written in IDNA, a host, no credentials and no fragment. The host
    must not be, or (with ``resolve``) resolve to, a special-purpose address, nor be an internal
    name, unless the operator allowed it. A name that does not resolve now is accepted: each
    delivery checks again.
    """

    def refuse(message: str):
        raise WebhookUrlError([(path, message)])

    if not isinstance(url, str) or not url:
        refuse(_("must be a non-empty string"))
    try:
        url = _with_ascii_host(url)
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        refuse(_("is not a valid URL (check the host and the port)"))
    if len(url) > MAX_URL_LENGTH:
        refuse(_("must be at most %(MAX_URL_LENGTH)s characters", MAX_URL_LENGTH=MAX_URL_LENGTH))
    if not _PRINTABLE_ASCII.fullmatch(url):
        refuse(_("must be printable ASCII without spaces (percent-encode the path)"))
    if parts.scheme.lower() not in ("http", "https"):
        refuse(_("must start with http:// or https://"))
    if "@" in parts.netloc or "\\" in parts.netloc:
        refuse(_("must not contain credentials; the signature authenticates Haul"))
    if not parts.hostname:
        refuse(_("must name a host"))
    if port == 0:
        refuse(_("has an invalid port"))
    if parts.fragment or url.endswith("#"):
        refuse(_("must not contain a fragment"))
    try:
        host = normalise_host(parts.hostname)
    except HostError as exc:
        refuse(_("the host %(problem)s", problem=exc))
    problem = policy.host_problem(host)
    if problem:
        refuse(problem)
    if resolve:
        try:
            policy.addresses(host, port or (443 if parts.scheme.lower() == "https" else 80))
        except TargetRefused as exc:
            refuse(exc.problem)
        except (OSError, UnicodeError):
            pass  # does not resolve now; each delivery resolves and checks again
    return url
