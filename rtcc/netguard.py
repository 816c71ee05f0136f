"""Addresses the server connects to on someone else's word: registry owners' stream URLs and agencies' webhooks.

A URL is refused when its host resolves to loopback, link-local, a private range, a multicast or reserved
address, or one of this machine's own addresses, unless a supervisor allowed that network in a setting
(RTCC_STREAM_ALLOWED_NETWORKS, RTCC_WEBHOOK_ALLOWED_NETWORKS: lists of CIDR blocks). Every address the
name resolves to is checked, so a name with one public and one internal address is refused; callers
check again just before connecting, because what a name resolves to may change after it was saved.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "rtsp": 554, "rtsps": 322}

# Private and otherwise non-public ranges, beyond what the `ipaddress` flags name.
_INTERNAL = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "172.16.0.0/12",
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking, used inside data centres
        "fc00::/7",  # unique local
        "fec0::/10",  # site-local (deprecated, still routed by some)
    )
]


class OutboundAddressRefused(ValueError):
    """The URL may not be connected to; the message says why, for the person who entered it or the log."""


def allowed_networks_from(values) -> list:
    """The setting's CIDR blocks as networks. A malformed block is a configuration error, raised at once."""
    return [ipaddress.ip_network(str(v).strip(), strict=False) for v in values or [] if str(v).strip()]


def _own_address(address) -> bool:
    """Whether this machine answers on `address` (binding to it succeeds only for a local address)."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(address), 0))
    except OSError:
        return False
    return True


def is_internal(address) -> bool:
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or any(address in net for net in _INTERNAL if net.version == address.version)
        or _own_address(address)
    )


def check_outbound_url(url: str, *, allowed_networks, unresolved_ok=False) -> None:
    """Raise OutboundAddressRefused unless every address `url`'s host resolves to may be connected to.

    `unresolved_ok`: when an address is saved, a name that does not resolve yet passes (a receiver set up
    later, or this server's DNS briefly away); the check just before each connection refuses it.
    """
    parts = urlsplit(url or "")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise OutboundAddressRefused("The address has an invalid port.") from None
    if not host:
        raise OutboundAddressRefused("The address has no host.")
    allowed = allowed_networks_from(allowed_networks)
    try:
        found = socket.getaddrinfo(host, port or DEFAULT_PORTS.get(parts.scheme.lower(), 0), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        if unresolved_ok:
            return
        raise OutboundAddressRefused(f"The host name {host} could not be found.") from None
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if is_internal(address) and not any(address in net for net in allowed if net.version == address.version):
            raise OutboundAddressRefused(
                f"{host} points inside the center's own network ({address}), which is not allowed."
            )
