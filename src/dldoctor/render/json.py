"""dldoctor.report/1 on stdout: one JSON object and nothing else."""
from __future__ import annotations

import json
import sys
from typing import Dict, Optional, TextIO

from dldoctor.model import Report


def dumps(obj: Dict[str, object]) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False)


def render(report: Report, out: Optional[TextIO] = None, extra: Optional[Dict[str, object]] = None) -> None:
    data = report.to_json()
    if extra:
        data.update(extra)
    (out or sys.stdout).write(dumps(data) + "\n")
