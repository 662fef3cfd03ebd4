"""The CUDA version each NVIDIA driver branch supports: what the nvidia-smi header of a driver
shows, known from its version alone. The diagnosis reads it for a host whose nvidia-smi says
nothing; the smoke test chooses its image from it (provision/cuda_images.py)."""
from __future__ import annotations


from dldoctor.parse.version import version_tuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Tuple

# Driver branch -> the CUDA version its nvidia-smi header shows (facts.md §1.3).
BRANCH_CUDA: Tuple[Tuple[int, str], ...] = (
    (384, "9.0"), (390, "9.1"), (396, "9.2"), (410, "10.0"), (418, "10.1"), (440, "10.2"),
    (450, "11.0"), (455, "11.1"), (460, "11.2"), (465, "11.3"), (470, "11.4"), (495, "11.5"),
    (510, "11.6"), (515, "11.7"), (520, "11.8"), (525, "12.0"), (530, "12.1"), (535, "12.2"),
    (545, "12.3"), (550, "12.4"), (555, "12.5"), (560, "12.6"), (565, "12.7"), (570, "12.8"),
    (575, "12.9"), (580, "13.0"), (590, "13.1"), (595, "13.2"), (610, "13.3"), (615, "13.4"),
)


def driver_max_cuda(driver_version: Optional[str]) -> Optional[str]:
    """The CUDA version a driver's nvidia-smi header shows, from its branch (None if unknown)."""
    nums = version_tuple(driver_version)
    if not nums:
        return None
    best = None
    for branch, cuda in BRANCH_CUDA:
        if nums[0] >= branch:
            best = cuda
    return best
