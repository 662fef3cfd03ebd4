"""A snapshot is untrusted input: links, FIFOs and devices in it are skipped and listed, sizes are
bounded (a gzip bomb stops at the limit), damage is exit 2 in plain words (bad CRC, corrupt or
cut gzip, a file that is no tarball), and a snapshot with no evidence, or an empty path, is exit 2
rather than "no problems found" or a check of the live host."""
from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import tarfile
import time

import pytest

from dldoctor.errors import UsageError
from dldoctor.host import snapshot as snap
from dldoctor.host.snapshot import SnapshotHost

OS_RELEASE = b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
SECRET = b"root:$6$planted-secret-hash:19000:0:99999:7:::\n"


def dldoctor(*args):
    env = dict(os.environ, LANG="C")
    env.pop("DLDOCTOR_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "dldoctor"] + list(args), env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                          stdin=subprocess.DEVNULL)


def tarball(members, top="snap/", compress=True) -> bytes:
    """members: [(name, bytes | ("sym", target) | ("fifo",) | ("dev",))]."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, what in members:
            info = tarfile.TarInfo(top + name)
            if isinstance(what, bytes):
                info.size = len(what)
                tar.addfile(info, io.BytesIO(what))
                continue
            if what[0] == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, what[1]
            elif what[0] == "hard":
                info.type, info.linkname = tarfile.LNKTYPE, what[1]
            elif what[0] == "fifo":
                info.type = tarfile.FIFOTYPE
            else:
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 5
            tar.addfile(info)
    raw = buf.getvalue()
    return gzip.compress(raw) if compress else raw


def write(path, data: bytes) -> str:
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


# --- links, FIFOs, devices ----------------------------------------------------------------------


def test_directory_links_and_fifos_are_skipped_and_listed(tmp_path, capsys):
    outside = write(tmp_path / "shadow", SECRET)
    d = tmp_path / "snap"
    d.mkdir()
    write(d / "os-release", OS_RELEASE)
    os.symlink(outside, d / "daemon.json")
    os.mkfifo(d / "nvidia-smi")
    (tmp_path / "elsewhere").mkdir()
    write(tmp_path / "elsewhere" / "docker.list", SECRET)
    os.symlink(str(tmp_path / "elsewhere"), d / "apt-sources")
    host = SnapshotHost(str(d))
    assert set(host.files) == {"os-release"}
    err = capsys.readouterr().err
    assert "daemon.json (symbolic link)" in err and "nvidia-smi (FIFO)" in err
    assert "apt-sources (symbolic link)" in err


def test_directory_snapshot_through_the_cli_never_shows_the_link_target(tmp_path):
    outside = write(tmp_path / "shadow", SECRET)
    d = tmp_path / "snap"
    d.mkdir()
    write(d / "os-release", OS_RELEASE)
    os.symlink(outside, d / "daemon.json")
    os.mkfifo(d / "docker-info.json")
    start = time.monotonic()
    r = dldoctor("check", "--snapshot", str(d), "--verbose")
    assert time.monotonic() - start < 20                  # the FIFO is never opened for reading
    assert r.returncode in (0, 1), r.stderr
    assert "planted-secret" not in r.stdout + r.stderr
    assert "skipped 2 member(s)" in r.stderr


def test_tar_links_fifos_devices_are_skipped_and_listed(tmp_path, capsys):
    p = write(tmp_path / "s.tar.gz", tarball([
        ("os-release", OS_RELEASE), ("daemon.json", ("sym", "/etc/hostname")),
        ("group", ("hard", "/etc/hostname")), ("nvidia-smi", ("fifo",)),
        ("lspci", ("dev",))]))
    host = SnapshotHost(p)
    assert set(host.files) == {"os-release"}
    err = capsys.readouterr().err
    for name in ("daemon.json (symbolic link)", "group (symbolic link)", "nvidia-smi (FIFO)",
                 "lspci (device)"):
        assert name in err


# --- limits -------------------------------------------------------------------------------------


def bomb(mib: int) -> bytes:
    """A tar.gz of one member of `mib` MiB of zeros: a multi-member gzip stream (one small member
    per MiB, repeated), ~1 KB per MiB, built without compressing gigabytes."""
    info = tarfile.TarInfo("snap/os-release")
    info.size = mib * 1024 * 1024
    return gzip.compress(info.tobuf()) + gzip.compress(b"\0" * (1 << 20), 9) * mib


def test_gzip_bomb_stops_at_the_limit(tmp_path):
    p = write(tmp_path / "bomb.tar.gz", bomb(1700))     # 1.7 GB of zeros in ~1.7 MB
    assert os.path.getsize(p) < 2 * 1024 * 1024
    start = time.monotonic()
    r = dldoctor("check", "--snapshot", p)
    assert time.monotonic() - start < 20
    assert r.returncode == 2, r.stderr
    assert "more than %d bytes uncompressed" % snap.MAX_TOTAL in r.stderr
    assert "Traceback" not in r.stderr


def test_pax_header_bomb_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(snap, "MAX_TOTAL", 1024 * 1024)
    big = tarfile.TarInfo("snap/os-release")
    big.pax_headers = {"comment": "x" * (3 * 1024 * 1024)}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(big, io.BytesIO(b""))
    p = write(tmp_path / "pax.tar.gz", gzip.compress(buf.getvalue()))
    with pytest.raises(UsageError, match="uncompressed"):
        SnapshotHost(p)


def test_member_count_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(snap, "MAX_MEMBERS", 50)
    p = write(tmp_path / "many.tar.gz", tarball(
        [("os-release", OS_RELEASE)] + [("notes%d" % i, b"x") for i in range(60)]))
    with pytest.raises(UsageError, match="more than 50 members"):
        SnapshotHost(p)
    d = tmp_path / "many"
    d.mkdir()
    for i in range(60):
        write(d / ("notes%d" % i), b"x")
    with pytest.raises(UsageError, match="more than 50 files"):
        SnapshotHost(str(d))


def test_big_member_is_truncated_and_said(tmp_path, capsys):
    p = write(tmp_path / "big.tar.gz", tarball([
        ("os-release", OS_RELEASE), ("notes", b"n" * (snap.MAX_MEMBER + 100))]))
    host = SnapshotHost(p)
    assert len(host.files["notes"]) == snap.MAX_MEMBER
    assert "truncated at %d bytes: snap/notes" % snap.MAX_MEMBER in capsys.readouterr().err


# --- damage -------------------------------------------------------------------------------------


def test_crc_error_is_exit_2(tmp_path):
    blob = bytearray(tarball([("os-release", OS_RELEASE)]))
    blob[-8] ^= 0xFF                          # the gzip trailer's CRC32
    r = dldoctor("check", "--snapshot", write(tmp_path / "crc.tar.gz", bytes(blob)))
    assert r.returncode == 2, r.stderr
    assert "damaged" in r.stderr and "CRC" in r.stderr
    assert "internal error" not in r.stderr


def test_corrupt_gzip_stream_is_exit_2_in_plain_words(tmp_path):
    blob = bytearray(tarball([("os-release", OS_RELEASE * 40)]))
    for pos in range(30, 60, 3):
        blob[pos] ^= 0x5A
    r = dldoctor("check", "--snapshot", write(tmp_path / "bad.tar.gz", bytes(blob)))
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("dldoctor: cannot read snapshot ")
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr


def test_cut_short_gzip_is_exit_2(tmp_path):
    blob = tarball([("os-release", OS_RELEASE * 40)])
    r = dldoctor("check", "--snapshot", write(tmp_path / "cut.tar.gz", blob[:len(blob) // 2]))
    assert r.returncode == 2 and "cut short" in r.stderr, r.stderr


def test_a_text_file_is_not_a_snapshot_in_plain_words(tmp_path):
    r = dldoctor("check", "--snapshot", write(tmp_path / "hostname", b"myhost\n"))
    assert r.returncode == 2
    assert "is neither a snapshot directory nor a snapshot tarball" in r.stderr
    assert "ReadError" not in r.stderr and "method gz" not in r.stderr


def test_empty_and_unrelated_directories_are_exit_2(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    unrelated = tmp_path / "photos"
    unrelated.mkdir()
    write(unrelated / "cat.jpg", b"\xff\xd8\xff")
    for d in (empty, unrelated):
        r = dldoctor("check", "--snapshot", str(d))
        assert r.returncode == 2, r.stdout
        assert "no dldoctor evidence in %s" % d in r.stderr


def test_empty_snapshot_path_does_not_check_the_live_host():
    for args in (["check", "--snapshot", ""], ["check", "--snapshot="], ["check", "--json",
                                                                        "--snapshot", ""]):
        r = dldoctor(*args)
        assert r.returncode == 2, (args, r.stdout[:300])
        assert "--snapshot needs a path" in r.stderr
        assert r.stdout == ""


def test_plain_and_bzip2_tarballs_still_read(tmp_path):
    import bz2
    raw = tarball([("os-release", OS_RELEASE)], compress=False)
    for name, blob in (("s.tar", raw), ("s.tar.bz2", bz2.compress(raw))):
        host = SnapshotHost(write(tmp_path / name, blob))
        assert host.files["os-release"] == OS_RELEASE


def test_a_fifo_given_as_the_snapshot_does_not_hang(tmp_path):
    """`check --snapshot PIPE` (a named pipe nobody writes to) must not wait for a writer."""
    fifo = str(tmp_path / "snap.tar.gz")
    os.mkfifo(fifo)
    start = time.monotonic()
    r = dldoctor("check", "--snapshot", fifo)
    assert time.monotonic() - start < 30
    assert r.returncode == 2, r.stdout
    assert "not a directory nor a regular file" in r.stderr, r.stderr


def test_hostile_member_names_are_listed_escaped_never_as_terminal_control(tmp_path):
    """The names of skipped or cut members come from the snapshot: shown escaped on stderr."""
    osc52 = "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07"
    p = write(tmp_path / "s.tar.gz", tarball([
        ("os-release", OS_RELEASE),
        ("link" + osc52 + "\x1b[2J\u202e", ("sym", "/etc/shadow")),
        ("big\x9b31m", b"x" * (snap.MAX_MEMBER + 1))]))
    r = dldoctor("check", "--snapshot", p)
    assert r.returncode in (0, 1), r.stderr
    for bad in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert bad not in r.stderr, repr(bad)
    assert "link\\x1b]52;c;" in r.stderr and "big\\x9b31m" in r.stderr, r.stderr


def test_deeply_nested_snapshot_directory_is_not_an_internal_error(tmp_path):
    """A snapshot directory nested deeper than Python's recursion limit: read like any other."""
    top = tmp_path / "snap"
    top.mkdir()
    write(top / "os-release", OS_RELEASE)
    here = os.getcwd()
    os.chdir(str(top))
    try:
        for _ in range(1100):
            os.mkdir("d")
            os.chdir("d")
    finally:
        os.chdir(here)
    try:
        r = dldoctor("check", "--snapshot", str(top))
    finally:
        # pytest's clean-up of old temp dirs recurses once per level and dies past ~1000 on 3.8
        subprocess.run(["rm", "-rf", str(top)], check=True)
    assert r.returncode in (0, 1), r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
