"""Score `check --snapshot CASE --json` over a corpus of labelled real reports.

A case is a snapshot directory with `expected.json` ({"root_cause": [...], "acceptable": [...],
"source": url}). It counts as right (top-1) when `root_causes[0]` is in root_cause ∪ acceptable,
and within three (recall@3) when one of the first three root causes is. The diagnosis runs
in-process through the same path as the CLI (make_host → gather.collect → diagnose), so the
figures are what `dldoctor check --snapshot CASE --json` reports.

    python tests/corpus/score.py tests/corpus/train [--misses] [--json]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
RECORD = HERE / "train-score.json"
# Score lines of this process, for the pytest terminal summary (tests/corpus/conftest.py).
SUMMARY: List[str] = []


@dataclass
class CaseResult:
    name: str
    expected: Tuple[str, ...]
    got: Tuple[str, ...]
    error: Optional[str] = None

    @property
    def top1(self) -> bool:
        return bool(self.got) and self.got[0] in self.expected

    @property
    def top3(self) -> bool:
        return any(p in self.expected for p in self.got[:3])


@dataclass
class Score:
    results: List[CaseResult] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.results)

    @property
    def top1(self) -> int:
        return sum(r.top1 for r in self.results)

    @property
    def top3(self) -> int:
        return sum(r.top3 for r in self.results)

    @property
    def crashes(self) -> List[CaseResult]:
        return [r for r in self.results if r.error]

    def line(self, label: str) -> str:
        if not self.n:
            return "%s: no cases" % label
        return "%s: top-1 %d/%d (%.1f%%), recall@3 %d/%d (%.1f%%), crashes %d" % (
            label, self.top1, self.n, 100.0 * self.top1 / self.n, self.top3, self.n,
            100.0 * self.top3 / self.n, len(self.crashes))

    def misses(self) -> List[str]:
        return ["%s: got %s, expected %s%s" % (r.name, list(r.got[:3]), list(r.expected),
                                                " (%s)" % r.error if r.error else "")
                for r in self.results if not r.top1]


def cases(directory: Path) -> List[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if (p / "expected.json").is_file())


def diagnose_case(path: Path) -> Tuple[str, ...]:
    from dldoctor import gather
    from dldoctor.diagnose import diagnose
    from dldoctor.host.factory import make_host

    report = diagnose(gather.collect(make_host(snapshot=str(path)), probe_mirrors=True))
    return tuple(report.root_causes)


def score(paths: Sequence[Path]) -> Score:
    out = Score()
    for path in paths:
        exp = json.loads((path / "expected.json").read_text(encoding="utf-8"))
        expected = tuple(exp["root_cause"]) + tuple(exp.get("acceptable", []))
        try:
            got = diagnose_case(path)
            err = None
        except Exception as exc:  # a crash is a miss, and reported
            got, err = (), repr(exc)
        out.results.append(CaseResult(path.name, expected, got, err))
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", help="corpus directories (each holds case directories)")
    ap.add_argument("--misses", action="store_true", help="list the cases not right at top-1")
    ap.add_argument("--only", help="comma-separated case names (e.g. a held-out range)")
    ap.add_argument("--json", action="store_true", help="print per-case results as JSON")
    ap.add_argument("--record", action="store_true",
                    help="write the score as the new floor in train-score.json (train only)")
    args = ap.parse_args(argv)
    paths: List[Path] = []
    for d in args.dirs:
        paths.extend(cases(Path(d)))
    if args.only:
        wanted = set(args.only.split(","))
        paths = [p for p in paths if p.name in wanted]
    s = score(paths)
    if args.json:
        json.dump([{"case": r.name, "got": list(r.got), "expected": list(r.expected),
                    "top1": r.top1, "top3": r.top3, "error": r.error} for r in s.results],
                  sys.stdout, indent=1)
        print()
    print(s.line(" ".join(args.dirs)))
    if args.misses:
        for line in s.misses():
            print("  miss " + line)
    if args.record and s.n:
        floor = lambda x: math.floor(x * 10000) / 10000.0  # noqa: E731 (never above the score)
        RECORD.write_text(json.dumps({"cases": s.n, "top1": floor(s.top1 / s.n),
                                      "recall3": floor(s.top3 / s.n)}, indent=2) + "\n",
                          encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
