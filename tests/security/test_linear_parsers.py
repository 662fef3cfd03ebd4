"""Evidence-file line parsers take time linear in a line's length (docs/security.md: no read or
wait may be unbounded; an evidence file may be 1 MiB on one line).

Each case is a hostile line of about 200 KB built on the prefix that reaches one pattern: a long
run of blanks (or digits, or backslashes) that the old `key:\\s*(.*?)\\s*$`-style patterns rescanned
at every step before failing on the character after it. Those took minutes at this size (15 s
and 25 s through the CLI for a 40 KB lsb-release or packages line); now each call is milliseconds.
A call still running after ABORT_S seconds is interrupted (SIGALRM, where there is one), so a
regression fails in seconds rather than hanging the run.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from dldoctor.errors import ParseError

N = 200_000          # characters in the pumped run
BOUND_S = 2.0        # each call; the fixed parsers take a few milliseconds
ABORT_S = 10.0       # stop waiting for a regressed (quadratic) call here
BLANKS = " " * N


@contextmanager
def _abort_after(seconds: float):
    """Raise TimeoutError in the calling (main) thread after `seconds`; the re module's matching
    loop checks for signals, so a runaway match is interrupted too."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(signum, frame):
        raise TimeoutError("still running after %.0f s: quadratic in the line's length?" % seconds)

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _timed(call, text: str) -> float:
    start = time.monotonic()
    with _abort_after(ABORT_S):
        try:
            call(text)
        except ParseError:
            pass
    return time.monotonic() - start


def _lsb(text):
    from dldoctor.parse.os_release import parse_lsb_release
    return parse_lsb_release(text)


def _dpkg(text):
    from dldoctor.parse.dpkg import parse_dpkg
    return parse_dpkg(text)


def _docker_version(text):
    from dldoctor.parse.docker_version import parse_docker_version
    return parse_docker_version(text)


def _docker_info(text):
    from dldoctor.parse.docker_info import parse_docker_info
    return parse_docker_info(text)


def _lspci(text):
    from dldoctor.parse.lspci import parse_lspci
    return parse_lspci(text)


def _nvccli(text):
    from dldoctor.parse.nvidia_container_cli import parse_nvidia_container_cli_info
    return parse_nvidia_container_cli_info(text)


def _cdi_list(text):
    from dldoctor.parse.nvidia_ctk import parse_cdi_list
    return parse_cdi_list(text)


def _cdi_generate(text):
    from dldoctor.parse.nvidia_ctk import parse_cdi_generate
    return parse_cdi_generate(text)


def _kernel_module(text):
    from dldoctor.parse.proc_driver_nvidia_version import parse_proc_driver_nvidia_version
    return parse_proc_driver_nvidia_version(text)


def _proc_version(text):
    from dldoctor.parse.proc_version import parse_proc_version
    return parse_proc_version(text)


def _tool_version(text):
    from dldoctor.parse.toolkit_version import parse_tool_version
    return parse_tool_version(text)


def _smi(text):
    from dldoctor.parse.nvidia_smi import parse_nvidia_smi
    return parse_nvidia_smi(text)


def _apt_update(text):
    from dldoctor.parse.apt_sources import parse_apt_update
    return parse_apt_update(text)


def _deb822(text):
    from dldoctor.parse.apt_sources import parse_apt_sources
    return parse_apt_sources({"hostile.sources": text})


def _pull_progress(text):
    from dldoctor.smoke_runner import _layer_counter
    on_line = _layer_counter(lambda done, n: None)
    for line in text.splitlines():
        on_line(line)


CASES = [
    # (id, public function, hostile text)
    ("lsb_release-a", _lsb, "Distributor ID:a" + BLANKS + "!\n"),                      # os_release.py _LSB_A_RE
    ("dpkg-query", _dpkg, "a" + BLANKS + "!\n"),                                      # dpkg.py _QUERY_STATUS_RE
    ("docker-version-section", _docker_version, "Client:a" + BLANKS + "!\n"),         # docker_version.py _SECTION_RE
    ("docker-version-key", _docker_version, "Client:\n AA" + BLANKS + "!\n"),         # docker_version.py _KV_RE
    ("docker-version-value", _docker_version, "Client:\n AA: a" + BLANKS + "!\n"),    # docker_version.py _KV_RE
    ("docker-info-key", _docker_info, " AA" + BLANKS + "!\n"),                        # docker_info.py _KV_RE
    ("docker-info-value", _docker_info, " AA: a" + BLANKS + "!\n"),                   # docker_info.py _KV_RE
    ("docker-info-section", _docker_info, "Client: a" + BLANKS + "!\n"),              # docker_info.py _SECTION_RE
    ("lspci-class", _lspci, "0000:00:00.0 Aa" + BLANKS + "!\n"),                      # lspci.py _NAMED_RE
    ("lspci-description", _lspci, "0000:00:00.0 Aa: a" + BLANKS + "!\n"),             # lspci.py _NAMED_RE
    ("nvccli-key", _nvccli, "NVRM version:a" + BLANKS + "!\n"),                       # nvidia_container_cli.py _KV_RE
    ("nvccli-error", _nvccli, "nvidia-container-cli: aerrora" + BLANKS + "!\n"),      # nvidia_container_cli.py _ERROR_RE
    ("nvccli-error-prefixes", _nvccli, "nvidia-container-cli: " * (N // 22) + "\n"),  # _ERROR_RE searched from each
    ("cdi-list", _cdi_list, "INFO[0]a" + BLANKS + "!\n"),                             # nvidia_ctk.py _LOG
    ("cdi-generate", _cdi_generate, "WARN[0]a" + BLANKS + "!\n"),                     # nvidia_ctk.py _LOG
    ("gcc-version", _kernel_module, "GCC version:a" + BLANKS + "!\n"),                # proc_driver_nvidia_version.py
    ("nvrm-version", _kernel_module, "NVRM version: NVIDIA UNIX Open Kernel Module " * (N // 45) + "\n"),
    ("uname-r", _proc_version, "0." + "0" * N + "!\n"),                               # proc_version.py _RELEASE_RE
    ("uname-a", _proc_version, "Linux a 0." + "0" * N + "!\n"),                       # proc_version.py _UNAME_A_RE
    ("toolkit-value", _tool_version, "AA:a" + BLANKS + "!\n"),                        # toolkit_version.py _KV_RE
    ("toolkit-key", _tool_version, "AA" + BLANKS + "!\n"),                            # toolkit_version.py _KV_RE
    ("docker-pull-progress", _pull_progress, "000000000000: a" + BLANKS + "!\n"),     # smoke_runner.py _PULL_LINE
    ("smi-table-header", _smi, "NVIDIA-SMI 1 " * (N // 13) + "\n"),                  # nvidia_smi.py table header
    ("apt-failed-to-fetch", _apt_update, "Hit:1 x\nFailed to fetch x a" + BLANKS + "!\n"),
    ("apt-ip-suffixes", _apt_update, "Hit:1 x\nFailed to fetch x " + "[IP: " * (N // 5) + "\n"),
    ("deb822-field", _deb822, "Types: deb\nURIs: a" + BLANKS + "!\n"),               # apt_sources.py _DEB822_FIELD_RE
]


@pytest.mark.parametrize("call,text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_long_hostile_line_is_parsed_in_linear_time(call, text):
    elapsed = _timed(call, text)
    assert elapsed < BOUND_S, "%.1f s for one %d KB line" % (elapsed, len(text) // 1000)


def test_the_key_quote_run_is_found_in_linear_time():
    """scrub's _QUOTE_RUN only ever reads a short separator (the key-value and header patterns bound
    it), but a search of a long run of backslashes started at each of them."""
    from dldoctor import scrub

    start = time.monotonic()
    with _abort_after(ABORT_S):
        assert scrub._QUOTE_RUN.search("\\" * N + "!") is None
        found = scrub._QUOTE_RUN.search("a" + "\\" * N + "\"")
    assert time.monotonic() - start < BOUND_S
    assert found is not None and found.span() == (1, N + 2)   # the whole run, as before


def test_values_are_read_as_before():
    """The rewritten patterns' values are the old ones: stripped the same way."""
    from dldoctor.parse.docker_version import parse_docker_version
    from dldoctor.parse.lspci import parse_lspci
    from dldoctor.parse.os_release import parse_lsb_release
    from dldoctor.parse.toolkit_version import parse_tool_version

    lsb = parse_lsb_release("Distributor ID:\tUbuntu  \nDescription:\tUbuntu 22.04.4 LTS \t\n"
                            "Release:\t22.04\nCodename:\tjammy\n")
    assert (lsb.pretty_name, lsb.version_id, lsb.codename) == ("Ubuntu 22.04.4 LTS", "22.04", "jammy")
    dv = parse_docker_version("Client: Docker Engine - Community  \n Version:           24.0.7   \n"
                              " API version:       1.43\nServer: Docker Engine - Community\n Engine:\n"
                              "  Version:          24.0.7 \n")
    assert (dv.client_version, dv.server_version, dv.platform_name) == ("24.0.7", "24.0.7",
                                                                       "Docker Engine - Community")
    pci = parse_lspci("01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA102 [10de:2204] (rev a1)  \n")
    (dev,) = pci.nvidia_devices
    assert (dev.slot, dev.class_name, dev.device_id) == ("01:00.0", "VGA compatible controller", "2204")
    assert dev.description == "NVIDIA Corporation GA102 [10de:2204] (rev a1)"
    tool = parse_tool_version("NVIDIA Container Runtime Hook version 1.14.3\ncommit:  53b24618a542  \n")
    assert tool.extra == {"commit": "53b24618a542"}
    from dldoctor.parse.apt_sources import parse_apt_sources, parse_apt_update
    upd = parse_apt_update("Hit:1 http://a jammy InRelease\nE: Failed to fetch https://b/x/InRelease  "
                           "404  Not Found [IP: 1.2.3.4 443]\n")
    assert upd.failed_uris == (("https://b/x/InRelease", "404  Not Found"),) and upd.unsupported_distribution
    src = parse_apt_sources({"d.sources": "Types: deb \nURIs:   https://d/linux/ubuntu  \nSuites: jammy\n"
                                          "Components: stable\nSigned-By:\n"})
    (entry,) = src.entries
    assert (entry.uris, entry.suites, entry.signed_by) == (("https://d/linux/ubuntu",), ("jammy",), None)
    assert parse_apt_sources({"e.sources": "Types:deb\nURIs: https://e\n"}).errors   # no blank: not a field


def _check_snapshot(tmp_path, name: str, text: str):
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / name).write_text(text)
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "DLDOCTOR_DEBUG")}
    env.update(DOCKER_HOST="unix:///nonexistent.sock", LANG="C", DLDOCTOR_LANG="C")
    start = time.monotonic()
    try:
        res = subprocess.run([sys.executable, "-m", "dldoctor", "check", "--snapshot", str(snap), "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             env=env, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("check --snapshot with a %d KB %s line ran past 60 s" % (len(text) // 1000, name))
    elapsed = time.monotonic() - start
    assert res.returncode in (0, 1), res.stderr.decode("utf-8", "replace")[-2000:]
    assert elapsed < 20, "%.1f s" % elapsed


@pytest.mark.parametrize("name,text", [
    ("lsb-release", "Distributor ID:a" + BLANKS + "!\n"),     # was 15 s at 40 KB
    ("packages", "a" + BLANKS + "!\n"),                       # was 25 s at 40 KB
    ("docker-version", "Client:a" + BLANKS + "!\n"),
], ids=["lsb-release", "packages", "docker-version"])
def test_check_reads_a_snapshot_with_a_long_hostile_line_in_seconds(tmp_path, name, text):
    _check_snapshot(tmp_path, name, text)
