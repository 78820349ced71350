"""Which subscriber URLs are acceptable: http or https, and in production no address
of our own network (loopback, private, link-local...), so a subscription cannot make
the worker probe internal services (SSRF)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from services.errors import InvalidError

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


async def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        raise InvalidError(
            f"the host {host!r} cannot be resolved", field="url", reason="unresolvable"
        ) from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_subscriber_url(url: str, *, private_allowed: bool) -> None:
    """InvalidError (a 422 naming `url`) unless `url` may receive webhooks."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise InvalidError("use an http or https URL", field="url", reason="scheme")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise InvalidError("the URL has no host", field="url", reason="host")
    if parts.username or parts.password:
        raise InvalidError("put no credentials in the URL", field="url", reason="credentials")
    if private_allowed:
        return
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        raise InvalidError(
            "loopback and private addresses are not allowed", field="url", reason="private"
        )
    if any(_internal(address) for address in await _addresses(host)):
        raise InvalidError(
            "loopback and private addresses are not allowed", field="url", reason="private"
        )
