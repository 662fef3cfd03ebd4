"""/etc/docker/daemon.json: the parsed object plus the file's layout (indent unit, final newline,
duplicate keys), syntax errors worded like dockerd's (Go encoding/json), and the keys dockerd accepts.
"""
from __future__ import annotations

import json
from collections import Counter

from dldoctor.errors import ParseError
from dldoctor.records import frozen_record, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, FrozenSet, List, Optional, Tuple


@frozen_record
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
    """Parse daemon.json (empty or `null` -> {}); bad JSON or a non-object -> ParseError worded like
    dockerd's, with line/col."""
    if not isinstance(text, str):
        raise ParseError("daemon.json: expected text")
    body, root = parse_tree(text)
    data = {} if root is None else to_python(root)
    seen: List[str] = []
    dups: List[str] = []
    for m in (root.members or ()) if root is not None else ():
        if m.key in seen and m.key not in dups:
            dups.append(m.key)
        seen.append(m.key)
    return DaemonJson(data=data, indent=_detect_indent(body) if root is not None else "",
                      newline_at_end=body.endswith("\n"), duplicate_keys=tuple(dups))


def unknown_keys(config: DaemonJson) -> Tuple[str, ...]:
    """Top-level keys of config that dockerd would not recognise, in file order."""
    return tuple(k for k in config.data if k not in KNOWN_KEYS)


# =============================================================================================
# The reader: positions kept (the fix step edits values in place), Go encoding/json's rules and
# messages (a report quotes the words dockerd would print).
# =============================================================================================


@record
class Node:
    kind: str                    # object | array | string | number | literal
    start: int                   # offset of the first character
    end: int                     # offset after the last character
    value: Any = None            # the Python value (dict/list for objects/arrays)
    members: Optional[List["Member"]] = None   # objects
    items: Optional[List["Node"]] = None       # arrays

    def member(self, key: str) -> Optional["Member"]:
        """The effective member for `key` (dockerd, like Go's decoder, keeps the last duplicate)."""
        found = None
        for m in self.members or ():
            if m.key == key:
                found = m
        return found


@record
class Member:
    key: str
    key_start: int
    key_end: int
    value: Node


_WS = " \t\r\n"
# Go encoding/json's maxNestingDepth (scanner.go): deeper input is "exceeded max depth".
MAX_DEPTH = 10000


def _quote_char(c: str) -> str:
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    return "'" + json.dumps(c)[1:-1] + "'"


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def error(self, message: str, pos: Optional[int] = None) -> ParseError:
        pos = self.pos if pos is None else pos
        line = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return ParseError(message, line, col)

    def unexpected(self, context: str) -> ParseError:
        if self.pos >= len(self.text):
            return self.error("unexpected end of JSON input")
        return self.error("invalid character %s %s" % (_quote_char(self.text[self.pos]), context))

    def skip_ws(self) -> None:
        t, n = self.text, len(self.text)
        while self.pos < n and t[self.pos] in _WS:
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def document(self) -> Optional[Node]:
        self.skip_ws()
        if self.pos >= len(self.text):
            return None
        node = self.value()
        self.skip_ws()
        if self.pos < len(self.text):
            raise self.unexpected("after top-level value")
        return node

    def value(self) -> Node:
        """One JSON value. Iterative (an explicit stack), so a file nested as deep as Go's
        encoding/json allows (10000 levels, its maxNestingDepth) parses without recursion."""
        stack: List[Node] = []
        while True:
            c = self.peek()
            if c in ("{", "["):
                if len(stack) >= MAX_DEPTH:
                    raise self.error("exceeded max depth")
                node = Node("object", self.pos, 0, members=[]) if c == "{" else \
                    Node("array", self.pos, 0, items=[])
                self.pos += 1
                self.skip_ws()
                close = "}" if c == "{" else "]"
                if self.peek() == close:
                    self.pos += 1
                    node.end = self.pos
                    node.value = {} if c == "{" else []
                    done: Optional[Node] = node
                else:
                    stack.append(node)
                    if c == "{":
                        self.key_into(node)
                    continue
            else:
                done = self.scalar()
            # attach `done` to its parent; close every container that ends here
            while True:
                if not stack:
                    return done  # type: ignore
                parent = stack[-1]
                if parent.kind == "object":
                    parent.members[-1].value = done  # type: ignore
                else:
                    parent.items.append(done)  # type: ignore
                self.skip_ws()
                c = self.peek()
                close = "}" if parent.kind == "object" else "]"
                if c == ",":
                    self.pos += 1
                    self.skip_ws()
                    if parent.kind == "object":
                        self.key_into(parent)
                    break
                if c == close:
                    self.pos += 1
                    parent.end = self.pos
                    parent.value = ({m.key: m.value.value for m in parent.members or ()}
                                    if parent.kind == "object"
                                    else [i.value for i in parent.items or ()])
                    done = stack.pop()
                    continue
                raise self.unexpected("after object key:value pair" if parent.kind == "object"
                                      else "after array element")

    def key_into(self, obj: Node) -> None:
        """Read `"key":` (and the whitespace after it) and open a member whose value comes next."""
        if self.peek() != '"':
            raise self.unexpected("looking for beginning of object key string")
        key_start = self.pos
        key_end = self.pos_after_string()
        key = self.string_value(key_start)
        self.skip_ws()
        if self.peek() != ":":
            raise self.unexpected("after object key")
        self.pos += 1
        self.skip_ws()
        obj.members.append(Member(key, key_start, key_end, None))  # type: ignore

    def scalar(self) -> Node:
        c = self.peek()
        if c == '"':
            start = self.pos
            return Node("string", start, self.pos_after_string(), self.string_value(start))
        if c == "-" or c.isdigit() and c.isascii():
            return self.number()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if c == word[0]:
                start = self.pos
                for expect in word:
                    if self.peek() != expect:
                        if self.pos >= len(self.text):
                            raise self.error("unexpected end of JSON input")
                        raise self.error("invalid character %s in literal %s (expecting %s)" % (
                            _quote_char(self.peek()), word, _quote_char(expect)))
                    self.pos += 1
                return Node("literal", start, self.pos, val)
        raise self.unexpected("looking for beginning of value")

    def pos_after_string(self) -> int:
        """Validate the string token at self.pos; leave self.pos after it and return that.

        An unterminated string is reported where it opens, a bad escape at its backslash: that is
        where a person has to look."""
        t, n = self.text, len(self.text)
        opening = self.pos
        i = self.pos + 1
        while True:
            if i >= n:
                self.pos = opening
                raise self.error("unexpected end of JSON input")
            c = t[i]
            if c == '"':
                self.pos = i + 1
                return self.pos
            if c == "\\":
                i += 1
                if i >= n:
                    self.pos = opening
                    raise self.error("unexpected end of JSON input")
                e = t[i]
                if e == "u":
                    for k in range(1, 5):
                        if i + k >= n:
                            self.pos = opening
                            raise self.error("unexpected end of JSON input")
                        if t[i + k] not in "0123456789abcdefABCDEF":
                            self.pos = i + k
                            raise self.error("invalid character %s in \\u hexadecimal character "
                                             "escape" % _quote_char(t[i + k]))
                    i += 5
                    continue
                if e not in '"\\/bfnrt':
                    self.pos = i - 1
                    raise self.error("invalid character %s in string escape code" % _quote_char(e))
                i += 1
                continue
            if ord(c) < 0x20:
                self.pos = i
                raise self.error("invalid character %s in string literal" % _quote_char(c))
            i += 1

    def string_value(self, start: int) -> str:
        return json.loads(self.text[start:self.pos])

    def number(self) -> Node:
        t, n = self.text, len(self.text)
        start = i = self.pos

        def digits(j: int) -> int:
            while j < n and t[j] in "0123456789":
                j += 1
            return j

        if t[i] == "-":
            i += 1
        if i >= n:
            self.pos = i
            raise self.error("unexpected end of JSON input")
        if t[i] == "0":
            i += 1
        elif t[i] in "123456789":
            i = digits(i)
        else:
            self.pos = i
            raise self.error("invalid character %s in numeric literal" % _quote_char(t[i]))
        if i < n and t[i] == ".":
            i += 1
            if i >= n or t[i] not in "0123456789":
                self.pos = i
                if i >= n:
                    raise self.error("unexpected end of JSON input")
                raise self.error("invalid character %s after decimal point in numeric literal"
                                 % _quote_char(t[i]))
            i = digits(i)
        if i < n and t[i] in "eE":
            i += 1
            if i < n and t[i] in "+-":
                i += 1
            if i >= n or t[i] not in "0123456789":
                self.pos = i
                if i >= n:
                    raise self.error("unexpected end of JSON input")
                raise self.error("invalid character %s in exponent of numeric literal"
                                 % _quote_char(t[i]))
            i = digits(i)
        self.pos = i
        return Node("number", start, i, json.loads(t[start:i]))


def to_python(node: Node) -> Any:
    """The Python value of a node (objects and arrays are built as the reader closes them)."""
    return node.value


BOM = "\ufeff"


def parse(text: str) -> Dict[str, Any]:
    """daemon.json text -> its data (an empty or blank file is `{}`, as for dockerd).

    Raises ParseError with dockerd's own wording and the 1-based line and column.
    """
    _, root = parse_tree(text)
    return {} if root is None else to_python(root)


def parse_tree(text: str) -> Tuple[str, Optional[Node]]:
    body = text[1:] if text.startswith(BOM) else text
    reader = _Reader(body)
    root = reader.document()
    if root is not None and root.kind == "literal" and root.value is None:
        return body, None               # Go decodes `null` into an empty configuration
    if root is not None and root.kind != "object":
        kind = {"array": "array", "string": "string", "number": "number"}.get(root.kind, "bool")
        raise reader.error("json: cannot unmarshal %s into Go value of type "
                           "map[string]interface {}" % kind, root.start)
    return body, root


def parse_first(text: str) -> Dict[str, Any]:
    """The first JSON value of `text`, as Go's json.Decoder reads it (dockerd before 23.0): text
    after it is never looked at, and an empty file is "EOF"."""
    reader = _Reader(text)
    reader.skip_ws()
    if reader.pos >= len(text):
        raise reader.error("EOF")
    root = reader.value()
    if root.kind == "literal" and root.value is None:
        return {}
    if root.kind != "object":
        kind = {"array": "array", "string": "string", "number": "number"}.get(root.kind, "bool")
        raise reader.error("json: cannot unmarshal %s into Go value of type "
                           "map[string]interface {}" % kind, root.start)
    return to_python(root)


def decode_daemon_json(data: bytes) -> str:
    """daemon.json's bytes as text: a UTF-16 byte order mark is honoured (dockerd 23.0+ reads
    such files, e.g. written by Windows PowerShell); the BOM is kept as U+FEFF so the judge
    still sees that there was one (dockerd 20.10 refuses it)."""
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return BOM + data[len(bom):].decode(enc, "replace")
    return data.decode("utf-8", "replace")
