"""scripts/blind-read: the reader never sees a label, a held-out split's scoring names no case, and
silver takes only unsettled reports read with enough confidence."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "blind-read"


def _case(root: Path, name: str, label, error: str) -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "error").write_text(error, encoding="utf-8")
    (d / "expected.json").write_text(json.dumps({"root_cause": label, "source": "https://example.com/" + name}),
                                     encoding="utf-8")
    return d


def _run(*args: str) -> str:
    return subprocess.run([sys.executable, str(SCRIPT), *args], check=True, capture_output=True, text=True,
                          cwd=REPO).stdout


def test_blind_reading_round_trip(tmp_path):
    cases = [
        _case(tmp_path / "corpus", "t-9001", ["runtime.not-registered"],
              "docker: Error response from daemon: unknown or invalid runtime name: nvidia."),
        _case(tmp_path / "corpus", "t-9002", [], "docker: Error response from daemon: could not select device "
              'driver "" with capabilities: [[gpu]].'),
        _case(tmp_path / "corpus", "t-9003", [], "Got permission denied while trying to connect to the Docker daemon "
              "socket at unix:///var/run/docker.sock"),
    ]
    out, key = tmp_path / "blind", tmp_path / "key.json"
    _run("prepare", "--out", str(out), "--key", str(key), "--prefix", "x", *map(str, cases))
    copies = sorted(out.iterdir())
    assert [c.name for c in copies] == ["x-001", "x-002", "x-003"]
    assert not any((c / "expected.json").exists() for c in copies)   # the reader sees no label
    mapping = json.loads(key.read_text(encoding="utf-8"))
    by_case = {Path(v["case"]).name: k for k, v in mapping.items()}

    answers = tmp_path / "answers.jsonl"
    answers.write_text("\n".join(json.dumps(a) for a in [
        {"id": by_case["t-9001"], "top3": ["toolkit.missing", "runtime.not-registered", "docker.desktop"],
         "confidence": "high"},
        {"id": by_case["t-9002"], "top3": ["toolkit.missing", "runtime.not-registered", "docker.desktop"],
         "confidence": "medium"},
        {"id": by_case["t-9003"], "top3": ["docker.permission-denied", "docker.group-not-active", "docker.rootless"],
         "confidence": "low"},
    ]) + "\n", encoding="utf-8")

    # the reader missed t-9001, which the product reads right: named on train, never on a held-out split
    assert "t-9001" in _run("score", "--key", str(key), str(answers))
    aggregate = _run("score", "--aggregate", "--key", str(key), str(answers))
    assert "reader: top-1 0/1" in aggregate and "product: top-1 1/1" in aggregate
    assert "t-9001" not in aggregate and "x-00" not in aggregate   # counts only, no case named

    silver = tmp_path / "silver"
    silver.mkdir()
    _run("silver", "--key", str(key), "--to", str(silver), str(answers))
    # the settled report is no silver; the unsettled one read with low confidence is left out
    assert [p.name for p in silver.iterdir()] == ["t-9002"]
    label = json.loads((silver / "t-9002" / "expected.json").read_text(encoding="utf-8"))
    assert label["root_cause"] == ["toolkit.missing"] and "medium confidence" in label["label"]
    assert label["source"] == "https://example.com/t-9002"
