"""Addresses dldoctor never asks over HTTP: link-local ones and the cloud metadata services.

A VM's instance credentials are served there (AWS, Azure and GCP at 169.254.169.254 or their
names, Alibaba Cloud at 100.100.100.200). A hostile mirror or registry could send dldoctor there:
by a redirect, or by naming it as a token realm, whose answer goes back to the registry as the
bearer token. Plain names that resolve there are not caught (no DNS lookup is made for this).
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

METADATA_HOSTS = frozenset(("metadata.google.internal", "metadata", "metadata.azure.internal",
                            "169.254.169.254", "fd00:ec2::254", "100.100.100.200"))


def url_allowed(url: str) -> bool:
    """An http(s) URL with a host that is neither link-local nor a cloud metadata service."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host or host in METADATA_HOSTS:
        return False
    try:
        return not ipaddress.ip_address(host).is_link_local
    except ValueError:
        return True
