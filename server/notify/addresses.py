"""Where Haul may send an outbound request (webhooks): the address policy behind the SSRF guard.

A host is judged after normalising it the way resolvers and HTTP clients read it: lower case,
one trailing dot dropped, international names in IDNA (UTS 46, as browsers map them), and every
numeric IPv4 spelling the C resolver accepts (``127.1``, ``2130706433``, ``0x7f000001``,
``0177.0.0.1``) read as the address it means. An address is allowed when it is globally routable
unicast outside every special-purpose block (RFC 6890 and its successors: loopback, private,
link-local, CGNAT, multicast, reserved, documentation, benchmarking, NAT64, 6to4, Teredo, and IPv6
addresses that embed an IPv4 one), or when the operator allowed it (``AllowList``). Names are
judged by what they resolve to, every address of them, with the resolver the caller gives, so
the transport can connect to exactly the addresses that were checked.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import idna
from flask_babel import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the addresses the name resolves to (raises OSError when it does not resolve)
Resolver = Callable[[str, int], list[str]]

_V4_SPECIAL = ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
               "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24",
               "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
               "224.0.0.0/4", "240.0.0.0/4")
# ::/8 holds ::, ::1, IPv4-compatible ::a.b.c.d and IPv4-mapped ::ffff:a.b.c.d; 64:ff9b::/96 and
# 64:ff9b:1::/48 are NAT64, 2002::/16 6to4, 2001::/32 (in 2001::/23) Teredo.
_V6_SPECIAL = ("::/8", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
               "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8")
SPECIAL_NETWORKS: tuple[Network, ...] = tuple(ipaddress.ip_network(n) for n in _V4_SPECIAL + _V6_SPECIAL)
_V6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")

# Names that only mean something inside a network (RFC 6761, RFC 8375, cloud metadata, common LAN suffixes).
INTERNAL_NAMES = ("localhost", "metadata", "instance-data")
INTERNAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa",
                     ".corp", ".arpa", ".test", ".invalid")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
_NUMERIC_V4 = re.compile(r"[0-9a-fx.]+")


class HostError(ValueError):
    """The host is not a usable host name or address (the message says why)."""


class TargetRefused(ValueError):
    """The host or one of its addresses is not a place Haul sends requests to.

    ``problem`` is what is wrong with the host as a field error says it (in the caller's language
    inside a request); the exception's text is the delivery log's English "the host ...".
    """

    def __init__(self, problem: str):
        super().__init__(f"the host {problem}")
        self.problem = problem


def normalise_host(raw: str) -> str:
    """The host as resolvers and clients read it: an IP address in its plain form, or a lower-case
    ASCII name (IDNA) without its trailing dot; raises ``HostError`` for anything else."""
    host = (raw or "").strip("[]")
    if "%" in host and ":" in host:
        raise HostError(_("must not carry an IPv6 zone"))
    literal = literal_address(host)
    if literal is not None:
        return str(literal)
    if host.endswith("."):
        host = host[:-1]
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise HostError(_("is not a valid international host name")) from exc
        literal = literal_address(host)  # full-width digits and dots map to an address
        if literal is not None:
            return str(literal)
    host = host.lower()
    if not host or len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise HostError(_("is not a valid host name"))
    return host


def literal_address(host: str) -> Address | None:
    """The address a host written as one means, in any spelling the C resolver takes; else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_V4.fullmatch(host.lower()):
        try:  # inet_aton reads 127.1, 0x7f.1, 2130706433 and octal 0177.0.0.1, as connect() would
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None
    return None


def is_public_address(address: Address | str) -> bool:
    """True for a globally routable unicast address outside every special-purpose block."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and (ip.scope_id or ip not in _V6_GLOBAL_UNICAST):
        return False
    return ip.is_global and not any(ip in net for net in SPECIAL_NETWORKS if net.version == ip.version)


def is_internal_name(host: str) -> bool:
    """Names that resolve only inside a network: localhost, single labels, internal suffixes."""
    return host in INTERNAL_NAMES or host.endswith(INTERNAL_SUFFIXES) or "." not in host


@dataclass(frozen=True)
class AllowList:
    """Internal hosts an operator allows (``HAUL_WEBHOOK_ALLOW_HOSTS``): names, addresses, networks."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str | Iterable[str] | None) -> AllowList:
        """From ``erp.internal,10.1.2.3,192.168.7.0/24``; raises ``ValueError`` naming a bad entry."""
        entries = text.split(",") if isinstance(text, str) else list(text or [])
        names, networks = set(), []
        for entry in (e.strip() for e in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            try:
                host = normalise_host(entry)
            except HostError as exc:
                raise ValueError(f"HAUL_WEBHOOK_ALLOW_HOSTS: {entry!r} is not a host name, address or network") from exc
            address = literal_address(host)
            if address is not None:
                networks.append(ipaddress.ip_network(address))
            else:
                names.add(host)
        return cls(frozenset(names), tuple(networks))

    def allows_address(self, address: Address) -> bool:
        return any(address in net for net in self.networks if net.version == address.version)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (raises ``OSError`` when none)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class OutboundPolicy:
    """Which hosts and addresses outbound requests may reach, and the resolver that names them."""

    allow: AllowList = field(default_factory=AllowList)
    resolver: Resolver = system_resolver

    def host_problem(self, host: str) -> str | None:
        """Why ``host`` (normalised) may never be a target, judged without the network; None if it may."""
        if host in self.allow.names:
            return None
        address = literal_address(host)
        if address is not None:
            if is_public_address(address) or self.allow.allows_address(address):
                return None
            return _("must not point to a loopback, private, link-local or other special-purpose address")
        if is_internal_name(host):
            return _("must name a public host (internal names are refused unless the operator allows them)")
        return None

    def addresses(self, raw_host: str, port: int) -> list[str]:
        """The addresses to connect to for ``raw_host``, every one checked; raises ``TargetRefused``
        when any is not allowed (a name that also points inward is refused as a whole), and
        ``OSError`` when the name does not resolve."""
        try:
            host = normalise_host(raw_host)
        except HostError as exc:
            raise TargetRefused(str(exc)) from exc
        problem = self.host_problem(host)
        if problem:
            raise TargetRefused(problem)
        address = literal_address(host)
        if address is not None:
            return [str(address)]
        found = self.resolver(host, port)
        if not found:
            raise OSError(f"{host} resolves to no address")
        if host not in self.allow.names and not all(self._allowed(a) for a in found):
            raise TargetRefused(_("resolves to a loopback, private or other special-purpose address"))
        return list(found)

    def _allowed(self, text: str) -> bool:
        try:
            ip = ipaddress.ip_address(text)  # an IPv6 zone (fe80::1%eth0) parses, and is never public
        except ValueError:
            return False
        return is_public_address(ip) or self.allow.allows_address(ip)
