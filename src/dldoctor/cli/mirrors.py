"""`dldoctor mirrors`: the presets for `fix --mirror NAME`, and whether their Docker Hub mirrors answer.

Wiring only: `collect(host, timeout)` builds the listing (presets from provision/mirrors.py, the
known Docker Hub mirrors with their honest status, and a probe of every one that is not known dead
or per-account), `render_*` prints it. `register(app)` adds the command to the CLI; imports are
deferred so `dldoctor --help` does not pay for them.
"""
from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from dldoctor.i18n import _

if TYPE_CHECKING:
    import typer

    from dldoctor.host import Host

SCHEMA = "dldoctor.mirrors/1"


def collect(host: Optional[Host], timeout: float = 5.0) -> Dict[str, Any]:
    """The listing as data (the --json output). host None: nothing is probed."""
    from dldoctor.provision import mirrors as m

    to_probe: List[str] = []
    for p in m.PRESETS:
        to_probe.extend(u for u in p.registry_mirrors if u not in to_probe)
    for k in m.KNOWN_REGISTRY_MIRRORS:
        if k.probeable and k.url not in to_probe:
            to_probe.append(k.url)
    probes: Dict[str, Any] = {}
    ranked: List[str] = []
    if host is not None and to_probe:
        found = m.probe(host, to_probe, timeout)
        probes = {pr.url: pr for pr in found}
        ranked = [pr.url for pr in found if pr.alive]

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
    # Ranked: the ones that answer (live fastest first, then restricted), then the rest in
    # catalog order, the closed ones last.
    order = {u: i for i, u in enumerate(ranked)}
    catalog = sorted(m.KNOWN_REGISTRY_MIRRORS, key=lambda k: (
        order.get(k.url, len(order)), k.status == "dead", m.KNOWN_REGISTRY_MIRRORS.index(k)))
    known = []
    for k in catalog:
        known.append({"url": k.url, "operator": k.operator, "status": k.status, "note": k.note,
                      "verified": k.verified, "source": k.source, "as_of": k.as_of,
                      "rank": order[k.url] + 1 if k.url in order else None,
                      "probe": probe_json(k.url) if k.probeable else None})
    return {
        "schema": SCHEMA,
        "probed": host is not None,
        "presets": presets,
        "registry_mirrors": known,
        "auto": [u for u in ranked if u in set(m.auto_candidates())][:m.AUTO_MAX],
        "offline_note": _offline_note(probes),
        "notes": [_(m.NOTE_DOCKER_HUB_ONLY)],
    }


def _offline_note(probes: Dict[str, Any]) -> Optional[str]:
    """Said first when no candidate answered at all: offline, every one reads "dead" (as in
    `check`, where Docker Hub tells; here no candidate answering is the sign)."""
    if not probes or any(pr.status is not None for pr in probes.values()):
        return None
    why = sorted({pr.reason for pr in probes.values()})[0]
    return _("no candidate answered ({why}): this host may have no network, and the DEAD states "
             "below say only that they did not answer here").format(why=why)


def _probe_cell(probe: Optional[Dict[str, object]], probed: bool) -> str:
    if probe is None:
        return _("not probed") if not probed else "-"
    from dldoctor.scrub import safe

    state = probe.get("state") or ("live" if probe.get("alive") else "dead")
    if state == "live":
        return _("alive {ms} ms").format(ms=probe.get("latency_ms"))
    if state == "restricted":
        return _("restricted ({ms} ms): {reason}").format(ms=probe.get("latency_ms"),
                                                        reason=safe(str(probe.get("reason"))))
    return _("dead: {reason}").format(reason=safe(str(probe.get("reason"))))


_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_TOKENS = re.compile(r"\s+|[%s]|[^\s%s]+" % (_WIDE, _WIDE))


def wrap(text: str, width: int) -> List[str]:
    """`text` in lines of at most `width` terminal cells, broken at spaces and between Chinese
    characters, never inside a word or a URL (one longer than the line stands alone)."""
    from rich.cells import cell_len

    lines: List[str] = []
    for para in text.split("\n"):
        line, pending = "", ""
        for tok in _TOKENS.findall(para):
            if tok.isspace():
                pending = " " if line else ""
                continue
            if line and cell_len(line + pending + tok) > width:
                lines.append(line)
                line, pending = "", ""
            line += pending + tok
            pending = ""
        lines.append(line)
    return lines


def _field(label: str, text: str, width: int, indent: int = 4, label_width: int = 16) -> List[str]:
    """`label  text`, the text wrapped (see wrap) beside the label."""
    from rich.cells import cell_len

    lead = " " * indent + label + " " * max(1, label_width - cell_len(label))
    body = max(20, width - cell_len(lead))
    rest = " " * cell_len(lead)
    return [(lead if i == 0 else rest) + l for i, l in enumerate(wrap(text, body))]


def render_lines(data: Dict[str, Any], width: int = 80) -> List[str]:
    """The listing as text lines at most `width` wide (URLs are never broken)."""
    from rich.cells import cell_len

    probed = bool(data.get("probed"))
    names = {"docker": _("docker-ce apt"), "nvidia": _("toolkit apt"), "hub": _("Docker Hub"),
             "probe": _("probe"), "status": _("status"), "operator": _("operator"),
             "source": _("source")}
    # one label column for both lists, three cells past the widest label (a CJK character is
    # two cells), and at least as wide as the English one
    lw = max([16] + [cell_len(v) + 3 for v in names.values()])
    out: List[str] = []
    if data.get("offline_note"):
        out.extend(wrap(_("Note: {note}").format(note=data["offline_note"]), width) + [""])
    out.extend([_("Mirror presets (dldoctor fix --mirror NAME)"), ""])
    for p in data["presets"]:
        docker = p["docker_apt_base"] + ("" if p["docker_apt_verified"] else _(" (unverified)"))
        if p["nvidia_apt_mirrored"]:
            nvidia = p["nvidia_apt_base"] + ("" if p["nvidia_apt_verified"] else _(" (unverified)"))
        else:
            nvidia = _("vendor (no mirror)")
        hub = "\n".join("%s %s" % (r["url"], _probe_cell(r["probe"], probed))
                        for r in p["registry_mirrors"])
        hub = (hub + "\n" if hub else "") + _(p["registry_note"])
        out.append("%s  %s" % (p["name"], _(p["title"])))
        out.extend(_field(names["docker"], docker, width, label_width=lw))
        out.extend(_field(names["nvidia"], nvidia, width, label_width=lw))
        out.extend(_field(names["hub"], hub, width, label_width=lw))
        out.append("")
    out.extend(wrap(_("Docker Hub mirror candidates, ranked (fix --mirror auto writes the live "
                      "ones, fastest first, at most {n})").format(n=3), width))
    out.append("")
    labels = {"public": _("public"), "restricted": _("restricted"),
              "per-account": _("per-account"), "unverified": _("unverified"), "dead": _("DEAD")}
    for r in data["registry_mirrors"]:
        rank = "%2d." % r["rank"] if r.get("rank") else " - "
        out.append("%s %s" % (rank, r["url"]))
        status = r["status"]
        if r["probe"] is None and status in ("dead", "per-account"):
            cell = _("not probed")
        else:
            cell = _probe_cell(r["probe"], probed)
        out.extend(_field(names["probe"], cell, width, label_width=lw))
        label = labels.get(status, status)
        if status != "unverified":
            label += " (%s)" % (_("verified") if r.get("verified") else _("unverified"))
        out.extend(_field(names["status"], "%s: %s" % (label, _(r["note"])), width,
                          label_width=lw))
        out.extend(_field(names["operator"], _(r["operator"]), width, label_width=lw))
        if r.get("source"):
            out.extend(_field(names["source"], "%s, %s" % (_(r["source"]), r.get("as_of") or "?"),
                              width, label_width=lw))
    if data.get("auto"):
        out.append("")
        out.extend(wrap(_("fix --mirror auto would write: {urls}").format(
            urls=" ".join(data["auto"])), width))
    for note in data.get("notes", ()):
        out.append("")
        out.extend(wrap(_("Note: {note}").format(note=note), width))
    return out


def render_human(data: Dict[str, Any], console: Optional[object] = None) -> None:
    from rich.console import Console

    con = console or Console()
    width = max(40, int(getattr(con, "width", 80) or 80))
    for line in render_lines(data, width):
        # What a remote server said is in the lines: no control character reaches the terminal.
        line = "".join(c if c.isprintable() else "\ufffd" for c in line)
        con.print(line, markup=False, highlight=False, soft_wrap=True)  # type: ignore[attr-defined]


def register(app: "typer.Typer") -> None:
    """Add `dldoctor mirrors` to the typer app."""
    import typer

    from dldoctor.cli.errors import guarded

    @app.command("mirrors", help=_('List the mirror presets for `fix --mirror` and the Docker Hub mirror candidates, probed and ranked.'))
    @guarded
    def mirrors(
        json_out: bool = typer.Option(False, "--json", help=_("Print the listing as JSON.")),
        probe: bool = typer.Option(True, "--probe/--no-probe",
                                   help=_("Probe the Docker Hub mirrors (GET /v2/ and one manifest) over the network.")),
        timeout: float = typer.Option(5.0, "--probe-timeout", metavar="SECONDS",
                                      help=_("Seconds to wait for each mirror's answer.")),
    ) -> None:
        from dldoctor.cli.options import require_seconds

        require_seconds("--probe-timeout", timeout)
        host = None
        if probe:
            from dldoctor.host.live import LiveHost

            host = LiveHost(root="/")
        data = collect(host, timeout)
        if json_out:
            from dldoctor.render.json import dumps

            sys.stdout.write(dumps(data) + "\n")
        else:
            render_human(data)
