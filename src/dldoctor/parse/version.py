"""Version strings as tuples that compare: '20.10.8+dfsg1', '17.12.0-ce', '5:24.0.7-1~ubuntu',
'1.17.8-1', '550.127.05', '22.04' -> their leading numeric part (packaging.version refuses most)."""
from __future__ import annotations

import re
from typing import Optional, Tuple

_LEADING = re.compile(r"\s*(?:\d+:)?(\d+(?:\.\d+)*)")


def version_tuple(v: Optional[str]) -> Tuple[int, ...]:
    """(20, 10, 8) for '20.10.8+dfsg1' (a dpkg epoch is skipped); () when there is no number."""
    m = _LEADING.match(v or "")
    return tuple(int(x) for x in m.group(1).split(".")) if m else ()
