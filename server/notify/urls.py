"""Which webhook URLs Haul accepts, and which addresses it may connect to (SSRF).

``check_url`` runs when an endpoint is created or changed and refuses what is plainly
wrong or plainly internal. It cannot see what a host name will resolve to at send time,
so the transport checks the address it actually connected to with ``is_public_address``
as well (that also defeats DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

MAX_URL_LENGTH = 1000  # the column's width
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")  # 127.1, 0x7f.0.0.1, 2130706433: the resolver takes them all
_INTERNAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa")


class WebhookUrlError(ValueError):
    """The URL is refused; ``errors`` holds (field_path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = errors


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address; False for private, loopback, link-local,
    multicast, reserved and unspecified ones (and for IPv4 addresses mapped into IPv6)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _host_problem(host: str) -> str | None:
    address = _literal_address(host)
    if address is not None:
        return None if is_public_address(address) else "must not point to a private, loopback or link-local address"
    if host == "localhost" or host.endswith(_INTERNAL_SUFFIXES) or "." not in host.strip("."):
        return "must name a public host"
    return None


def check_url(url, *, allow_private: bool, path: str = "url") -> str:
    """The URL when Haul may deliver to it; raises ``WebhookUrlError`` otherwise.

    Only http and https, at most ``MAX_URL_LENGTH`` printable ASCII characters (international
    host names in punycode), a host, no credentials and no fragment. Unless ``allow_private``,
    the host must not be an internal name or a non-public address.
    """

    def refuse(message: str):
        raise WebhookUrlError([(path, message)])

    if not isinstance(url, str) or not url:
        refuse("must be a non-empty string")
    if len(url) > MAX_URL_LENGTH:
        refuse(f"must be at most {MAX_URL_LENGTH} characters")
    if not _PRINTABLE_ASCII.fullmatch(url):
        refuse("must be printable ASCII without spaces (use punycode for international host names)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        refuse("is not a valid URL (check the host and the port)")
    if parts.scheme.lower() not in ("http", "https"):
        refuse("must start with http:// or https://")
    if "@" in parts.netloc:
        refuse("must not contain credentials; the signature authenticates Haul")
    host = parts.hostname or ""
    if not host:
        refuse("must name a host")
    if port == 0:
        refuse("has an invalid port")
    if parts.fragment or url.endswith("#"):
        refuse("must not contain a fragment")
    if not allow_private:
        problem = _host_problem(host.rstrip("."))
        if problem:
            refuse(problem)
    return url
