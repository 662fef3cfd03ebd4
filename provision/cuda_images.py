"""nvidia/cuda images as data, and the NVIDIA_REQUIRE_CUDA rules the toolkit enforces (pure).

Sources (shared/reference/facts.md §1.3, §2.2-2.4): the maintained `nvidia/cuda` tags with their
Ubuntu suffixes; the real `NVIDIA_REQUIRE_CUDA` of each `base` image (a `cuda>=X.Y` term ORed with
`brand=<b>,driver>=<branch>,driver<<branch+1>` exceptions for older driver branches); and the
semantics of libnvidia-container's requirement language (`src/cli/dsl.c`, `configure.c`):

- space-separated terms are ORed, comma-separated conditions inside a term are ANDed;
- every `NVIDIA_REQUIRE_*` variable must hold (they are ANDed);
- `cuda` compares with the driver's CUDA version (the nvidia-smi header, cuDriverGetVersion),
  `driver` with the kernel driver version, `brand` with each visible GPU's NVML brand
  (case-insensitive), `arch` with its compute capability;
- the toolkit evaluates the requirement for every visible GPU; all must pass;
- `NVIDIA_DISABLE_REQUIRE` (Go ParseBool: 1, t, true...) switches every requirement off;
- a legacy image (CUDA_VERSION set, NVIDIA_REQUIRE_CUDA not) requires `cuda>=<major.minor>`.

Public API: MAINTAINED, CudaTag, tag(version), image_for(tag), require_cuda(tag),
driver_max_cuda(driver), choose_image(cuda_version, driver_version), brand_term(product_brand),
brands_from_names(names), brands_from_smi_q(text), Condition, Requirement, parse_require(value),
requirement_from_env(env), satisfied(requirement, cuda_version, driver_version, brand=None).
"""
from __future__ import annotations

import re
from typing import (Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple,
                    Union)

# Part of this module's API (the smoke test asks here), kept where the driver table lives.
from dldoctor.driver_cuda import BRANCH_CUDA as BRANCH_CUDA
from dldoctor.driver_cuda import driver_max_cuda as driver_max_cuda
from dldoctor.i18n import _
from dldoctor.parse.version import version_tuple
from dldoctor.records import frozen_record

REPO = "nvidia/cuda"
FLAVOR = "base"

# Brands in the exception windows of 11.5.2-12.4.1 base images, in the Dockerfiles' order.
BRANDS_OLD = ("tesla", "unknown", "nvidia", "nvidiartx", "geforce", "geforcertx", "quadro",
              "quadrortx", "titan", "titanrtx")
# From 12.5.1 on: no geforce / titan; the vGPU brands instead.
BRANDS_NEW = ("unknown", "grid", "tesla", "nvidia", "quadro", "quadrortx", "nvidiartx", "vapps",
              "vpc", "vcs", "vws", "cloudgaming")


@frozen_record
class CudaTag:
    """One maintained nvidia/cuda version: its Ubuntu releases (preferred first) and the driver
    branches whose brand exceptions its NVIDIA_REQUIRE_CUDA carries."""

    version: str                      # "12.4.1"
    ubuntu: Tuple[str, ...]           # ("22.04", "20.04"): preferred suffix first
    windows: Tuple[int, ...] = ()     # driver branches: brand=<b>,driver>=B,driver<B+1
    brands: Tuple[str, ...] = ()

    @property
    def major_minor(self) -> str:
        return ".".join(self.version.split(".")[:2])

    def name(self, ubuntu: Optional[str] = None) -> str:
        return "%s:%s-%s-ubuntu%s" % (REPO, self.version, FLAVOR, ubuntu or self.ubuntu[0])


# Maintained tags (upstream dist/ at e3c1b680, 2025-12-15), oldest first. Ubuntu suffix choice:
# 11.4.3-11.6.2 exist for 20.04 only; 11.7.1-12.4.1 use 22.04; 12.5.1+ use 24.04 (the
# smoke-test table of facts.md §2.4); 13.x has no 20.04.
MAINTAINED: Tuple[CudaTag, ...] = (
    CudaTag("11.4.3", ("20.04",)),
    CudaTag("11.5.2", ("20.04",), (470,), BRANDS_OLD),
    CudaTag("11.6.2", ("20.04",), (470,), BRANDS_OLD),
    CudaTag("11.7.1", ("22.04", "20.04"), (470,), BRANDS_OLD),
    CudaTag("11.8.0", ("22.04", "20.04"), (470,), BRANDS_OLD),
    CudaTag("12.0.1", ("22.04", "20.04"), (470,), BRANDS_OLD),
    CudaTag("12.1.1", ("22.04", "20.04"), (470, 525), BRANDS_OLD),
    CudaTag("12.2.2", ("22.04", "20.04"), (470, 525), BRANDS_OLD),
    CudaTag("12.3.2", ("22.04", "20.04"), (470, 525, 535), BRANDS_OLD),
    CudaTag("12.4.1", ("22.04", "20.04"), (470, 525, 535), BRANDS_OLD),
    CudaTag("12.5.1", ("24.04", "22.04", "20.04"), (470, 535, 550), BRANDS_NEW),
    CudaTag("12.6.3", ("24.04", "22.04", "20.04"), (470, 535, 550), BRANDS_NEW),
    CudaTag("12.8.1", ("24.04", "22.04", "20.04"), (470, 535, 550, 560, 565), BRANDS_NEW),
    CudaTag("12.9.1", ("24.04", "22.04", "20.04"), (535, 550, 560, 565, 570), BRANDS_NEW),
    CudaTag("13.0.2", ("24.04", "22.04"), (535, 550, 565, 570, 575), BRANDS_NEW),
    CudaTag("13.1.0", ("24.04", "22.04"), (535, 550, 570, 575, 580), BRANDS_NEW),
)

# End-of-life tags the smoke-test table still suggests for R450-R465 drivers (may be deleted).
EOL_FALLBACKS: Tuple[CudaTag, ...] = (
    CudaTag("11.0.3", ("20.04",)),
    CudaTag("11.1.1", ("20.04",)),
    CudaTag("11.2.2", ("20.04",)),
)

# Older than any CUDA 11 image: no nvidia/cuda tag to trust. A plain image carries no
# requirement, so it tests the driver + toolkit + Docker wiring alone (NVIDIA's sample workload).
WIRING_IMAGE = "ubuntu:22.04"

def _cmp(a: Tuple[int, ...], b: Tuple[int, ...]) -> int:
    """Compare CUDA or driver release numbers as PEP 440 releases (packaging.version): missing
    parts count as 0, as libnvidia-container's dsl_compare_version counts them."""
    from packaging.version import Version

    va, vb = (Version(".".join(str(x) for x in t) or "0") for t in (a, b))
    return (va > vb) - (va < vb)


def tag(version: str) -> Optional[CudaTag]:
    """The maintained (or EOL fallback) tag record for 'X.Y.Z' or 'X.Y'."""
    for t in MAINTAINED + EOL_FALLBACKS:
        if t.version == version or t.major_minor == version:
            return t
    return None


def image_for(t: CudaTag, ubuntu: Optional[str] = None) -> str:
    return t.name(ubuntu)


def require_cuda(t: CudaTag) -> str:
    """The NVIDIA_REQUIRE_CUDA value the real `base` image of this tag carries."""
    terms = ["cuda>=%s" % t.major_minor]
    for branch in t.windows:
        for b in t.brands:
            terms.append("brand=%s,driver>=%d,driver<%d" % (b, branch, branch + 1))
    return " ".join(terms)


def choose_image(cuda_version: Optional[str], driver_version: Optional[str]) -> str:
    """The newest maintained `nvidia/cuda:<X.Y.Z>-base-ubuntu<..>` whose `cuda>=X.Y` the driver meets.

    `cuda_version` is the driver's maximum CUDA (nvidia-smi header); without it the driver branch
    gives it. Drivers older than CUDA 11.4 get the EOL-marked 11.0-11.2 tags (which may be gone),
    older than 11.0 (or unknown) a plain image with no requirement (WIRING_IMAGE).
    """
    have = version_tuple(cuda_version) or version_tuple(driver_max_cuda(driver_version))
    if not have:
        return WIRING_IMAGE
    for t in reversed(MAINTAINED):
        if _cmp(version_tuple(t.major_minor), have[:2]) <= 0:
            return t.name()
    for t in reversed(EOL_FALLBACKS):
        if _cmp(version_tuple(t.major_minor), have[:2]) <= 0:
            return t.name()
    if _cmp(have[:2], (11, 2)) >= 0:  # 11.3: the 11.2.2 tag
        return EOL_FALLBACKS[-1].name()
    return WIRING_IMAGE


# --- GPU brands ------------------------------------------------------------------------------------

# nvidia-smi -q "Product Brand" (nvmlDeviceGetBrand names) -> the requirement language's brand.
_PRODUCT_BRANDS: Dict[str, str] = {
    "unknown": "unknown", "quadro": "quadro", "tesla": "tesla", "nvs": "nvs", "grid": "grid",
    "geforce": "geforce", "titan": "titan",
    "nvidia virtual applications": "vapps", "nvidia virtual application": "vapps",
    "nvidia virtual pc": "vpc", "nvidia virtual compute server": "vcs",
    "nvidia virtual computer server": "vcs", "nvidia rtx virtual workstation": "vws",
    "nvidia cloud gaming": "cloudgaming", "nvidia vgaming": "cloudgaming",
    "quadro rtx": "quadrortx", "nvidia rtx": "nvidiartx", "nvidia": "nvidia",
    "geforce rtx": "geforcertx", "titan rtx": "titanrtx",
}
ALL_BRANDS: FrozenSet[str] = frozenset(_PRODUCT_BRANDS.values())


def brand_term(product_brand: str) -> str:
    """'GeForce' -> 'geforce', 'Quadro RTX' -> 'quadrortx', 'NVIDIA Virtual PC' -> 'vpc'."""
    key = " ".join(product_brand.strip().lower().split())
    return _PRODUCT_BRANDS.get(key, key.replace(" ", ""))


def brands_from_smi_q(text: Optional[str]) -> Tuple[str, ...]:
    """The brand term of each GPU in `nvidia-smi -q` output ("Product Brand : GeForce")."""
    out = []
    # [ \t], not \s: \s spans lines and the search would backtrack over blank ones (quadratic)
    for m in re.finditer(r"^[ \t]*Product Brand[ \t]*:(.*)$", text or "", re.M):
        if m.group(1).strip():
            out.append(brand_term(m.group(1).strip()))
    return tuple(out)


def brands_from_names(names: Iterable[Optional[str]]) -> Optional[FrozenSet[str]]:
    """Brands a GPU could have, judged from its product name; None when the name does not tell.

    Only names that pin the family: GeForce, TITAN, Quadro, Tesla. ("NVIDIA A10" could be any of
    nvidia, tesla...; such a name tells nothing.) The union over all GPUs.
    """
    out: Set[str] = set()
    for name in names:
        low = (name or "").lower()
        if "geforce" in low:
            out |= {"geforce", "geforcertx"}
        elif "titan" in low:
            out |= {"titan", "titanrtx"}
        elif "quadro" in low:
            out |= {"quadro", "quadrortx"}
        elif "tesla" in low:
            out |= {"tesla"}
        else:
            return None
    return frozenset(out) if out else None


# --- requirements ----------------------------------------------------------------------------------

_OPS = (">=", "<=", "==", "!=", ">", "<", "=")
_COND_RE = re.compile(r"^\s*([A-Za-z_]+)\s*(>=|<=|==|!=|>|<|=)\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*$")


@frozen_record
class Condition:
    key: str     # cuda | driver | brand | arch (others are kept, and fail like the toolkit)
    op: str      # >=, <=, =, ==, !=, >, <  ("=" means "==")
    value: str

    def __str__(self) -> str:
        return "%s%s%s" % (self.key, self.op, self.value)


@frozen_record
class Requirement:
    """NVIDIA_REQUIRE_* values: `exprs` are ANDed; each expr is an OR of AND-ed conditions.

    disabled: NVIDIA_DISABLE_REQUIRE is set. implicit: derived from a legacy CUDA_VERSION.
    """

    exprs: Tuple[Tuple[Tuple[Condition, ...], ...], ...] = ()
    raw: Tuple[str, ...] = ()
    disabled: bool = False
    implicit: bool = False

    @property
    def empty(self) -> bool:
        return self.disabled or not self.exprs

    def min_cuda(self) -> Optional[str]:
        """The highest `cuda>=X.Y` any expr demands in its first term (the image's CUDA)."""
        best: Optional[str] = None
        for expr in self.exprs:
            for term in expr[:1]:
                for c in term:
                    if c.key == "cuda" and c.op in (">=", ">"):
                        if best is None or _cmp(version_tuple(c.value), version_tuple(best)) > 0:
                            best = c.value
        return best


_Expr = Tuple[Tuple[Condition, ...], ...]


def _parse_expr(value: str) -> Tuple[Tuple[Condition, ...], ...]:
    terms = []
    for term in value.split():
        conds = []
        for part in term.split(","):
            if not part:
                continue
            m = _COND_RE.match(part)
            if not m:
                raise ValueError("invalid condition %r in %r" % (part, value))
            conds.append(Condition(m.group(1).lower(), m.group(2), m.group(3)))
        if conds:
            terms.append(tuple(conds))
    return tuple(terms)


def parse_require(value: Union[str, Mapping[str, str], Sequence[str], None]) -> Requirement:
    """One NVIDIA_REQUIRE_* value ("cuda>=12.4 brand=tesla,driver>=470,driver<471"), or an image's
    whole environment (a mapping, or a list of "KEY=VALUE" as `docker inspect` prints it).

    Raises ValueError for a condition the toolkit could not parse either.
    """
    if value is None:
        return Requirement()
    if isinstance(value, str):
        expr = _parse_expr(value)
        return Requirement((expr,) if expr else (), (value,) if expr else ())
    return requirement_from_env(value)


def env_dict(env: Union[Mapping[str, str], Sequence[str], None]) -> Dict[str, str]:
    """['A=1', 'B=x=y'] or a mapping -> {'A': '1', 'B': 'x=y'} (the last value of a key wins)."""
    if env is None:
        return {}
    if isinstance(env, Mapping):
        return {str(k): str(v) for k, v in env.items()}
    out: Dict[str, str] = {}
    for item in env:
        k, sep, v = str(item).partition("=")
        if sep:
            out[k] = v
    return out


def _parse_bool(value: str) -> bool:
    """Go's strconv.ParseBool, true side (anything else is false, as the toolkit treats errors)."""
    return value.strip() in ("1", "t", "T", "TRUE", "true", "True")


def requirement_from_env(env: Union[Mapping[str, str], Sequence[str], None]) -> Requirement:
    """What the toolkit requires of the driver for an image with this environment."""
    d = env_dict(env)
    if _parse_bool(d.get("NVIDIA_DISABLE_REQUIRE", "")):
        return Requirement(disabled=True)
    raws = [v for k, v in sorted(d.items())
            if k.startswith("NVIDIA_REQUIRE_") and not k.startswith("NVIDIA_REQUIRE_JETPACK")]
    implicit = False
    legacy = d.get("CUDA_VERSION", "")
    if legacy and not d.get("NVIDIA_REQUIRE_CUDA"):
        nums = version_tuple(legacy)
        if len(nums) >= 2:
            raws.append("cuda>=%d.%d" % nums[:2])
            implicit = True
    exprs = tuple(e for e in (_parse_expr(r) for r in raws) if e)
    return Requirement(exprs, tuple(r for r in raws if r.strip()), implicit=implicit)


# --- evaluation ------------------------------------------------------------------------------------

TRUE, FALSE, MAYBE = "yes", "no", "maybe"


def _compare(have: Tuple[int, ...], op: str, want: Tuple[int, ...]) -> bool:
    c = _cmp(have, want)
    return {">=": c >= 0, "<=": c <= 0, "==": c == 0, "=": c == 0, "!=": c != 0, ">": c > 0,
            "<": c < 0}[op]


def _cond(c: Condition, cuda: Tuple[int, ...], driver: Tuple[int, ...],
          brands: Optional[FrozenSet[str]]) -> str:
    """yes / no / maybe for one condition on one GPU (brands: candidates; None = unknown)."""
    if c.key == "cuda":
        if not cuda:
            return MAYBE
        return TRUE if _compare(cuda, c.op, version_tuple(c.value)) else FALSE
    if c.key == "driver":
        if not driver:
            return MAYBE
        return TRUE if _compare(driver, c.op, version_tuple(c.value)) else FALSE
    if c.key == "brand":
        want = c.value.lower()
        cands = ALL_BRANDS | {want} if brands is None else brands
        hits = {b == want for b in cands}
        if c.op == "!=":
            hits = {not h for h in hits}
        elif c.op not in ("==", "="):
            return FALSE
        if hits == {True}:
            return TRUE
        if hits == {False}:
            return FALSE
        return MAYBE
    if c.key == "arch":
        return MAYBE  # compute capability is not among the facts: the toolkit decides
    return FALSE  # an unknown constraint: the toolkit refuses it


def _and(values: Iterable[str]) -> str:
    vals = list(values)
    if FALSE in vals:
        return FALSE
    return MAYBE if MAYBE in vals else TRUE


def _or(values: Iterable[str]) -> str:
    vals = list(values)
    if TRUE in vals:
        return TRUE
    return MAYBE if MAYBE in vals else FALSE


BrandArg = Union[None, str, Iterable[str]]


def _brand_sets(brand: BrandArg) -> List[Optional[FrozenSet[str]]]:
    """One candidate set per GPU: a str is one known brand, an iterable is the GPUs' brands (each
    known), a frozenset is one GPU's possible brands; None = unknown."""
    if brand is None:
        return [None]
    if isinstance(brand, str):
        return [frozenset([brand_term(brand)])]
    if isinstance(brand, (set, frozenset)):
        return [frozenset(brand_term(b) for b in brand)] if brand else [None]
    items = [b for b in brand]
    if not items:
        return [None]
    out: List[Optional[FrozenSet[str]]] = []
    for b in items:
        if b is None:
            out.append(None)
        elif isinstance(b, (set, frozenset)):
            out.append(frozenset(brand_term(x) for x in b))
        else:
            out.append(frozenset([brand_term(str(b))]))
    return out


def satisfied(requirement: Requirement, cuda_version: Optional[str], driver_version: Optional[str],
              brand: BrandArg = None) -> Tuple[bool, str]:
    """Would the toolkit start a container with this requirement on this driver? (ok, reason).

    cuda_version: the driver's maximum CUDA (nvidia-smi header). brand: the GPUs' NVML brand
    ("Product Brand" of nvidia-smi -q, or a term like "geforce"); a list or tuple for several GPUs
    (each must pass, as the toolkit checks every visible GPU), a set for one GPU's possible brands,
    None when unknown. When the verdict hangs on an unknown brand (or compute capability), it is
    True with a reason that says so: brand terms count as possibly matching, but only where their
    driver window matches.
    """
    verdict, reason = evaluate(requirement, cuda_version, driver_version, brand)
    return verdict != FALSE, reason


def evaluate(requirement: Requirement, cuda_version: Optional[str], driver_version: Optional[str],
             brand: BrandArg = None) -> Tuple[str, str]:
    """Like satisfied(), with the three-way verdict: TRUE ("yes"), FALSE ("no"), MAYBE ("maybe":
    it depends on what is not known here, the GPU brand or architecture)."""
    if requirement.disabled:
        return TRUE, _("NVIDIA_DISABLE_REQUIRE is set: the toolkit checks no requirement.")
    if not requirement.exprs:
        return TRUE, _("The image states no CUDA requirement.")
    cuda, driver = version_tuple(cuda_version), version_tuple(driver_version)
    if not cuda and not driver:
        return MAYBE, _("The driver's version is not known: the requirement could not be checked.")
    have = _("driver {drv} (CUDA {cuda})").format(drv=driver_version or "?", cuda=cuda_version or "?")
    verdicts = []
    for brands in _brand_sets(brand):
        per_expr = []
        for expr in requirement.exprs:
            per_expr.append((expr, _or(_and(_cond(c, cuda, driver, brands) for c in term)
                                       for term in expr)))
        verdicts.append((brands, per_expr))
    for brands, per_expr in verdicts:
        for expr, v in per_expr:
            if v == FALSE:
                first = " ".join(str(c) for c in expr[0])
                return FALSE, _explain_false(expr, first, have, brands, cuda, driver)
    maybe = [(b, e) for b, per in verdicts for e, v in per if v == MAYBE]
    if maybe:
        brands, expr = maybe[0]
        windows = _matching_windows(expr, cuda, driver)
        if windows:
            return MAYBE, _("{have} meets this only through the exception for driver branch {win}, "
                            "which holds for the GPU brands {brands}; the GPU's brand is not known "
                            "here, so the toolkit may still refuse it.").format(
                have=have, win=windows[0],
                brands=", ".join(sorted(set(_window_brands(expr, windows[0])))))
        return MAYBE, _("{have} may meet this requirement; part of it (the CUDA version, GPU brand "
                        "or architecture) is not known here, so the toolkit decides.").format(have=have)
    first_terms = " ".join(str(c) for c in requirement.exprs[0][0])
    if all(_or(_and(_cond(c, cuda, driver, None) for c in t) for t in e[:1]) == TRUE
           for e in requirement.exprs):
        return TRUE, _("{have} meets {req}.").format(have=have, req=first_terms)
    windows = _matching_windows(requirement.exprs[0], cuda, driver)
    return TRUE, _("{have} does not meet {req}, but meets the image's exception for driver branch "
                   "{win} on this GPU brand.").format(have=have, req=first_terms,
                                                      win=windows[0] if windows else "?")


def _window_of(term: Tuple[Condition, ...]) -> Optional[str]:
    lo = [c.value for c in term if c.key == "driver" and c.op in (">=", ">", "==")]
    return lo[0] if lo else None


def _matching_windows(expr: _Expr, cuda: Tuple[int, ...], driver: Tuple[int, ...]) -> List[str]:
    out: List[str] = []
    for term in expr:
        if any(c.key == "brand" for c in term):
            nonbrand = [c for c in term if c.key != "brand"]
            if nonbrand and _and(_cond(c, cuda, driver, None) for c in nonbrand) == TRUE:
                w = _window_of(term)
                if w and w not in out:
                    out.append(w)
    return out


def _window_brands(expr: _Expr, window: str) -> List[str]:
    out: List[str] = []
    for term in expr:
        if _window_of(term) == window:
            out.extend(c.value for c in term if c.key == "brand" and c.op in ("==", "="))
    return out


def _explain_false(expr: _Expr, first: str, have: str, brands: Optional[FrozenSet[str]],
                   cuda: Tuple[int, ...], driver: Tuple[int, ...]) -> str:
    windows = _matching_windows(expr, cuda, driver)
    if windows and brands is not None:
        allowed = sorted(set(_window_brands(expr, windows[0])))
        return _("{have} does not meet {req}; the image's exception for driver branch {win} holds "
                 "only for the GPU brands {allowed}, not {brand}.").format(
            have=have, req=first, win=windows[0], allowed=", ".join(allowed),
            brand="/".join(sorted(brands)))
    if len(expr) > 1:
        return _("{have} does not meet {req}, and no exception in the image covers this driver "
                 "branch.").format(have=have, req=first)
    return _("{have} does not meet {req}.").format(have=have, req=first)
