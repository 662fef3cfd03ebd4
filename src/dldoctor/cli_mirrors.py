"""`dldoctor mirrors`: the presets for `fix --mirror NAME`, and whether their Docker Hub mirrors answer.

Wiring only: `collect(host, timeout)` builds the listing (presets from provision/mirrors.py, the
known Docker Hub mirrors with their honest status, and a probe of every one that is not known dead
or per-account), `render_*` prints it. `register(app)` adds the command to the CLI; imports are
deferred so `dldoctor --help` does not pay for them.
"""
from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Optional

from dldoctor.i18n import _

SCHEMA = "dldoctor.mirrors/1"


def collect(host: Optional[object], timeout: float = 5.0) -> Dict[str, Any]:
    """The listing as data (the --json output). host None: nothing is probed."""
    from dldoctor.provision import mirrors as m

    to_probe: List[str] = []
    for p in m.PRESETS:
        to_probe.extend(u for u in p.registry_mirrors if u not in to_probe)
    for k in m.KNOWN_REGISTRY_MIRRORS:
        if k.probeable and k.url not in to_probe:
            to_probe.append(k.url)
    probes = {}
    if host is not None and to_probe:
        probes = {pr.url: pr for pr in m.probe(host, to_probe, timeout)}

    def probe_json(url: str) -> Optional[Dict[str, object]]:
        pr = probes.get(m.normalize_mirror_url(url))
        return None if pr is None else pr.to_json()

    presets = []
    for p in m.PRESETS:
        presets.append({
            "name": p.name,
            "title": p.title,
            "docker_apt_base": p.docker_apt_base,
            "docker_apt_verified": p.docker_apt_verified,
            "nvidia_apt_base": p.nvidia_apt_base or m.NVIDIA_APT_VENDOR,
            "nvidia_apt_mirrored": p.nvidia_apt_base is not None,
            "nvidia_apt_verified": p.nvidia_apt_verified if p.nvidia_apt_base else True,
            "registry_mirrors": [{"url": u, "probe": probe_json(u)} for u in p.registry_mirrors],
            "registry_note": p.registry_note,
        })
    known = []
    for k in m.KNOWN_REGISTRY_MIRRORS:
        known.append({"url": k.url, "operator": k.operator, "status": k.status, "note": k.note,
                      "probe": probe_json(k.url) if k.probeable else None})
    return {
        "schema": SCHEMA,
        "probed": host is not None,
        "presets": presets,
        "registry_mirrors": known,
        "notes": [_(m.NOTE_DOCKER_HUB_ONLY)],
    }


def _probe_cell(probe: Optional[Dict[str, object]], probed: bool) -> str:
    if probe is None:
        return _("not probed") if not probed else "-"
    if probe.get("alive"):
        return _("[green]alive[/] {ms} ms").format(ms=probe.get("latency_ms"))
    return _("[red]dead[/]: {reason}").format(reason=probe.get("reason"))


def render_human(data: Dict[str, Any], console: Optional[object] = None) -> None:
    from rich.console import Console
    from rich.table import Table

    con = console or Console()
    probed = bool(data.get("probed"))
    t = Table(title=_("Mirror presets (dldoctor fix --mirror NAME)"), show_lines=False)
    t.add_column(_("preset"))
    t.add_column(_("docker-ce apt"), overflow="fold")
    t.add_column(_("toolkit apt"), overflow="fold")
    t.add_column(_("Docker Hub mirror"), overflow="fold")
    for p in data["presets"]:
        docker = p["docker_apt_base"] + ("" if p["docker_apt_verified"] else _(" (unverified)"))
        if p["nvidia_apt_mirrored"]:
            nvidia = p["nvidia_apt_base"] + ("" if p["nvidia_apt_verified"] else _(" (unverified)"))
        else:
            nvidia = _("vendor (no mirror)")
        if p["registry_mirrors"]:
            hub = "\n".join("%s: %s" % (r["url"], _probe_cell(r["probe"], probed))
                            for r in p["registry_mirrors"]) + "\n" + _(p["registry_note"])
        else:
            hub = _(p["registry_note"])
        t.add_row(p["name"], docker, nvidia, hub)
    con.print(t)  # type: ignore[attr-defined]
    k = Table(title=_("Known Docker Hub registry mirrors"))
    k.add_column(_("mirror"), overflow="fold")
    k.add_column(_("operator"))
    k.add_column(_("status"))
    k.add_column(_("probe"), overflow="fold")
    for r in data["registry_mirrors"]:
        status = r["status"]
        labels = {"public": _("public"), "restricted": _("restricted"),
                  "per-account": _("per-account"), "unverified": _("unverified")}
        shown = "[red]%s[/]" % _("DEAD") if status == "dead" else labels.get(status, status)
        if r["probe"] is None and status in ("dead", "per-account"):
            cell = "-"  # never probed: known dead, or a template URL
        else:
            cell = _probe_cell(r["probe"], probed)
        k.add_row(r["url"], _(r["operator"]), "%s: %s" % (shown, _(r["note"])), cell)
    con.print(k)  # type: ignore[attr-defined]
    for note in data.get("notes", ()):
        con.print(_("Note: {note}").format(note=note))  # type: ignore[attr-defined]


def register(app: Any) -> None:
    """Add `dldoctor mirrors` to the typer app."""
    import typer

    from dldoctor.cli import guarded
    from dldoctor.errors import UsageError

    @app.command("mirrors", help=_('List the mirror presets for `fix --mirror` and probe their Docker Hub mirrors.'))
    @guarded
    def mirrors(
        json_out: bool = typer.Option(False, "--json", help=_("Print the listing as JSON.")),
        probe: bool = typer.Option(True, "--probe/--no-probe",
                                   help=_("Probe the Docker Hub mirrors (GET /v2/) over the network.")),
        timeout: float = typer.Option(5.0, "--probe-timeout", metavar="SECONDS",
                                      help=_("Seconds to wait for each mirror's answer.")),
    ) -> None:
        if timeout <= 0:
            raise UsageError(_("--probe-timeout must be positive"))
        host = None
        if probe:
            from dldoctor.host.live import LiveHost

            host = LiveHost(root="/")
        data = collect(host, timeout)
        if json_out:
            sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        else:
            render_human(data)
