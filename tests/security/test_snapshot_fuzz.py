"""Fuzz: 10,000 hostile snapshots (tar.gz and directory forms) on a fixed seed, each through the
real snapshot reader, gather, diagnose and the renderers, with zero unexpected exceptions.

A hostile snapshot mixes real evidence (from tests/data/fixtures) mutated byte-wise with random
bytes, very long lines, terminal escapes, invalid UTF-8 and deep JSON, and adds what a reader must
refuse: symbolic and hard links, FIFOs, devices, `../` and absolute member names, corrupt or cut
gzip streams, flipped CRCs, gzip bombs. The only acceptable outcomes are a report or a UsageError
(exit 2 with a message); a few cases go through the CLI to hold the same for the exit codes.
"""
from __future__ import annotations

import contextlib
import gzip
import io
import os
import random
import shutil
import subprocess
import sys
import tarfile
import time
import traceback
from pathlib import Path

import pytest

from dldoctor import gather
from dldoctor.diagnose import diagnose
from dldoctor.errors import UsageError
from dldoctor.evidence import EVIDENCE
from dldoctor.host.snapshot import REPORT_NAMES, SnapshotHost
from dldoctor.render import human
from dldoctor.render import json as render_json

SEED = 20261202
COUNT = 10000
HUMAN_EVERY = 40            # the rich renderer costs ~4x the rest: every 40th case goes through it
WORKERS = 2                 # CI has 2 cores; each case has its own Random(SEED, i), so the split
                            # changes nothing in what is tested
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"

NAMES = sorted(EVIDENCE) + list(REPORT_NAMES) + ["meta.json", "apt-sources/docker.list",
                                                  "apt-sources/nvidia.sources",
                                                  "nvidia-smi.exit", "daemon.json.exit"]
NASTY = [b"\x1b[2J\x1b[H", b"\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07",
         b"\x1b]52;c;ZXZpbA==\x07", b"\x00", b"\xff\xfe", b"\xed\xa0\x80", b"\r", b"\x7f\x9b",
         b"registry-mirror " * 50, b"{" * 300, b"[" * 300, b"\"" * 99, b"1e999999",
         b"-" * 1000, b"\t\t\t", b"\xe4\xb8\xad\xe6\x96\x87"]


def _seeds():
    out = []
    for p in sorted(FIXTURES.rglob("*")):
        if p.is_file() and p.stat().st_size < 8000:
            out.append(p.read_bytes())
    return out


def _random_bytes(rng: random.Random, n: int) -> bytes:
    return rng.getrandbits(8 * n).to_bytes(n, "little") if n else b""


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(0, 6)):
        op = rng.random()
        pos = rng.randint(0, len(b)) if b else 0
        if op < 0.3 and b:
            b[min(pos, len(b) - 1)] = rng.randrange(256)
        elif op < 0.55:
            b[pos:pos] = rng.choice(NASTY)
        elif op < 0.7 and b:
            del b[pos:pos + rng.randint(1, 200)]
        elif op < 0.8:
            b[pos:pos] = _random_bytes(rng, rng.randint(1, 64))
        elif op < 0.9 and b:
            b = b[:pos]
        else:
            # A long line (a 70 KB one now and then: signature matching on long text is what
            # costs, and the fuzz must stay well under a minute on a 2-core CI machine).
            b[pos:pos] = b"x" * (70000 if rng.random() < 0.02 else rng.choice((300, 3000, 9000)))
    return bytes(b)


def _content(rng: random.Random, seeds) -> bytes:
    r = rng.random()
    if r < 0.55:
        return _mutate(rng, rng.choice(seeds))
    if r < 0.7:
        return _random_bytes(rng, rng.randint(0, 400))
    if r < 0.8:
        return b"".join(rng.choice(NASTY) for _ in range(rng.randint(1, 20)))
    if r < 0.9:
        return rng.choice(seeds)
    return b""


def _members(rng: random.Random, seeds):
    """[(name, kind, payload)]; kind: file | symlink | hardlink | fifo | dev | dir."""
    out = []
    for _ in range(rng.randint(1, 5)):
        name = rng.choice(NAMES)
        r = rng.random()
        if r < 0.05:
            name = rng.choice(["../" + name, "/" + name, "./" + name, name + "/", "a/../" + name,
                               name + "\x1b[2J", "x" * 300])
        kind = "file"
        r = rng.random()
        if r < 0.08:
            kind = "symlink"
        elif r < 0.11:
            kind = "fifo"
        elif r < 0.13:
            kind = "hardlink"
        elif r < 0.15:
            kind = "dev"
        elif r < 0.17:
            kind = "dir"
        out.append((name, kind, _content(rng, seeds)))
    return out


LINK_TARGETS = ["/etc/shadow", "/etc/hostname", "../../../../etc/passwd", "/dev/zero", ".",
                "daemon.json", "/proc/self/environ"]


def _tar(rng: random.Random, members, bomb: bytes) -> bytes:
    buf = io.BytesIO()
    top = rng.choice(["snap/", "", "./"])
    with tarfile.open(fileobj=buf, mode="w", format=rng.choice(
            [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])) as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(top + name if not name.startswith("/") else name)
            try:
                if kind == "symlink":
                    info.type, info.linkname = tarfile.SYMTYPE, rng.choice(LINK_TARGETS)
                    tar.addfile(info)
                elif kind == "hardlink":
                    info.type, info.linkname = tarfile.LNKTYPE, rng.choice(LINK_TARGETS)
                    tar.addfile(info)
                elif kind == "fifo":
                    info.type = tarfile.FIFOTYPE
                    tar.addfile(info)
                elif kind == "dev":
                    info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 5
                    tar.addfile(info)
                elif kind == "dir":
                    info.type = tarfile.DIRTYPE
                    tar.addfile(info)
                else:
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
            except (ValueError, UnicodeError):
                continue            # a name this tar format cannot hold
    raw = buf.getvalue()
    r = rng.random()
    if r < 0.75:
        blob = gzip.compress(raw, compresslevel=1)
    elif r < 0.8:
        blob = raw                                  # plain tar
    elif r < 0.86:
        blob = bytearray(gzip.compress(raw, compresslevel=1))
        for _ in range(rng.randint(1, 4)):         # corrupt stream
            pos = rng.randrange(10, len(blob))
            blob[pos] ^= 1 + rng.randrange(255)
        blob = bytes(blob)
    elif r < 0.9:
        blob = bytearray(gzip.compress(raw, compresslevel=1))
        blob[-8] ^= 0xFF                            # CRC
        blob = bytes(blob)
    elif r < 0.95:
        blob = gzip.compress(raw, compresslevel=1)
        blob = blob[:rng.randint(0, len(blob))]     # cut short
    elif r < 0.952:
        blob = bomb
    else:
        blob = _random_bytes(rng, rng.randint(0, 600))
    return blob


def _dir(rng: random.Random, where: str, members) -> None:
    for name, kind, data in members:
        name = name.strip("/")
        if not name or ".." in name.split("/"):
            name = "notes"
        path = os.path.join(where, name)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.lexists(path):
                continue
            if kind == "symlink" or kind == "hardlink":
                os.symlink(rng.choice(LINK_TARGETS), path)
            elif kind == "fifo":
                os.mkfifo(path)
            elif kind == "dir":
                os.makedirs(path, exist_ok=True)
            else:           # a device needs mknod (root): a link to /dev/zero stands for it
                if kind == "dev":
                    os.symlink("/dev/zero", path)
                else:
                    with open(path, "wb") as f:
                        f.write(data)
        except OSError:
            continue


def _bomb() -> bytes:
    """A gzip bomb: one member of 80 MiB of zeros in ~80 KB (a multi-member gzip stream, one
    small member per MiB)."""
    info = tarfile.TarInfo("snap/os-release")
    info.size = 80 * 1024 * 1024
    return gzip.compress(info.tobuf()) + gzip.compress(b"\0" * (1 << 20), 9) * 80


def _one(path: str, human_too: bool) -> str:
    """'report' or 'refused'; anything else raises."""
    try:
        host = SnapshotHost(path)
    except UsageError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return "refused"
    report = diagnose(gather.collect(host, probe_mirrors=False))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        render_json.render(report)
        if human_too:
            human.render(report, verbose=True)
    assert out.getvalue()
    return "report"


def _run_cases(args):
    """Cases [lo, hi) in directory `where`: (outcomes, failures)."""
    lo, hi, where = args
    seeds = _seeds()
    bomb = _bomb()
    outcomes = {"report": 0, "refused": 0}
    failures = []
    tarball = os.path.join(where, "s.tar.gz")
    devnull = open(os.devnull, "w")
    try:
        with contextlib.redirect_stderr(devnull):     # the reader's warnings (skipped members)
            for i in range(lo, hi):
                rng = random.Random(SEED * 1000003 + i)
                members = _members(rng, seeds)
                if i % 2 == 0:
                    with open(tarball, "wb") as f:
                        f.write(_tar(rng, members, bomb))
                    path = tarball
                else:
                    path = os.path.join(where, "d%d" % i)
                    os.mkdir(path)
                    _dir(rng, path, members)
                try:
                    outcomes[_one(path, i % HUMAN_EVERY == 0)] += 1
                except Exception:
                    failures.append("case %d (%s): %s" % (
                        i, "tar" if i % 2 == 0 else "dir", traceback.format_exc(limit=8)))
                finally:
                    if path != tarball:
                        shutil.rmtree(path, ignore_errors=True)
    finally:
        devnull.close()
    return outcomes, failures


@pytest.fixture
def scratch(tmp_path):
    """A directory for the snapshots: in memory (/dev/shm) when there is one, which makes the
    ~5,000 directory snapshots' mkdir/rmtree several times cheaper on a loaded disk."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        import tempfile
        d = tempfile.mkdtemp(prefix="dlfuzz-", dir=shm)
        yield d
        shutil.rmtree(d, ignore_errors=True)
    else:
        yield str(tmp_path)


def test_ten_thousand_hostile_snapshots_give_no_traceback(scratch):
    import multiprocessing

    start = time.monotonic()
    chunks = []
    for w in range(WORKERS):
        where = os.path.join(scratch, "w%d" % w)
        os.mkdir(where)
        chunks.append((COUNT * w // WORKERS, COUNT * (w + 1) // WORKERS, where))
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        ctx = None
    if ctx is None or WORKERS == 1:
        results = [_run_cases(c) for c in chunks]
    else:
        with ctx.Pool(WORKERS) as pool:
            results = pool.map(_run_cases, chunks)
    outcomes = {"report": 0, "refused": 0}
    failures = []
    for out, fails in results:
        for k in outcomes:
            outcomes[k] += out[k]
        failures.extend(fails)
    took = time.monotonic() - start
    sys.stderr.write("fuzz: %d snapshots in %.1f s: %s\n" % (COUNT, took, outcomes))
    assert sum(outcomes.values()) + len(failures) == COUNT
    assert not failures, "%d of %d failed; first:\n%s" % (len(failures), COUNT, failures[0])
    # Both outcomes occur: the fuzz reaches diagnosis, not only the reader's refusals.
    assert outcomes["report"] > COUNT // 4 and outcomes["refused"] > COUNT // 20, outcomes


def test_hostile_snapshots_through_the_cli_exit_0_1_or_2(tmp_path):
    rng = random.Random(SEED + 1)
    seeds = _seeds()
    bomb = _bomb()
    env = dict(os.environ, LANG="C")
    env.pop("DLDOCTOR_DEBUG", None)
    for i in range(6):
        members = _members(rng, seeds) + [("os-release", "file", b"ID=debian\x1b[2J\n")]
        if i % 2 == 0:
            path = str(tmp_path / ("s%d.tar.gz" % i))
            with open(path, "wb") as f:
                f.write(bomb if i == 4 else _tar(rng, members, bomb))
        else:
            path = str(tmp_path / ("d%d" % i))
            os.mkdir(path)
            _dir(rng, path, members)
        r = subprocess.run([sys.executable, "-m", "dldoctor", "check", "--snapshot", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                           timeout=60, errors="replace")
        assert r.returncode in (0, 1, 2), (path, r.stderr)
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
        if i == 4:
            assert r.returncode == 2 and "uncompressed" in r.stderr
