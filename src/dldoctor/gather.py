"""Build Facts from a host: collect evidence (concurrently on a live host), parse each piece.

A parse failure becomes Unknown(reason with position), so the check that needs it says it could
not tell. Evidence a person pasted into `notes` is mined for the facts it carries (a
/proc/driver/nvidia/version line, `nvidia-container-cli -V`, dpkg lines) — reports are thin.
"""
from __future__ import annotations

import importlib
import re

from dldoctor.derived import configured_mirrors, runtime_entries
from dldoctor.errors import ParseError
from dldoctor.evidence import APT_SOURCES_DIR, LIVE_NAMES
from dldoctor.facts import A_DIRECTORY, CUT_SHORT, Facts, Unknown, known
from dldoctor.host import IS_A_DIRECTORY, Evidence, Host
from dldoctor.host.paths import READ_LIMIT
from dldoctor.i18n import _
from dldoctor.mirror_urls import normalize_mirror_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

    from dldoctor.host.live import LiveHost

# Snapshot-only names (pasted by people, or recorded by other tools).
EXTRA_NAMES = ("docker-info", "docker-version", "lsb-release", "apt-update", "command", "error",
               "notes", "dmesg", "paths", "mirror-probe")
# Evidence derived from other evidence (what to stat, what to probe), recorded for replay.
DERIVED = ("paths", "mirror-probe")
HUB = "https://registry-1.docker.io"
# Where Docker Hub is, for the probe: DLDOCTOR_HUB_URL points it elsewhere (an air-gapped test
# bench, or a site whose Hub traffic goes through a known gateway).
HUB_ENV = "DLDOCTOR_HUB_URL"

# fact field -> (evidence names in order of preference, "module:function")
PARSERS: Dict[str, Tuple[Tuple[str, ...], str]] = {
    "os": (("os-release", "lsb-release"), ""),
    "kernel": (("proc-version", "uname-r"), "proc_version:parse_proc_version"),
    "pci": (("lspci",), "lspci:parse_lspci"),
    "modules": (("lsmod",), "lsmod:parse_lsmod"),
    "nvidia_smi": (("nvidia-smi",), "nvidia_smi:parse_nvidia_smi"),
    "kernel_module": (("proc-driver-nvidia-version",), "proc_driver_nvidia_version:parse_proc_driver_nvidia_version"),
    "docker_version": (("docker-version.json", "docker-version"), "docker_version:parse_docker_version"),
    "docker_info": (("docker-info.json", "docker-info"), "docker_info:parse_docker_info"),
    "dockerd_flags": (("dockerd-cmdline",), "dockerd_cmdline:parse_dockerd_cmdline"),
    "identity": (("id",), "id_group:parse_id"),
    "group_db": (("group",), "id_group:parse_group"),
    "packages": (("packages",), "dpkg:parse_dpkg"),
    "nvccli": (("nvidia-container-cli-info",), "nvidia_container_cli:parse_nvidia_container_cli_info"),
    "ctk_version": (("nvidia-ctk-version",), "toolkit_version:parse_tool_version"),
    "toolkit_config": (("nvidia-container-runtime-config.toml",), "toolkit_config:parse_toolkit_config"),
    "cgroup": (("cgroup",), "cgroup:parse_cgroup"),
    "apt_update": (("apt-update",), "apt_sources:parse_apt_update"),
}


def _parser(spec: str) -> Callable[[str], object]:
    mod, fn = spec.split(":")
    return getattr(importlib.import_module("dldoctor.parse." + mod), fn)


def _unparsed(ev: Evidence, exc: ParseError) -> Unknown:
    return Unknown(_("could not parse {name}: {err}").format(name=ev.name, err=exc), ev.name,
                   exc.message, exc.line, exc.col)


def _parse(spec: str, ev: Evidence) -> Any:
    try:
        return _parser(spec)(ev.text or "")
    except ParseError as exc:
        return _unparsed(ev, exc)
    except Exception as exc:  # a parser bug must not hide every other fact
        return Unknown(_("could not parse {name}: internal error {err!r}").format(
            name=ev.name, err=exc), ev.name)


def _not_collected(names: Tuple[str, ...]) -> Unknown:
    return Unknown(_("not collected ({names})").format(names=", ".join(names)))


def collect(host: Host, extra: Optional[Dict[str, str]] = None, probe_mirrors: bool = False,
            names: Sequence[str] = LIVE_NAMES) -> Facts:
    """All facts about `host`. `extra` adds symptom texts (command/error/notes) from the user;
    `names` is what a live host is asked for (a snapshot is read whole)."""
    names = tuple(names) + (() if host.is_live else EXTRA_NAMES + ("docker-version.json",))
    raw: Dict[str, Evidence] = dict(host.gather(names))
    raw.update(host.evidence_group(APT_SOURCES_DIR))
    for key, text in (extra or {}).items():
        if text:
            raw[key] = Evidence(key, text, source="user")
    facts = Facts(raw=raw, root=getattr(host, "root", "/"))

    for field, (evnames, spec) in PARSERS.items():
        present = [raw[n] for n in evnames if n in raw and raw[n].collected
                   and not (field == "os" and raw[n].missing)]
        if not present:
            setattr(facts, field, _not_collected(evnames))
            continue
        ev = present[0]
        if field == "os":
            setattr(facts, field, _parse_os(ev))
        elif ev.not_found and field in ("nvidia_smi",):
            setattr(facts, field, _parse(spec, Evidence(ev.name, (ev.text or "") or "nvidia-smi: command not found", ev.exit)))
        elif field == "packages" and ev.exit in (None, 0) and not (ev.text or "").strip():
            from dldoctor.parse.dpkg import Packages

            facts.packages = Packages(packages={})  # dpkg knows none of the packages asked about
        elif ev.not_found or ev.timed_out:
            # the reason is one line: "lspci: command not found\n" less the line break that ends it
            setattr(facts, field, Unknown((ev.text or "").strip() or _("command not found"), ev.name))
        else:
            setattr(facts, field, _parse(spec, ev))

    group = raw.get("group")
    if group is not None and _cut_short(group):
        # a docker line past the bound would read as no docker group, and fix would add one
        facts.group_db = Unknown(_("{path} is larger than {n} MiB: not read whole").format(
            path="/etc/group", n=READ_LIMIT >> 20), CUT_SHORT)
    _daemon_json(facts, raw)
    _apt_sources(facts, raw)
    _which(facts, raw)
    facts.systemd = _yes(raw.get("systemd"))
    _gpu_hook(facts, raw.get("gpu-hook"))
    rr = raw.get("reboot-required")
    facts.reboot_required = None if rr is None or not host.is_live and not rr.collected else rr.collected
    env = _env(raw.get("env"))
    facts.sudo_user = env.get("SUDO_USER") or host.getenv("SUDO_USER")
    facts.command = _text(raw.get("command"))
    facts.error = _text(raw.get("error"))
    facts.notes = _text(raw.get("notes"))
    _mine_notes(facts)
    if host.is_live:
        _live_paths(host, facts)  # type: ignore[arg-type]  # is_live: the machine (or its --root)
        if probe_mirrors:
            _probe_mirrors(host, facts)
    _read_paths(facts)
    return facts


def _wanted_paths(facts: Facts) -> Tuple[str, ...]:
    """Target paths whose existence the checks weigh: runtime programs, apt keys, ldconfig."""
    out = []
    for entry in runtime_entries(facts).values():
        path = entry.get("path")
        if isinstance(path, str) and path.startswith("/"):
            out.append(path)
    if known(facts.apt_sources):
        out.extend(e.signed_by for e in facts.apt_sources.entries
                   if e.signed_by and e.signed_by.startswith("/"))
    if known(facts.toolkit_config) and facts.toolkit_config.ldconfig:
        out.append(facts.toolkit_config.ldconfig.lstrip("@"))
    return tuple(dict.fromkeys(out))


def _live_paths(host: LiveHost, facts: Facts) -> None:
    lines = []
    for path in _wanted_paths(facts):
        exists = host.exists(host.target_path(path))
        lines.append("%s\t%s" % (path, "yes" if exists else "no"))
    facts.raw["paths"] = Evidence("paths", "".join(l + "\n" for l in lines), source="stat")


def _read_paths(facts: Facts) -> None:
    ev = facts.raw.get("paths")
    for line in (ev.text or "").splitlines() if ev else ():
        if "\t" in line:
            path, state = line.rsplit("\t", 1)
            facts.paths[path] = state.strip() == "yes"


def _probe_mirrors(host: Host, facts: Facts) -> None:
    """GET /v2/ of each configured mirror (and Docker Hub beside them), concurrently, bounded."""
    from dldoctor.mirror_probe import MAX_CHECKED_MIRRORS, probe

    mirrors = [m for m in configured_mirrors(facts)]
    if not mirrors:
        return
    import threading

    timeout = min(5.0, getattr(host, "timeout", 5.0))
    hub = normalize_mirror_url(host.getenv(HUB_ENV) or HUB)
    # Docker Hub: /v2/ only (its manifests need a token); the mirrors: /v2/ and a manifest.
    hub_result: List[Any] = []
    hub_thread = threading.Thread(target=lambda: hub_result.extend(
        probe(host, [hub], timeout=timeout, manifest=False)), daemon=True)
    hub_thread.start()
    results = probe(host, [m for m in mirrors if normalize_mirror_url(m) != hub][:MAX_CHECKED_MIRRORS],
                    timeout=timeout)
    hub_thread.join()
    lines = []
    for p in results + hub_result:
        state = {"live": "alive"}.get(p.state, p.state)      # alive | restricted | dead
        ms = " (%d ms)" % int(p.latency * 1000) if p.latency is not None else ""
        # English whatever the user's language: evidence is read back by anyone (mirror_probe.shown)
        why = ("HTTP %s%s" % (p.status, ms)) if p.state == "live" else (p.reason_en or p.reason) + ms
        role = "hub" if normalize_mirror_url(p.url) == hub else "mirror"
        lines.append("%s\t%s\t%s\t%s" % (p.url, state, why, role))
    facts.raw["mirror-probe"] = Evidence("mirror-probe", "".join(l + "\n" for l in lines),
                                         source="GET <mirror>/v2/ and a manifest")


def _gpu_hook(facts: Facts, ev: Optional[Evidence]) -> None:
    for line in (ev.text or "").splitlines() if ev else ():
        key, _sep, value = line.partition(":")
        parts = value.split()
        try:
            if key == "dockerd-started" and parts:
                facts.dockerd_started = float(parts[0])
            elif key == "hook" and len(parts) >= 2:
                facts.binaries.setdefault("nvidia-container-runtime-hook", parts[0])
                facts.hook_installed = float(parts[-1])
        except ValueError:
            continue


def _text(ev: Optional[Evidence]) -> Optional[str]:
    return ev.text if ev is not None and ev.text else None


def _yes(ev: Optional[Evidence]) -> Optional[bool]:
    if ev is None or ev.text is None:
        return None
    return ev.text.strip().lower() in ("yes", "true", "1")


def _env(ev: Optional[Evidence]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for line in (ev.text or "").splitlines() if ev else ():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def _parse_os(ev: Evidence) -> object:
    from dldoctor.parse import os_release

    fn = os_release.parse_os_release if ev.name == "os-release" else os_release.parse_lsb_release
    try:
        return fn(ev.text or "")
    except ParseError as exc:
        if ev.name == "os-release":
            try:
                return os_release.parse_lsb_release(ev.text or "")
            except ParseError:
                pass
        return _unparsed(ev, exc)


def _cut_short(ev: Evidence) -> bool:
    """A file read up to the bound, and cut there (live and snapshot reads stop at READ_LIMIT)."""
    return len((ev.text or "").encode("utf-8", "replace")) >= READ_LIMIT - 3


def _daemon_json(facts: Facts, raw: Dict[str, Evidence]) -> None:
    ev = raw.get("daemon.json")
    if ev is not None and ev.source and ev.source.startswith("/"):
        facts.daemon_json_path = ev.source      # named even when unread (the snap's, a link out)
    if ev is not None and not ev.collected and ev.exit == IS_A_DIRECTORY:
        facts.daemon_json = Unknown(_("{path} is a directory, not a file: dockerd cannot read it "
                                      "and does not start").format(path=facts.daemon_json_path),
                                    A_DIRECTORY)
        return
    if ev is None or not ev.collected:
        facts.daemon_json = Unknown(_("daemon.json not collected"))
        return
    if ev.exit not in (None, 0) and not (ev.text or "").strip():
        facts.daemon_json = None  # the file does not exist: dockerd runs on defaults
        return
    from dldoctor.parse.daemon_json import parse_daemon_json

    try:
        facts.daemon_json = parse_daemon_json(ev.text or "")
    except ParseError as exc:
        if _cut_short(ev):
            # read up to the bound and cut there: the cut, not the file, ends mid-value
            facts.daemon_json = Unknown(_("daemon.json is larger than {n} MiB: not read whole, "
                                          "so not judged").format(n=READ_LIMIT >> 20), CUT_SHORT)
            return
        facts.daemon_json = Unknown(str(exc), "daemon.json", exc.message, exc.line, exc.col)


def _apt_sources(facts: Facts, raw: Dict[str, Evidence]) -> None:
    files = {n.split("/", 1)[1]: ev.text for n, ev in raw.items()
             if n.startswith(APT_SOURCES_DIR + "/") and ev.text is not None}
    if not files:
        facts.apt_sources = _not_collected((APT_SOURCES_DIR + "/",))
        return
    from dldoctor.parse.apt_sources import parse_apt_sources

    from dldoctor.host.paths import APT_SOURCES_MAX_BYTES, APT_SOURCES_MAX_FILES
    from dldoctor.records import replace

    try:
        facts.apt_sources = parse_apt_sources(files)
        # The host reads sources.list and then sources.list.d to 256 files in all (255 when
        # there is no sources.list) or 8 MiB (a byte more per file): at the bound, a file past it
        # may hold what is missing here. A host just at the bound counts as cut (no absence is
        # claimed there); a decoded byte the reader replaced counts as three.
        size = sum(len(t.encode("utf-8", "replace")) + 1 for t in files.values())
        if len(files) >= APT_SOURCES_MAX_FILES - 1 or size >= APT_SOURCES_MAX_BYTES - 4:
            facts.apt_sources = replace(facts.apt_sources, cut=True)
    except ParseError as exc:
        facts.apt_sources = Unknown(str(exc), APT_SOURCES_DIR)


def _which(facts: Facts, raw: Dict[str, Evidence]) -> None:
    ev = raw.get("which")
    if ev is None or not ev.text:
        return
    for line in ev.text.splitlines():
        if ":" in line:
            name, path = line.split(":", 1)
            path = path.strip()
            facts.binaries[name.strip()] = None if path in ("-", "") else path


def _mine_notes(facts: Facts) -> None:
    """Facts a person pasted into notes/error where no evidence file holds them."""
    blob = "\n".join(t for t in (facts.notes, facts.error) if t)
    if not blob:
        return
    if isinstance(facts.kernel_module, Unknown):
        m = re.search(r"NVRM version:[^\n]*", blob)
        if m:
            facts.kernel_module = _parse(
                "proc_driver_nvidia_version:parse_proc_driver_nvidia_version", Evidence("notes", m.group(0)))
    if isinstance(facts.nvidia_smi, Unknown):
        m = re.search(r"(Failed to initialize NVML[^\n]*|NVIDIA-SMI has failed[^\n]*|\+-+\+\n\| NVIDIA-SMI[\s\S]*)", blob)
        if m:
            facts.nvidia_smi = _parse("nvidia_smi:parse_nvidia_smi", Evidence("notes", m.group(0)))
    if isinstance(facts.packages, Unknown):
        lines = [l for l in blob.splitlines() if re.match(r"^\s*(ii|rc|hi|iU)\s+\S+\s+\S+", l)]
        if lines:
            facts.packages = _parse("dpkg:parse_dpkg", Evidence("notes", "\n".join(lines)))
    m = re.search(r"cli-version:\s*([\d.]+)", blob)
    if m and "nvidia-container-cli" not in facts.binaries:
        facts.binaries["nvidia-container-cli"] = "(reported: version %s)" % m.group(1)
        facts.raw.setdefault("notes:nvidia-container-cli-version", Evidence("notes", m.group(0)))
