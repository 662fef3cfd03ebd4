"""Configured Docker Hub registry mirrors: syntax dockerd accepts, mirrors known to be closed,
and (on a live host) the probe result recorded as evidence."""
from __future__ import annotations


from dldoctor.checks import ok, problem, skip
from dldoctor.derived import configured_mirrors, dockerd_version
from dldoctor.facts import Facts, known
from dldoctor.i18n import _
from dldoctor.lazy_regex import lazy_compile
from dldoctor.mirror_urls import closed_reason, known_dead, normalize_mirror_url, validate_mirror_url
from dldoctor.model import WARN, Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Optional, Tuple

AREA = "registry"


# A probe that got an HTTP answer records its latency: `... (123 ms)`; one that got none does not.
_ANSWERED = lazy_compile(r"\(\d+ ms\)$")


def _probes(facts: Facts) -> Tuple[dict, Optional[Tuple[str, bool, str]]]:
    """Live probe results recorded by the host layer: ({mirror url: (alive, reason, restricted)},
    hub result). A line is `URL<TAB>alive|restricted|dead<TAB>why<TAB>mirror|hub`."""
    ev = facts.raw.get("mirror-probe")
    mirrors, hub = {}, None
    lines = (ev.text or "").splitlines() if ev else []
    if lines:   # (the probe's module, only where it probed: a plain check does without it)
        from dldoctor.mirror_probe import shown
    for line in lines:
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        # the reason is recorded in English (older snapshots too): shown in the user's language
        url, state, why = normalize_mirror_url(parts[0]), parts[1], shown(parts[2])
        alive = state in ("alive", "restricted")
        if len(parts) > 3 and parts[3] == "hub":
            hub = (url, alive, why)
        else:
            mirrors[url] = (alive, why, state == "restricted")
    return mirrors, hub


# How a request got no answer, as the host layer words it; the first two fail every request.
_KINDS = (("temporary failure in name resolution", "dns-down"), ("network is unreachable", "net-down"),
          ("name or service not known", "no-such-name"), ("no address associated", "no-such-name"),
          ("timed out", "timeout"), ("connection refused", "refused"), ("no route to host", "no-route"))
_HOST_WIDE = ("dns-down", "net-down")


def _kind(why: str) -> str:
    low = why.lower()
    return next((kind for text, kind in _KINDS if text in low), why)


def _nothing_answered(probes: dict, hub: Optional[Tuple[str, bool, str]]) -> bool:
    """No probe got any answer, Docker Hub's included, and either the hub's failure fails every
    request (no DNS server, no network) or every mirror failed the same way: the network failed,
    so no mirror can be judged (an offline host had every mirror "dead"). One answer anywhere means
    the network works, and a mirror that timed out beside it is dead (Docker Hub blocked, a mirror
    down: the common case in China); so is one whose name no longer resolves while the hub's did."""
    if hub is None or hub[1] or _ANSWERED.search(hub[2]):
        return False
    if any(alive or _ANSWERED.search(why) for alive, why, _r in probes.values()):
        return False
    return _kind(hub[2]) in _HOST_WIDE or all(_kind(why) == _kind(hub[2])
                                              for _a, why, _r in probes.values())


def check_mirrors(facts: Facts) -> List[Finding]:
    mirrors = configured_mirrors(facts)
    if not mirrors:
        if known(facts.daemon_json) or facts.daemon_json is None:
            return [ok("registry-mirrors", AREA, _("No registry mirror configured (pulls go to Docker Hub)"))]
        return [skip("registry-mirrors", AREA, _("Registry mirrors not known"))]
    out: List[Finding] = []
    probes, hub = _probes(facts)
    alive: List[Tuple[str, Any]] = []
    unjudged: List[str] = []
    offline = _nothing_answered(probes, hub)
    from dldoctor.daemon_judge import NEWEST, mirror_error

    version = dockerd_version(facts)[0] or NEWEST
    for url in mirrors:
        why = validate_mirror_url(url)
        if why and mirror_error(url, tuple(version[:2])) is None:
            why = None      # e.g. a path, which dockerd allows since 24.0 (daemon_judge)
        if why:
            out.append(problem("registry-mirrors", AREA, "mirror.invalid",
                               _("dockerd rejects this mirror: {why}.").format(why=why),
                               ['"registry-mirrors": ["%s"]' % url]))
            continue
        dead = known_dead(url)
        probe = probes.get(normalize_mirror_url(url))
        if dead is not None and (probe is None or offline):
            out.append(problem("registry-mirrors", AREA, "mirror.dead",
                               _("{url}: {why}.").format(url=url, why=closed_reason(dead)),
                               ['"registry-mirrors": ["%s"]' % url]))
            continue
        if probe is None and hub is not None and normalize_mirror_url(url) == hub[0]:
            probe = (hub[1], hub[2], False)     # Docker Hub as its own mirror: probed as the hub
        if probe is not None and probe[2]:
            out.append(problem("registry-mirrors", AREA, "mirror.restricted",
                               _("{url} answers the registry API but {why}. Keep it for the "
                                 "images it allows.").format(url=url, why=probe[1]),
                               ["GET %s/v2/ -> 200; GET %s/v2/library/hello-world/manifests/latest"
                                " -> %s" % (normalize_mirror_url(url), normalize_mirror_url(url), probe[1])],
                               status=WARN))
            alive.append((url, probe))
            continue
        if probe is not None and offline:
            unjudged.append(url)
            continue
        if probe is not None and not probe[0]:
            out.append(problem("registry-mirrors", AREA, "mirror.dead",
                               _("{url} does not serve the registry API: {why}.").format(url=url, why=probe[1]),
                               ["GET %s/v2/ -> %s" % (normalize_mirror_url(url), probe[1])]))
            continue
        alive.append((url, probe))
    if unjudged and hub is not None:
        out.append(problem("registry-mirrors", AREA, "registry.unreachable",
                           _("No registry answered, Docker Hub included ({why}): this host has no "
                             "network to them (DNS, a proxy, a firewall), so the mirrors were not "
                             "judged: {mirrors}.").format(why=hub[2], mirrors=", ".join(unjudged)),
                           ["GET %s/v2/ -> %s" % (hub[0], hub[2])] +
                           ["GET %s/v2/ -> %s" % (normalize_mirror_url(u), (probes.get(
                               normalize_mirror_url(u)) or (False, hub[2], False))[1]) for u in unjudged]))
    elif probes and mirrors and not alive and not [f for f in out if f.problem == "mirror.invalid"]:
        if hub is not None and not hub[1]:
            out.append(problem("registry-mirrors", AREA, "registry.unreachable",
                               _("No configured mirror works and Docker Hub itself is unreachable: {why}.")
                               .format(why=hub[2]), ["GET %s/v2/ -> %s" % (hub[0], hub[2])]))
    if alive and not out and not probes and hub is None:     # --no-probe, or a snapshot without
        out.append(skip("registry-mirrors", AREA, _("Registry mirrors (not probed): {m}").format(
            m=", ".join(u for u, _p in alive))))
    elif alive and not out:
        out.append(ok("registry-mirrors", AREA, _("Registry mirrors: {m}").format(
            m=", ".join(u for u, _p in alive)),
            evidence=["%s: %s" % (u, p[1]) for u, p in alive if p]))
    return out
