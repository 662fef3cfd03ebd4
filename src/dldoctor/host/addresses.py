"""Addresses dldoctor never asks over HTTP: link-local ones and the cloud metadata services.

A VM's instance credentials are served there (AWS, Azure and GCP at 169.254.169.254 or their
names, Alibaba Cloud at 100.100.100.200). A hostile mirror or registry could send dldoctor there:
by a redirect, or by naming it as a token realm, whose answer goes back to the registry as the
bearer token. A host is compared as the address the connection will use: percent-decoded, in any
form inet_aton takes (2852039166, 0xA9FEA9FE, 0251.0376.0251.0376, 169.254.43518), an IPv4
address mapped into IPv6 unwrapped. Plain names that resolve there are not caught (no DNS lookup
is made for this).
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import unquote, urlsplit

TYPE_CHECKING = False
if TYPE_CHECKING:     # (a live check never imports typing: tests/test_startup.py)
    from typing import Optional, Union

METADATA_NAMES = frozenset(("metadata.google.internal", "metadata", "metadata.azure.internal"))
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "100.100.100.200", "fd00:ec2::254"))


def _address(host: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    """The IP address `host` names as a literal, in any form the resolver accepts; None for a name."""
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])       # (an IPv6 zone id: fe80::1%eth0)
    except ValueError:
        try:
            ip = ipaddress.ip_address(socket.inet_aton(host))   # 2852039166, 0xA9FEA9FE, 0251...
        except (OSError, ValueError):
            return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def url_allowed(url: str) -> bool:
    """An http(s) URL with a host that is neither link-local nor a cloud metadata service."""
    try:
        parts = urlsplit(url)
        host = unquote(parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host or host in METADATA_NAMES:
        return False
    ip = _address(host)
    return ip is None or not (ip.is_link_local or ip in METADATA_ADDRESSES)
