"""Who is calling: the client's IP address, trusting X-Forwarded-For only from our proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


def parse_networks(text: str | None) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR ranges ("10.0.0.0/8, 127.0.0.1"); ValueError if bad."""
    items = [item.strip() for item in (text or "").split(",")]
    return tuple(ipaddress.ip_network(item, strict=False) for item in items if item)


def in_networks(address: str, networks: Iterable[Network]) -> bool:
    """True when `address` is an IP address inside one of `networks`."""
    return _trusted(address, networks)


def _trusted(address: str, proxies: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_ip(scope: Scope, trusted_proxies: tuple[Network, ...]) -> str:
    """The socket peer; when that peer is a trusted proxy, the nearest untrusted address
    in X-Forwarded-For instead (read from the right, so a caller's own entries count only
    as far as our proxies vouch for them)."""
    client = scope.get("client")
    peer = str(client[0]) if client else UNKNOWN
    if not trusted_proxies or not _trusted(peer, trusted_proxies):
        return peer
    forwarded = Headers(scope=scope).getlist("x-forwarded-for")
    hops = [hop.strip() for line in forwarded for hop in line.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted_proxies):
            return hop[:64]  # a counter key: an address is at most 45 characters
    return hops[0][:64] if hops else peer
