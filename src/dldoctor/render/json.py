"""dldoctor.report/1 on stdout: one JSON object and nothing else.

Every string is masked (dldoctor.scrub) and the text is valid UTF-8 whatever the evidence held:
undecodable bytes appear as the text \\xff, control and BiDi characters as \\u escapes.
"""
from __future__ import annotations

import json
import sys

from dldoctor.model import Report
from dldoctor.scrub import json_text, mask_obj

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, TextIO


def dumps(obj: object, indent: Optional[int] = 2, ascii_only: bool = False) -> str:
    """JSON for people and programs to read: masked, valid UTF-8, terminal-inert."""
    return json_text(json.dumps(mask_obj(obj), indent=indent, ensure_ascii=ascii_only))


def _ascii_only(out: TextIO) -> bool:
    enc = (getattr(out, "encoding", None) or "utf-8").lower().replace("_", "-")
    return not enc.startswith("utf")


def render(report: Report, out: Optional[TextIO] = None, extra: Optional[Dict[str, object]] = None) -> None:
    data = report.to_json()
    if extra:
        data.update(extra)
    stream = out or sys.stdout
    stream.write(dumps(data, ascii_only=_ascii_only(stream)) + "\n")
