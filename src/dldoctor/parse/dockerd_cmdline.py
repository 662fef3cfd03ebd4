"""How dockerd was started: its argv from /proc/PID/cmdline, a command line, `ps` output or a systemd
unit (`systemctl cat docker`), mapped to daemon.json keys (dockerd's own errors from the journal:
parse/dockerd_journal.py).
"""
from __future__ import annotations

import re
import shlex

from dldoctor.errors import ParseError
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterable, List, Optional, Tuple


@frozen_record
class DockerdFlags:
    """dockerd's argv (from the dockerd token on) and its flags keyed by the daemon.json key they set.

    Values keep command-line order; a boolean flag given bare maps to ("true",). env_refs lists
    unexpanded `$OPTIONS`-style words from a unit file (their flags are not known here).
    """

    argv: Tuple[str, ...]
    flags: Dict[str, Tuple[str, ...]]
    config_file: Optional[str]
    env_refs: Tuple[str, ...] = ()

    def get(self, key: str) -> Tuple[str, ...]:
        """Values given for the daemon.json key `key` (empty when the flag was not used)."""
        return self.flags.get(key, ())

    @property
    def names(self) -> Dict[str, Tuple[str, ...]]:
        """The flags by their own long name (`--label`, not `labels`): what dockerd's flag-set
        compares with daemon.json (daemon_judge)."""
        argv = list(self.argv[1:])
        if argv and argv[0] == "daemon" and not _is_dockerd(self.argv[0]):
            argv = argv[1:]
        return flags_by_name(argv)


# flag name (without dashes) -> daemon.json key, where it is not simply the flag name.
_FLAG_TO_KEY: Dict[str, str] = {
    "H": "hosts",
    "host": "hosts",
    "registry-mirror": "registry-mirrors",
    "insecure-registry": "insecure-registries",
    "add-runtime": "runtimes",
    "exec-opt": "exec-opts",
    "storage-opt": "storage-opts",
    "log-opt": "log-opts",
    "label": "labels",
    "dns-opt": "dns-opts",
    "default-ulimit": "default-ulimits",
    "authorization-plugin": "authorization-plugins",
    "node-generic-resource": "node-generic-resources",
    "feature": "features",
    "cdi-spec-dir": "cdi-spec-dirs",
    "default-address-pool": "default-address-pools",
    "default-network-opt": "default-network-opts",
    "cluster-store-opt": "cluster-store-opts",
    "host-gateway-ip": "host-gateway-ips",
    "data-root": "data-root",
    "g": "data-root",
    "graph": "data-root",
    "s": "storage-driver",
    "G": "group",
    "b": "bridge",
    "p": "pidfile",
    "D": "debug",
    "l": "log-level",
    "e": "exec-driver",
    "containerd-plugins-namespace": "containerd-plugin-namespace",
}

# Flags that take no separate value (pflag booleans: only --flag or --flag=false).
_BOOL_FLAGS = frozenset(
    [
        "D",
        "debug",
        "live-restore",
        "experimental",
        "iptables",
        "ip6tables",
        "ip-forward",
        "ip-forward-no-drop",
        "ip-masq",
        "icc",
        "ipv6",
        "selinux-enabled",
        "userland-proxy",
        "no-new-privileges",
        "init",
        "raw-logs",
        "rootless",
        "tls",
        "tlsverify",
        "validate",
        "v",
        "version",
        "h",
        "help",
        "cri-containerd",
        "allow-direct-routing",
        "disable-legacy-registry",
    ]
)


def _key_for(name: str) -> str:
    return _FLAG_TO_KEY.get(name, name)


def _parse_argv(argv: List[str]) -> DockerdFlags:
    flags: Dict[str, List[str]] = {}
    env_refs: List[str] = []
    config_file: Optional[str] = None
    i = 2 if len(argv) > 1 and argv[1] == "daemon" and not _is_dockerd(argv[0]) else 1
    while i < len(argv):
        tok = argv[i]
        i += 1
        if tok == "--":
            break
        if re.match(r"^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$", tok):
            env_refs.append(tok)
            continue
        if tok.startswith("--") and len(tok) > 2:
            name, eq, value = tok[2:].partition("=")
            if not eq:
                if name in _BOOL_FLAGS:
                    value = "true"
                elif i < len(argv) and not argv[i].startswith("-"):
                    value = argv[i]
                    i += 1
                else:
                    value = ""
        elif tok.startswith("-") and len(tok) > 1 and not tok[1].isdigit():
            name = tok[1]
            rest = tok[2:]
            if name in _BOOL_FLAGS:
                # -D, or combined booleans like -Dv
                flags.setdefault(_key_for(name), []).append("true")
                for extra in rest:
                    if extra in _BOOL_FLAGS:
                        flags.setdefault(_key_for(extra), []).append("true")
                continue
            if rest.startswith("="):
                value = rest[1:]
            elif rest:
                value = rest
            elif i < len(argv):
                value = argv[i]
                i += 1
            else:
                value = ""
        else:
            continue  # positional word (dockerd takes none); kept in argv only
        if name == "config-file":
            config_file = value
            continue
        flags.setdefault(_key_for(name), []).append(value)
    return DockerdFlags(
        argv=tuple(argv),
        flags={k: tuple(v) for k, v in flags.items()},
        config_file=config_file,
        env_refs=tuple(env_refs),
    )


_SEARCHERS = frozenset(["grep", "egrep", "fgrep", "pgrep", "rg", "which", "pidof", "whereis", "pkill", "man"])


def _is_dockerd(word: str) -> bool:
    base = word.rsplit("/", 1)[-1]
    return base in ("dockerd", "dockerd-rootless.sh", "dockerd.exe")


def _split(line: str) -> List[str]:
    try:
        return shlex.split(line, posix=True)
    except ValueError:
        return line.split()


def _argv_from_words(words: List[str]) -> Optional[List[str]]:
    for idx, word in enumerate(words):
        if _is_dockerd(word):
            if any(w.rsplit("/", 1)[-1] in _SEARCHERS for w in words[:idx]):
                return None  # `grep dockerd` in ps output, `which dockerd`, ...
            return words[idx:]
        if word.rsplit("/", 1)[-1] == "docker" and idx + 1 < len(words) and words[idx + 1] == "daemon":
            return words[idx:]  # docker 1.8-1.12: `docker daemon ...`
    return None


def _join_continuations(text: str) -> List[str]:
    lines: List[str] = []
    buf = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        lines.append(buf + line)
        buf = ""
    if buf:
        lines.append(buf)
    return lines


def _from_unit(lines: List[str]) -> Optional[List[str]]:
    exec_start: Optional[str] = None
    section = None
    for line in lines:
        s = line.strip()
        if not s or s.startswith("#") or s.startswith(";"):
            continue
        if s.startswith("[") and s.endswith("]"):
            section = s
            continue
        if section not in (None, "[Service]"):
            continue
        m = re.match(r"^ExecStart\s*=\s*(.*)$", s)
        if m:
            value = m.group(1).strip()
            exec_start = value if value else None  # empty ExecStart= resets
    if exec_start is None:
        return None
    value = re.sub(r"^[-@+!:]+", "", exec_start)
    words = _split(value)
    return _argv_from_words(words) or None


def parse_dockerd_cmdline(text: str) -> DockerdFlags:
    """Parse /proc/PID/cmdline, a command line, ps lines or a unit (effective ExecStart=); ParseError if no dockerd."""
    if not isinstance(text, str):
        raise ParseError("dockerd command line: expected text")
    if "\x00" in text:
        words = [w for w in text.split("\x00")]
        while words and words[-1] == "":
            words.pop()
        argv = _argv_from_words(words)
        if argv is None:
            raise ParseError("/proc/PID/cmdline: not a dockerd command line")
        return _parse_argv(argv)
    lines = _join_continuations(text)
    if any(re.match(r"^\s*ExecStart\s*=", line) for line in lines):
        argv = _from_unit(lines)
        if argv is None:
            raise ParseError("unit file: the effective ExecStart= does not run dockerd")
        return _parse_argv(argv)
    for line in lines:
        if "dockerd" not in line and not re.search(r"\bdocker\s+daemon\b", line):
            continue
        argv = _argv_from_words(_split(line))
        if argv is not None:
            return _parse_argv(argv)
    raise ParseError("no dockerd command line found")


# dockerd's one-letter flags -> their long names.
SHORT_FLAGS = {"D": "debug", "H": "host", "G": "group", "b": "bridge", "l": "log-level",
               "p": "pidfile", "s": "storage-driver", "r": "restart", "v": "version", "h": "help",
               "g": "graph"}


def flags_by_name(argv: Iterable[str]) -> Dict[str, Tuple[str, ...]]:
    """Long flag name -> values, from a dockerd argv (the flags after the program)."""
    out: Dict[str, List[str]] = {}
    words = list(argv)
    i = 0
    bools = {"debug", "live-restore", "experimental", "iptables", "ip6tables", "ip-forward",
             "ip-forward-no-drop", "ip-masq", "icc", "ipv6", "selinux-enabled", "userland-proxy",
             "no-new-privileges", "init", "raw-logs", "rootless", "tls", "tlsverify", "validate",
             "version", "help", "cri-containerd", "allow-direct-routing", "restart"}
    while i < len(words):
        w = words[i]
        i += 1
        if w == "--":
            break
        if w.startswith("--") and len(w) > 2:
            name, eq, val = w[2:].partition("=")
        elif w.startswith("-") and len(w) > 1:
            name, val, eq = SHORT_FLAGS.get(w[1], w[1]), w[2:], ""
            if val.startswith("="):
                val, eq = val[1:], "="
            elif val:
                eq = "="
        else:
            continue
        if not eq:
            if name in bools:
                val = "true"
            elif i < len(words):
                val = words[i]
                i += 1
        out.setdefault(name, []).append(val)
    return {k: tuple(vals) for k, vals in out.items()}
