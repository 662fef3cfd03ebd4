"""/etc/docker/daemon.json as the host's dockerd reads it: syntax (with the error position), then
dockerd's own rules for its release (dldoctor.daemon_judge): keys, flag conflicts, types, values,
runtimes. A key dockerd accepts but never reads (`registry-mirror`) is a warning naming the key it
would have read."""
from __future__ import annotations


from dldoctor.checks import ok, problem, skip
from dldoctor.derived import dockerd_version, judge_facts, runtime_entries
from dldoctor.facts import A_DIRECTORY, Facts, Unknown
from dldoctor.i18n import _
from dldoctor.model import FAIL, WARN as WARN_STATUS, Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple

    from dldoctor.daemon_judge import Judgement

AREA = "daemon-json"
def _line_at(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _invalid_syntax(facts: Facts, path: str, dj: Unknown) -> List[Finding]:
    ev = ["%s: %s" % (path, dj.message if dj.message is not None else dj.reason)]
    if dj.line:
        bad = _line_at(facts.text("daemon.json") or "", dj.line)
        ev.append(_("line {l}, column {c}: {text}").format(l=dj.line, c=dj.column or "?",
                                                            text=bad.rstrip()))
    verdict = judge_facts(facts)
    if verdict.refuses:
        return [problem("daemon-json", AREA, "daemon-json.invalid",
                        _("{path} is not valid JSON: {err}. dockerd refuses to start with it.").format(
                            path=path, err=dj.reason), ev)]
    # dockerd before 23.0 reads with json.Decoder: the first JSON value only, the rest unread.
    syntax = [v for v in verdict.verdicts if v.rule == "syntax"]
    if syntax:
        detail = _("{path} is not valid JSON: {err}. dockerd {releases} refuses to start with it "
                   "(the Docker version here is unknown); dockerd 20.10 reads only the first JSON "
                   "object and ignores the rest.").format(path=path, err=dj.reason,
                                                           releases=", ".join(syntax[0].releases))
    else:
        detail = _("{path} is not valid JSON: {err}. {who} still starts: it reads only the first "
                   "JSON object and ignores everything after it, so those settings are not in "
                   "effect.").format(path=path, err=dj.reason, who=_who(dockerd_version(facts)[0]))
    return [problem("daemon-json", AREA, "daemon-json.invalid", detail, ev, status=WARN_STATUS)]


def _who(version: Tuple[int, ...]) -> str:
    if version:
        return "dockerd " + ".".join(str(x) for x in version)    # a name, not a sentence
    return "dockerd"


def check_daemon_json(facts: Facts) -> List[Finding]:
    dj, path = facts.daemon_json, facts.daemon_json_path
    if dj is None:
        return [ok("daemon-json", AREA, _("No {path}: dockerd runs on its defaults").format(path=path))]
    if isinstance(dj, Unknown):
        if dj.evidence == A_DIRECTORY:
            return [problem("daemon-json", AREA, "daemon-json.invalid", dj.reason, [path], fix=_(
                "Move the directory away (sudo mv {path} {path}.dir; often left by a bind mount of "
                "a file that did not exist), then sudo dldoctor fix writes the file, or start "
                "Docker without one: sudo systemctl restart docker.").format(path=path))]
        if dj.evidence != "daemon.json":
            return [skip("daemon-json", AREA, dj.reason)]     # not collected, or too large
        return _invalid_syntax(facts, path, dj)
    from dldoctor.daemon_judge import IGNORED, REFUSE, WARN

    version, where = dockerd_version(facts)
    verdict = judge_facts(facts)
    who = _who(version)
    out: List[Finding] = []
    unknown = [v for v in verdict.verdicts if v.rule == "unknown-key"]
    if unknown:
        keys = ", ".join(v.key for v in unknown)
        hints = [_("; ").join(_("{key}: did you mean {real}?").format(key=v.key, real=v.read_as)
                           for v in unknown if v.read_as)]
        detail = _("{who} does not know the key(s) {keys} and refuses to start.").format(
            who=who, keys=keys)
        if unknown[0].severity == WARN:
            detail = _("dockerd {releases} does not know the key(s) {keys} and refuses to start "
                       "(the Docker version here is unknown).").format(
                           releases=", ".join(unknown[0].releases), keys=keys)
        if hints[0]:
            detail += " " + hints[0]
        out.append(problem("daemon-json", AREA, "daemon-json.unknown-key", detail,
                           ['"%s": ...' % v.key for v in unknown] + [unknown[0].message],
                           status=WARN_STATUS if unknown[0].severity == WARN else FAIL))
    for v in verdict.verdicts:
        if v.rule in ("unknown-key", "unknown-flag"):
            continue
        if v.severity == REFUSE and (v.rule == "mirrors" or v.rule == "default-runtime" and
                                     (verdict.data or {}).get("default-runtime") == "nvidia"):
            continue    # the registry-mirrors and nvidia-runtime checks own these (mirror.invalid,
            # runtime.not-registered) and say the same with their own fix
        if v.severity == IGNORED:
            if v.key == "registry-mirror" and not known_key(verdict, "registry-mirrors"):
                detail = _('No registry mirror is configured: dockerd accepts the key '
                           '"registry-mirror" but never reads it. Did you mean "registry-mirrors"?')
            elif v.read_as:
                detail = _('dockerd accepts the key "{key}" but never reads it: it reads "{real}". '
                           'Did you mean "{real}"?').format(key=v.key, real=v.read_as)
            else:
                detail = _('dockerd accepts the key "{key}" (a command-line flag) but never reads '
                           'it from daemon.json.').format(key=v.key)
            fix: Optional[str] = _('Rename "{key}" to "{real}" in {path}, then sudo systemctl reload docker.').format(
                key=v.key, real=v.read_as, path=path) if v.read_as else \
                _('Remove "{key}" from {path}.').format(key=v.key, path=path)
            out.append(problem("daemon-json", AREA, "daemon-json.unknown-key", detail,
                               ['"%s": ...' % v.key], fix=fix, status=WARN_STATUS))
            continue
        if v.severity == WARN:
            detail = _("dockerd {releases} refuses to start with {path} (the Docker version here "
                       "is unknown): {message}").format(releases=", ".join(v.releases), path=path,
                                                        message=v.message)
            status = WARN_STATUS
        else:
            detail = _("{who} refuses to start with {path}: {message}").format(
                who=who, path=path, message=v.message)
            status = FAIL
        ev = [v.message]
        if where:
            ev.append(_("Docker version {version} (from {source})").format(
                version=".".join(str(x) for x in version), source=where))
        fix = None
        if v.problem == "daemon-json.invalid" and v.rule != "syntax":
            fix = _("Correct the value in {path} (sudo dockerd --validate --config-file {path} "
                    "checks a file on Docker 23.0 and later), then sudo systemctl restart docker."
                    ).format(path=path)
        if v.rule == "default-runtime":
            fix = _('Define the runtime under "runtimes" in {path}, or remove "default-runtime" '
                    '(dldoctor fix --default-runtime nvidia adds the nvidia runtime it names).'
                    ).format(path=path)
        out.append(problem("daemon-json", AREA, v.problem, detail, ev, fix=fix, status=status))
    for name, entry in runtime_entries(facts).items():
        if "args" in entry and "runtimeArgs" not in entry:
            out.append(problem("daemon-json", AREA, "daemon-json.unknown-key",
                               _("Runtime {name} has `args` (as nvidia-ctk writes it); dockerd reads "
                                 "`runtimeArgs` and ignores `args`.").format(name=name),
                               ['"%s": {"args": %s}' % (name, entry.get("args"))], status=WARN_STATUS))
    if not out:
        out.append(ok("daemon-json", AREA, _("{path} is valid ({n} keys)").format(path=path, n=len(dj.data))))
    return out


def known_key(verdict: Judgement, key: str) -> bool:
    return isinstance(verdict.data, dict) and key in verdict.data


__all__ = ["check_daemon_json", "dockerd_version", "judge_facts", "runtime_entries"]
