"""nvidia-smi output in any form people paste (default table, -q, -q -x, -L, --version, --query-* CSV)
and its one-line failures; parse_nvidia_smi() detects the form and returns one NvidiaSmi."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    import xml.etree.ElementTree as ET
    from typing import Dict, List, Optional, Tuple
    from typing import TypedDict  # the parsers' scratch records, for the checker only

    class _TableGpu(TypedDict):
        index: int
        name: Optional[str]
        bus_id: str
        mem: Optional[int]

    class _QueryGpu(TypedDict):
        bus_id: str
        kv: Dict[Tuple[str, ...], str]   # section path + key -> value
        migs: List[Dict[str, str]]

__all__ = ["Gpu", "NvidiaSmi", "parse_nvidia_smi", "ERROR_KINDS", "FORMS"]

FORMS = ("table", "query", "xml", "list", "version", "csv", "error")
ERROR_KINDS = (
    "not-found",
    "no-driver",
    "version-mismatch",
    "nvml-unknown",
    "function-not-found",
    "no-devices",
    "lib-not-found",
    "insufficient-permissions",
    "other",
)


@frozen_record
class Gpu:
    """One GPU as the output showed it; a field the form does not print is None.

    index is the nvidia-smi index where the form prints one (table, -L, CSV `index`); -q and -q -x
    print none, so it is None there. bus_id is kept as printed ("0000:03:00.0" or "00000000:03:00.0").
    mig_devices: for -L the MIG device UUIDs as printed ("MIG-<uuid>" or legacy "MIG-GPU-<uuid>/1/0");
    the table, -q and -q -x print no MIG UUID, so there each entry reads "GI <gi> CI <ci>".
    """

    index: Optional[int]
    name: Optional[str]
    bus_id: Optional[str]
    uuid: Optional[str] = None
    memory_total_mib: Optional[int] = None
    mig_devices: Tuple[str, ...] = ()


@frozen_record
class NvidiaSmi:
    """What one nvidia-smi output says.

    form: one of FORMS. driver_version: the kernel driver (610+: "KMD Version"). cuda_version: the highest
    CUDA the driver supports (610+: "CUDA UMD Version"); None where not printed (390-era, -q before 410).
    error: one of ERROR_KINDS when form == "error", with error_line the line that said it.
    mig_enabled: True if any GPU has MIG mode enabled (or MIG devices are listed), False if MIG mode is
    shown as Disabled or N/A (unsupported), None if the output does not say.
    """

    form: str
    driver_version: Optional[str]
    cuda_version: Optional[str]
    smi_version: Optional[str]
    gpus: Tuple[Gpu, ...]
    error: Optional[str]
    error_line: Optional[str]
    is_windows: bool = False
    mig_enabled: Optional[bool] = None


# --------------------------------------------------------------------------------------------------
# shared patterns and helpers

_BUS = r"[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f]"
_BUS_RE = lazy_compile(r"^" + _BUS + r"$")
_VERSION_RE = lazy_compile(r"^(\d+(?:\.\d+)+)")
_UUID_RE = lazy_compile(r"^GPU-[0-9A-Za-z-]+$")
_MIB_RE = lazy_compile(r"^(\d+)(?:\s*MiB)?$")
PROMPT_MAX = 512  # a prompt line is short; longer lines are never tried (the pattern backtracks)
# a shell-prompt line that runs nvidia-smi ("user@host:~$ nvidia-smi -L", "PS C:\\> nvidia-smi", bare "nvidia-smi")
_PROMPT_RE = lazy_compile(
    r"^\s*(?:.*?[$#%>]\s*)?(?:sudo\s+(?:-\S+\s+)*)?(?:\S*[/\\])?nvidia-smi(?:\.exe)?(?:\s+[-|>].*)?\s*$"
)
_NA = ("", "N/A", "[N/A]", "n/a", "Unknown", "(null)")


def _clean_lines(text: object, strip_prompts: bool = True) -> List[str]:
    """Text -> lines without CR, paste markers ('[...]'), Markdown quote markers, a common indent, and
    (unless told otherwise) shell-prompt lines that invoke nvidia-smi."""
    if not isinstance(text, str):
        raise ParseError("expected text, got %s" % type(text).__name__)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    nonblank = [ln for ln in lines if ln.strip()]
    if nonblank and all(ln.lstrip().startswith(">") for ln in nonblank):
        # pasted as a Markdown quote
        lines = [re.sub(r"^\s*> ?", "", ln) for ln in lines]
    out = []
    for ln in lines:
        s = ln.strip()
        if s in ("[...]", "...", "[\u2026]"):
            continue
        if strip_prompts and len(ln) <= PROMPT_MAX and _PROMPT_RE.match(ln):
            continue
        out.append(ln.rstrip())
    # an indented paste (e.g. a Markdown code block indented by four spaces): remove the common indent
    indents = [len(ln) - len(ln.lstrip(" ")) for ln in out if ln.strip()]
    common = min(indents) if indents else 0
    if common:
        out = [ln[common:] if ln.strip() else "" for ln in out]
    return out


def _version(value: Optional[str]) -> Optional[str]:
    """'550.54.15', '610.57.04 [Deprecated; ...]' -> the leading dotted version; 'N/A' etc. -> None."""
    if value is None:
        return None
    m = _VERSION_RE.match(value.strip())
    return m.group(1) if m else None


def _na(value: Optional[str]) -> Optional[str]:
    """Strip a printed value; the not-available spellings become None."""
    if value is None:
        return None
    v = value.strip()
    return None if v in _NA else v


def _mib(value: Optional[str]) -> Optional[int]:
    """'81559 MiB' or '81559' -> 81559; anything else -> None."""
    v = _na(value)
    if v is None:
        return None
    m = _MIB_RE.match(v)
    return int(m.group(1)) if m else None


def _mig_flag(values: List[Optional[str]]) -> Optional[bool]:
    """Per-GPU MIG mode strings -> True if any Enabled, False if any Disabled/N/A, else None."""
    seen = False
    for v in values:
        if v is None:
            continue
        s = v.strip().lower()
        if s == "enabled":
            return True
        if s in ("disabled", "n/a", "[n/a]"):
            seen = True
    return False if seen else None


# --------------------------------------------------------------------------------------------------
# failures

_ERROR_PATTERNS = (
    ("version-mismatch", lazy_compile(r"Driver/library version mismatch", re.I)),
    ("nvml-unknown", lazy_compile(r"Failed to initialize NVML:\s*Unknown Error", re.I)),
    ("insufficient-permissions", lazy_compile(r"Insufficient Permissions", re.I)),
    ("function-not-found", lazy_compile(r"Function Not Found", re.I)),
    (
        "lib-not-found",
        lazy_compile(
            r"NVML Shared Library Not Found|libnvidia-ml\.so\S*\s*:\s*cannot open|"
            r"couldn\W{0,3}t find libnvidia-ml|libnvidia-ml\.so\S* not found",
            re.I,
        ),
    ),
    ("no-driver", lazy_compile(r"couldn\W{0,3}t communicate with the NVIDIA driver", re.I)),
    ("no-devices", lazy_compile(r"^\s*No devices were found", re.I)),
    (
        "not-found",
        lazy_compile(
            r"nvidia-smi(?:\.exe)?\W{0,2}:\s*(?:command )?not found|"
            r"nvidia-smi(?:\.exe)?\W{0,2}:\s*No such file or directory|"
            r"nvidia-smi\W{0,3}is not recognized as (?:an internal or external command|the name of a cmdlet)|"
            r"exec:\s*\W{0,2}nvidia-smi\W{0,2}:\s*executable file not found|"
            r"Command 'nvidia-smi' not found",
            re.I,
        ),
    ),
    (
        "other",
        lazy_compile(
            r"Failed to initialize NVML|NVIDIA-SMI has failed|Unable to determine the device handle|"
            r"GPU is lost|Unable to load the NVIDIA kernel module",
            re.I,
        ),
    ),
)


def _detect_error(lines: List[str]) -> Optional[Tuple[str, str]]:
    """First failure kind found (by priority) and the line that said it."""
    for kind, rx in _ERROR_PATTERNS:
        for ln in lines:
            if rx.search(ln):
                return kind, ln.strip()
    return None


# --------------------------------------------------------------------------------------------------
# default table

_HEADER_SMI_RE = lazy_compile(r"NVIDIA-SMI\s+\d[\w.-]*\s", re.I)
_HEADER_DRIVER_RE = lazy_compile(r"\b(?:Driver|KMD)\s+Version:", re.I)
_SMI_RE = lazy_compile(r"NVIDIA-SMI\s+(\d[\w.-]*)")
_DRIVER_RE = lazy_compile(r"\b(KMD|Driver)\s+Version:\s*([^\s|]+)")
_CUDA_RE = lazy_compile(r"\bCUDA\s+(UMD\s+)?Version:\s*([^\s|]+)")
# Patterns that run on every line of hostile text are linear: no two neighbouring quantifiers
# can take the same characters, and what a lazy `(.*?)\s*$` did is done by str.strip() (a run of
# 40000 blanks made such patterns take seconds to hours).
_GPU_ROW_RE = lazy_compile(
    r"^\|\s*(?P<idx>\d+)\s(?P<cell>[^|]*)\|\s*(?P<bus>" + _BUS + r")\s+(?P<disp>\S+)\s*\|"
)
_MEM_RE = lazy_compile(r"(?<!\d)(\d+)\s*MiB\s*/\s*(\d+)\s*MiB")
_MIG_ROW_RE = lazy_compile(r"^\|\s*(\d+)\s+(\d+|N/A)\s+(\d+|N/A)\s+(\d+|N/A)\s*\|")
_WIN_PATH_RE = lazy_compile(r"\b[A-Za-z]:\\|\.exe\b", re.I)


def _is_table_header(ln: str) -> bool:
    """'| NVIDIA-SMI 535.54.03   Driver Version: 535.54.03 ...': the version, then the driver's.
    Two searches, not one with `.*?` between them (which is quadratic in the NVIDIA-SMI words of
    a line without a driver version: 100 KB of them took 29 s)."""
    smi = _HEADER_SMI_RE.search(ln)
    return smi is not None and _HEADER_DRIVER_RE.search(ln, smi.end()) is not None


def _name_and_pm(cell: str) -> Optional[Tuple[str, str]]:
    """A GPU row's first cell after the index, 'NVIDIA GeForce RTX 3090    On ': (name, its last
    word, the persistence mode or WDDM/TCC), None without both."""
    words = cell.rstrip()
    cut = max(words.rfind(" "), words.rfind("\t"))
    name = words[:cut].strip() if cut >= 0 else ""
    return (name, words[cut + 1:]) if name else None


def _gpu_row(ln: str) -> Optional[Tuple[re.Match[str], Tuple[str, str]]]:
    """A GPU row's match and its (name, persistence mode), None for any other line."""
    gm = _GPU_ROW_RE.match(ln)
    name_pm = _name_and_pm(gm.group("cell")) if gm else None
    return (gm, name_pm) if gm and name_pm else None


def _last_cell(ln: str) -> Optional[str]:
    """The text of a table line's last cell ('|  Disabled |' -> 'Disabled'), None without one."""
    s = ln.rstrip()
    if not s.endswith("|"):
        return None
    start = s.rfind("|", 0, len(s) - 1)
    return s[start + 1:-1].strip() if start >= 0 else None


def _pick_driver_cuda(line_matches_driver, line_matches_cuda) -> Tuple[Optional[str], Optional[str]]:
    """From (label, value) pairs prefer the 610+ KMD / CUDA UMD spellings."""
    driver = None
    for label, value in line_matches_driver:
        v = _version(value)
        if v and (driver is None or label.upper() == "KMD"):
            driver = v
    cuda = None
    for umd, value in line_matches_cuda:
        v = _version(value)
        if v and (cuda is None or umd):
            cuda = v
    return driver, cuda


def _parse_table(lines: List[str]) -> NvidiaSmi:
    """The default `nvidia-smi` box table, any driver generation, possibly cut off."""
    header_i = None
    for i, ln in enumerate(lines):
        if _is_table_header(ln):
            header_i = i
            break
    if header_i is None:
        raise ParseError("no NVIDIA-SMI header line")
    header = lines[header_i]
    m = _SMI_RE.search(header)
    smi = _version(m.group(1)) if m else None
    driver, cuda = _pick_driver_cuda(_DRIVER_RE.findall(header), _CUDA_RE.findall(header))

    has_mig_row = any("MIG M." in ln for ln in lines)
    is_windows = any(("TCC/WDDM" in ln or "Driver-Model" in ln) for ln in lines[header_i:header_i + 8])

    gpus = []  # type: List[_TableGpu]
    mig_modes = []  # type: List[Optional[str]]
    i = header_i + 1
    n = len(lines)
    in_processes = False
    in_mig = False
    mig_rows = []  # type: List[Tuple[int, str, str]]
    while i < n:
        ln = lines[i]
        if "Processes:" in ln:
            in_processes = True
            in_mig = False
        elif "MIG devices:" in ln:
            in_mig = True
        elif in_mig and not ln.strip():
            in_mig = False
        if in_mig:
            mm = _MIG_ROW_RE.match(ln)
            if mm:
                mig_rows.append((int(mm.group(1)), mm.group(2), mm.group(3)))
            i += 1
            continue
        if in_processes:
            if _WIN_PATH_RE.search(ln):
                is_windows = True
            i += 1
            continue
        row = _gpu_row(ln)
        if row is None:
            i += 1
            continue
        gm, (name, pm) = row
        if pm.upper() in ("WDDM", "TCC", "MCDM"):
            is_windows = True
        rec: _TableGpu = {
            "index": int(gm.group("idx")),
            "name": _na(name),
            "bus_id": gm.group("bus"),
            "mem": None,
        }
        # the GPU's block continues until the next border or GPU row
        block = []  # type: List[str]
        j = i + 1
        while j < n and len(block) < 3:
            nxt = lines[j]
            if not nxt.startswith("|") or _gpu_row(nxt):
                break
            block.append(nxt)
            j += 1
        if block:
            mem = _MEM_RE.search(block[0])
            if mem:
                rec["mem"] = int(mem.group(2))
        if has_mig_row and len(block) >= 2:
            mig_modes.append(_last_cell(block[1]))
        gpus.append(rec)
        i = j

    migs_by_gpu = {}  # type: Dict[int, List[str]]
    for gidx, gi, ci in mig_rows:
        migs_by_gpu.setdefault(gidx, []).append("GI %s CI %s" % (gi, ci))
    result = tuple(
        Gpu(
            index=g["index"],
            name=g["name"],
            bus_id=g["bus_id"],
            uuid=None,
            memory_total_mib=g["mem"],
            mig_devices=tuple(migs_by_gpu.get(g["index"], [])),
        )
        for g in gpus
    )
    mig_enabled = True if mig_rows else _mig_flag(mig_modes)
    return NvidiaSmi(
        form="table",
        driver_version=driver,
        cuda_version=cuda,
        smi_version=smi,
        gpus=result,
        error=None,
        error_line=None,
        is_windows=is_windows,
        mig_enabled=mig_enabled,
    )


# --------------------------------------------------------------------------------------------------
# -q / -a text

_Q_KV_RE = lazy_compile(r"^(?P<indent>\s*)(?P<key>[^:\s][^:]*):\s?(?P<value>.*)$")
_Q_GPU_RE = lazy_compile(r"^GPU\s+(" + _BUS + r")\s*$")
_Q_SECTION_RE = lazy_compile(r"^(?P<indent>\s*)(?P<name>\S.*)$")


def _looks_like_query(lines: List[str]) -> bool:
    """-q text: the NVSMI LOG banner, or top-level 'Driver Version :' plus 'Attached GPUs :'."""
    if any("NVSMI LOG" in ln for ln in lines):
        return True
    has_driver = any(re.match(r"^(?:Driver|KMD) Version\s+:", ln) for ln in lines)
    has_attached = any(re.match(r"^Attached GPUs\s+:", ln) for ln in lines)
    return has_driver and has_attached


def _indent(raw: str) -> int:
    return len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())


def _parse_query(lines: List[str]) -> NvidiaSmi:
    """`nvidia-smi -q` / `-a` text: header keys plus one block per 'GPU <bus id>' line."""
    top = {}  # type: Dict[str, str]
    gpus = []  # type: List[_QueryGpu]
    cur = None  # type: Optional[_QueryGpu]
    stack = []  # type: List[Tuple[int, str]]
    for raw in lines:
        if not raw.strip() or "NVSMI LOG" in raw:
            continue
        gm = _Q_GPU_RE.match(raw)
        if gm:
            cur = {"bus_id": gm.group(1), "kv": {}, "migs": []}
            gpus.append(cur)
            stack = []
            continue
        ind = _indent(raw)
        kv = _Q_KV_RE.match(raw)
        if kv:
            key = kv.group("key").strip()
            value = kv.group("value").rstrip()
            if cur is None or ind == 0:
                top.setdefault(key, value)
                continue
            while stack and stack[-1][0] >= ind:
                stack.pop()
            path = tuple(name for _, name in stack) + (key,)
            kvmap = cur["kv"]
            if path not in kvmap:
                kvmap[path] = value
            if "MIG Device" in path[:-1] and cur["migs"]:
                cur["migs"][-1].setdefault(key, value)
            continue
        sec = _Q_SECTION_RE.match(raw)
        if sec and cur is not None:
            while stack and stack[-1][0] >= ind:
                stack.pop()
            name = sec.group("name").rstrip()
            stack.append((ind, name))
            if name == "MIG Device":
                cur["migs"].append({})

    driver, cuda = _pick_driver_cuda(
        [(k.split()[0], v) for k, v in top.items() if k in ("Driver Version", "KMD Version")],
        [("UMD" if "UMD" in k else "", v) for k, v in top.items() if k in ("CUDA Version", "CUDA UMD Version")],
    )
    result = []
    mig_modes = []  # type: List[Optional[str]]
    is_windows = False
    for g in gpus:
        kvmap = g["kv"]
        dm = _na(kvmap.get(("Driver Model", "Current")))
        if dm and dm.upper() in ("WDDM", "TCC", "MCDM"):
            is_windows = True
        mig_modes.append(kvmap.get(("MIG Mode", "Current")))
        migs = tuple(
            "GI %s CI %s" % (m.get("GPU Instance ID", "?").strip(), m.get("Compute Instance ID", "?").strip())
            for m in g["migs"]
        )
        result.append(
            Gpu(
                index=None,
                name=_na(kvmap.get(("Product Name",))),
                bus_id=g["bus_id"],
                uuid=_na(kvmap.get(("GPU UUID",))),
                memory_total_mib=_mib(kvmap.get(("FB Memory Usage", "Total"))),
                mig_devices=migs,
            )
        )
    mig_enabled = True if any(r.mig_devices for r in result) else _mig_flag(mig_modes)
    if driver is None and not result:
        raise ParseError("nvidia-smi -q text without a driver version or any GPU block")
    return NvidiaSmi(
        form="query",
        driver_version=driver,
        cuda_version=cuda,
        smi_version=None,
        gpus=tuple(result),
        error=None,
        error_line=None,
        is_windows=is_windows,
        mig_enabled=mig_enabled,
    )


# --------------------------------------------------------------------------------------------------
# -q -x XML


def _xml_text(el: Optional[ET.Element], path: str) -> Optional[str]:
    if el is None:
        return None
    found = el.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def _parse_xml(text: str) -> NvidiaSmi:
    """`nvidia-smi -q -x`: parsed with ElementTree; a cut-off document yields what was complete."""
    import xml.etree.ElementTree as ET  # only -q -x output needs it: keep it off every start-up

    start = text.find("<?xml")
    if start < 0:
        start = text.find("<nvidia_smi_log")
    body = text[start:]
    end = body.find("</nvidia_smi_log>")
    if end >= 0:
        body = body[: end + len("</nvidia_smi_log>")]
    if "<!ENTITY" in body:
        raise ParseError("XML with entity declarations is not nvidia-smi output")
    parser = ET.XMLPullParser(events=("start",))
    error = None  # type: Optional[ET.ParseError]
    root = None  # type: Optional[ET.Element]
    try:
        parser.feed(body)
        parser.close()
    except ET.ParseError as e:
        error = e
    try:
        for _event, el in parser.read_events():
            if root is None:
                root = el
    except ET.ParseError as e:
        error = error or e
    if root is None or root.tag != "nvidia_smi_log":
        if error is not None:
            line, col = getattr(error, "position", (None, None))
            raise ParseError("unreadable nvidia-smi XML: %s" % error, line=line, col=col)
        raise ParseError("XML is not an nvidia_smi_log document")

    driver, cuda = _pick_driver_cuda(
        [("Driver", _xml_text(root, "driver_version") or ""), ("KMD", _xml_text(root, "kmd_version") or "")],
        [("", _xml_text(root, "cuda_version") or ""), ("UMD", _xml_text(root, "cuda_umd_version") or "")],
    )
    gpus = []
    mig_modes = []  # type: List[Optional[str]]
    is_windows = False
    for g in root.findall("gpu"):
        dm = _na(_xml_text(g, "driver_model/current_dm"))
        if dm and dm.upper() in ("WDDM", "TCC", "MCDM"):
            is_windows = True
        mig_modes.append(_xml_text(g, "mig_mode/current_mig"))
        migs = tuple(
            "GI %s CI %s" % (_xml_text(m, "gpu_instance_id") or "?", _xml_text(m, "compute_instance_id") or "?")
            for m in g.findall("mig_devices/mig_device")
        )
        bus = g.get("id") or _xml_text(g, "pci/pci_bus_id")
        gpus.append(
            Gpu(
                index=None,
                name=_na(_xml_text(g, "product_name")),
                bus_id=bus,
                uuid=_na(_xml_text(g, "uuid")),
                memory_total_mib=_mib(_xml_text(g, "fb_memory_usage/total")),
                mig_devices=migs,
            )
        )
    if driver is None and not gpus:
        if error is not None:
            line, col = getattr(error, "position", (None, None))
            raise ParseError("unreadable nvidia-smi XML: %s" % error, line=line, col=col)
        raise ParseError("nvidia_smi_log without a driver version or any GPU")
    mig_enabled = True if any(x.mig_devices for x in gpus) else _mig_flag(mig_modes)
    return NvidiaSmi(
        form="xml",
        driver_version=driver,
        cuda_version=cuda,
        smi_version=None,
        gpus=tuple(gpus),
        error=None,
        error_line=None,
        is_windows=is_windows,
        mig_enabled=mig_enabled,
    )


# --------------------------------------------------------------------------------------------------
# --version

_VER_LINE_RE = lazy_compile(r"^\s*(?P<key>NVIDIA-SMI|NVML|DRIVER|KMD|CUDA UMD|CUDA)\s+version\s*:(?P<v>.*)$", re.I)


def _parse_version(lines: List[str]) -> NvidiaSmi:
    """`nvidia-smi --version`: 'NVIDIA-SMI version : x', 'DRIVER version', 'CUDA Version', 610+: KMD / CUDA UMD."""
    found = {}  # type: Dict[str, str]
    for ln in lines:
        m = _VER_LINE_RE.match(ln)
        if m:
            found.setdefault(m.group("key").upper(), m.group("v").strip())
    driver, cuda = _pick_driver_cuda(
        [("Driver", found.get("DRIVER", "")), ("KMD", found.get("KMD", ""))],
        [("", found.get("CUDA", "")), ("UMD", found.get("CUDA UMD", ""))],
    )
    return NvidiaSmi(
        form="version",
        driver_version=driver,
        cuda_version=cuda,
        smi_version=_version(found.get("NVIDIA-SMI")),
        gpus=(),
        error=None,
        error_line=None,
    )


# --------------------------------------------------------------------------------------------------
# -L

_L_GPU_RE = lazy_compile(r"^\s*GPU\s+(\d+):\s")
_L_UUID_RE = lazy_compile(r"\s\(UUID:\s*(GPU-[^)\s]+)\s*\)\s*$")
_L_MIG_RE = lazy_compile(r"^\s+MIG\b.*\(UUID:\s*(MIG-[^)\s]+)\s*\)\s*$")


def _l_gpu(ln: str) -> Optional[Tuple[int, str, str]]:
    """(index, name, uuid) of a 'GPU n: name (UUID: GPU-...)' line, else None."""
    m = _L_GPU_RE.match(ln)
    if not m:
        return None
    tail = _L_UUID_RE.search(ln, m.end())
    name = ln[m.end():tail.start()].strip() if tail else ""
    return (int(m.group(1)), name, tail.group(1)) if tail and name else None


def _parse_list(lines: List[str]) -> NvidiaSmi:
    """`nvidia-smi -L`: 'GPU n: name (UUID: GPU-...)' lines, MIG device lines indented under their GPU."""
    recs = []  # type: List[Tuple[int, str, str, List[str]]]
    for ln in lines:
        found = _l_gpu(ln)
        if found:
            recs.append((found[0], found[1], found[2], []))
            continue
        mm = _L_MIG_RE.match(ln)
        if mm and recs:
            recs[-1][3].append(mm.group(1))
    gpus = tuple(
        Gpu(index=r[0], name=r[1], bus_id=None, uuid=r[2], mig_devices=tuple(r[3]))
        for r in recs
    )
    return NvidiaSmi(
        form="list",
        driver_version=None,
        cuda_version=None,
        smi_version=None,
        gpus=gpus,
        error=None,
        error_line=None,
        is_windows=False,
        mig_enabled=True if any(g.mig_devices for g in gpus) else None,
    )


# --------------------------------------------------------------------------------------------------
# --query-gpu / --query-compute-apps CSV

_CSV_FIELD_RE = lazy_compile(r"^[a-z][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)*(?: \[[^\]]+\])?$")
_CSV_KNOWN = frozenset(
    """timestamp driver_version kmd_version count name gpu_name serial gpu_serial uuid gpu_uuid pci.bus_id
    gpu_bus_id index memory.total memory.used memory.free memory.reserved pid process_name used_gpu_memory
    used_memory fan.speed pstate temperature.gpu temperature.memory utilization.gpu utilization.memory
    power.draw power.limit vbios_version compute_mode persistence_mode display_mode display_active
    mig.mode.current mig.mode.pending driver_model.current driver_model.pending pcie.link.gen.current
    pcie.link.width.current clocks.current.graphics clocks.current.sm clocks.current.memory clocks.sm
    clocks.mem clocks.gr clocks.max.graphics clocks.max.sm clocks.max.memory ecc.mode.current
    power.min_limit power.max_limit enforced.power.limit minor_number""".split()
)
_COMPUTE_APPS_FIELDS = frozenset(["pid", "process_name", "used_gpu_memory", "used_memory"])
_BRAND_RE = lazy_compile(
    r"^(?:NVIDIA|GeForce|Tesla|Quadro|TITAN|GRID|RTX|GTX|Graphics Device|Jetson|Orin|Xavier|"
    r"[ABHLT]\d{1,3}[A-Za-z]?\b|[ABHLV]\d{2,3}-)",
)
_CSV_DRIVER_RE = lazy_compile(r"^\d{3}\.\d{1,3}(?:\.\d{1,3})?$")


def _split_csv(line: str) -> List[str]:
    """nvidia-smi CSV fields: comma-separated, one space after each comma, no quoting."""
    return [f.strip() for f in line.split(",")]


def _field_base(header_field: str) -> str:
    return header_field.split(" [", 1)[0].strip()


def _csv_header(rows: List[str]) -> Optional[List[str]]:
    """The header fields if the first row is an nvidia-smi --query-* CSV header, else None."""
    raw = _split_csv(rows[0])
    if not all(_CSV_FIELD_RE.match(f) for f in raw):
        return None
    fields = [_field_base(f) for f in raw]
    families = ("clocks", "memory", "pci", "temperature", "power", "mig", "ecc", "driver_model", "fan")
    if not any(f in _CSV_KNOWN or f.split(".")[0] in families for f in fields):
        return None
    return fields


def _nonblank(lines: List[str]) -> List[str]:
    return [ln for ln in lines if ln.strip()]


def _parse_csv_with_header(header: List[str], rows: List[str]) -> Optional[NvidiaSmi]:
    compute_apps = any(f in _COMPUTE_APPS_FIELDS for f in header)
    records = []
    for ln in rows:
        values = _split_csv(ln)
        if len(values) > len(header) and not compute_apps:
            # more fields than the header: a comma inside a value, the columns cannot be trusted
            return None
        # fewer fields: a row cut off by the paste; zip keeps what is there
        records.append(dict(zip(header, values)))
    is_windows = False
    drivers = []  # type: List[Tuple[str, str]]
    mig_modes = []  # type: List[Optional[str]]
    gpus = []
    for rec in records:
        dm = _na(rec.get("driver_model.current"))
        if dm and dm.upper() in ("WDDM", "TCC", "MCDM"):
            is_windows = True
        if compute_apps:
            if _WIN_PATH_RE.search(", ".join(rec.values())):
                is_windows = True
            continue
        drivers.append(("Driver", rec.get("driver_version", "")))
        drivers.append(("KMD", rec.get("kmd_version", "")))
        mig_modes.append(rec.get("mig.mode.current"))
        idx = _na(rec.get("index"))
        gpus.append(
            Gpu(
                index=int(idx) if idx is not None and idx.isdigit() else None,
                name=_na(rec.get("name", rec.get("gpu_name"))),
                bus_id=_na(rec.get("pci.bus_id", rec.get("gpu_bus_id"))),
                uuid=_na(rec.get("uuid", rec.get("gpu_uuid"))),
                memory_total_mib=_mib(rec.get("memory.total")),
            )
        )
    driver, _ = _pick_driver_cuda(drivers, [])
    return NvidiaSmi(
        form="csv",
        driver_version=driver,
        cuda_version=None,
        smi_version=None,
        gpus=tuple(gpus),
        error=None,
        error_line=None,
        is_windows=is_windows,
        mig_enabled=_mig_flag(mig_modes),
    )


def _parse_csv_noheader(rows: List[str]) -> Optional[NvidiaSmi]:
    """Without a header only self-identifying values are used: GPU UUID, bus id, product name, and a
    driver version when it cannot be confused with another number (a three-part version, or the only field)."""
    table = [_split_csv(ln) for ln in rows]
    width = len(table[0])
    if any(len(r) != width for r in table):
        return None
    gpus = []
    drivers = set()
    for values in table:
        uuid = next((v for v in values if _UUID_RE.match(v)), None)
        bus = next((v for v in values if _BUS_RE.match(v)), None)
        name = next((v for v in values if _BRAND_RE.match(v) and not _UUID_RE.match(v)), None)
        candidates = [v for v in values if _CSV_DRIVER_RE.match(v)]
        three_part = [v for v in candidates if v.count(".") == 2]
        driver = None
        if width == 1 and candidates:
            driver = candidates[0]
        elif len(set(three_part)) == 1:
            driver = three_part[0]
        if uuid is None and bus is None and name is None and driver is None:
            return None
        if driver:
            drivers.add(driver)
        gpus.append(Gpu(index=None, name=name, bus_id=bus, uuid=uuid))
    return NvidiaSmi(
        form="csv",
        driver_version=drivers.pop() if len(drivers) == 1 else None,
        cuda_version=None,
        smi_version=None,
        gpus=tuple(gpus),
        error=None,
        error_line=None,
    )


# --------------------------------------------------------------------------------------------------
# entry point


def parse_nvidia_smi(text: str) -> NvidiaSmi:
    """Detect which nvidia-smi form the text is and parse it; raise ParseError if it is none of them."""
    try:
        return _parse(text)
    except ParseError:
        raise
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError) as e:
        raise ParseError("unreadable nvidia-smi output (%s)" % e.__class__.__name__)


def _parse(text: str) -> NvidiaSmi:
    lines = _clean_lines(text)
    if not any(ln.strip() for ln in lines):
        raise ParseError("empty nvidia-smi output")
    joined = "\n".join(lines)
    if "<nvidia_smi_log" in joined:
        return _parse_xml(joined)
    if _looks_like_query(lines):
        return _parse_query(lines)
    if any(_is_table_header(ln) for ln in lines):
        return _parse_table(lines)
    if any(_VER_LINE_RE.match(ln) and ln.strip().upper().startswith("NVIDIA-SMI") for ln in lines):
        return _parse_version(lines)
    if any(_l_gpu(ln) for ln in lines):
        return _parse_list(lines)
    rows = _nonblank(lines)
    header = _csv_header(rows)
    if header is not None:
        with_header = _parse_csv_with_header(header, rows[1:])
        if with_header is not None:
            return with_header
    # failures are looked for with prompt lines kept: "nvidia-smi : The term 'nvidia-smi' is not recognized..."
    err = _detect_error(_clean_lines(text, strip_prompts=False))
    if err is not None:
        return NvidiaSmi(
            form="error",
            driver_version=None,
            cuda_version=None,
            smi_version=None,
            gpus=(),
            error=err[0],
            error_line=err[1],
        )
    noheader = _parse_csv_noheader(rows)
    if noheader is not None:
        return noheader
    raise ParseError("not nvidia-smi output (first line: %r)" % rows[0].strip()[:80])
