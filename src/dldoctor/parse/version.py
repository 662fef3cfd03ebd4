"""Version strings as tuples that compare: '20.10.8+dfsg1', '17.12.0-ce', '5:24.0.7-1~ubuntu',
'1.17.8-1', '550.127.05', '22.04' -> their leading numeric part.

Docker's and dpkg's versions are not PEP 440: packaging.version refuses '17.12.0-ce',
'18.09.1-ol' and every Debian version with an epoch or a '~' ('5:24.0.7-1~ubuntu.22.04~jammy'),
so the checks compare the leading release numbers here. CUDA and driver releases, which are plain
dotted numbers, are compared with packaging (provision/cuda_images.py)."""
from __future__ import annotations


from dldoctor.lazy_regex import lazy_compile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Tuple

_LEADING = lazy_compile(r"\s*(?:\d+:)?(\d+(?:\.\d+)*)")


def version_tuple(v: Optional[str]) -> Tuple[int, ...]:
    """(20, 10, 8) for '20.10.8+dfsg1' (a dpkg epoch is skipped); () when there is no number."""
    m = _LEADING.match(v or "")
    return tuple(int(x) for x in m.group(1).split(".")) if m else ()
