"""Mirror presets (China), the Docker Hub registry-mirror candidates, and what fix writes.

A preset (`--mirror NAME`) names one provider and sets, from the reference catalog (facts.md §5):
- the docker-ce apt base (replaces https://download.docker.com);
- the NVIDIA Container Toolkit apt base where that provider mirrors libnvidia-container (the
  vendor's https://nvidia.github.io/libnvidia-container otherwise);
- the Docker Hub registry mirror, where a public one exists and is not known dead; and, since no
  provider offers everyone one, the public candidates that answer (as `--mirror auto`: the live
  ones of KNOWN_REGISTRY_MIRRORS, fastest first, at most AUTO_MAX).

Registry mirrors are probed (dldoctor.mirror_probe: `GET <mirror>/v2/` and the manifest of
library/hello-world) before anything writes them, and so are the ones daemon.json already names:
dead ones are dropped with the reason, restricted ones (an allowlist, a campus or cloud-only
mirror) are alive and kept, live ones are ranked fastest first, then restricted ones. `registry-mirrors` only ever
applies to Docker Hub: pulls from nvcr.io, ghcr.io, quay.io... never go through it (Docker docs:
"Only the central Hub can be mirrored").

Public API:
- PRESETS, preset(name), resolve_presets(names) (UsageError for an unknown name; `auto` skipped)
- auto_candidates(): the probeable ones of KNOWN_REGISTRY_MIRRORS (dldoctor.mirror_urls, with the
  URL validation and identity this module uses)
- registry_mirror_candidates(presets, urls) -> (urls, notes): pure, what would be probed
- choose_registry_mirrors(host, presets, urls, timeout, configured, keep) -> MirrorChoice
- plan_mirrors(choice, configured, keep, notes, warnings) -> (mirrors, drop_mirrors) for
  provision.daemon_json.merge
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from dldoctor.errors import UsageError
from dldoctor.i18n import _
from dldoctor.mirror_probe import MAX_CHECKED_MIRRORS, Probe, probe
from dldoctor.mirror_urls import (KNOWN_REGISTRY_MIRRORS, closed_reason, known_dead, mirror_key, normalize_mirror_url,
                                  validate_mirror_url)
from dldoctor.records import frozen_record

if TYPE_CHECKING:
    from dldoctor.host import Host

DOCKER_APT_VENDOR = "https://download.docker.com"
NVIDIA_APT_VENDOR = "https://nvidia.github.io/libnvidia-container"

NOTE_DOCKER_HUB_ONLY = (
    "Registry mirrors only ever apply to Docker Hub (docker.io): pulls from nvcr.io, ghcr.io or "
    "quay.io never use them. For those, pull through a prefixed name instead (for example "
    "nvcr.m.daocloud.io/nvidia/cuda:TAG for nvcr.io/nvidia/cuda:TAG).")


@frozen_record
class Preset:
    """One provider's mirrors. `*_verified` is True when a primary source confirms the base."""

    name: str
    title: str
    docker_apt_base: str
    docker_apt_verified: bool
    docker_apt_source: str
    nvidia_apt_base: Optional[str]          # None: this provider has no toolkit mirror (use vendor)
    nvidia_apt_verified: bool
    nvidia_apt_source: str
    registry_mirrors: Tuple[str, ...]       # public Docker Hub mirrors to probe and write
    registry_note: str                      # what to know about this provider's Docker Hub mirror


PRESETS: Tuple[Preset, ...] = (
    Preset(
        name="aliyun", title="Alibaba Cloud (Aliyun)",
        docker_apt_base="https://mirrors.aliyun.com/docker-ce", docker_apt_verified=True,
        docker_apt_source="get.docker.com install.sh --mirror Aliyun",
        nvidia_apt_base="https://mirrors.aliyun.com/libnvidia-container", nvidia_apt_verified=False,
        nvidia_apt_source="user scripts only (unverified; fall back with --nvidia-apt-base "
                          + NVIDIA_APT_VENDOR + ")",
        registry_mirrors=(),
        registry_note="per-account accelerator: copy yours from the ACR console and pass "
                      "--registry-mirror https://<your-id>.mirror.aliyuncs.com (no public one; "
                      "Aliyun does not promise it stays fresh for overseas images)",
    ),
    Preset(
        name="tuna", title="Tsinghua University TUNA",
        docker_apt_base="https://mirrors.tuna.tsinghua.edu.cn/docker-ce", docker_apt_verified=True,
        docker_apt_source="mirrorz-docs docker-ce help",
        nvidia_apt_base=None, nvidia_apt_verified=False,
        nvidia_apt_source="TUNA does not mirror libnvidia-container; the vendor repository is used",
        registry_mirrors=(),
        registry_note="none: TUNA's docker-ce mirror is not a Docker Hub mirror",
    ),
    Preset(
        name="ustc", title="USTC LUG",
        docker_apt_base="https://mirrors.ustc.edu.cn/docker-ce", docker_apt_verified=True,
        docker_apt_source="ustclug/mirrorhelp docker-ce.md",
        nvidia_apt_base="https://mirrors.ustc.edu.cn/libnvidia-container", nvidia_apt_verified=True,
        nvidia_apt_source="ustclug/mirrorhelp libnvidia-container.md",
        registry_mirrors=(),
        registry_note="none: docker.mirrors.ustc.edu.cn is DEAD (Docker Hub cache closed 2024-06-06)",
    ),
    Preset(
        name="huawei", title="Huawei Cloud",
        docker_apt_base="https://mirrors.huaweicloud.com/docker-ce", docker_apt_verified=False,
        docker_apt_source="widely used in scripts (secondary source)",
        nvidia_apt_base=None, nvidia_apt_verified=False,
        nvidia_apt_source="no known toolkit mirror; the vendor repository is used",
        registry_mirrors=(),
        registry_note="per-account SWR accelerator for Huawei Cloud users only: "
                      "--registry-mirror https://<your-id>.mirror.swr.myhuaweicloud.com",
    ),
    Preset(
        name="tencent", title="Tencent Cloud",
        docker_apt_base="https://mirrors.cloud.tencent.com/docker-ce", docker_apt_verified=False,
        docker_apt_source="widely used in scripts (secondary source)",
        nvidia_apt_base=None, nvidia_apt_verified=False,
        nvidia_apt_source="no known toolkit mirror; the vendor repository is used",
        registry_mirrors=("https://mirror.ccs.tencentyun.com",),
        registry_note="mirror.ccs.tencentyun.com answers only from Tencent Cloud hosts (probed "
                      "before use; elsewhere it is refused as unreachable)",
    ),
    Preset(
        name="azure", title="Azure China (21Vianet)",
        docker_apt_base="https://mirror.azure.cn/docker-ce", docker_apt_verified=True,
        docker_apt_source="get.docker.com install.sh --mirror AzureChinaCloud",
        nvidia_apt_base=None, nvidia_apt_verified=False,
        nvidia_apt_source="no known toolkit mirror; the vendor repository is used",
        registry_mirrors=(),
        registry_note="none: dockerhub.azk8s.cn was closed to the public (Azure-internal only)",
    ),
)

PRESET_NAMES: Tuple[str, ...] = tuple(p.name for p in PRESETS)


AUTO = "auto"            # --mirror auto: the live public candidates, fastest first
AUTO_MAX = 3             # at most this many are written


def auto_candidates() -> Tuple[str, ...]:
    """The public Docker Hub mirror candidates `--mirror auto` probes, in catalog order."""
    return tuple(k.url for k in KNOWN_REGISTRY_MIRRORS if k.probeable)


def preset(name: str) -> Preset:
    key = name.strip().lower()
    for p in PRESETS:
        if p.name == key:
            return p
    raise UsageError(_("unknown mirror preset {name!r}: choose one of {names}").format(
        name=name, names=", ".join(PRESET_NAMES + (AUTO,))))


def resolve_presets(names: Iterable[str]) -> Tuple[Preset, ...]:
    """Presets in the order given, each once; UsageError for an unknown name. `auto` is no
    provider (it only picks Docker Hub mirrors) and is left out here."""
    out: List[Preset] = []
    for n in names:
        if n.strip().lower() == AUTO:
            continue
        p = preset(n)
        if p not in out:
            out.append(p)
    return tuple(out)


# --- what fix does with them ----------------------------------------------------------------------


@frozen_record
class MirrorChoice:
    """What the probe decided for registry-mirrors.

    `live`: the new mirrors to write (alive: live or restricted), in the order to write them;
    `refused`: asked-for mirrors left out, with the reason; `drop`: mirrors already in daemon.json
    that the probe found dead, with the reason; `order`: every mirror registry-mirrors should hold
    afterwards, live ones fastest first then restricted ones (empty: keep the file's order and
    append `live`, as --keep-mirrors does); `none_works`: mirrors were asked for by name
    (--registry-mirror, a preset's own mirror, --mirror auto) and not one of them answers, which
    is an error, not a note (for --mirror auto alone, only when the host keeps no mirror that
    may work and loses no dead one either); `asked`: those mirrors, as probed; `warnings`: what
    the plan must say louder than a note."""

    live: Tuple[str, ...]
    refused: Tuple[Tuple[str, str], ...]
    notes: Tuple[str, ...]
    probes: Tuple[Probe, ...]
    drop: Tuple[Tuple[str, str], ...] = ()
    order: Tuple[str, ...] = ()
    none_works: bool = False
    kept_all: bool = False      # too many configured to probe: kept as they are, as --keep-mirrors
    asked: Tuple[str, ...] = ()
    warnings: Tuple[str, ...] = ()


def registry_mirror_candidates(presets: Sequence[str],
                               registry_mirrors: Sequence[str]) -> Tuple[List[str], List[str]]:
    """(urls to probe, notes) for --mirror presets and --registry-mirror URLs. Pure.

    `--registry-mirror` URLs come first, then the presets' public mirrors. An aliyun preset without
    an *.mirror.aliyuncs.com URL gets a plain note (its accelerator is per account) and the rest
    goes on. Known-dead mirrors stay in the list: the probe gives the reason they are refused.
    The public candidates a preset or `auto` adds are not in this list (see auto_wanted).
    """
    chosen = resolve_presets(presets)
    urls: List[str] = []
    notes: List[str] = []
    for u in registry_mirrors:
        n = normalize_mirror_url(u)
        if n not in urls:
            urls.append(n)
    for p in chosen:
        for u in p.registry_mirrors:
            if u not in urls:
                urls.append(u)
        if p.name == "aliyun" and not any(
                (urlsplit(u).hostname or "").endswith(".mirror.aliyuncs.com") for u in urls):
            notes.append(_("--mirror aliyun: Aliyun's Docker Hub accelerator is per account, so "
                           "no registry mirror is set for it. Copy yours from the Alibaba Cloud "
                           "ACR console and add --registry-mirror "
                           "https://<your-id>.mirror.aliyuncs.com. Its apt mirrors apply to the "
                           "apt-repos step only."))
        elif not p.registry_mirrors and p.name != "aliyun":
            notes.append(_("--mirror {name}: no Docker Hub mirror ({note}).").format(
                name=p.name, note=_(p.registry_note)))
    for u in urls:
        k = known_dead(u)
        if k:
            notes.append(_("{url} is known to be closed: {why}.").format(url=u, why=closed_reason(k)))
    if urls or auto_wanted(presets):
        notes.append(_(NOTE_DOCKER_HUB_ONLY))
    return urls, notes


def auto_wanted(presets: Sequence[str]) -> bool:
    """The public candidates are probed for `--mirror auto` and for every provider preset: no
    provider offers everyone a Docker Hub mirror of its own, so a preset alone would leave a host
    in China without one."""
    return any(isinstance(n, str) and n.strip() for n in presets)


def choose_registry_mirrors(host: Host, presets: Sequence[str],
                            registry_mirrors: Sequence[str], timeout: float = 5.0,
                            configured: Sequence[str] = (), keep: bool = False) -> MirrorChoice:
    """Probe the candidates and the mirrors already `configured` in daemon.json, all at once.

    Asked-for mirrors that are alive (live or restricted) are written; with `--mirror auto` or a
    preset, the public candidates that are alive too, at most AUTO_MAX. Configured mirrors the probe
    finds dead are dropped (not with `keep`); restricted ones are kept. Intended caller: the
    daemon-json step's prepare phase.
    """
    urls, notes = registry_mirror_candidates(presets, registry_mirrors)
    explicit_auto = any(isinstance(n, str) and n.strip().lower() == AUTO for n in presets)
    auto = [u for u in auto_candidates() if u not in urls] if auto_wanted(presets) else []
    original: Dict[str, str] = {}
    for u in configured:        # one per mirror: merge writes a second spelling of one out
        if isinstance(u, str) and mirror_key(u) not in {mirror_key(o) for o in original.values()}:
            original.setdefault(normalize_mirror_url(u), u)
    kept_all = not keep and len(original) > MAX_CHECKED_MIRRORS
    if kept_all:        # each probe is bounded, their number was not (300 silent ones: 51 s)
        notes.append(_("daemon.json lists {n} registry mirrors, more than dldoctor probes ({max}): "
                       "they are kept as they are, unprobed").format(n=len(original),
                                                                     max=MAX_CHECKED_MIRRORS))
        keep = True
    mine = [] if keep else list(original)
    todo = urls + [u for u in auto if u not in urls] + [u for u in mine if u not in urls + auto]
    probes = probe(host, todo, timeout) if todo else []
    by = {p.url: p for p in probes}

    new = [u for u in urls if by[u].alive and u not in original]
    refused = [(u, by[u].reason) for u in urls if not by[u].alive]
    picked = [p.url for p in probes if p.url in auto and p.alive and p.url not in original
              and p.url not in new][:AUTO_MAX]
    if auto:
        alive_auto = [p for p in probes if p.url in auto and p.alive]
        if picked:
            notes.append(_("public Docker Hub mirrors that answer, fastest first (at most {n}): "
                           "{urls}").format(n=AUTO_MAX, urls=", ".join(picked)))
        elif not alive_auto and not explicit_auto:      # --mirror auto: a warning, below
            notes.append(_("none of the public Docker Hub mirror candidates answers from here "
                           "(`dldoctor mirrors` shows why)."))
    # No answer at all, from any mirror: the network is down, not every mirror. Only a mirror that
    # answered as no registry, one dockerd rejects, or one known to be closed is dropped then.
    answered = any(p.status is not None for p in probes)
    drop, unsure = [], []
    for u in mine:
        if by[u].alive:
            continue
        dead = known_dead(u)
        if answered or by[u].status is not None or validate_mirror_url(u) or dead:
            # offline, a closed mirror goes for being known closed, not for the DNS error
            why = by[u].reason if answered or by[u].status is not None or dead is None else \
                closed_reason(dead)
            drop.append((original[u], why))
        else:
            unsure.append(original[u])
    if unsure:
        notes.append(_("no registry mirror answered, so none is removed for not answering: this "
                       "host may have no network (kept: {urls})").format(urls=", ".join(unsure)))
    for u in mine:
        if by[u].restricted:
            notes.append(_("{url} is kept: it {why}, and serves the images it allows.").format(
                url=original[u], why=by[u].reason))
    for u in new + picked:
        if by[u].restricted:
            notes.append(_("{url} is added, but it {why}: it serves only the images it allows.").format(
                url=u, why=by[u].reason))
    kept_unsure = {normalize_mirror_url(u) for u in unsure}
    wanted = set(new) | set(picked) | {u for u in mine if by[u].alive or u in kept_unsure}
    order: Tuple[str, ...] = ()
    if not keep:
        order = tuple(original.get(p.url, p.url) for p in probes if p.url in wanted)
    live = tuple(p.url for p in probes if p.url in set(new) | set(picked))
    asked = urls + (auto if explicit_auto else [])
    none_works = bool(asked) and not any(by[u].alive for u in asked)
    if none_works and not urls:
        # --mirror auto alone: no candidate answering still lets the dead mirrors go and the live
        # ones (or those offline left unjudged) stay; only a run that changes nothing and leaves no
        # mirror that may work is refused.
        none_works = not drop and not (keep and original) and \
            not any(by[u].alive or original[u] in unsure for u in mine)
    warnings: List[str] = []
    if explicit_auto and not none_works and not any(by[u].alive for u in auto):
        warnings.append(_("--mirror auto: none of the public Docker Hub mirror candidates answers "
                          "from here, so none is added (`dldoctor mirrors` shows why)."))
    return MirrorChoice(live, tuple(refused), tuple(notes), tuple(probes), tuple(drop), order,
                        none_works, kept_all, tuple(asked), tuple(warnings))


def plan_mirrors(choice: MirrorChoice, configured: Sequence[str], keep: bool,
                 notes: List[str], warnings: List[str]) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """(mirrors, drop_mirrors) for the daemon-json merge, from the probe's `choice` and the
    `configured` list; adds what the plan says about them to `notes`/`warnings`. Refused (a blocked
    step) when mirrors were asked for and none works.

    The file's order is kept when it already is the wanted one (dead entries dropped, new ones
    appended); otherwise the list is written again, live fastest first, then restricted."""
    from dldoctor.errors import Refused

    notes.extend(choice.notes)
    warnings.extend(choice.warnings)
    for url, why in choice.refused:
        warnings.append(_("registry mirror {url} is left out: {why}").format(url=url, why=why))
    if choice.none_works:
        # Every mirror asked for, with why (one already in daemon.json too), and the configured
        # ones that answer: "no mirror works" is not true while one does.
        asked = set(choice.asked)
        lines = ["  %s: %s" % (p.url, p.reason) for p in choice.probes
                 if not p.alive and p.url in asked]
        alive = {mirror_key(p.url) for p in choice.probes if p.alive}
        working = [u for u in configured if mirror_key(u) in alive]
        if working:
            lines.append("  " + _("these mirrors in daemon.json answer: {urls}").format(
                urls=", ".join(working)))
        if not choice.refused:      # --mirror auto alone (refused holds every URL asked by name)
            raise Refused(_("--mirror auto: none of the public Docker Hub mirror candidates "
                            "answers from here, so there is none to write:\n{lines}").format(
                                lines="\n".join(lines)),
                          unblock=_("`dldoctor mirrors` shows why; pass a mirror you know with "
                                    "--registry-mirror URL (add --no-probe for one only the "
                                    "Docker host reaches), or --skip daemon-json"))
        raise Refused(_("none of the registry mirrors asked for works, so none is written:\n"
                        "{lines}").format(lines="\n".join(lines)),
                      unblock=_("`dldoctor mirrors` lists the ones that answer; pass another "
                                "--registry-mirror URL, add --no-probe to write them anyway (a "
                                "mirror only the Docker host reaches), or --skip daemon-json"))
    warnings.extend(_removed(url, why) for url, why in choice.drop)
    if keep or choice.kept_all:
        return choice.live, ()
    dead = tuple(u for u, _why in choice.drop)
    wanted = [mirror_key(u) for u in choice.order]
    have = {mirror_key(u) for u in configured}
    kept = [u for u in configured if mirror_key(u) in set(wanted)]
    added = [u for u in choice.order if mirror_key(u) not in have]
    if [mirror_key(u) for u in kept + added] == wanted:
        return tuple(added), dead               # the file's order is already right
    return tuple(choice.order), tuple(configured)   # written again, fastest first


def plan_unprobed(asked: Sequence[str], configured: Sequence[str], keep: bool, presets: bool,
                  notes: List[str], warnings: List[str]) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """plan_mirrors for --no-probe: what needs no network to know. A configured mirror known to be
    closed goes (unless asked for again, or `keep`); one asked for is said to be closed."""
    wanted = {mirror_key(u) for u in asked}
    have = {mirror_key(u) for u in configured}
    new = [u for u in asked if mirror_key(u) not in have]
    drop = []
    for url in configured:
        dead = known_dead(url)
        if dead is not None and not keep and mirror_key(url) not in wanted:
            drop.append(url)
            warnings.append(_removed(url, closed_reason(dead)))
    if new and drop:
        notes.append(_("--no-probe: {urls} written without asking whether they answer; the other "
                       "configured mirrors are kept, but those known to be closed are "
                       "removed").format(urls=", ".join(new)))
    elif new:
        notes.append(_("--no-probe: {urls} written without asking whether they answer; "
                       "configured mirrors are kept").format(urls=", ".join(new)))
    for url in asked:
        dead = known_dead(url)
        if dead is None:
            continue
        if mirror_key(url) in have:     # nothing is written for it: it stays
            warnings.append(_("{url} is kept as asked (daemon.json already lists it), but it is "
                              "known to be closed: {why}").format(url=url, why=closed_reason(dead)))
        else:
            warnings.append(_("{url} is written as asked, but it is known to be closed: "
                              "{why}").format(url=url, why=closed_reason(dead)))
    if presets:
        notes.append(_("--no-probe: a preset's Docker Hub mirrors are picked by probing them, so "
                       "none is added (its apt bases apply to the apt-repos step only)"))
    return tuple(asked), tuple(drop)


def _removed(url: str, why: str) -> str:
    return _("registry mirror {url} is removed: {why}").format(url=url, why=why)
