"""lspci output (plain, -nn, -n, -k, or a grep excerpt): the NVIDIA PCI functions on the host and whether
one of them is a GPU."""
from __future__ import annotations

import re

from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple

__all__ = ["PciDevice", "PciScan", "parse_lspci", "NVIDIA_VENDOR_ID"]

NVIDIA_VENDOR_ID = "10de"
_GPU_CLASS_NAMES = ("vga compatible controller", "3d controller", "display controller")
_GPU_CLASS_CODES = ("0300", "0301", "0302", "0380")


@frozen_record
class PciDevice:
    """One PCI function as lspci printed it.

    slot: as printed ("05:00.0", "0000:5a:00.0"). class_name: "VGA compatible controller" (or the numeric
    class "0300" under `lspci -n`). vendor_id/device_id: lower-case hex when printed (-nn / -n), else None.
    description: the text after the class (vendor and device names, ids and revision included).
    driver_in_use: the `lspci -k` "Kernel driver in use:" value.
    """

    slot: str
    class_name: str
    vendor_id: Optional[str]
    device_id: Optional[str]
    description: str
    driver_in_use: Optional[str] = None

    @property
    def is_display(self) -> bool:
        """A GPU function (VGA / 3D / display class), not the card's audio, USB or serial functions."""
        return self.class_name.strip().lower() in _GPU_CLASS_NAMES or self.class_name.strip() in _GPU_CLASS_CODES


@frozen_record
class PciScan:
    """The NVIDIA functions found (every class); has_nvidia_gpu says whether one of them is a GPU."""

    nvidia_devices: Tuple[PciDevice, ...]

    @property
    def has_nvidia_gpu(self) -> bool:
        """True when an NVIDIA function of class VGA / 3D / Display is present."""
        return any(d.is_display for d in self.nvidia_devices)


_SLOT = r"(?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]"
# `lspci` / `lspci -nn`: "05:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA102 [...] [10de:2204] (rev a1)"
# The class ends on a non-blank and the description is stripped in Python: a lazy class or description
# beside `\s+`/`\s*` rescanned a run of blanks at every step (quadratic in the line's length).
_NAMED_RE = lazy_compile(
    r"^(?P<slot>" + _SLOT + r")\s+(?P<cls>[A-Za-z0-9](?:[^:\[]*[^:\[\s])?)(?:\s+\[(?P<code>[0-9a-fA-F]{4})\]|\s*)"
    r":\s+(?P<desc>\S.*)$"
)
# `lspci -n`: "01:00.0 0300: 10de:2204 (rev a1)"
_NUMERIC_RE = lazy_compile(
    r"^(?P<slot>" + _SLOT + r")\s+(?P<code>[0-9a-fA-F]{4}):\s+(?P<ven>[0-9a-fA-F]{4}):(?P<dev>[0-9a-fA-F]{4})\b(?P<rest>.*)$"
)
_IDS_RE = lazy_compile(r"\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\]")
_DRIVER_RE = lazy_compile(r"^\s+Kernel driver in use:\s*(\S+)")
_NVIDIA_NAME_RE = lazy_compile(r"^\s*nvidia\b", re.I)


def parse_lspci(text: str) -> PciScan:
    """Collect the NVIDIA functions; ParseError when no line looks like lspci output at all."""
    if not isinstance(text, str):
        raise ParseError("expected text, got %s" % type(text).__name__)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    devices: List[List[Optional[str]]] = []
    seen_any = False
    current: Optional[List[Optional[str]]] = None
    for ln in lines:
        n = _NUMERIC_RE.match(ln)
        if n:
            seen_any = True
            desc = ("%s:%s%s" % (n.group("ven"), n.group("dev"), n.group("rest"))).strip()
            current = [n.group("slot"), n.group("code"), n.group("ven").lower(), n.group("dev").lower(), desc, None]
            devices.append(current)
            continue
        m = _NAMED_RE.match(ln)
        if m:
            seen_any = True
            desc = m.group("desc").rstrip()
            ids = _IDS_RE.findall(desc)
            ven, dev = (ids[-1][0].lower(), ids[-1][1].lower()) if ids else (None, None)
            current = [m.group("slot"), m.group("cls").strip(), ven, dev, desc, None]
            devices.append(current)
            continue
        d = _DRIVER_RE.match(ln)
        if d and current is not None:
            current[5] = d.group(1)
            continue
        if ln.strip() and not ln[:1].isspace() and ln.strip() != "--":
            # an unindented line that is not a device line ends the current device's -k/-v block
            current = None
    if not seen_any:
        raise ParseError("no lspci device line (expected lines like '01:00.0 VGA compatible controller: ...')")
    nvidia = []
    for slot, cls, ven, dev, description, drv in devices:
        is_nvidia = ven == NVIDIA_VENDOR_ID if ven is not None else bool(_NVIDIA_NAME_RE.match(str(description)))
        if is_nvidia:
            nvidia.append(PciDevice(str(slot), str(cls), ven, dev, str(description), drv))
    return PciScan(nvidia_devices=tuple(nvidia))
