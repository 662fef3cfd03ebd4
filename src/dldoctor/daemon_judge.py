"""daemon.json judged the way dockerd judges it, for the Docker release on the host.

dockerd reads its configuration file in one fixed order (moby daemon/config/config.go
getConflictFreeConfiguration, then Validate, then daemon start-up): decode the bytes (a BOM picks
UTF-8 or UTF-16 since 23.0), parse the JSON, flatten nested objects into their keys, look every key up
in its flag set, compare with the command line, decode into the Config struct (types), validate the
values, set up registries and runtimes. This module walks the same path and says, for each rule that
fires, which releases refuse the file (or silently ignore a key). Both `check` and `fix` ask it.

Releases are the major lines 20.10, 23 ... 29, each judged at its newest patch release; a rule
knows the releases it applies to from moby's history (the tag where its code first/last appears).
When the host's version is unknown, a rule that not every release enforces is only a warning that
names the releases which refuse.
"""
from __future__ import annotations

import re

from dldoctor import nesting
from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.parse.dockerd_cmdline import SHORT_FLAGS
from dldoctor.records import field, frozen_record, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

    Version = Tuple[int, int]

# Each supported release line, judged at its newest patch (moby tags v20.10.27 ... docker-v29.7.2).
RELEASES: Tuple[Tuple[str, Tuple[int, int, int]], ...] = (
    ("20.10", (20, 10, 27)), ("23", (23, 0, 18)), ("24", (24, 0, 9)), ("25", (25, 0, 17)),
    ("26", (26, 1, 5)), ("27", (27, 5, 1)), ("28", (28, 5, 2)), ("29", (29, 7, 2)),
)
NEWEST = RELEASES[-1][1]

REFUSE = "refuse"      # dockerd exits: "unable to configure the Docker daemon with file ..."
IGNORED = "ignored"    # dockerd starts but never reads the key
WARN = "warn"          # refused by some supported releases only (version unknown)

# ---------------------------------------------------------------------------------------------
# dockerd's flag set per release (daemon/command/config.go, config_unix.go, options.go and
# cmd/dockerd/ before 29; registry ServiceOptions flags; long names only: pflag's Lookup ignores
# shorthands). Value: (first release with it, first release without it); None = open.
# Extracted from every release tag's sources; the names not listed in _FLAGS_SINCE exist in all.
# ---------------------------------------------------------------------------------------------
_FLAGS_ALWAYS = frozenset("""
add-runtime authorization-plugin bip bridge cgroup-parent config-file containerd containerd-namespace
containerd-plugins-namespace cpu-rt-period cpu-rt-runtime cri-containerd data-root debug
default-address-pool default-cgroupns-mode default-gateway default-gateway-v6 default-ipc-mode
default-runtime default-shm-size default-ulimit dns dns-opt dns-search exec-opt exec-root experimental
fixed-cidr fixed-cidr-v6 group host host-gateway-ip icc init init-path insecure-registry ip ip-forward
ip-masq ip6tables iptables ipv6 label live-restore log-driver log-level log-opt max-concurrent-downloads
max-concurrent-uploads max-download-attempts metrics-addr mtu network-control-plane-mtu
network-diagnostic-port no-new-privileges node-generic-resource pidfile raw-logs registry-mirror
restart rootless seccomp-profile selinux-enabled shutdown-timeout storage-driver storage-opt
swarm-default-advertise-addr tls tlscacert tlscert tlskey tlsverify userland-proxy userland-proxy-path
userns-remap version help
""".split())
_FLAGS_SINCE: Dict[str, Tuple[Optional[Version], Optional[Version]]] = {
    "allow-direct-routing": ((28, 2), None), "allow-nondistributable-artifacts": (None, (29, 0)),
    "api-cors-header": (None, (29, 0)), "bip6": ((28, 0), None),
    "bridge-accept-fwmark": ((29, 0), None), "cdi-spec-dir": ((25, 0), None),
    "cluster-advertise": (None, (24, 0)), "cluster-store": (None, (24, 0)),
    "cluster-store-opt": (None, (24, 0)), "default-network-opt": ((24, 0), None),
    "default-stop-timeout": ((29, 7), None), "feature": ((27, 3), None),
    "firewall-backend": ((29, 0), None), "graph": (None, (24, 0)), "http-proxy": ((23, 0), None),
    "https-proxy": ((23, 0), None), "identity": (None, (23, 0)),
    "ip-forward-no-drop": ((28, 0), None), "log-format": ((25, 0), None),
    "no-proxy": ((23, 0), None), "nri-opts": ((29, 2), None), "oom-score-adjust": (None, (26, 0)),
    "validate": ((23, 0), None),
}
# NamedOption values: flag name -> the daemon.json key it fills (opts.NamedOption.Name()).
_NAMED: Dict[str, Tuple[str, Optional[Version], Optional[Version]]] = {
    "add-runtime": ("runtimes", None, None),
    "authorization-plugin": ("authorization-plugins", None, None),
    "cdi-spec-dir": ("cdi-spec-dirs", (25, 0), None),
    "cluster-store-opt": ("cluster-store-opts", None, (24, 0)),
    "default-address-pool": ("default-address-pools", None, None),
    "default-network-opt": ("default-network-opts", (24, 0), None),
    "default-ulimit": ("default-ulimits", None, None),
    "dns": ("dns", None, None), "dns-opt": ("dns-opts", None, None),
    "exec-opt": ("exec-opts", None, None), "feature": ("features", (27, 3), None),
    "host": ("hosts", None, None),
    "host-gateway-ip": ("host-gateway-ips", (28, 0), None),
    "insecure-registry": ("insecure-registries", None, None), "label": ("labels", None, None),
    "log-opt": ("log-opts", None, None),
    "node-generic-resource": ("node-generic-resources", None, None),
    "nri-opts": ("nri-opts", (29, 2), None),
    "registry-mirror": ("registry-mirrors", None, None), "storage-opt": ("storage-opts", None, None),
}

# daemon/config/config.go flatOptions: map values NOT flattened into their keys.
def _flat_options(v: Version) -> frozenset:
    names = {"cluster-store-opts", "log-opts", "runtimes", "default-ulimits", "features", "builder"}
    if v >= (24, 0):
        names.add("default-network-opts")
    if v >= (29, 2):
        names.add("nri-opts")
    return frozenset(names)


# daemon/config/config.go skipValidateOptions: accepted although no flag has the name.
def _skip_validate(v: Version) -> frozenset:
    names = {"features", "builder", "deprecated-key-path"}
    if v >= (28, 0):
        names.add("allow-nondistributable-artifacts")
    if v >= (29, 0):
        names.add("min-api-version")
    return frozenset(names)


# daemon/config Config json tags that no flag has (read from the file, yet "unknown" to the
# flag lookup unless skipped above): dockerd refuses them, whatever the docs say.
# Keys whose json tag differs from the flag: the flag name is accepted but never read.
_READ_AS = {"registry-mirror": "registry-mirrors", "insecure-registry": "insecure-registries",
            "label": "labels", "exec-opt": "exec-opts", "storage-opt": "storage-opts",
            "log-opt": "log-opts", "dns-opt": "dns-opts", "add-runtime": "runtimes",
            "default-ulimit": "default-ulimits", "authorization-plugin": "authorization-plugins",
            "node-generic-resource": "node-generic-resources", "cdi-spec-dir": "cdi-spec-dirs",
            "default-address-pool": "default-address-pools",
            "default-network-opt": "default-network-opts", "host": "hosts",
            "containerd-plugins-namespace": "containerd-plugin-namespace", "feature": "features",
            "restart": None, "version": None, "help": None, "validate": None,
            "config-file": None}


def flag_names(v: Version) -> frozenset:
    out = set(_FLAGS_ALWAYS)
    for name, (since, until) in _FLAGS_SINCE.items():
        if (since is None or v >= since) and (until is None or v < until):
            out.add(name)
    return frozenset(out)


def named_options(v: Version) -> Dict[str, str]:
    """flag -> daemon.json key, for the flags whose value is a NamedOption in release v."""
    return {f: k for f, (k, since, until) in _NAMED.items()
            if (since is None or v >= since) and (until is None or v < until)}


# Every key dockerd knows in some supported release (for typo help).
def all_keys() -> frozenset:
    keys = set(_FLAGS_ALWAYS) | set(_FLAGS_SINCE) | {k for k, _s, _u in _NAMED.values()}
    keys |= {"builder", "features", "proxies", "deprecated-key-path", "min-api-version",
             "allow-nondistributable-artifacts"}
    return frozenset(keys)


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------


@frozen_record
class Verdict:
    """One rule that fired. `message` is dockerd's own wording (English, as in its log)."""

    rule: str                      # unknown-key, flag-conflict, type, labels, dns, ...
    problem: str                   # daemon-json.invalid | daemon-json.unknown-key | daemon-json.flag-conflict
    key: str
    message: str
    severity: str = REFUSE         # REFUSE, IGNORED, or WARN (when the version is unknown)
    releases: Tuple[str, ...] = ()  # releases that refuse (or ignore) it, when not all
    read_as: Optional[str] = None  # typo help: the key dockerd would have read


@record
class Judgement:
    version: Optional[Tuple[int, ...]]
    verdicts: List[Verdict] = field(default_factory=list)
    data: Optional[Dict[str, Any]] = None     # the decoded object (None when it does not parse)

    @property
    def refuses(self) -> bool:
        return any(v.severity == REFUSE for v in self.verdicts)


class _Refused(Exception):
    """A rule that stops dockerd's reading right there (decode, syntax, unknown keys...)."""

    def __init__(self, verdict: Verdict):
        super().__init__(verdict.message)
        self.verdict = verdict


# ---------------------------------------------------------------------------------------------
# Decoding: daemon/config/config.go (transform.Bytes with unicode.BOMOverride + UTF8Validator,
# since 23.0); 20.10 hands the raw bytes to encoding/json.
# ---------------------------------------------------------------------------------------------


def decode(raw: bytes, v: Version) -> str:
    """The text dockerd parses, or _Refused."""
    if v >= (23, 0):
        if raw.startswith(b"\xef\xbb\xbf"):
            raw, enc = raw[3:], "utf-8"
        elif raw.startswith(b"\xfe\xff"):
            raw, enc = raw[2:], "utf-16-be"
        elif raw.startswith(b"\xff\xfe"):
            raw, enc = raw[2:], "utf-16-le"
        else:
            enc = "utf-8"
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError as exc:
            raise _Refused(Verdict("encoding", "daemon-json.invalid", "",
                                   "failed to decode configuration JSON at offset %d: encoding: "
                                   "invalid UTF-8" % exc.start))
        return text
    # 20.10: Go's decoder sees the bytes; invalid UTF-8 inside strings becomes U+FFFD, and a
    # BOM is a syntax error ("invalid character 'ï' looking for beginning of value").
    return raw.decode("latin-1") if raw.startswith(b"\xef\xbb\xbf") or \
        raw.startswith((b"\xfe\xff", b"\xff\xfe")) else raw.decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# The judge
# ---------------------------------------------------------------------------------------------


def _in(v: Version, since: Optional[Version] = None, until: Optional[Version] = None) -> bool:
    return (since is None or v >= since) and (until is None or v < until)


def release_of(version: Optional[Sequence[int]]) -> Optional[str]:
    """The supported release line a version belongs to (None when none does)."""
    if not version:
        return None
    v = tuple(version[:2])
    for name, full in RELEASES:
        if full[:2] == v or (full[0] == v[0] and full[0] >= 23):
            return name
    return None


def judge(raw: Any, version: Optional[Sequence[int]] = None,
          flags: Optional[Mapping[str, Sequence[str]]] = None) -> Judgement:
    """Judge daemon.json content `raw` (bytes or str) as dockerd `version` would, given the
    command-line `flags` (long flag name -> values, as DockerdFlags.names holds them).

    version None: judged for every supported release; a verdict from only some of them becomes
    WARN with those releases named.
    """
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if version:
        v = tuple(version) + (0,) * (3 - len(version))
        return _judge_one(data, (v[0], v[1], v[2]), flags or {})
    per = [(name, _judge_one(data, full, flags or {})) for name, full in RELEASES]
    everywhere = len(per)
    seen: Dict[Tuple[str, str, str], Tuple[Verdict, List[str]]] = {}
    for name, j in per:
        for verdict in j.verdicts:
            k = (verdict.rule, verdict.key, verdict.severity)
            if k not in seen:
                seen[k] = (verdict, [])
            seen[k][1].append(name)
    out = []
    for verdict, names in seen.values():
        if len(names) == everywhere:
            out.append(verdict)
        elif verdict.severity == REFUSE:
            out.append(Verdict(verdict.rule, verdict.problem, verdict.key, verdict.message, WARN,
                               tuple(names), verdict.read_as))
        else:
            out.append(Verdict(verdict.rule, verdict.problem, verdict.key, verdict.message,
                               verdict.severity, tuple(names), verdict.read_as))
    return Judgement(None, out, per[-1][1].data)


def _judge_one(raw: bytes, version: Tuple[int, int, int], flags: Mapping[str, Sequence[str]]) -> Judgement:
    v: Version = (version[0], version[1])
    j = Judgement(version)
    try:
        _unknown_flags(flags, v)
        text = decode(raw, v)
        if not text.strip(" \t\r\n") and v >= (23, 0):
            j.data = {}      # config.go: "early return on empty config" (23.0+)
            _check_values(j, {}, v, flags)
            return j
        from dldoctor.parse.daemon_json import parse as parse_text, parse_first

        try:
            # 20.10 reads with json.Decoder: the first value only; an empty file is "EOF".
            data = parse_text(text) if v >= (23, 0) else parse_first(text)
        except ParseError as exc:
            raise _Refused(Verdict("syntax", "daemon-json.invalid", "", exc.message if
                                   hasattr(exc, "message") else str(exc)))
        j.data = data
        flat = _flatten(data, v)
        _unknown_keys(j, flat, v)
        _conflicts(j, flat, v, flags)
        if any(x.severity == REFUSE for x in j.verdicts):
            return j            # dockerd stops at the first failing stage
        _types(j, data, v)
        if any(x.severity == REFUSE for x in j.verdicts):
            return j
        _check_values(j, data, v, flags)
    except _Refused as exc:
        j.verdicts.append(exc.verdict)
    return j


def _unknown_flags(flags: Mapping[str, Sequence[str]], v: Version) -> None:
    """A command-line flag this release does not have: dockerd exits before reading the file
    ("unknown flag: --feature")."""
    names = flag_names(v) | {"validate", "version", "help", "config-file"}
    for flag in flags:
        if flag not in names and flag not in SHORT_FLAGS:
            raise _Refused(Verdict("unknown-flag", "daemon-json.flag-conflict", flag,
                                   "unknown flag: --%s" % flag))


def _flatten(data: Dict[str, Any], v: Version) -> Dict[str, Any]:
    """daemon/config/config.go configValuesSet: children of object values become keys."""
    flat: Dict[str, Any] = {}
    skip = _flat_options(v)
    for k, val in data.items():
        if isinstance(val, dict) and k not in skip:
            flat.update(val)
        else:
            flat[k] = val
    return flat


def closest_key(key: str, v: Optional[Version] = None) -> Optional[str]:
    """The key a typo most likely meant (dockerd's reading, `registry-mirror` -> registry-mirrors)."""
    if key in _READ_AS and _READ_AS[key]:
        return _READ_AS[key]
    import difflib

    known = sorted(all_keys())
    found = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
    return found[0] if found and found[0] != key else None


def _unknown_keys(j: Judgement, flat: Dict[str, Any], v: Version) -> None:
    """findConfigurationConflicts steps 1-2: a key must be a flag name, a NamedOption's name, or
    a key dockerd skips (daemon/config/config.go)."""
    names = flag_names(v)
    named = set(named_options(v).values()) | {"default-address-pools", "dns", "hosts"}
    skip = _skip_validate(v)
    unknown = [k for k in flat if k not in names and k not in named and k not in skip]
    if unknown:
        msg = "the following directives don't match any configuration option: %s" % ", ".join(unknown)
        for k in unknown:
            j.verdicts.append(Verdict("unknown-key", "daemon-json.unknown-key", k, msg,
                                      read_as=closest_key(k, v)))
        return
    # A flag's name that is not the key the Config struct reads: accepted, never read.
    for k in flat:
        target = _READ_AS.get(k, k)
        if k in _READ_AS and k not in named:
            j.verdicts.append(Verdict("ignored-key", "daemon-json.unknown-key", k,
                                      "%s is a command-line flag name; daemon.json is read as %s"
                                      % (k, target or "-"), IGNORED, read_as=target))


def conflicts(data: Mapping[str, Any], flags: Mapping[str, Sequence[str]],
              version: Optional[Sequence[int]] = None) -> List[Tuple[str, Tuple[str, ...], Any]]:
    """(key, flag values, file value) for each directive set both in daemon.json `data` and on
    dockerd's command line (`flags` by long flag name), as findConfigurationConflicts steps 3-4
    find them (daemon/config/config.go): nested keys flattened, a NamedOption flag compared by
    its key (`--label` with `labels`), `runtimes` merged (skipDuplicates, 18.09+), host-gateway-ip
    migrated to host-gateway-ips (28.0). Version None: the newest release."""
    v: Version = tuple(version[:2]) if version else NEWEST[:2]  # type: ignore
    flat = _flatten(dict(data), v)
    named = named_options(v)
    names = flag_names(v)
    out: List[Tuple[str, Tuple[str, ...], Any]] = []
    for flag, values in flags.items():
        if flag not in names:
            continue
        key = named.get(flag)
        if key is not None:
            # runtimes are merged since 18.09 (moby#37871, backported as engine#57); before,
            # `--add-runtime` next to a `runtimes` key stopped dockerd like any other pair.
            if key in flat and (key != "runtimes" or v < (18, 9)):
                out.append((key, tuple(values), flat[key]))
        elif flag in flat:
            out.append((flag, tuple(values), flat[flag]))
        else:
            short = [s for s, long_ in SHORT_FLAGS.items() if long_ == flag and s in flat]
            if short:
                out.append((short[0], tuple(values), flat[short[0]]))
    if v >= (28, 0) and "host-gateway-ip" in flat and "host-gateway-ip" in flags:
        out.append(("host-gateway-ip", tuple(flags["host-gateway-ip"]), flat["host-gateway-ip"]))
    return out


def _conflicts(j: Judgement, flat: Dict[str, Any], v: Version,
               flags: Mapping[str, Sequence[str]]) -> None:
    if v >= (28, 0) and "host-gateway-ip" in flat and "host-gateway-ips" in flat:
        j.verdicts.append(Verdict("migrated-key", "daemon-json.invalid", "host-gateway-ip",
                                  "host-gateway-ip and host-gateway-ips must not both be "
                                  "specified in the config file"))
    out = conflicts(j.data or {}, flags, v)
    if out:
        msg = ("the following directives are specified both as a flag and in the configuration "
               "file: " + ", ".join("%s: (from flag: %s, from file: %s)" % (k, list(f), val)
                                    for k, f, val in out))
        for k, _f, _val in out:
            j.verdicts.append(Verdict("flag-conflict", "daemon-json.flag-conflict", k, msg))


# ---------------------------------------------------------------------------------------------
# Types: json.Unmarshal into daemon/config Config (config.go, config_linux.go, registry
# ServiceOptions, api/types/system Runtime). Unknown struct fields are ignored by Go; null is a no-op.
# ---------------------------------------------------------------------------------------------

_B, _S, _I, _LS, _MSS, _MSB, _MMS, _F = "bool", "string", "int", "[]string", "map[string]string", \
    "map[string]bool", "map[string]map[string]string", "float"
_TYPES: Dict[str, str] = {}
for _k in ("debug live-restore experimental iptables ip6tables ip-forward ip-forward-no-drop ip-masq "
           "userland-proxy icc ipv6 selinux-enabled no-new-privileges init raw-logs rootless tls "
           "tlsverify cri-containerd allow-direct-routing").split():
    _TYPES[_k] = _B
for _k in ("mtu max-concurrent-downloads max-concurrent-uploads max-download-attempts "
           "shutdown-timeout network-diagnostic-port default-stop-timeout network-control-plane-mtu "
           "cpu-rt-period cpu-rt-runtime oom-score-adjust swarm-raft-heartbeat-tick "
           "swarm-raft-election-tick").split():
    _TYPES[_k] = _I
for _k in ("storage-driver pidfile data-root exec-root group log-level log-format log-driver "
           "tlscacert tlscert tlskey swarm-default-advertise-addr metrics-addr containerd "
           "containerd-namespace containerd-plugin-namespace default-runtime bridge "
           "userland-proxy-path fixed-cidr fixed-cidr-v6 bip bip6 cgroup-parent userns-remap "
           "init-path seccomp-profile default-ipc-mode default-cgroupns-mode firewall-backend "
           "bridge-accept-fwmark http-proxy https-proxy no-proxy min-api-version").split():
    _TYPES[_k] = _S
for _k in ("labels exec-opts storage-opts dns-opts dns-search authorization-plugins hosts "
           "registry-mirrors insecure-registries node-generic-resources cdi-spec-dirs").split():
    _TYPES[_k] = _LS
_TYPES.update({"log-opts": _MSS, "features": _MSB, "default-network-opts": _MMS, "dns": _LS,
               "host-gateway-ips": _LS})


def _json_type(val: Any) -> str:
    if isinstance(val, bool):
        return "bool"
    if isinstance(val, (int, float)):
        return "number"
    if isinstance(val, str):
        return "string"
    if isinstance(val, list):
        return "array"
    return "object"


def _fits(val: Any, t: str) -> bool:
    if val is None:
        return True
    if t == _B:
        return isinstance(val, bool)
    if t == _S:
        return isinstance(val, str)
    if t == _I:
        return isinstance(val, int) and not isinstance(val, bool) or \
            isinstance(val, float) and val.is_integer() and False
    if t == _LS:
        return isinstance(val, list) and all(i is None or isinstance(i, str) for i in val)
    if t == _MSS:
        return isinstance(val, dict) and all(i is None or isinstance(i, str) for i in val.values())
    if t == _MSB:
        return isinstance(val, dict) and all(i is None or isinstance(i, bool) for i in val.values())
    if t == _MMS:
        return isinstance(val, dict) and all(
            i is None or isinstance(i, dict) and all(x is None or isinstance(x, str) for x in i.values())
            for i in val.values())
    return True


def _type_error(j: Judgement, key: str, got: Any, want: str) -> None:
    raise _Refused(Verdict("type", "daemon-json.invalid", key,
                           "json: cannot unmarshal %s into Go struct field Config.%s of type %s"
                           % (_json_type(got), key, want)))


def _types(j: Judgement, data: Dict[str, Any], v: Version) -> None:
    flat = dict(data)
    proxies = data.get("proxies")
    if isinstance(proxies, dict) and v >= (23, 0):
        flat.update({k: val for k, val in proxies.items() if k in ("http-proxy", "https-proxy", "no-proxy")})
    for key, val in flat.items():
        t = _TYPES.get(key)
        if t and not _fits(val, t):
            _type_error(j, key, val, t)
    rts = data.get("runtimes")
    if rts is not None:
        if not isinstance(rts, dict):
            _type_error(j, "runtimes", rts, "map[string]system.Runtime")
        for name, rt in rts.items():
            if rt is None:
                continue
            if not isinstance(rt, dict):
                _type_error(j, "runtimes", rt, "system.Runtime")
            for f, t in (("path", _S), ("runtimeType", _S), ("runtimeArgs", _LS)):
                if f in rt and not _fits(rt[f], t):
                    _type_error(j, "runtimes", rt[f], t)
            if "options" in rt and rt["options"] is not None and not isinstance(rt["options"], dict):
                _type_error(j, "runtimes", rt["options"], "map[string]interface {}")
    pools = data.get("default-address-pools")
    if pools is not None and not isinstance(pools, list):
        _type_error(j, "default-address-pools", pools, "[]*ipamutils.NetworkToSplit")
    ul = data.get("default-ulimits")
    if ul is not None and not (isinstance(ul, dict) and all(u is None or isinstance(u, dict) for u in ul.values())):
        _type_error(j, "default-ulimits", ul, "map[string]*units.Ulimit")
    if "host-gateway-ip" in data and data["host-gateway-ip"] is not None:
        hg = data["host-gateway-ip"]
        if not isinstance(hg, str):
            _type_error(j, "host-gateway-ip", hg, "net.IP")
        if _ip(hg) is None:
            raise _Refused(Verdict("type", "daemon-json.invalid", "host-gateway-ip",
                                   "invalid IP address: %s" % hg))
    if v >= (29, 0):
        # DNS and host gateway addresses are []netip.Addr since 29.0: parsed while decoding.
        for key in ("dns", "host-gateway-ips"):
            for addr in data.get(key) or ():
                if isinstance(addr, str) and _ip(addr, zone=True) is None:
                    raise _Refused(Verdict("type", "daemon-json.invalid", key,
                                           'ParseAddr("%s"): unable to parse IP' % addr))


def _ip(text: str, zone: bool = False) -> Optional[Any]:
    addr = text
    if "%" in text and not zone:
        return None
    if zone and "%" in text:
        addr, _, scope = text.partition("%")
        if not scope or ":" not in addr:
            return None
    try:
        import ipaddress   # here, not at the top: only a few keys need it

        return ipaddress.ip_address(addr)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Values: daemon/config/config.go Validate + validatePlatformConfig (config_linux.go),
# daemon/command (log level before 23, labels), registry (mirrors, insecure registries),
# daemon/runtime_unix.go setupRuntimes.
# ---------------------------------------------------------------------------------------------


def _merged_list(data: Dict[str, Any], key: str, flags: Mapping[str, Sequence[str]], flag: str) -> List[Any]:
    vals = list(data.get(key) or []) if isinstance(data.get(key), list) else []
    return vals + list(flags.get(flag, ()))


def _bad(j: Judgement, rule: str, key: str, message: str) -> None:
    j.verdicts.append(Verdict(rule, "daemon-json.invalid", key, message))


_DOMAIN = lazy_compile(r"^(:?(?:[a-zA-Z0-9]|(?:[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))(:?\.(?:[a-zA-Z0-9]|"
                     r"(?:[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])))*)\.?\s*$")
_LOG_LEVELS_29 = ("panic", "fatal", "error", "warn", "info", "debug", "trace")
_EXEC_OPTS = ("native.cgroupdriver",)
_BUILTIN_RUNTIMES = ("runc", "io.containerd.runc.v2", "io.containerd.runtime.v1.linux")


if TYPE_CHECKING:
    _Flags = Mapping[str, Sequence[str]]


def _check_values(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    """dockerd's checks of the values, in the order it makes them (one section each)."""
    _values_daemon(j, data, v, flags)
    _values_dns(j, data, v, flags)
    _values_host_gateway(j, data, v, flags)
    _values_labels(j, data, v, flags)
    _values_limits(j, data, v, flags)
    _values_generic_resources(j, data, v, flags)
    _values_hosts(j, data, v, flags)
    _values_cgroups(j, data, v, flags)
    _values_firewall(j, data, v, flags)
    _values_registries(j, data, v, flags)
    _runtimes(j, data, v)


def _values_daemon(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # "graph" (config.go Validate, 23.0: "deprecated; use data-root"; 24.0+: no such flag)
    if v >= (23, 0) and "graph" in data:
        _bad(j, "graph", "graph", 'the "graph" config file option is deprecated; use "data-root" instead')
    # log level: config.Validate since 23.0; 20.10 refuses it in cmd/dockerd configureDaemonLogs
    # (logrus.ParseLevel, which also knows "warning", until 24; a fixed list since 25.0).
    level = data.get("log-level")
    if isinstance(level, str) and level:
        ok = _LOG_LEVELS_29 + (("warning",) if v < (25, 0) else ())     # logrus.ParseLevel until 24
        if level.lower() not in ok:
            _bad(j, "log-level", "log-level", "invalid logging level: %s" % level)
    fmt = data.get("log-format")
    if v >= (25, 0) and isinstance(fmt, str) and fmt and fmt not in ("text", "json"):
        _bad(j, "log-format", "log-format", "invalid log format: %s" % fmt)
    # 20.10 cmd/dockerd loadDaemonCliConfig: "tlsverify" in the file (even false) turns TLS on,
    # and the API server then needs a certificate ("Could not load X509 key pair").
    if v < (23, 0) and "tlsverify" in data and not (data.get("tlscert") and data.get("tlskey")):
        _bad(j, "tls", "tlsverify", "failed to create API server: Could not load X509 key pair")
    # embedded-containerd + CRI (config.go errEmbeddedContainerdWithCRI, 29.7)
    feats = data.get("features") or {}
    if v >= (29, 7) and isinstance(feats, dict) and feats.get("embedded-containerd") and data.get("cri-containerd"):
        _bad(j, "features", "features", 'conflicting options: cannot use the "embedded-containerd" '
             'feature and CRI support (--cri-containerd) at the same time')

def _values_dns(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # DNS (opts.ValidateIPAddress before 29; netip since, checked while decoding)
    if v < (29, 0):
        for addr in _merged_list(data, "dns", flags, "dns"):
            if isinstance(addr, str) and _ip(addr.strip()) is None:
                _bad(j, "dns", "dns", "%s is not an ip address" % addr)
                break
    for dom in data.get("dns-search") or ():
        if isinstance(dom, str) and dom != "." and (not _DOMAIN.match(dom) or
                                                    len(dom) > 255 or dom.replace(".", "").isdigit()):
            _bad(j, "dns-search", "dns-search", "%s is not a valid domain" % dom)
            break

def _values_host_gateway(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # host gateway IPs (28.0+: at most one IPv4 and one IPv6; opts.ValidateHostGatewayIPs)
    if v >= (28, 0):
        ips = data.get("host-gateway-ips") if isinstance(data.get("host-gateway-ips"), list) else []
        ips = list(ips or []) + list(flags.get("host-gateway-ip", ()))
        parsed = [_ip(i, zone=True) for i in ips if isinstance(i, str)]
        if any(p is None for p in parsed):
            _bad(j, "host-gateway-ips", "host-gateway-ips", "ParseAddr: unable to parse IP")
        else:
            addrs = [p for p in parsed if p is not None]  # all of them: none is None here
            for fam in (4, 6):
                if len({p for p in addrs if p.version == fam}) > 1:
                    _bad(j, "host-gateway-ips", "host-gateway-ips", "only one IPv%d host gateway IP "
                         "address can be specified" % fam)

def _values_labels(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # labels (opts.ValidateLabel; daemon/command GetConflictFreeLabels)
    labels = _merged_list(data, "labels", flags, "label")
    seen: Dict[str, str] = {}
    for lab in labels:
        if not isinstance(lab, str):
            continue
        if "=" not in lab:
            _bad(j, "labels", "labels", "bad attribute format: %s" % lab)
            break
        low = lab.lower()
        if v >= (25, 0) and low.startswith(("com.docker.", "io.docker.", "org.dockerproject.")):
            _bad(j, "labels", "labels", "label %s is not allowed: the namespaces com.docker.*, "
                 "io.docker.*, and org.dockerproject.* are reserved for internal use" % lab)
            break
        k, _, val = lab.partition("=")
        if k in seen and seen[k] != val:
            _bad(j, "labels", "labels", "conflict labels for %s and %s=%s" % (lab, k, seen[k]))
            break
        seen[k] = val

def _values_limits(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # negative numbers (config.Validate)
    for key, since, word in (("mtu", (23, 0), "invalid default MTU: %d"),
                             ("max-concurrent-downloads", None, "invalid max concurrent downloads: %d"),
                             ("max-concurrent-uploads", None, "invalid max concurrent uploads: %d"),
                             ("default-stop-timeout", (29, 7), "invalid default stop timeout: %d")):
        val = data.get(key)
        if isinstance(val, int) and not isinstance(val, bool) and val < 0 and _in(v, since):
            _bad(j, "limits", key, word % val)
    mda = data.get("max-download-attempts")
    if isinstance(mda, int) and not isinstance(mda, bool) and (mda < 0 or v < (23, 0) and mda == 0):
        _bad(j, "limits", "max-download-attempts", "invalid max download attempts: %d" % mda)
    ndp = data.get("network-diagnostic-port")
    if v >= (28, 0) and isinstance(ndp, int) and not isinstance(ndp, bool) and not 0 <= ndp <= 65535:
        _bad(j, "limits", "network-diagnostic-port", "invalid network-diagnostic-port (%d): value "
             "must be between 0 and 65535" % ndp)

def _values_generic_resources(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # generic resources (config.ParseGenericResources)
    res = _merged_list(data, "node-generic-resources", flags, "node-generic-resource")
    kinds: Dict[str, set] = {}
    for r in res:
        if not isinstance(r, str):
            continue
        if "=" not in r:
            _bad(j, "generic-resources", "node-generic-resources", "could not parse GenericResource: "
                 "incorrect term %s, missing '=' or malformed expression" % r)
            break
        name, _, val = r.partition("=")
        kinds.setdefault(name, set()).add("discrete" if val.isdigit() else "named")
    if any(len(k) > 1 for k in kinds.values()):
        _bad(j, "generic-resources", "node-generic-resources",
             "could not parse GenericResource: mixed discrete and named resources")

def _values_hosts(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # hosts (opts.ValidateHost)
    for h in data.get("hosts") or ():
        why = _host_error(h) if isinstance(h, str) else None
        if why:
            _bad(j, "hosts", "hosts", why)
            break
    # exec-opts (config.parseExecOptions since 28.0; before: parsers.ParseKeyValueOpt)
    for opt in data.get("exec-opts") or ():
        if not isinstance(opt, str):
            continue
        k, eq, val = opt.partition("=")
        k, val = k.strip().lower(), val.strip()
        if v >= (28, 0):
            if not eq or not k or not val:
                _bad(j, "exec-opts", "exec-opts", "invalid exec-opt (%s): must be formatted 'opt=value'" % opt)
                break
            if k not in _EXEC_OPTS:
                why = ("option '%s' is only supported on windows" % k if k == "isolation"
                       else "unknown option: '%s'" % k)
                _bad(j, "exec-opts", "exec-opts", "invalid exec-opt (%s): %s" % (opt, why))
                break

def _values_cgroups(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # cgroup parent with the systemd driver (daemon/daemon_unix.go verifyDaemonSettings)
    parent = data.get("cgroup-parent")
    driver = [o.split("=", 1)[1].strip() for o in data.get("exec-opts") or ()
              if isinstance(o, str) and o.split("=", 1)[0].strip().lower() == "native.cgroupdriver" and "=" in o]
    if isinstance(parent, str) and parent and driver and driver[-1] == "systemd" and \
            (len(parent) <= 6 or not parent.endswith(".slice")):
        _bad(j, "cgroup-parent", "cgroup-parent", 'cgroup-parent for systemd cgroup should be a '
             'valid slice named as "xxx.slice"')
    # IPC and cgroupns defaults (config_linux.go verifyDefaultIpcMode / verifyDefaultCgroupNsMode)
    ipc = data.get("default-ipc-mode")
    if isinstance(ipc, str) and ipc not in ("", "private", "shareable"):
        _bad(j, "ipc-mode", "default-ipc-mode", 'IPC mode "%s" is not supported as default value; '
             'use "shareable" or "private"' % ipc)
    cgns = data.get("default-cgroupns-mode")
    if isinstance(cgns, str) and cgns not in ("", "host", "private"):
        _bad(j, "cgroupns-mode", "default-cgroupns-mode",
             "default cgroup namespace mode (%s) is invalid" % cgns)

def _values_firewall(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # firewall (29.0, config_linux.go)
    if v >= (29, 0):
        fw = data.get("firewall-backend")
        if isinstance(fw, str) and fw not in ("", "iptables", "nftables"):
            _bad(j, "firewall", "firewall-backend", "invalid firewall-backend: unknown firewall "
                 "backend %s" % fw)
        mark = data.get("bridge-accept-fwmark")
        if isinstance(mark, str) and mark and not _fwmark_ok(mark):
            _bad(j, "firewall", "bridge-accept-fwmark", "invalid bridge-accept-fwmark: invalid "
                 "firewall mark %s" % json_quote(mark))
    shm = data.get("default-shm-size")
    if shm is not None and not isinstance(shm, str):      # opts.MemBytes.UnmarshalJSON: a string
        _bad(j, "shm-size", "default-shm-size", "invalid size: %s" % nesting.text_of(shm))
    elif isinstance(shm, str) and not re.match(r"^\d+(\.\d+)?\s*[kmgtpKMGTP]?[iI]?[bB]?$", shm.strip()):
        _bad(j, "shm-size", "default-shm-size", "invalid size: '%s'" % shm)

def _values_registries(j: Judgement, data: Dict[str, Any], v: Version, flags: _Flags) -> None:
    # registries (daemon/pkg/registry/config.go, registry/config.go before 28)
    for m in data.get("registry-mirrors") or ():
        if isinstance(m, str):
            why = mirror_error(m, v)
            if why:
                _bad(j, "mirrors", "registry-mirrors", why)
                break
    for r in data.get("insecure-registries") or ():
        if isinstance(r, str):
            why = insecure_registry_error(r)
            if why:
                _bad(j, "insecure-registries", "insecure-registries", why)
                break

def json_quote(s: str) -> str:
    import json as _json

    return _json.dumps(s)


def _fwmark_ok(val: str) -> bool:
    mark, slash, mask = val.partition("/")

    def num(s: str) -> bool:
        try:
            int(s, 0) if not (len(s) > 1 and s[0] == "0" and s[1].isdigit()) else int(s, 8)
            return bool(s) and not s.startswith(("-", "+"))
        except ValueError:
            return False
    return num(mark) and (not slash or num(mask))


def _host_error(h: str) -> Optional[str]:
    """opts.ValidateHost / ParseDaemonHost: the listen address forms dockerd takes."""
    addr = h.strip()
    proto, sep, rest = addr.partition("://")
    if not sep:
        proto, rest = "tcp", addr
    if proto == "tcp":
        if "/" in rest.rstrip("/") or rest.endswith("/") and rest.count("/") > 0 and rest != "":
            return "invalid bind address (%s): should not contain a path element" % h
        return None
    if proto in ("unix", "fd", "npipe", "ssh"):
        return None
    return "invalid bind address (%s): unsupported proto '%s'" % (h, proto)


def mirror_error(url: str, v: Tuple[int, ...] = NEWEST[:2]) -> Optional[str]:
    """registry ValidateMirror: http(s) only, no credentials, no query or fragment; a path is
    allowed since 24.0 (before: "path, query, or fragment at end of the URI").

    The URI is quoted with its userinfo hidden whole (`https://***@host`): dockerd keeps the user
    name (`user:xxxxx@`), which may be a token."""
    from dldoctor.scrub import hide_userinfo

    shown = hide_userinfo(url)
    try:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if ":" in url.split("/", 1)[0] and "://" not in url and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
            raise ValueError
    except ValueError:
        return 'invalid mirror: "%s" is not a valid URI' % shown
    scheme_ok = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url)
    if not scheme_ok and ":" in url.split("/", 1)[0].split("?")[0] and not re.match(r"^[^:]+:\d+", url):
        return 'invalid mirror: "%s" is not a valid URI' % shown
    if re.match(r"^[^:/]*[^A-Za-z0-9+.:/-][^:/]*://", url):
        return 'invalid mirror: "%s" is not a valid URI' % shown
    if not parts.scheme or "://" not in url:
        return ("invalid mirror: no scheme specified for \"%s\": must use either 'https://' or "
                "'http://'" % shown)
    if parts.scheme.lower() not in ("http", "https"):
        return ("invalid mirror: unsupported scheme \"%s\" in \"%s\": must use either 'https://' "
                "or 'http://'" % (parts.scheme, shown))
    if v < (24, 0):
        if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in url or "#" in url:
            return 'invalid mirror: path, query, or fragment at end of the URI "%s"' % shown
    elif parts.query or parts.fragment or "?" in url or "#" in url:
        return 'invalid mirror: query or fragment at end of the URI "%s"' % shown
    if parts.username is not None or "@" in parts.netloc:
        return 'invalid mirror: username/password not allowed in URI "%s"' % shown
    return None


_HOST_LABEL = lazy_compile(r"^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$")


def insecure_registry_error(reg: str) -> Optional[str]:
    """registry loadInsecureRegistries: scheme http(s) stripped, CIDR or host[:port]."""
    r = reg
    low = r.lower()
    for p in ("http://", "https://"):
        if low.startswith(p):
            r = r[len(p):]
            break
    if "://" in r:
        return "insecure registry %s should not contain '://'" % reg
    if "/" in r:
        try:
            import ipaddress

            ipaddress.ip_network(r, strict=False)
            return None
        except ValueError:
            return 'insecure registry %s is not valid: invalid host "%s"' % (reg, r)
    if _ip(r) is not None:
        return None
    host, port = r, None
    m = re.match(r"^\[([^\]]+)\](?::(\d*))?$", r)
    if m:
        host, port = m.group(1), m.group(2)
        if _ip(host) is None:
            return 'insecure registry %s is not valid: invalid host "%s"' % (reg, host)
    elif r.count(":") == 1:
        host, port = r.split(":")
    elif ":" in r:
        return 'insecure registry %s is not valid: invalid host "%s"' % (reg, r)
    if port is not None and (not port.isdigit() or not 0 < int(port) <= 65535):
        return 'insecure registry %s is not valid: invalid port "%s"' % (reg, port)
    if not m and _ip(host) is None:
        if host.startswith("-") or host.endswith("-"):
            return "Cannot begin or end with a hyphen: %s" % reg
        if not all(_HOST_LABEL.match(p) for p in host.split(".")):
            return 'insecure registry %s is not valid: invalid host "%s"' % (reg, host)
    return None


def _runtimes(j: Judgement, data: Dict[str, Any], v: Version) -> None:
    """daemon/runtime_unix.go setupRuntimes (24.0+) and config.Validate before it."""
    found = data.get("runtimes")
    rts: Dict[str, Any] = found if isinstance(found, dict) else {}
    for name, rt in rts.items():
        if name == "runc":
            _bad(j, "runtimes", "runtimes", "runtime name 'runc' is reserved")
            continue
        if not isinstance(rt, dict) or v < (24, 0):
            continue
        path, rtype = rt.get("path"), rt.get("runtimeType")
        args, options = rt.get("runtimeArgs"), rt.get("options")
        if path and rtype:
            _bad(j, "runtimes", "runtimes", "runtime %s: cannot configure both path and "
                 "runtimeType for the same runtime" % name)
        elif not path and not rtype:
            _bad(j, "runtimes", "runtimes", "runtime %s: either a runtimeType or a path must be "
                 "configured" % name)
        elif path and options:
            _bad(j, "runtimes", "runtimes", "runtime %s: options cannot be used with a path "
                 "runtime" % name)
        elif rtype and args:
            _bad(j, "runtimes", "runtimes", "runtime %s: args cannot be used with a runtimeType "
                 "runtime" % name)
    default = data.get("default-runtime")
    if isinstance(default, str) and default and default not in _BUILTIN_RUNTIMES and default not in rts:
        if v >= (24, 0) and _shim_name(default):
            return
        j.verdicts.append(Verdict("default-runtime", "daemon-json.invalid", "default-runtime",
                                  "specified default runtime '%s' does not exist" % default))


def _shim_name(name: str) -> bool:
    """A containerd shim name dockerd resolves without a `runtimes` entry (24.0+)."""
    return "." in name and not name.startswith(("/", ".")) and bool(
        re.match(r"^[A-Za-z0-9_.-]+$", name)) and len(name.split(".")) >= 3


def verdict_releases(verdict: Verdict) -> str:
    return ", ".join(verdict.releases)


