"""The client's address, which rate limits, the lockout and the access log go by.

It is the TCP peer, unless the peer is one of `TRUSTED_PROXIES`
(comma-separated addresses or CIDRs, default empty); then it is the
right-most `X-Forwarded-For` entry that is not a trusted proxy. A client
never chooses its own address by sending the header: entries it wrote sit to
the left of the one the trusted proxy appended. The servers' own proxy
handling is off (`make run`, gunicorn.conf.py), so this is the only place
that decides.
"""

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """The networks of a comma-separated list of addresses or CIDRs; ValueError names a bad one."""
    networks: list[Network] = []
    for part in value.split(","):
        entry = part.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an address or CIDR") from None
    return tuple(networks)


def _normalized(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip().strip("[]")))
    except ValueError:
        return None


def _is_trusted(address: str | None, trusted: Sequence[Network]) -> bool:
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in trusted)


def forwarded_for(scope: Scope) -> list[str]:
    """Every `X-Forwarded-For` entry, left to right, across repeated headers."""
    entries: list[str] = []
    for name, value in scope.get("headers", []):
        if name.lower() == b"x-forwarded-for":
            text = bytes(value).decode("latin-1")
            entries.extend(part.strip() for part in text.split(","))
    return entries


def client_address(scope: Scope, trusted: Sequence[Network]) -> str:
    """The address of the client of a request (see the module's docstring)."""
    client = scope.get("client")
    peer = str(client[0]) if client else UNKNOWN
    if not trusted or not _is_trusted(_normalized(peer), trusted):
        return peer
    for entry in reversed(forwarded_for(scope)):
        address = _normalized(entry)
        if address is None:
            # Not an address: nothing to the left of it can be believed.
            return peer
        if not _is_trusted(address, trusted):
            return address
    return peer


class ClientAddressMiddleware:
    """Sets the request's client to the address `client_address` decides."""

    def __init__(self, app: ASGIApp, trusted: Sequence[Network] = ()) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            port = int(client[1]) if client else 0
            scope = {**scope, "client": (client_address(scope, self.trusted), port)}
        await self.app(scope, receive, send)
