"""/etc/docker/daemon.json: valid JSON (with the error position), known keys, no key that dockerd
is also given as a flag (dockerd refuses to start on any of these)."""
from __future__ import annotations

from typing import Dict, List

from dldoctor.checks import ok, problem, skip
from dldoctor.facts import Facts, Unknown, known
from dldoctor.i18n import _
from dldoctor.model import WARN, Finding

AREA = "daemon-json"


def runtime_entries(facts: Facts) -> Dict[str, dict]:
    dj = facts.daemon_json
    if not known(dj):
        return {}
    rts = dj.data.get("runtimes")
    return {k: v for k, v in rts.items() if isinstance(v, dict)} if isinstance(rts, dict) else {}


def _line_at(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def check_daemon_json(facts: Facts) -> List[Finding]:
    dj, path = facts.daemon_json, facts.daemon_json_path
    if dj is None:
        return [ok("daemon-json", AREA, _("No {path}: dockerd runs on its defaults").format(path=path))]
    if isinstance(dj, Unknown):
        if dj.evidence != "daemon.json":
            return [skip("daemon-json", AREA, _("daemon.json not collected"))]
        err = facts.raw.get("daemon.json:error")
        pos = facts.raw.get("daemon.json:error-pos")
        line_no, col = ((pos.text or ":").split(":") + [""])[:2] if pos else ("", "")
        ev = ["%s: %s" % (path, err.text if err else dj.reason)]
        if line_no.isdigit():
            bad = _line_at(facts.text("daemon.json") or "", int(line_no))
            ev.append(_("line {l}, column {c}: {text}").format(l=line_no, c=col or "?", text=bad.rstrip()))
        return [problem("daemon-json", AREA, "daemon-json.invalid",
                        _("{path} is not valid JSON: {err}. dockerd refuses to start with it.").format(
                            path=path, err=dj.reason), ev)]
    from dldoctor.parse.daemon_json import KNOWN_KEYS

    out: List[Finding] = []
    unknown = [k for k in dj.data if k not in KNOWN_KEYS]
    if unknown:
        out.append(problem("daemon-json", AREA, "daemon-json.unknown-key",
                           _("dockerd does not know the key(s) {keys} and refuses to start.").format(
                               keys=", ".join(unknown)),
                           ['"%s": ...' % k for k in unknown]))
    for name, entry in runtime_entries(facts).items():
        if "args" in entry:
            out.append(problem("daemon-json", AREA, "daemon-json.unknown-key",
                               _("Runtime {name} has `args` (as nvidia-ctk writes it); dockerd reads "
                                 "`runtimeArgs` and ignores `args`.").format(name=name),
                               ['"%s": {"args": %s}' % (name, entry.get("args"))], status=WARN))
    flags = facts.dockerd_flags
    if known(flags):
        both = [k for k in dj.data if k in flags.flags and k != "config-file"]
        if both:
            out.append(problem("daemon-json", AREA, "daemon-json.flag-conflict",
                               _("{keys} set both in {path} and as dockerd flags; dockerd refuses to start "
                                 "(even with equal values).").format(keys=", ".join(both), path=path),
                               ["%s: %s (flag: %s)" % (k, dj.data[k], " ".join(flags.flags[k])) for k in both]))
    if not out:
        out.append(ok("daemon-json", AREA, _("{path} is valid ({n} keys)").format(path=path, n=len(dj.data))))
    return out
