"""The daemon-json step: registry mirrors and the `nvidia` runtime merged into dockerd's daemon.json.

NVIDIA's `nvidia-ctk runtime configure` loads daemon.json into a Go map and writes it back with
`json.MarshalIndent`: every key re-sorted, everything re-indented to four spaces, `"args"` where
dockerd reads `"runtimeArgs"`, truncated in place. This step edits the file the way a careful person
would: it parses the text into a tree that remembers where every value sits, changes only the values
that must change and appends only the keys that are missing, each in the style of its neighbours.
Everything else stays byte for byte: other keys, their order, odd indentation, trailing tabs,
compact one-line objects, the final newline. A file already in the wanted state comes back
identical, so a second `fix` plans nothing.

Style choices where the file has none to copy:
- a new file (or an empty one, or `{}`) is written with two-space indentation, like the examples in
  Docker's documentation, and ends with a newline;
- a one-line file stays on one line ("compact"): new keys go in with `", "` and `": "` separators;
- new nested values follow the file's indentation unit (detected: tabs, or the step between the
  top-level object and its first key), and new arrays are multi-line unless the file writes its
  non-empty arrays on one line.

`plan()` is pure: facts and options in, a Plan out (or Refused). The executor writes.
"""
from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from dldoctor.daemon_judge import REFUSE
from dldoctor.derived import daemon_json_mirrors as _configured_mirrors
from dldoctor.derived import (dockerd_version, env_var, hook_newer_than_daemon, rootless_uid,
                              judge_facts, server_error)
from dldoctor.errors import ParseError, Refused, UsageError
from dldoctor.facts import CUT_SHORT, Facts, Unknown, known
from dldoctor.i18n import _
from dldoctor.mirror_urls import mirror_key, placeholder, scheme_hint, validate_mirror_url
from dldoctor.plans import DaemonAction, FileWrite, Plan
from dldoctor.parse.docker_version import first_json_object
from dldoctor.parse.daemon_json import BOM, Member as _Member, Node as _Node, parse
from dldoctor.parse.daemon_json import parse_tree as _parse_tree
from dldoctor.parse.version import version_tuple
from dldoctor.provision.mirrors import MirrorChoice, choose_registry_mirrors, plan_mirrors, plan_unprobed
from dldoctor.records import record

if TYPE_CHECKING:
    from dldoctor.facts import Fact
    from dldoctor.host import Host
    from dldoctor.parse.docker_info import DockerInfo
    from dldoctor.provision.options import FixOptions

NAME = "daemon-json"
RUNTIME = "nvidia"
DEFAULT_INDENT = "  "

# Keys `kill -HUP dockerd` (= `systemctl reload docker`) applies without a restart. moby
# daemon/reload.go `Daemon.Reload` (reloadPlatform: runtimes, default-runtime; reloadDebug,
# reloadMaxConcurrentDownloadsAndUploads, reloadMaxDownloadAttempts, reloadShutdownTimeout,
# reloadFeatures, reloadLabels, reloadRegistryConfig: insecure-registries, registry-mirrors;
# reloadLiveRestore, reloadNetworkDiagnosticPort), as listed in docker/cli docs/reference/dockerd.md.
# Note that a reload only applies keys that are *present*: removing `registry-mirrors` from the file
# and reloading leaves the old mirrors live until the next restart (reloadRegistryConfig checks
# conf.IsValueSet).
RELOADABLE = frozenset((
    "debug", "labels", "live-restore", "max-concurrent-downloads", "max-concurrent-uploads",
    "max-download-attempts", "default-runtime", "runtimes", "insecure-registries",
    "registry-mirrors", "shutdown-timeout", "features", "network-diagnostic-port",
))

# Runtimes dockerd always knows; `default-runtime` may name them without a `runtimes` entry.
_BUILTIN_RUNTIMES = frozenset(("runc", "io.containerd.runc.v2", "io.containerd.runtime.v1.linux"))

# Non-reloadable settings `docker info --format '{{json .}}'` shows: daemon.json key -> info key.
_LIVE_SETTINGS = (("data-root", "DockerRootDir"), ("storage-driver", "Driver"),
                  ("log-driver", "LoggingDriver"))


# =============================================================================================
# Writing in the file's own style
# =============================================================================================


@record
class _Style:
    nl: str = "\n"
    unit: str = DEFAULT_INDENT
    compact: bool = False        # the whole document is on one line
    colon: str = ": "
    multiline_arrays: bool = True
    pad: str = " "               # compact objects: "{ ... }" or "{...}"


def _line_indent(text: str, pos: int) -> Optional[str]:
    """The whitespace before `pos` on its line, or None when something else precedes it."""
    start = text.rfind("\n", 0, pos) + 1
    lead = text[start:pos]
    return lead if lead.strip(" \t") == "" else None


def _detect_style(text: str, root: Optional[_Node]) -> _Style:
    style = _Style(nl="\r\n" if "\r\n" in text else "\n")
    if root is None or not root.members:
        return style
    style.compact = "\n" not in text[root.start:root.end]
    first = root.members[0]
    colon = text[first.key_end:first.value.start]
    style.colon = colon if colon and "\n" not in colon else ": "
    if style.compact:
        style.pad = " " if text[root.start + 1:root.start + 2] == " " else ""
        return style
    # Indentation unit: tabs if keys are tab-indented, else the step from `{` to its first key.
    lead = _line_indent(text, first.key_start)
    base = _line_indent(text, root.start) or ""
    if lead:
        if "\t" in lead:
            style.unit = "\t"
        elif len(lead) > len(base):
            style.unit = " " * (len(lead) - len(base))
        else:
            style.unit = lead
    arrays = [n for n in _walk(root) if n.kind == "array" and n.items]
    if arrays:
        style.multiline_arrays = "\n" in text[arrays[0].start:arrays[0].end]
    return style


def _walk(node: _Node) -> Iterable[_Node]:
    """Every node, depth first in file order (iterative: files may nest 10000 deep)."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        todo.extend(reversed([m.value for m in n.members or ()] + list(n.items or ())))


def _render(value: Any, style: _Style, indent: str) -> str:
    """`value` as JSON text in `style`; `indent` is the indentation of the line it starts on."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        if style.compact:
            return "{" + style.pad + ", ".join(json.dumps(k) + style.colon + _render(v, style, indent)
                                               for k, v in value.items()) + style.pad + "}"
        inner = indent + style.unit
        parts = [inner + json.dumps(k) + style.colon + _render(v, style, inner)
                 for k, v in value.items()]
        return "{" + style.nl + ("," + style.nl).join(parts) + style.nl + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if style.compact or not style.multiline_arrays:
            return "[" + ", ".join(_render(v, style, indent) for v in value) + "]"
        inner = indent + style.unit
        parts = [inner + _render(v, style, inner) for v in value]
        return "[" + style.nl + ("," + style.nl).join(parts) + style.nl + indent + "]"
    return json.dumps(value, ensure_ascii=False)


class _Editor:
    """Collects text edits against the original and applies them back to front."""

    def __init__(self, text: str, style: _Style):
        self.text = text
        self.style = style
        self.edits: List[Tuple[int, int, str]] = []

    def replace(self, start: int, end: int, new: str) -> None:
        self.edits.append((start, end, new))

    def indent_at(self, pos: int) -> str:
        lead = _line_indent(self.text, pos)
        if lead is None:       # something precedes it on the line: take that line's indentation
            start = self.text.rfind("\n", 0, pos) + 1
            line = self.text[start:pos]
            lead = line[:len(line) - len(line.lstrip(" \t"))]
        return lead

    def set_value(self, member: _Member, value: Any) -> None:
        self.replace(member.value.start, member.value.end,
                     _render(value, self.style, self.indent_at(member.key_start)))

    def rename_key(self, member: _Member, new_key: str) -> None:
        self.replace(member.key_start, member.key_end, json.dumps(new_key))

    def remove_member(self, obj: _Node, member: _Member) -> None:
        members = obj.members or []
        idx = members.index(member)
        if len(members) == 1:
            self.replace(obj.start, obj.end, "{}")
        elif idx > 0:     # from the end of the previous value: drops ", <member>" with its line
            self.replace(members[idx - 1].value.end, member.value.end, "")
        else:             # the first one: up to the next key, keeping the next key's indentation
            self.replace(member.key_start, members[1].key_start, "")

    def append_members(self, obj: _Node, new: Dict[str, Any]) -> None:
        if not new:
            return
        members = obj.members or []
        if not members:
            indent = self.indent_at(obj.start)
            self.replace(obj.start, obj.end, _render(new, self.style, indent))
            return
        last = members[-1]
        one_line = "\n" not in self.text[obj.start:obj.end]
        colon = self.text[last.key_end:last.value.start]
        colon = colon if colon and "\n" not in colon else self.style.colon
        if one_line:
            sep = ", "
            if len(members) > 1:
                between = self.text[members[-2].value.end:last.key_start]
                sep = between if between.strip() == "," else sep
            style = _Style(nl=self.style.nl, unit=self.style.unit, compact=True, colon=colon,
                           pad=self.style.pad if self.style.compact else " ")
            text = "".join(sep + json.dumps(k) + colon + _render(v, style, "")
                           for k, v in new.items())
        else:
            indent = self.indent_at(last.key_start)
            style = _Style(self.style.nl, self.style.unit, False, colon, self.style.multiline_arrays)
            text = "".join("," + self.style.nl + indent + json.dumps(k) + colon +
                           _render(v, style, indent) for k, v in new.items())
        self.replace(last.value.end, last.value.end, text)

    def append_items(self, arr: _Node, values: Sequence[Any]) -> None:
        if not values:
            return
        items = arr.items or []
        if not items:
            member_indent = self.indent_at(arr.start)
            self.replace(arr.start, arr.end, _render(list(values), self.style, member_indent))
            return
        last = items[-1]
        if "\n" in self.text[arr.start:items[0].start]:
            indent = self.indent_at(last.start)
            text = "".join("," + self.style.nl + indent + json.dumps(v, ensure_ascii=False)
                           for v in values)
        else:
            sep = ", "
            if len(items) > 1:
                between = self.text[items[-2].end:last.start]
                sep = between if between.strip() == "," and "\n" not in between else sep
            text = "".join(sep + json.dumps(v, ensure_ascii=False) for v in values)
        self.replace(last.end, last.end, text)

    def result(self) -> str:
        out = self.text
        # Back to front; at one offset, a deletion/replacement before an insertion that ends there.
        for start, end, new in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            out = out[:start] + new + out[end:]
        return out


# =============================================================================================
# The merge
# =============================================================================================


def merge(text: Optional[str], mirrors: Sequence[str] = (), runtime_path: Optional[str] = None,
          default_runtime: Optional[str] = None, *, drop_mirrors: Sequence[str] = ()) -> str:
    """Return daemon.json `text` with `mirrors`, the nvidia runtime and `default_runtime` merged in.

    - `text` None (no file) or blank: a new file in the default style.
    - mirrors: existing ones are kept in their order; missing ones appended (callers pass them
      fastest first). Compared as dockerd normalises them.
    - `runtime_path`: `runtimes.nvidia.path` is set to it, `runtimeArgs` added as `[]` when absent
      (existing arguments kept; an `args` key, which nvidia-ctk writes and dockerd ignores, is
      renamed to `runtimeArgs`, or dropped beside it). None leaves the runtime alone. A shim
      entry (`runtimeType`) is left as it is, and so is every other runtime, byte for byte.
    - `default_runtime`: set when given; never removed.
    - `drop_mirrors`: registry mirrors to take out (the fix step's probe found them dead). When one
      is there, the array is written again as the kept entries then the missing `mirrors`, in the
      file's style; an emptied list stays as `[]` (a reload then applies it, a missing key not).

    Raises ParseError (with position) for invalid JSON and Refused for a file whose structure
    dockerd would not accept either (`runtimes` that is not an object).
    """
    body, root = _parse_tree(text) if text is not None else ("", None)
    if root is None:                    # no file, a blank one, or `null`
        if text is not None and not (mirrors or runtime_path or default_runtime):
            return text
        data: Dict[str, Any] = {}
        if mirrors:
            data["registry-mirrors"] = _unique(mirrors)
        if runtime_path:
            data["runtimes"] = {RUNTIME: {"path": runtime_path, "runtimeArgs": []}}
        if default_runtime:
            data["default-runtime"] = default_runtime
        return _render(data, _Style(), "") + "\n"

    assert text is not None             # a root was parsed from it
    bom = BOM if text.startswith(BOM) else ""
    ed = _Editor(body, _detect_style(body, root))
    new_top: Dict[str, Any] = {}

    if mirrors or drop_mirrors:
        _merge_mirrors(ed, root, mirrors, drop_mirrors, new_top)

    _merge_runtime(ed, root, runtime_path, new_top)

    if default_runtime:
        d = root.member("default-runtime")
        if d is None:
            new_top["default-runtime"] = default_runtime
        elif d.value.value != default_runtime:
            ed.set_value(d, default_runtime)

    ed.append_members(root, new_top)
    return bom + ed.result()


def _merge_mirrors(ed: _Editor, root: _Node, mirrors: Sequence[str], drop_mirrors: Sequence[str],
                   new_top: Dict[str, Any]) -> None:
    """registry-mirrors: `drop_mirrors` out, missing `mirrors` in (see merge)."""
    m = root.member("registry-mirrors")
    drop = {mirror_key(u) for u in drop_mirrors}
    items = (m.value.items or []) if m is not None and m.value.kind == "array" else []
    if m is None:
        if mirrors:
            new_top["registry-mirrors"] = _unique(mirrors)
    elif any(i.kind == "string" and mirror_key(i.value) in drop for i in items) or \
            mirrors and any(i.kind != "string" for i in items):    # dockerd refuses those: out
        kept = [i.value for i in items if i.kind == "string" and mirror_key(i.value) not in drop]
        ed.set_value(m, _unique(kept + list(mirrors)))
    elif m.value.kind == "array":
        have = {mirror_key(i.value) for i in m.value.items or () if i.kind == "string"}
        ed.append_items(m.value, [u for u in _unique(mirrors) if mirror_key(u) not in have])
    elif mirrors:   # not a list (dockerd would not start with it): replace, keeping a string
        old = [m.value.value] if m.value.kind == "string" else []
        ed.set_value(m, _unique(list(old) + list(mirrors)))


def _merge_runtime(ed: _Editor, root: _Node, runtime_path: Optional[str],
                   new_top: Dict[str, Any]) -> None:
    """runtimes.nvidia with `runtime_path` (see merge); Refused for `runtimes` not an object."""
    runtimes = root.member("runtimes")
    if runtimes is not None and runtimes.value.kind != "object":
        raise Refused(_('"runtimes" in daemon.json is not a JSON object; dockerd cannot use it '
                        "and dldoctor will not guess what was meant"))
    if not runtime_path:
        return
    if runtimes is None:
        new_top["runtimes"] = {RUNTIME: {"path": runtime_path, "runtimeArgs": []}}
    else:
        nv = runtimes.value.member(RUNTIME)
        if nv is None:
            ed.append_members(runtimes.value,
                              {RUNTIME: {"path": runtime_path, "runtimeArgs": []}})
        elif nv.value.kind != "object":
            ed.set_value(nv, {"path": runtime_path, "runtimeArgs": []})
        elif nv.value.member("runtimeType") is None:
            # Written as dockerd reads it: `args` (what nvidia-ctk writes; dockerd ignores
            # it) becomes `runtimeArgs`, or goes when `runtimeArgs` is there already.
            args = nv.value.member("args")
            if args is not None:
                if nv.value.member("runtimeArgs") is None:
                    ed.rename_key(args, "runtimeArgs")
                else:
                    ed.remove_member(nv.value, args)
            add: Dict[str, Any] = {}
            path = nv.value.member("path")
            if path is None:
                add["path"] = runtime_path
            elif path.value.value != runtime_path:
                ed.set_value(path, runtime_path)
            if nv.value.member("runtimeArgs") is None and nv.value.member("args") is None:
                add["runtimeArgs"] = []
            ed.append_members(nv.value, add)
        # A shim runtime (runtimeType + options) is left as it is: path would conflict.


def _written_out(before: Any, after: Any) -> List[str]:
    """Why entries are missing from a rewritten registry-mirrors list besides the dropped mirrors
    (said with their reasons): it keeps one spelling of each mirror, and only strings, which is all
    dockerd reads there."""
    old = before.get("registry-mirrors") if isinstance(before, dict) else None
    if not isinstance(old, list):
        return []
    written = {mirror_key(u) for u in after.get("registry-mirrors") or () if isinstance(u, str)}
    first: Dict[str, str] = {}
    out = []
    for u in old:
        if not isinstance(u, str):
            shown = json.dumps(u)
            out.append(_("registry-mirrors entry {value} is removed: it is not a URL string, "
                         "which dockerd cannot read").format(
                             value=shown if len(shown) <= 40 else shown[:37] + "..."))
        elif mirror_key(u) in first and mirror_key(u) in written:
            out.append(_("registry mirror {url} is removed: it is {first} written again").format(
                url=u, first=first[mirror_key(u)]))
        else:
            first.setdefault(mirror_key(u), u)
    return out


def _unique(urls: Iterable[str]) -> List[str]:
    seen: Set[str] = set()
    out = []
    for u in urls:
        k = mirror_key(u)
        if k not in seen:
            seen.add(k)
            out.append(u)
    return out


# =============================================================================================
# What a change means for dockerd
# =============================================================================================


def changed_keys(before: Dict[str, Any], after: Dict[str, Any]) -> List[str]:
    """Top-level keys added, removed or changed, in `after`'s order then removed ones."""
    keys = [k for k in after if k not in before or before[k] != after[k]]
    return keys + [k for k in before if k not in after]


def needs_restart(keys: Iterable[str]) -> bool:
    """True when a reload (SIGHUP) cannot apply a change to these keys."""
    return any(k not in RELOADABLE for k in keys)


def flag_conflicts(data: Dict[str, Any], flags: Dict[str, Sequence[str]],
                   version: Optional[Sequence[int]] = None) -> List[Tuple[str, Any, Any]]:
    """(key, flag values, file value) for each directive set both in `data` and as a dockerd flag
    (`flags` by long flag name, DockerdFlags.names). dockerd refuses to start, and to reload, with
    any of them. The judge's answer (daemon_judge.conflicts), the one `check` gives too."""
    from dldoctor.daemon_judge import conflicts

    return conflicts(data, flags, version)


def verify(docker_info: Fact[DockerInfo], after_text: str) -> List[str]:
    """What `docker info` does not yet show of daemon.json `after_text` (empty: all live)."""
    problems: List[str] = []
    if not known(docker_info) or not getattr(docker_info, "has_server", False):
        return [_("Docker does not answer `docker info`")]
    try:
        data = parse(after_text)
    except ParseError:
        return []
    live = {mirror_key(u) for u in getattr(docker_info, "registry_mirrors", ()) or ()}
    for url in data.get("registry-mirrors") or ():
        if isinstance(url, str) and mirror_key(url) not in live:
            problems.append(_("registry mirror {url} is not live").format(url=url))
    runtimes = set(getattr(docker_info, "runtimes", ()) or ())
    for name in data.get("runtimes") or {}:
        if name not in runtimes:
            problems.append(_("runtime {name} is not live").format(name=name))
    want = data.get("default-runtime")
    have = getattr(docker_info, "default_runtime", None)
    if want and have and want != have:
        problems.append(_("the default runtime is {have}, not {want}").format(have=have, want=want))
    return problems


# =============================================================================================
# The step
# =============================================================================================


def _server_version(facts: Facts) -> Optional[str]:
    version, info = facts.docker_version, facts.docker_info
    if known(version) and version.server_version:
        return version.server_version
    if known(info) and info.server_version:
        return info.server_version
    return None


def _raw_json(facts: Facts, name: str) -> Dict[str, Any]:
    """The JSON object of evidence `name` (`docker info --format '{{json .}}'`), {} if none."""
    try:
        found = first_json_object(facts.text(name) or "")
    except ParseError:
        return {}
    return found[0] if found else {}


def _current_text(facts: Facts) -> Tuple[bool, Optional[str]]:
    """(exists, text) of daemon.json, or Refused when it could not be read."""
    ev = facts.raw.get("daemon.json")
    if facts.daemon_json is None and (ev is None or not ev.text):
        return False, None
    if isinstance(facts.daemon_json, Unknown) and facts.daemon_json.evidence == CUT_SHORT:
        ev = None       # not read whole: a merge, or --force, would lose its end
    if ev is not None and ev.text is not None:
        if ev.text == "" and ev.exit not in (None, 0):
            return False, None          # LiveHost: a missing file is "" with exit 1, like `cat`
        return True, ev.text
    reason = facts.daemon_json.reason if isinstance(facts.daemon_json, Unknown) else ""
    raise Refused(_("cannot read {path}: {reason}").format(path=facts.daemon_json_path,
                                                            reason=reason or _("not collected")))


def _explain_conflicts(conflicts: List[Tuple[str, Any, Any]], path: str) -> str:
    lines = [_("{path} would set directives that dockerd is also given as flags; dockerd refuses "
               "to start or reload with them (\"the following directives are specified both as a "
               "flag and in the configuration file\"):").format(path=path)]
    for key, flag, value in conflicts:
        lines.append("  " + _("{key}: from flag {flag}, from file {value}").format(
            key=key, flag=list(flag), value=json.dumps(value)))
        if key == "hosts":
            lines.append("  " + _(
                "The docker.service unit starts dockerd with -H fd://. Either remove \"hosts\" "
                "from daemon.json, or give the unit a drop-in "
                "/etc/systemd/system/docker.service.d/override.conf with [Service], ExecStart= and "
                "ExecStart=/usr/bin/dockerd, then systemctl daemon-reload."))
    lines.append(_("Remove the key from daemon.json or the flag from how dockerd is started "
                   "(`systemctl cat docker` shows the unit and its drop-ins), then run fix again."))
    return "\n".join(lines)


class DaemonJsonStep:
    """Registry mirrors + the nvidia runtime in daemon.json; reload (or restart) dockerd.

    `prepare(host, facts, options)` is the I/O phase: it probes the registry mirrors (--mirror
    presets and --registry-mirror URLs, and those already in daemon.json unless --keep-mirrors,
    provision.mirrors) and returns a step bound to the result, whose `plan` drops the dead ones,
    keeps the restricted ones and writes the live ones fastest first. An unbound step (tests)
    writes `options.registry_mirrors` as given.
    """

    name = NAME
    supports_dry_run = True
    reversible = True

    def __init__(self, choice: Optional[MirrorChoice] = None):
        self.choice = choice

    def prepare(self, host: Host, facts: Facts, options: FixOptions) -> DaemonJsonStep:
        self._validate(options.registry_mirrors)
        keep = bool(getattr(options, "keep_mirrors", False))
        configured = _configured_mirrors(facts)
        if getattr(options, "no_probe", False) or \
                not options.registry_mirrors and not options.presets and (keep or not configured):
            return DaemonJsonStep()     # no choice: --registry-mirror as given, the file's kept
        timeout = getattr(options, "probe_timeout", 5.0)
        return DaemonJsonStep(choose_registry_mirrors(
            host, options.presets, options.registry_mirrors, timeout, configured=configured,
            keep=keep))

    @staticmethod
    def _validate(urls: Sequence[str]) -> None:
        for url in urls:
            why = validate_mirror_url(url)
            if why:
                hint = scheme_hint(url)
                raise UsageError("--registry-mirror: " + why + (
                    "\n" + _("did you mean {url}?").format(url=hint) if hint else ""))
            if placeholder(url):
                raise UsageError("--registry-mirror: " + _(
                    "{url} is a guide's placeholder, not a mirror: put your own address in its "
                    "place").format(url=url) + (_(" (Aliyun's accelerator address is on the Container "
                                                  "Registry console's image accelerator page)")
                                                if "aliyuncs.com" in url.lower() else ""))

    def _mirrors(self, options: FixOptions, notes: List[str], warnings: List[str],
                 configured: Sequence[str]) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
        """(mirrors to merge in, mirrors to drop): mirrors.plan_mirrors on the probe's choice."""
        if self.choice is None:
            self._validate(options.registry_mirrors)
            if getattr(options, "no_probe", False):
                return plan_unprobed(options.registry_mirrors, configured,
                                     bool(getattr(options, "keep_mirrors", False)),
                                     bool(options.presets), notes, warnings)
            return tuple(options.registry_mirrors), ()
        return plan_mirrors(self.choice, configured, bool(getattr(options, "keep_mirrors", False)),
                            notes, warnings)

    def plan(self, facts: Facts, options: FixOptions) -> Plan:
        path = facts.daemon_json_path or "/etc/docker/daemon.json"
        notes: List[str] = []
        warnings: List[str] = []
        mirrors, drop = self._mirrors(options, notes, warnings, _configured_mirrors(facts))

        runtime_path = None
        binaries = getattr(facts, "binaries", {}) or {}
        found = binaries.get("nvidia-container-runtime")
        if found:
            runtime_path = found
        elif "nvidia-container-runtime" in binaries and \
                "packages" in getattr(options, "running", ("packages",)):
            notes.append(_("nvidia-container-runtime is not installed: the nvidia runtime is left "
                           "out of daemon.json (the packages step installs the NVIDIA Container "
                           "Toolkit)."))
        elif "nvidia-container-runtime" in binaries:
            notes.append(_("nvidia-container-runtime is not installed: the nvidia runtime is left "
                           "out of daemon.json (the packages step, left out or blocked in this run, "
                           "installs the NVIDIA Container Toolkit)."))

        exists, text = _current_text(facts)
        forced = False
        try:
            before_data = parse(text) if text is not None else {}
        except ParseError as exc:
            if not options.force:
                raise Refused(_("{path} is not valid JSON: {error}. dldoctor does not edit an "
                                "invalid daemon.json blind; correct it, or run fix with --force "
                                "to replace it (the old file is backed up).").format(
                                    path=path, error=str(exc)),
                              unblock=_("correct the file, or --force to replace it"))
            forced = True
            before_data = None
            notes.append(_("{path} is not valid JSON ({error}); --force replaces it with a new "
                           "file. The old content is kept in the journal backup "
                           "(dldoctor undo restores it).").format(path=path, error=str(exc)))

        default_runtime = options.default_runtime
        after_text = merge(None if forced else text, mirrors, runtime_path, default_runtime,
                           drop_mirrors=() if forced else drop)
        after_data = parse(after_text)
        if not forced:
            warnings.extend(_written_out(before_data, after_data))
        if default_runtime and default_runtime not in _BUILTIN_RUNTIMES and \
                default_runtime not in (after_data.get("runtimes") or {}):
            why = _(" (nvidia-container-runtime is not installed)") if default_runtime == RUNTIME \
                else ""
            raise Refused(_("--default-runtime {name}: daemon.json has no runtime of that name"
                            "{why}, so dockerd would not start.").format(name=default_runtime,
                                                                         why=why))

        self._judge(facts, after_text, path, warnings)

        changes: List[Any] = []
        file_changes = forced or text != after_text
        if not exists and not after_data:
            file_changes = False        # nothing to add: no file is better than "{}"
        if file_changes:
            version = _server_version(facts)
            dockerd = binaries.get("dockerd")
            validate = None
            if dockerd and version_tuple(version) >= (23,):
                validate = (dockerd, "--validate", "--config-file", "{path}")
            changes.append(FileWrite(
                path=path, before=text.encode("utf-8") if exists and text is not None else None,
                after=after_text.encode("utf-8"), mode=None, validate=validate))

        info = facts.docker_info
        running = bool(known(info) and getattr(info, "has_server", False))
        err, timed_out = server_error(facts)
        hung = not running and timed_out and not err     # connected, and no answer (as check says)
        if hung:
            # Running, so "it takes effect when Docker starts" is not true: only a restart unsticks
            # it and loads the new file.
            action: Optional[DaemonAction] = DaemonAction("restart", _(
                "the Docker daemon does not respond (a hung dockerd or socket); only a restart "
                "loads the new daemon.json")) if file_changes else None
        else:
            action = self._daemon_action(facts, options, before_data, after_data, after_text,
                                         file_changes, forced, running, warnings)
        if action is not None:
            changes.append(action)

        flags = facts.dockerd_flags
        if known(flags):
            conflicts = flag_conflicts(after_data, getattr(flags, "names", {}) or {},
                                       dockerd_version(facts)[0] or None)
            if conflicts and changes:
                raise Refused(_explain_conflicts(conflicts, path))
        elif changes and hung:
            notes.append(_("dockerd's command line is unknown (the Docker daemon does not "
                           "respond): flag conflicts could not be checked."))
        elif changes and running:
            notes.append(_("dockerd's command line is unknown (Docker answers, but no dockerd "
                           "process of this host was found): flag conflicts could not be "
                           "checked."))
        elif changes:
            notes.append(_("dockerd's command line is unknown (Docker is not running?): flag "
                           "conflicts could not be checked."))
        if file_changes and not running and not hung:
            notes.append(_("Docker is not running: the new daemon.json takes effect when Docker "
                           "starts."))
        if file_changes:
            warnings.extend(self._rootless(facts, path))
        return Plan(step=NAME, changes=tuple(changes), notes=tuple(notes),
                    warnings=tuple(warnings))

    @staticmethod
    def _rootless(facts: Facts, path: str) -> List[str]:
        """docker talks to a rootless daemon (DOCKER_HOST at /run/user/UID/docker.sock, or the daemon
        says so): that daemon reads its user's ~/.config/docker/daemon.json, never `path`."""
        host = env_var(facts, "DOCKER_HOST") or ""
        uid = rootless_uid(host) if host.startswith("unix://") else None
        if uid is not None:
            return [_("DOCKER_HOST={host} points docker at a rootless daemon (uid {uid}), which never "
                      "reads {path}: it reads ~/.config/docker/daemon.json of the user who runs it. "
                      "This step configures the system Docker only.").format(
                          host=host, uid=uid, path=path)]
        info = facts.docker_info
        if known(info) and getattr(info, "is_rootless", False):
            return [_("The Docker daemon docker talks to is rootless: it never reads {path}, but "
                      "~/.config/docker/daemon.json of the user who runs it. This step configures the "
                      "system Docker only.").format(path=path)]
        return []

    @staticmethod
    def _judge(facts: Facts, after_text: str, path: str, warnings: List[str]) -> None:
        """What dockerd would still refuse in the file fix writes (parts fix does not own)."""
        for v in judge_facts(facts, after_text).verdicts:
            if v.severity != REFUSE or v.rule in ("flag-conflict", "unknown-flag"):
                continue
            if v.rule == "default-runtime":
                name = json.dumps(parse(after_text).get("default-runtime"))
                warnings.append(_("{path} names the default runtime {name}, which no \"runtimes\" "
                                  "entry defines, so dockerd refuses to start. Fix: dldoctor fix "
                                  "--default-runtime nvidia (with the NVIDIA Container Toolkit "
                                  "installed), or remove \"default-runtime\" from {path}.").format(
                                      path=path, name=name))
            else:
                said = _("dockerd will still refuse {path}, for a setting fix does not "
                         "manage: {message}").format(path=path, message=v.message)
                if said not in warnings:    # one message can cover several keys' verdicts
                    warnings.append(said)

    def _daemon_action(self, facts: Facts, options: FixOptions, before: Optional[Dict[str, Any]],
                       after: Dict[str, Any], after_text: str, file_changes: bool, forced: bool,
                       running: bool, warnings: List[str]) -> Optional[DaemonAction]:
        if not running:
            return None             # the note says it takes effect when Docker starts
        if hook_newer_than_daemon(facts):
            why = _("the NVIDIA hook was installed after dockerd started, and dockerd registers the "
                    "--gpus device driver only at start-up (running containers stop)")
            if options.allow_restart:
                return DaemonAction("restart", why)
            warnings.append(_("The NVIDIA hook was installed after dockerd started, so `--gpus` fails "
                              "until Docker restarts. Run fix --restart (or sudo systemctl restart "
                              "docker); running containers stop."))
        pending = self._pending_restart(facts, after)
        if pending:
            what = _("; ").join(_("{key} is {file} in daemon.json but dockerd runs with {live}").format(
                key=k, file=json.dumps(f), live=json.dumps(l)) for k, f, l in pending)
            if options.allow_restart:
                return DaemonAction("restart", _("{what}: only a restart applies that "
                                                 "(running containers stop)").format(what=what))
            warnings.append(_("{what}. Only a restart applies that; fix reloads instead (running "
                              "containers keep running). Run fix --restart to restart Docker "
                              "(running containers stop).").format(what=what))
        if forced:
            return DaemonAction("restart", _("the previous daemon.json could not be read, so a "
                                             "reload cannot be trusted to apply the new one "
                                             "(running containers stop)"))
        if file_changes:
            keys = changed_keys(before or {}, after)
            if needs_restart(keys):
                slow = [k for k in keys if k not in RELOADABLE]
                return DaemonAction("restart", _("{keys} changed and dockerd reads them only at "
                                                 "start (running containers stop)").format(
                                                     keys=", ".join(slow)))
            return DaemonAction("reload", _("{keys} changed; a reload applies them and running "
                                            "containers keep running").format(keys=", ".join(keys)))
        problems = verify(facts.docker_info, after_text)
        if problems:
            return DaemonAction("reload", _("daemon.json is already right but the running dockerd "
                                            "has not read it ({problems})").format(
                                                problems=_("; ").join(problems)))
        return None

    @staticmethod
    def _pending_restart(facts: Facts, after: Dict[str, Any]) -> List[Tuple[str, Any, Any]]:
        """Non-reloadable settings in daemon.json that the running dockerd does not have."""
        info = _raw_json(facts, "docker-info.json")
        out = []
        for key, info_key in _LIVE_SETTINGS:
            want, live = after.get(key), info.get(info_key)
            if not isinstance(want, str) or not isinstance(live, str) or not live:
                continue
            if key == "data-root":
                same = os.path.normpath(want) == os.path.normpath(live)
            else:
                same = want == live
            if not same:
                out.append((key, want, live))
        return out

    def verify(self, docker_info: Any, change: FileWrite) -> List[str]:
        return verify(docker_info, change.after.decode("utf-8", "replace"))


name = NAME
step = DaemonJsonStep()
