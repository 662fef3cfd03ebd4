"""The GPU smoke test: can a container see this host's GPUs? It only runs docker; it edits nothing.

    image choice -> preflight -> pull -> docker run --gpus all IMAGE nvidia-smi -> compare

A step like the fix steps (dldoctor.provision.step.Step): `prepare` reads (the driver, the image's
requirement), `plan` says what will run, the smoke runner (dldoctor.smoke_runner) runs it through
the host's process runner, and `judge` turns what docker printed into the finding.

1. Image: `--image` as given, else the newest maintained `nvidia/cuda` base tag the driver can
   run (provision.cuda_images.choose_image), from the driver's maximum CUDA: the nvidia-smi
   header, else NVML (live host at /), else the driver branch.
2. Preflight, before any download: the image's NVIDIA_REQUIRE_CUDA from the local image or the
   registry API (through the configured mirrors for Docker Hub images; provision.registry), weighed
   as the toolkit weighs it (provision.cuda_images). A mismatch is `driver.too-old-for-image`,
   with both versions and an image that would run: the plan is blocked, nothing is pulled.
3. Pull (unless the image is local), through dockerd and so through its mirrors; a progress bar
   when asked for and stderr is a terminal. Failures: a missing tag is `image.tag-missing`;
   network failures are `mirror.dead` when a configured mirror fails its probe, else what the
   error says (`registry.unreachable`, a proxy...).
4. Run `docker run --rm --network none --gpus all [--runtime nvidia] IMAGE nvidia-smi` with a
   time-out (`--runtime nvidia` when dockerd has that runtime registered).
5. Success: the container's nvidia-smi must show as many GPUs as the host's, and the same driver.
   Failure: docker's own error becomes the symptom (facts.error/command) that
   dldoctor.diagnose.diagnose_symptom reads against the host's facts to name the root cause from
   the catalog; the finding quotes the error and carries the catalog's fix.

Public API: CHECK, AREA, SmokeOptions, SmokeTest, step, DriverInfo, driver_info(host, facts),
skipped(reason), run_argv(image, nvidia_runtime, name).
"""
from __future__ import annotations

import re
import shlex
import uuid
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from dldoctor import catalog
from dldoctor.errors import Refused
from dldoctor.facts import Facts, known
from dldoctor.host import CommandResult, Host
from dldoctor.i18n import _
from dldoctor.model import FAIL, OK, SKIP, Finding, Plan, Run
from dldoctor.provision import cuda_images, registry
from dldoctor.records import frozen_record, replace

CHECK = "smoke-test"
AREA = "smoke-test"
PREFLIGHT_TIMEOUT = 10.0
# Confidence of a cause named by elimination rather than by the error text itself.
GUESS = 0.3


@frozen_record
class DriverInfo:
    """The host's driver as the smoke test weighs it."""

    version: Optional[str]
    cuda: Optional[str]
    cuda_source: str                   # "nvidia-smi", "NVML", "driver branch", ""
    gpu_names: Tuple[Optional[str], ...]
    gpu_count: Optional[int]
    header: Optional[str]              # the nvidia-smi line that gave them


def _nvml_cuda() -> Optional[str]:
    """nvmlSystemGetCudaDriverVersion through libnvidia-ml (None when there is no NVML)."""
    try:
        import ctypes

        lib = ctypes.CDLL("libnvidia-ml.so.1")
        if lib.nvmlInit_v2() != 0:
            return None
        try:
            val = ctypes.c_int()
            fn = getattr(lib, "nvmlSystemGetCudaDriverVersion_v2", None) or \
                lib.nvmlSystemGetCudaDriverVersion
            if fn(ctypes.byref(val)) != 0 or val.value <= 0:
                return None
            return "%d.%d" % (val.value // 1000, (val.value % 1000) // 10)
        finally:
            lib.nvmlShutdown()
    except (OSError, AttributeError):
        return None


def driver_info(host: Host, facts: Facts) -> DriverInfo:
    smi = facts.nvidia_smi
    version = cuda = header = None
    names: Tuple[Optional[str], ...] = ()
    count: Optional[int] = None
    source = ""
    if known(smi) and not smi.error:
        version, cuda = smi.driver_version, smi.cuda_version
        names = tuple(g.name for g in smi.gpus)
        count = len(smi.gpus) if smi.gpus else None
        text = facts.text("nvidia-smi") or ""
        header = next((l.strip(" |") for l in text.splitlines() if "Driver Version" in l), None)
        source = "nvidia-smi" if cuda else ""
    if not version and known(facts.kernel_module):
        version = facts.kernel_module.version
    if not cuda and version and getattr(host, "is_live", False) and getattr(host, "root", "/") == "/":
        cuda = _nvml_cuda()
        source = "NVML" if cuda else ""
    if not cuda and version:
        cuda = cuda_images.driver_max_cuda(version)
        source = "driver branch" if cuda else ""
    return DriverInfo(version, cuda, source, names, count, header)


def _brands(host: Host, drv: DriverInfo) -> cuda_images.BrandArg:
    """Each GPU's brand from `nvidia-smi -q` (live hosts), else what the names tell, else None."""
    runner = getattr(host, "run_host_cmd", None)
    if runner is not None:
        res = runner(("nvidia-smi", "-q"), timeout=30)
        found = cuda_images.brands_from_smi_q(res.stdout if res.ok else "")
        if found:
            return list(found)
    return cuda_images.brands_from_names(drv.gpu_names)


# --- findings ----------------------------------------------------------------------------------------


def skipped(reason: str) -> Finding:
    return Finding(CHECK, SKIP, None, _("GPU smoke test not run"), reason, (), None, AREA)


def _fail(pid: str, detail: str, evidence: Iterable[Optional[str]], fix: Optional[str] = None,
          confidence: Optional[float] = None) -> Finding:
    """A failed smoke test naming catalog problem `pid` (its fix unless `fix` is given)."""
    assert pid in catalog.PROBLEMS, pid
    return Finding(CHECK, FAIL, pid, _("GPU smoke test failed: {title}").format(
        title=catalog.title(pid)), detail, tuple(l.rstrip() for l in evidence if l and l.strip()),
        fix if fix is not None else catalog.fix(pid), AREA, confidence)


def _error_lines(text: str, limit: int = 3) -> List[str]:
    """docker's error lines as printed (the long ones trimmed), errors first."""
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    errs = [l for l in lines if re.search(r"error|denied|unknown|not found|failed|no such", l, re.I)]
    chosen = (errs or lines)[:limit]
    return [l if len(l) <= 600 else l[:597] + "..." for l in chosen]


def _cmdline(argv: Sequence[str]) -> str:
    return " ".join(shlex.quote(a) for a in argv)


def _diagnosed(facts: Facts, argv: Sequence[str], res: CommandResult
               ) -> Optional[Tuple[str, str, float, str]]:
    """Docker's error read as a reported symptom: (problem, why, confidence, matched line)."""
    from dldoctor.diagnose import diagnose_symptom

    text = res.output
    if res.timed_out and res.error:
        text = (text + "\n" if text else "") + res.error
    symptom = replace(facts, error=text or None, command=_cmdline(argv), notes=None)
    found = diagnose_symptom(symptom)
    if not found:
        return None
    f = found[0]
    return f.problem or "", f.detail, f.confidence if f.confidence is not None else 0.5, \
        (f.evidence[0] if f.evidence else "")


def _from_checks(checks: Sequence[Finding]) -> Optional[Finding]:
    from dldoctor.diagnose import rank

    roots = rank(checks)
    if not roots:
        return None
    return next((f for f in checks if f.problem == roots[0] and f.status == FAIL), None)


# --- steps -------------------------------------------------------------------------------------------


def run_argv(image: str, nvidia_runtime: bool, name: Optional[str] = None) -> List[str]:
    argv = ["docker", "run", "--rm"]
    if name:
        argv += ["--name", name]
    argv += ["--network", "none", "--gpus", "all"]
    if nvidia_runtime:
        argv += ["--runtime", "nvidia"]
    return argv + [image, "nvidia-smi"]


def _mirrors(facts: Facts) -> Tuple[str, ...]:
    from dldoctor.derived import configured_mirrors
    from dldoctor.mirror_urls import normalize_mirror_url

    return tuple(normalize_mirror_url(m) for m in configured_mirrors(facts))


def _insecure(facts: Facts) -> Tuple[str, ...]:
    out: List[str] = []
    if known(facts.docker_info):
        out.extend(facts.docker_info.insecure_registries)
    dj = facts.daemon_json
    if known(dj):
        listed = dj.data.get("insecure-registries")
        if isinstance(listed, list):
            out.extend(str(x) for x in listed)
    return tuple(out)


@frozen_record
class Preflight:
    """What the image's NVIDIA_REQUIRE_CUDA says about this driver, read before any download."""

    env: registry.ImageEnv             # where the image's config was read (or why it was not)
    verdict: str                       # cuda_images.TRUE / FALSE / "" (not weighed), ...
    note: str                          # the verdict as a sentence
    refusal: Optional[Finding] = None  # driver.too-old-for-image: the image would not start

    @property
    def line(self) -> str:
        return _("preflight ({where}): {note}").format(where=self.env.where or _("registry"),
                                                        note=self.note)


def _preflight(host: Host, facts: Facts, image: str, drv: DriverInfo, timeout: float) -> Preflight:
    found = registry.image_env(host, image, _mirrors(facts), timeout=timeout,
                               insecure=_insecure(facts))
    if found.env is None:
        return Preflight(found, "", _("requirement not read: {why}").format(why=found.error))
    req = cuda_images.requirement_from_env(found.env)
    if req.empty:
        why = _("NVIDIA_DISABLE_REQUIRE is set") if req.disabled else _("the image states no CUDA requirement")
        return Preflight(found, "", why)
    verdict, reason = cuda_images.evaluate(req, drv.cuda, drv.version)
    if verdict != cuda_images.TRUE and drv.version:
        verdict, reason = cuda_images.evaluate(req, drv.cuda, drv.version, _brands(host, drv))
    if verdict != cuda_images.FALSE:
        return Preflight(found, verdict, reason)
    need = req.min_cuda() or "?"
    suggestion = cuda_images.choose_image(drv.cuda, drv.version)
    detail = _("{image} requires CUDA {need} (NVIDIA_REQUIRE_CUDA); the driver {drv} supports CUDA up "
               "to {have}. {reason} The toolkit would refuse to start it, so it was not pulled.").format(
        image=image, need=need, drv=drv.version or "?", have=drv.cuda or "?", reason=reason)
    raw = " ".join(req.raw)
    evidence = [
        "%s=%s" % ("CUDA_VERSION (legacy image)" if req.implicit else "NVIDIA_REQUIRE_CUDA",
                   raw if len(raw) <= 300 else raw[:297] + "..."),
        _("image config read from {where}").format(where=found.where),
        drv.header or _("driver {drv}, CUDA {cuda} (from {src})").format(
            drv=drv.version, cuda=drv.cuda, src=drv.cuda_source),
    ]
    if suggestion != image:
        fix = _("Use an image this driver can run: dldoctor verify --image {img} (or build FROM it), "
                "or upgrade the NVIDIA driver to a branch that supports CUDA {need}.").format(
            img=suggestion, need=need)
    else:
        fix = _("Upgrade the NVIDIA driver to a branch that supports CUDA {need}.").format(need=need)
    return Preflight(found, verdict, reason,
                     _fail("driver.too-old-for-image", detail, evidence, fix=fix))


def _pull_failed(host: Host, facts: Facts, image: str, res: CommandResult, pre: registry.ImageEnv,
                 drv: DriverInfo, checks: Sequence[Finding]) -> Finding:
    argv = pull_argv(image)
    text = res.output
    evidence = ["$ " + _cmdline(argv)] + _error_lines(text)
    if res.timed_out:
        evidence.append(_("docker pull did not finish within the time-out ({err})").format(err=res.error))
    missing_sig = re.search(r"manifest (for \S+ )?(not found|unknown)|manifest unknown|not found: manifest|"
                            r"repository does not exist|pull access denied", text, re.I)
    pre_missing = pre.error if pre.error is not None and pre.error.kind in (
        registry.MISSING, registry.DENIED) else None
    if missing_sig or pre_missing is not None:
        detail = _("{image} does not exist in the registry.").format(image=image)
        if pre_missing is not None:
            detail += " " + _("Preflight: {why}.").format(why=pre_missing)
            evidence += [a for a in pre_missing.attempts
                         if "/manifests/" in a and re.search(r"-> (404|401|403)", a)][:2]
        suggestion = cuda_images.choose_image(drv.cuda, drv.version)
        fix = None
        if suggestion != image:
            fix = _("Use an existing tag: the newest nvidia/cuda image this driver runs is {img} "
                    "(dldoctor verify --image {img}); nvidia/cuda has no `latest`, and end-of-life "
                    "tags are deleted.").format(img=suggestion)
        return _fail("image.tag-missing", detail, evidence, fix=fix)
    try:
        hub = registry.parse_image(image).is_hub
    except ValueError:
        hub = False
    mirrors = _mirrors(facts)
    if hub and mirrors:
        from dldoctor.provision.mirrors import probe

        dead = [p for p in probe(host, mirrors, timeout=min(5.0, getattr(host, "timeout", 5.0)))
                if not p.alive]
        if dead:
            detail = _("The pull of {image} failed, and the registry mirror {url} does not serve: "
                       "{why}. dockerd tries the mirrors first and then Docker Hub.").format(
                image=image, url=dead[0].url, why=dead[0].reason)
            ev = ["GET %s/v2/ -> %s" % (p.url, p.reason) for p in dead] + evidence
            return _fail("mirror.dead", detail, ev)
    named = _diagnosed(facts, argv, res)
    if named is not None and named[0]:
        pid, why, conf, _line = named
        return _fail(pid, _("The pull of {image} failed. {why}").format(image=image, why=why),
                     evidence, confidence=conf)
    if res.timed_out or re.search(r"dial tcp|timeout|no such host|connection refused|tls", text, re.I):
        return _fail("registry.unreachable",
                     _("The pull of {image} failed: the registry did not answer.").format(image=image),
                     evidence)
    return _unrecognised(image, _("docker pull"), evidence, checks, "registry.unreachable")


def _unrecognised(image: str, what: str, evidence: List[str], checks: Sequence[Finding],
                  fallback: str) -> Finding:
    """An error no signature knows: the checks' root cause when there is one, else a weak guess."""
    cause = _from_checks(checks)
    if cause is not None and cause.problem:
        return _fail(cause.problem, _("{what} failed with an error dldoctor does not recognise; the "
                                      "checks point at: {title}.").format(what=what, title=cause.title),
                     evidence + list(cause.evidence[:1]), fix=cause.fix, confidence=GUESS)
    return _fail(fallback, _("{what} failed with an error dldoctor does not recognise (see the "
                             "evidence); this is the nearest known cause.").format(what=what),
                 evidence, confidence=GUESS)


def _run_failed(host: Host, facts: Facts, image: str, argv: Sequence[str], res: CommandResult,
                checks: Sequence[Finding]) -> Finding:
    evidence = ["$ " + _cmdline(argv)] + _error_lines(res.output)
    if res.timed_out:
        evidence.append(_("the container did not finish within the time-out ({err})").format(err=res.error))
    named = _diagnosed(facts, argv, res)
    if named is not None and named[0]:
        pid, why, conf, _line = named
        return _fail(pid, _("The GPU container did not run. {why}").format(why=why), evidence,
                     confidence=conf)
    if res.timed_out:
        return _fail("docker.daemon-down", _("The GPU container did not finish in time: dockerd or the "
                                             "container hangs."), evidence, confidence=GUESS)
    return _unrecognised(image, _("docker run --gpus all"), evidence, checks, "toolkit.missing")


def _compare(image: str, argv: Sequence[str], res: CommandResult, drv: DriverInfo,
             facts: Facts) -> Finding:
    from dldoctor.errors import ParseError
    from dldoctor.parse.nvidia_smi import parse_nvidia_smi

    evidence = ["$ " + _cmdline(argv)]
    try:
        inside = parse_nvidia_smi(res.stdout)
    except ParseError as exc:
        return _fail("container.no-gpu-request",
                     _("nvidia-smi ran in the container but printed no GPU table ({err}).").format(err=exc),
                     evidence + _error_lines(res.output), confidence=GUESS)
    if inside.error:
        named = _diagnosed(facts, argv, CommandResult(tuple(argv), 1, "", inside.error_line or res.output))
        pid = named[0] if named and named[0] else "container.no-gpu-request"
        why = named[1] if named and named[0] else ""
        return _fail(pid, _("nvidia-smi failed inside the container: {line}. {why}").format(
            line=inside.error_line, why=why), evidence + [inside.error_line or ""],
            confidence=named[2] if named and named[0] else GUESS)
    head = next((l.strip(" |") for l in res.stdout.splitlines() if "Driver Version" in l), "")
    evidence.append(head or _("{n} GPU(s)").format(n=len(inside.gpus)))
    n_in = len(inside.gpus)
    if drv.gpu_count is not None and n_in < drv.gpu_count:
        return _fail("container.no-gpu-request",
                     _("The container sees {n} of the host's {m} GPUs although it asked for all of "
                       "them (--gpus all).").format(n=n_in, m=drv.gpu_count), evidence,
                     confidence=0.6 if n_in == 0 else 0.4)
    if n_in == 0:
        return _fail("container.no-gpu-request", _("The container sees no GPU."), evidence,
                     confidence=0.6)
    if drv.version and inside.driver_version and inside.driver_version != drv.version:
        return _fail("image.bundles-driver-libs",
                     _("nvidia-smi in the container reports driver {inside}, the host runs {host}: "
                       "the image brings its own driver libraries.").format(
                         inside=inside.driver_version, host=drv.version), evidence, confidence=0.6)
    names = sorted({g.name or "GPU" for g in inside.gpus})
    title = _("A container sees the GPUs: {n} × {names}, driver {drv}").format(
        n=n_in, names=", ".join(names), drv=inside.driver_version or "?")
    detail = _("{image} ran nvidia-smi with --gpus all; GPU count and driver match the host.").format(image=image) \
        if drv.version else _("{image} ran nvidia-smi with --gpus all (the host's driver was not known "
                              "to compare with).").format(image=image)
    return Finding(CHECK, OK, None, title, detail, tuple(evidence), None, AREA)


# --- the step ----------------------------------------------------------------------------------------


@frozen_record
class SmokeOptions:
    """What `verify` asked the smoke test for."""

    image: Optional[str] = None        # --image; None: the newest nvidia/cuda tag the driver runs
    run_timeout: float = 120.0         # --run-timeout: the container's run
    pull_timeout: float = 900.0        # --pull-timeout: the image's download
    progress: bool = False             # a progress bar for the pull (on a terminal)


@frozen_record
class SmokeInputs:
    """What prepare read: the driver, the image and why, the preflight, how to run the container."""

    driver: DriverInfo
    image: str
    image_why: str
    preflight: Preflight
    nvidia_runtime: bool
    name: str                          # the container's --name (removed if the run hangs)


class SmokeTest:
    """The smoke-test step. Unprepared (`SmokeTest()`) it can only prepare; see the module doc."""

    name = CHECK

    def __init__(self, inputs: Optional[SmokeInputs] = None):
        self.inputs = inputs

    # I/O phase -------------------------------------------------------------------------------
    def prepare(self, host: Host, facts: Facts, options: SmokeOptions) -> "SmokeTest":
        drv = driver_info(host, facts)
        image, why = options.image, _("given with --image")
        if image is None:
            image = cuda_images.choose_image(drv.cuda, drv.version)
            why = _image_why(image, drv)
        timeout = min(PREFLIGHT_TIMEOUT, max(1.0, float(getattr(host, "timeout", PREFLIGHT_TIMEOUT))))
        pre = _preflight(host, facts, image, drv, timeout)
        nvidia_runtime = known(facts.docker_info) and "nvidia" in facts.docker_info.runtimes
        return SmokeTest(SmokeInputs(drv, image, why, pre, bool(nvidia_runtime),
                                     "dldoctor-smoke-" + uuid.uuid4().hex[:12]))

    # pure phase ------------------------------------------------------------------------------
    def plan(self, facts: Facts, options: SmokeOptions) -> Plan:
        inp = self.inputs
        if inp is None:
            raise Refused(_("smoke-test: the image was not chosen (the step's prepare phase did "
                            "not run)"))
        notes = (_("image: {image} ({why})").format(image=inp.image, why=inp.image_why),
                 inp.preflight.line)
        refusal = inp.preflight.refusal
        if refusal is not None:
            return Plan(step=CHECK, notes=notes, blocked=refusal.detail, unblock=refusal.fix or "")
        changes: List[Run] = []
        if inp.preflight.env.where != registry.LOCAL:
            changes.append(Run(pull_argv(inp.image), _(
                "download the image through dockerd, and so through its registry mirrors")))
        changes.append(Run(tuple(run_argv(inp.image, inp.nvidia_runtime, inp.name)), _(
            "a container with every GPU runs nvidia-smi; its GPUs and driver are compared with "
            "the host's"), ("docker", "rm", "-f", inp.name)))
        return Plan(step=CHECK, changes=tuple(changes), notes=notes)

    # after the run ---------------------------------------------------------------------------
    def judge(self, host: Host, facts: Facts, results: Dict[str, CommandResult],
              checks: Sequence[Finding] = ()) -> Finding:
        """The finding from what the planned commands printed (`results` by verb: "pull", "run";
        a command not run is absent). checks: the findings of the checks already run (used only
        to name a cause for an error no signature recognises)."""
        inp = self.inputs
        assert inp is not None
        pre = inp.preflight
        if pre.refusal is not None:
            return pre.refusal
        pulled = results.get("pull")
        if pulled is not None and not pulled.ok:
            failed = _pull_failed(host, facts, inp.image, pulled, pre.env, inp.driver, checks)
            return failed if pre.env.error is not None else _with_evidence(failed, pre.line)
        res = results["run"]
        shown = run_argv(inp.image, inp.nvidia_runtime)
        if not res.ok:
            return _with_evidence(_run_failed(host, facts, inp.image, shown, res, checks), pre.line)
        return _with_evidence(_compare(inp.image, shown, res, inp.driver, facts), pre.line)

    def to_json(self) -> Dict[str, object]:
        """What was chosen and why, for `verify --dry-run --json` beside the plan."""
        inp = self.inputs
        assert inp is not None
        drv, pre = inp.driver, inp.preflight
        return {"image": inp.image, "image_why": inp.image_why,
                "driver": {"version": drv.version, "cuda": drv.cuda, "cuda_source": drv.cuda_source,
                           "gpus": drv.gpu_count},
                "preflight": {"where": pre.env.where or None, "verdict": pre.verdict or None,
                              "note": pre.note, "refused": pre.refusal is not None}}


def _image_why(image: str, drv: DriverInfo) -> str:
    if image != cuda_images.WIRING_IMAGE:
        return _("the newest maintained nvidia/cuda base tag the driver runs: CUDA {cuda}, read "
                 "from {source}").format(cuda=drv.cuda or "?", source=drv.cuda_source or "?")
    if drv.cuda:
        return _("no nvidia/cuda tag runs on CUDA {cuda}: a plain image tests the driver, the "
                 "toolkit and Docker's wiring alone").format(cuda=drv.cuda)
    return _("the driver's CUDA version is unknown: a plain image tests the driver, the toolkit "
             "and Docker's wiring alone")


def pull_argv(image: str) -> Tuple[str, ...]:
    return ("docker", "pull", image)


step = SmokeTest()


def _with_evidence(finding: Finding, line: str) -> Finding:
    return replace(finding, evidence=finding.evidence + (line,))
