"""/etc/docker/daemon.json: the parsed object plus the file's layout (indent unit, final newline,
duplicate keys), syntax errors worded like dockerd's (Go encoding/json), and the keys dockerd accepts.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterator, List, Optional, Tuple

from dldoctor.errors import ParseError


@dataclass(frozen=True)
class DaemonJson:
    """A parsed daemon.json: data keeps the file's key order; indent is "" for a one-line file."""

    data: Dict[str, object]
    indent: str
    newline_at_end: bool
    duplicate_keys: Tuple[str, ...] = ()


# Top-level keys dockerd 25-28 accepts on Linux (json tags of daemon/config Config, CommonConfig and
# the embedded structs, registry ServiceOptions), plus keys older daemons accepted. Generous on
# purpose: flagging a valid key as unknown is worse than missing a typo.
KNOWN_KEYS: FrozenSet[str] = frozenset(
    [
        # CommonConfig
        "authorization-plugins",
        "exec-opts",
        "storage-driver",
        "storage-opts",
        "labels",
        "network-diagnostic-port",
        "pidfile",
        "raw-logs",
        "data-root",
        "exec-root",
        "group",
        "api-cors-header",
        "proxies",
        "live-restore",
        "max-concurrent-downloads",
        "max-concurrent-uploads",
        "max-download-attempts",
        "shutdown-timeout",
        "debug",
        "hosts",
        "log-level",
        "log-format",
        "tls",
        "tlsverify",
        "tlscacert",
        "tlscert",
        "tlskey",
        "swarm-default-advertise-addr",
        "swarm-raft-heartbeat-tick",
        "swarm-raft-election-tick",
        "metrics-addr",
        "experimental",
        "node-generic-resources",
        "containerd",
        "cri-containerd",
        "features",
        "builder",
        "containerd-namespace",
        "containerd-plugin-namespace",
        "containerd-plugins-namespace",
        "default-runtime",
        "cdi-spec-dirs",
        # DNSConfig
        "dns",
        "dns-opts",
        "dns-search",
        "host-gateway-ip",
        "host-gateway-ips",
        # LogConfig
        "log-driver",
        "log-opts",
        # BridgeConfig / DefaultBridgeConfig
        "bridge",
        "iptables",
        "ip6tables",
        "ip-forward",
        "ip-forward-no-drop",
        "ip-masq",
        "userland-proxy",
        "userland-proxy-path",
        "allow-direct-routing",
        "ipv6",
        "fixed-cidr",
        "fixed-cidr-v6",
        "mtu",
        "ip",
        "bip",
        "bip6",
        "default-gateway",
        "default-gateway-v6",
        "icc",
        "firewall-backend",
        "bridge-accept-fwmark",
        # NetworkConfig
        "default-address-pools",
        "network-control-plane-mtu",
        "default-network-opts",
        # registry ServiceOptions
        "allow-nondistributable-artifacts",
        "registry-mirrors",
        "insecure-registries",
        # Linux Config
        "runtimes",
        "default-init",
        "cgroup-parent",
        "selinux-enabled",
        "userns-remap",
        "default-ulimits",
        "cpu-rt-period",
        "cpu-rt-runtime",
        "init",
        "init-path",
        "seccomp-profile",
        "default-shm-size",
        "no-new-privileges",
        "default-ipc-mode",
        "default-cgroupns-mode",
        "resolv-conf",
        "rootless",
        "oom-score-adjust",
        # flattened "proxies" members (dockerd validates nested keys by their own names)
        "http-proxy",
        "https-proxy",
        "no-proxy",
        # newer / NRI
        "nri-opts",
        "min-api-version",
        # removed or deprecated keys older daemons accepted
        "graph",
        "cluster-store",
        "cluster-store-opts",
        "cluster-advertise",
        "disable-legacy-registry",
        "deprecated-key-path",
        "default-isolation",
        "exec-driver",
    ]
)

# Keys of one entry under "runtimes" (types/system.Runtime json tags).
RUNTIME_KEYS: FrozenSet[str] = frozenset(["path", "runtimeArgs", "runtimeType", "options"])


def _go_quote_char(c: str) -> str:
    """Go's encoding/json quoteChar: how dockerd names the offending character."""
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    specials = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f", "\\": "\\\\"}
    if c in specials:
        return "'" + specials[c] + "'"
    if ord(c) < 0x20 or ord(c) == 0x7F:
        return "'\\x%02x'" % ord(c)
    return "'" + c + "'"


def _outside_strings(text: str) -> Iterator[Tuple[int, str]]:
    """(offset, character) of every character that is not inside a JSON string (quotes included)."""
    in_string = False
    escape = False
    for i, ch in enumerate(text):
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        yield i, ch


def _container_at(text: str, pos: int) -> Optional[str]:
    """'{' or '[' for the innermost open container at pos (strings skipped), None at top level."""
    stack: List[str] = []
    for _i, ch in _outside_strings(text[:pos]):
        if ch in "{[":
            stack.append(ch)
        elif ch in "}]" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line_col(text: str, pos: int) -> Tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _go_error(exc: json.JSONDecodeError, text: str) -> ParseError:
    msg = exc.msg
    pos = exc.pos
    if msg.startswith("Illegal trailing comma"):
        # Python 3.13+ points at the comma; Go (and older Pythons) at the closing bracket after it.
        pos = _skip_ws(text, pos + 1)
    if pos >= len(text) or msg.startswith("Unterminated string"):
        line, col = _line_col(text, min(exc.pos, len(text)))
        return ParseError("unexpected end of JSON input", line, col)
    line, col = _line_col(text, pos)
    c = _go_quote_char(text[pos])
    if msg.startswith("Expecting property name") or msg == "Illegal trailing comma before end of object":
        go = "invalid character %s looking for beginning of object key string" % c
    elif msg.startswith("Expecting ':'"):
        go = "invalid character %s after object key" % c
    elif msg.startswith("Expecting ','"):
        where = "object key:value pair" if _container_at(text, pos) == "{" else "array element"
        go = "invalid character %s after %s" % (c, where)
    elif msg.startswith("Expecting value") or msg == "Illegal trailing comma before end of array":
        go = "invalid character %s looking for beginning of value" % c
    elif msg.startswith("Extra data"):
        go = "invalid character %s after top-level value" % c
    elif msg.startswith("Invalid control character"):
        go = "invalid character %s in string literal" % c
    elif msg.startswith("Invalid \\escape") or msg.startswith("Invalid \\u"):
        bad = text[pos + 1] if text[pos] == "\\" and pos + 1 < len(text) else text[pos]
        go = "invalid character %s in string escape code" % _go_quote_char(bad)
    else:
        go = "invalid JSON: %s" % msg
    return ParseError(go, line, col)


class _BadConstant(Exception):
    pass


def _find_constant(text: str) -> int:
    """Offset of the first NaN/Infinity outside strings (Python accepts them, Go does not)."""
    for i, _ch in _outside_strings(text):
        if text.startswith("NaN", i) or text.startswith("Infinity", i):
            return i
    return 0


def _detect_indent(text: str) -> str:
    """The most common indentation step between consecutive lines (first seen wins a tie)."""
    steps: List[str] = []
    prev = None
    for line in text.splitlines():
        if not line.strip():
            continue
        ws = line[: len(line) - len(line.lstrip(" \t"))]
        if prev is not None and len(ws) > len(prev):
            steps.append(ws[len(prev):] if ws.startswith(prev) else ws)
        prev = ws
    if not steps:
        return ""
    counts = Counter(steps)
    best = max(counts.values())
    for step in steps:
        if counts[step] == best:
            return step
    return ""


def parse_daemon_json(text: str) -> DaemonJson:
    """Parse daemon.json (empty -> {}); bad JSON or non-object -> ParseError worded like dockerd's, with line/col."""
    if not isinstance(text, str):
        raise ParseError("daemon.json: expected text")
    body = text[1:] if text.startswith("\ufeff") else text
    if not body.strip():
        return DaemonJson(data={}, indent="", newline_at_end=body.endswith("\n"), duplicate_keys=())

    dup_per_object: List[List[str]] = []

    def hook(pairs: List[Tuple[str, object]]) -> Dict[str, object]:
        out: Dict[str, object] = {}
        dups: List[str] = []
        for key, value in pairs:
            if key in out and key not in dups:
                dups.append(key)
            out[key] = value
        dup_per_object.append(dups)
        return out

    def bad_constant(name: str) -> object:
        raise _BadConstant(name)

    try:
        data = json.loads(body, object_pairs_hook=hook, parse_constant=bad_constant)
    except json.JSONDecodeError as exc:
        raise _go_error(exc, body)
    except _BadConstant as exc:
        pos = _find_constant(body)
        line, col = _line_col(body, pos)
        if str(exc).startswith("-"):
            raise ParseError("invalid character 'I' in numeric literal", line, col)
        raise ParseError("invalid character %s looking for beginning of value" % _go_quote_char(str(exc)[0]), line, col)
    except RecursionError:
        raise ParseError("exceeded max depth")
    if not isinstance(data, dict):
        kind = "array" if isinstance(data, list) else "string" if isinstance(data, str) else (
            "bool" if isinstance(data, bool) else "number" if isinstance(data, (int, float)) else "null")
        if data is None:
            # Go unmarshals `null` into a map without error, leaving it empty.
            return DaemonJson(data={}, indent="", newline_at_end=body.endswith("\n"), duplicate_keys=())
        raise ParseError("json: cannot unmarshal %s into Go value of type map[string]interface {}" % kind, 1, 1)
    top_dups = dup_per_object[-1] if dup_per_object else []
    return DaemonJson(
        data=data,
        indent=_detect_indent(body),
        newline_at_end=body.endswith("\n"),
        duplicate_keys=tuple(top_dups),
    )


def unknown_keys(config: DaemonJson) -> Tuple[str, ...]:
    """Top-level keys of config that dockerd would not recognise, in file order."""
    return tuple(k for k in config.data if k not in KNOWN_KEYS)

