"""`dldoctor check` and `dldoctor snapshot` as a user runs them: real processes, real files."""
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
CASE = DATA / "cases" / "dev-018"


def run(*args, env=None, timeout=60):
    e = dict(os.environ)
    e.pop("DOCKER_HOST", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], capture_output=True, text=True,
                          env=e, timeout=timeout)


def test_json_report_is_the_contract():
    res = run("check", "--snapshot", str(CASE), "--json")
    assert res.returncode == 1, res.stderr
    data = json.loads(res.stdout)  # stdout is one JSON object and nothing else
    assert data["schema"] == "dldoctor.report/1"
    assert data["root_causes"][0] == "toolkit.daemon-not-restarted"
    counts = {"ok": 0, "warn": 0, "fail": 0, "skip": 0}
    for f in data["findings"]:
        assert set(f) >= {"check", "status", "problem", "title", "detail", "evidence", "fix"}
        assert f["status"] in counts
        counts[f["status"]] += 1
        if f["status"] in ("ok", "skip"):
            assert f["problem"] is None
        else:
            assert f["problem"] and f["fix"]
    assert data["summary"] == counts


def test_tarball_snapshot_gives_the_same_report(tmp_path):
    tgz = tmp_path / "case.tar.gz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(str(CASE), arcname="dev-018")
    a = json.loads(run("check", "--snapshot", str(CASE), "--json").stdout)
    b = json.loads(run("check", "--snapshot", str(tgz), "--json").stdout)
    assert a["root_causes"] == b["root_causes"] and a["summary"] == b["summary"]


@pytest.mark.parametrize("bad", ["missing-dir", "garbage.tar.gz"])
def test_unreadable_snapshot_is_exit_2_without_traceback(tmp_path, bad):
    path = tmp_path / bad
    if bad.endswith(".tar.gz"):
        path.write_bytes(b"this is not a tarball\x00\x01")
    res = run("check", "--snapshot", str(path))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "snapshot" in res.stderr.lower()


def test_bad_option_is_exit_2():
    res = run("check", "--no-such-option")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr


def test_plain_output_when_not_a_terminal():
    res = run("check", "--snapshot", str(CASE), env={"NO_COLOR": "1"})
    assert "\x1b[" not in res.stdout
    assert "✗" in res.stdout and "toolkit.daemon-not-restarted" in res.stdout
    lines = [l for l in res.stdout.splitlines() if l.strip()]
    # the summary: counts, the first causes by title (with their IDs), the next command to run
    assert "failed" in lines[-3]
    first, *more = re.sub(r" \(and \d+ more: dldoctor check -v\)$", "", lines[-2]).split("; ")
    assert first == ("Fix first: The toolkit is installed but dockerd has not been restarted since "
                     "[toolkit.daemon-not-restarted]")
    # what the word model adds after a definite answer is said to be a guess
    assert all(m.endswith("] (a guess)") for m in more)
    assert lines[-1] == "Next: sudo systemctl restart docker"


def test_fix_first_leaves_out_guesses_the_model_barely_considers():
    from dldoctor.model import FAIL, Finding, Report
    from dldoctor.render.human import causes_line, render, summary_line

    def guess(pid, conf):
        return Finding("reported-error", FAIL, pid, "t", confidence=conf, guess=True)

    rule = Finding("reported-error", FAIL, "toolkit.missing", "t", confidence=0.75)
    report = Report((rule, guess("docker.desktop", 0.2), guess("apt.broken-source", 0.01)),
                    ("toolkit.missing", "docker.desktop", "apt.broken-source"))
    line = causes_line(report)
    assert "[toolkit.missing]" in line and "[docker.desktop] (a guess)" in line
    # a 1% guess stays in root_causes (and the table, as "?") but is not a cause to fix first,
    # nor one more of them, nor a failure
    assert "apt.broken-source" not in line and "more" not in line
    assert "more" not in causes_line(report, explained=True)
    assert summary_line(report) == "2 failed, 0 warnings, 0 ok, 0 skipped; unlikely guesses (?): 1"
    table = io.StringIO()
    render(report, out=table)
    assert "  ? reported-error   t  [apt.broken-source]" in table.getvalue()
    assert "  ✗ reported-error   t  [docker.desktop]" in table.getvalue()
    report = Report((rule, guess("docker.desktop", 0.2), guess("apt.broken-source", 0.3)),
                    ("toolkit.missing", "docker.desktop", "apt.broken-source", "gpu.absent"))
    assert causes_line(report, explained=True).endswith("(and 1 more, listed above)")
    # when the model's guesses are all there is, the likeliest is named however unsure
    report = Report((guess("apt.broken-source", 0.04), guess("docker.desktop", 0.03)),
                    ("apt.broken-source", "docker.desktop"))
    assert causes_line(report).startswith("Fix first: ") and "[apt.broken-source] (a guess)" in causes_line(report)
    assert "docker.desktop" not in causes_line(report)


def test_next_after_warnings_alone_is_the_first_warnings_fix():
    """ux10: `check -v` with one warning ended "Next: dldoctor check -v (the warnings in detail)",
    the command just run; the warning's own fix is the step to take."""
    from dldoctor.model import OK, WARN, Finding, Report
    from dldoctor.render.human import next_command

    report = Report((Finding("os", OK, None, "Ubuntu 24.04"),
                     Finding("apt-sources", WARN, None, "t", fix="sudo dldoctor fix --only apt-repos")), ())
    assert next_command(report) == "sudo dldoctor fix --only apt-repos"
    report = Report((Finding("apt-sources", WARN, None, "t", fix=""),), ())
    assert next_command(report).startswith("dldoctor check -v")


def test_summary_on_a_clean_report_points_at_verify(tmp_path):
    from dldoctor.model import OK, Finding, Report
    from dldoctor.render.human import next_command, summary_line

    report = Report((Finding("os", OK, None, "Ubuntu 22.04"),), ())
    assert summary_line(report).endswith("no problems found")
    assert next_command(report).startswith("dldoctor verify")
    assert next_command(report, explained=False).startswith("dldoctor check -v")


def test_check_list_and_only():
    res = run("check", "--list")
    assert res.returncode == 0
    names = [l.split()[0] for l in res.stdout.splitlines()]
    assert "docker-daemon" in names and "daemon-json" in names and len(names) >= 18
    assert all(len(l.split(None, 1)) == 2 for l in res.stdout.splitlines())  # name and one line
    listed = json.loads(run("check", "--list", "--json").stdout)
    assert listed["schema"] == "dldoctor.checks/1"      # an object, as every --json output
    assert [c["check"] for c in listed["checks"]] == names
    res = run("check", "--snapshot", str(CASE), "--json", "--only", "docker-daemon", "--only", "os")
    data = json.loads(res.stdout)
    # the checks asked for, beside the reading of the case's reported error
    assert {f["check"] for f in data["findings"]} - {"reported-error"} == {"docker-daemon", "os"}
    res = run("check", "--only", "no-such-check")
    assert res.returncode == 2 and "check --list" in res.stderr


def test_json_report_names_the_dldoctor_version():
    from dldoctor import __version__

    data = json.loads(run("check", "--snapshot", str(CASE), "--json").stdout)
    assert data["dldoctor_version"] == __version__


def test_verbose_shows_evidence_of_ok_findings():
    plain = run("check", "--snapshot", str(CASE)).stdout
    verbose = run("check", "--snapshot", str(CASE), "-v").stdout
    assert len(verbose) > len(plain)
    assert "Runtimes: io.containerd.runc.v2 runc" in verbose


def test_garbage_evidence_is_reported_not_crashed(tmp_path):
    snap = tmp_path / "snap"
    snap.mkdir()
    for name in ("nvidia-smi", "docker-info", "docker-version", "daemon.json", "lspci", "os-release",
                 "packages", "id", "group", "cgroup", "nvidia-container-cli-info"):
        (snap / name).write_bytes(os.urandom(300).decode("latin-1").encode("utf-8"))
    res = run("check", "--snapshot", str(snap), "--json")
    assert res.returncode in (0, 1), res.stderr
    assert "Traceback" not in res.stderr
    data = json.loads(res.stdout)
    dj = [f for f in data["findings"] if f["check"] == "daemon-json"][0]
    assert dj["problem"] == "daemon-json.invalid"


def test_snapshot_roundtrip_and_no_secrets(tmp_path):
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    (root / "etc/docker/daemon.json").write_text(json.dumps({
        "proxies": {"https-proxy": "http://alice:s3cret@proxy.example:3128"},
        "registry-mirrors": ["https://docker.mirrors.ustc.edu.cn"]}, indent=2))
    (root / "etc/os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    out = tmp_path / "snap"
    res = run("snapshot", str(out), "--root", str(root), "--no-probe",
              env={"HTTPS_PROXY": "http://bob:hunter2@p:8080"})
    assert res.returncode == 0, res.stderr
    blob = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "s3cret" not in blob and "hunter2" not in blob
    assert "alice:***@" in (out / "daemon.json").read_text()
    assert json.loads((out / "meta.json").read_text())["dldoctor"]
    live = json.loads(run("check", "--root", str(root), "--json", "--no-probe").stdout)
    replay = json.loads(run("check", "--snapshot", str(out), "--json").stdout)
    assert [(f["check"], f["status"], f["problem"]) for f in live["findings"]] == \
        [(f["check"], f["status"], f["problem"]) for f in replay["findings"]]
    assert "mirror.dead" in replay["root_causes"]
    # the snapshot is never overwritten
    again = run("snapshot", str(out), "--root", str(root))
    assert again.returncode == 2 and "exists" in again.stderr


def test_snapshot_tarball(tmp_path):
    out = tmp_path / "host.tar.gz"
    res = run("snapshot", str(out), "--root", str(tmp_path))
    assert res.returncode == 0, res.stderr
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert any(n.endswith("/meta.json") for n in names)
    res = run("check", "--snapshot", str(out), "--json")
    assert res.returncode in (0, 1) and json.loads(res.stdout)["schema"] == "dldoctor.report/1"


def test_root_must_be_a_directory(tmp_path):
    res = run("check", "--root", str(tmp_path / "nope"))
    assert res.returncode == 2 and "--root" in res.stderr


def test_snapshot_keeps_only_the_docker_group_and_its_check_still_works(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/group").write_text("root:x:0:\nsudo:x:27:alice,bob\nwheel:x:10:carol\n"
                                    "docker:x:998:alice\nalice:x:1000:\n")
    out = tmp_path / "snap"
    res = run("snapshot", str(out), "--root", str(root), "--no-probe")
    assert res.returncode == 0, res.stderr
    assert (out / "group").read_text() == "docker:x:998:alice\n"
    # alice is listed in the docker group but her session predates it: the check says so from
    # the one line the snapshot kept
    (out / "id").write_text("uid=1000(alice) gid=1000(alice) groups=1000(alice),27(sudo)\n")
    (out / "error").write_text("permission denied while trying to connect to the Docker daemon socket "
                               "at unix:///var/run/docker.sock: connect: permission denied\n")
    data = json.loads(run("check", "--snapshot", str(out), "--json").stdout)
    group = [f for f in data["findings"] if f["check"] == "docker-group"][0]
    assert group["problem"] == "docker.group-not-active", group
    assert "docker:x:998:alice" in group["evidence"]


def test_a_rootless_socket_refusing_a_user_is_not_sent_to_the_docker_group(tmp_path):
    """A service user refused by someone's rootless daemon (/run/user/UID/docker.sock): joining the
    docker group would not help, so the check names the rootless daemon and says what does."""
    out = tmp_path / "snap"
    out.mkdir()
    (out / "id").write_text("uid=1001(runner) gid=1001(runner) groups=1001(runner),998(docker)\n")
    (out / "group").write_text("docker:x:998:runner\n")
    (out / "error").write_text("Got permission denied while trying to connect to the Docker daemon socket at "
                               "unix:///run/user/1002/docker.sock: dial unix /run/user/1002/docker.sock: "
                               "connect: permission denied\n")
    data = json.loads(run("check", "--snapshot", str(out), "--json").stdout)
    group = [f for f in data["findings"] if f["check"] == "docker-group"][0]
    assert group["problem"] == "docker.rootless", group
    assert "DOCKER_HOST" in group["fix"] and "usermod" not in group["fix"]
    assert data["root_causes"][0] == "docker.rootless"
    # the reported error read the same way gives the same fix, not the toolkit's rootless settings
    told = [f for f in data["findings"] if f["check"] == "reported-error" and f["problem"] == "docker.rootless"]
    assert told and all("DOCKER_HOST" in f["fix"] and "no-cgroups" not in f["fix"] for f in told)


def test_snapshot_of_a_host_without_a_docker_group_records_an_empty_group(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/group").write_text("root:x:0:\nsudo:x:27:alice\n")
    out = tmp_path / "snap"
    assert run("snapshot", str(out), "--root", str(root), "--no-probe").returncode == 0
    assert (out / "group").read_text() == ""


@pytest.mark.skipif(os.geteuid() != 0, reason="the advice drops sudo only for root")
def test_root_without_sudo_gets_advice_it_can_run(tmp_path):
    """Logged in as root on a host with no sudo (a minimal Debian, a container): `sudo apt-get ...`
    would fail with "sudo: command not found", so the advice is given without it."""
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    (root / "etc/os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    env = {"DOCKER_HOST": "unix:///nonexistent/docker.sock", "LANG": "C", "PATH": "/usr/bin:/bin"}
    res = run("check", "--root", str(root), "--no-probe", "--json", env=env)
    fixes = [f["fix"] for f in json.loads(res.stdout)["findings"] if f["fix"]]
    assert fixes and not any("sudo " in f for f in fixes), fixes
    res = run("check", "--root", str(root), "--no-probe", env=env)
    assert "Next: " in res.stdout and "sudo " not in res.stdout, res.stdout
    res = run("verify", "--root", str(root), "--timeout", "3", env=env)
    assert "Next: " in res.stdout and "sudo " not in res.stdout, res.stdout
    sudo = root / "usr/bin/sudo"
    sudo.parent.mkdir(parents=True)
    sudo.write_text("#!/bin/sh\n")
    sudo.chmod(0o755)
    env.pop("SUDO_USER", None)
    res = run("check", "--root", str(root), "--no-probe", env=dict(env, SUDO_USER=""))
    assert "Next: " in res.stdout and "sudo " not in res.stdout   # logged in as root: no sudo
    res = run("check", "--root", str(root), "--no-probe", env=dict(env, SUDO_USER="alice"))
    assert "sudo " in res.stdout          # `sudo dldoctor check`: alice's shell needs sudo


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="runs check as nobody")
def test_a_user_on_a_host_without_sudo_is_told_to_run_the_fix_as_root(tmp_path):
    """ux10: nobody, on a root without sudo, was told `sudo systemctl start docker`: a command it
    does not have. The fix is said to be root's, without sudo."""
    root = Path(tempfile.mkdtemp(prefix="dlnosudo-", dir="/tmp"))
    try:
        os.chmod(root, 0o755)
        (root / "etc/docker").mkdir(parents=True)
        (root / "etc/os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
        env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", LANG="C",
                   PATH="/usr/bin:/bin", HOME="/tmp")
        env.pop("SUDO_USER", None)
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
        if subprocess.run(nobody + ["-c", "import dldoctor"], capture_output=True, env=env,
                          timeout=60, cwd="/").returncode != 0:
            pytest.skip("this Python (or dldoctor) is not readable by nobody (under /root)")
        res = subprocess.run(nobody + ["-m", "dldoctor", "check", "--root", str(root),
                                       "--no-probe", "--json"], capture_output=True, text=True,
                             env=env, timeout=60, cwd="/")
        fixes = [f["fix"] for f in json.loads(res.stdout)["findings"] if f["fix"]]
        assert fixes and not any("sudo " in f for f in fixes if not f.startswith("as root")), fixes
        assert any(f.startswith("as root (this host has no sudo): ") for f in fixes), fixes
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_snapshot_tarball_with_a_dot_name_has_relative_members(tmp_path):
    """`snapshot .host.tar.gz`: members sit under a directory, never at absolute paths (which tar
    warns about and other unpackers write to /)."""
    out = tmp_path / ".host.tar.gz"
    res = run("snapshot", str(out), "--no-probe", "--root", str(tmp_path))
    assert res.returncode == 0, res.stderr
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert names and not any(n.startswith("/") for n in names), names[:3]
    assert all("/" in n for n in names)


def test_docker_hub_configured_as_its_own_mirror_is_judged_by_its_probe(tmp_path):
    """`"registry-mirrors": ["https://registry-1.docker.io"]` on a host that cannot reach Docker
    Hub: the mirror is Docker Hub, probed once as such, and its failure is reported (it was
    shown as a working mirror)."""
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    (snap / "daemon.json").write_text('{"registry-mirrors": ["https://registry-1.docker.io"]}\n')
    (snap / "mirror-probe").write_text(
        "https://registry-1.docker.io\tdead\tno answer: Name or service not known\thub\n")
    res = run("check", "--snapshot", str(snap), "--json")
    found = [f for f in json.loads(res.stdout)["findings"] if f["check"] == "registry-mirrors"]
    assert found and all(f["status"] == "fail" for f in found), found
    assert {"mirror.dead", "registry.unreachable"} & {f["problem"] for f in found}


def _probed_snapshot(tmp_path, mirrors, probe_lines):
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    (snap / "daemon.json").write_text(json.dumps({"registry-mirrors": mirrors}) + "\n")
    (snap / "mirror-probe").write_text("".join("\t".join(l) + "\n" for l in probe_lines))
    res = run("check", "--snapshot", str(snap), "--json")
    return [f for f in json.loads(res.stdout)["findings"] if f["check"] == "registry-mirrors"]


def test_an_offline_host_has_no_network_not_every_mirror_dead(tmp_path):
    """Offline, every probe failed as Docker Hub's did (DNS): check called each mirror dead and
    told the user to remove them all. Now one finding says nothing answered; a mirror known to be
    closed is still named so, and one that answered with an error is still dead."""
    dns = "no answer: Temporary failure in name resolution"
    found = _probed_snapshot(tmp_path, ["https://docker.m.daocloud.io", "https://hub-mirror.c.163.com",
                                        "https://mirror.example.com"], [
        ("https://docker.m.daocloud.io", "dead", dns, "mirror"),
        ("https://hub-mirror.c.163.com", "dead", dns, "mirror"),
        ("https://mirror.example.com", "dead", dns, "mirror"),
        ("https://registry-1.docker.io", "dead", dns, "hub")])
    assert [(f["problem"], f["detail"].split(":")[0]) for f in found] == [
        ("mirror.dead", "https"), ("registry.unreachable", "No registry answered, Docker Hub included (no answer")]
    assert "hub-mirror.c.163.com" in found[0]["detail"]
    assert found[1]["detail"].endswith("not judged: https://docker.m.daocloud.io, https://mirror.example.com.")


def test_a_mirror_that_failed_otherwise_than_docker_hub_is_still_dead(tmp_path):
    """Docker Hub blocked (a timeout) while a mirror's name no longer resolves, or it answers 404:
    those mirrors are dead, as before."""
    found = _probed_snapshot(tmp_path, ["https://gone.example.com", "https://web.example.com"], [
        ("https://gone.example.com", "dead", "no answer: Name or service not known", "mirror"),
        ("https://web.example.com", "dead", "404 Not Found: no registry API at /v2/ (41 ms)", "mirror"),
        ("https://registry-1.docker.io", "dead", "no answer: timed out", "hub")])
    assert [f["problem"] for f in found] == ["mirror.dead", "mirror.dead", "registry.unreachable"]
    assert "Docker Hub itself is unreachable: no answer: timed out" in found[2]["detail"]


def test_a_mirror_that_timed_out_as_docker_hub_did_is_dead_when_another_answered(tmp_path):
    """Docker Hub blocked and a mirror down both time out (China, an air-gapped site): one live
    mirror shows the network works, so the one that timed out is dead, not "not judged"."""
    slow = "no answer: timed out (no complete answer within 5.0 s)"
    found = _probed_snapshot(tmp_path, ["https://mirror.a.example", "https://mirror.b.example"], [
        ("https://mirror.a.example", "alive", "HTTP 200 (80 ms)", "mirror"),
        ("https://mirror.b.example", "dead", slow, "mirror"),
        ("https://registry-1.docker.io", "dead", slow, "hub")])
    assert [f["problem"] for f in found] == ["mirror.dead"], found
    assert "mirror.b.example" in found[0]["detail"]


def test_a_program_the_root_lacks_is_named_in_one_line(tmp_path):
    """A program absent under --root is reported as the shell would ("lspci: command not found");
    the line break that ends such a message is not part of the reason, which human output would
    otherwise show as a literal \\n."""
    env = {"DOCKER_HOST": "unix:///nonexistent/docker.sock", "NO_COLOR": "1", "DLDOCTOR_LANG": "C"}
    res = run("check", "--root", str(tmp_path), "--only", "gpu", "--json", env=env)
    gpu = [f for f in json.loads(res.stdout)["findings"] if f["check"] == "gpu"]
    assert [f["detail"] for f in gpu] == ["lspci: command not found"], res.stdout
    res = run("check", "--root", str(tmp_path), "--only", "gpu", env=env)
    assert "lspci: command not found" in res.stdout and "\\n" not in res.stdout, res.stdout


def test_a_snapshot_records_the_mirror_probe_in_english_and_check_shows_it_translated(tmp_path):
    """Evidence does not depend on the language of whoever made it (docs/snapshot-format.md): a
    zh_CN snapshot records the probe's reasons in English, and check shows them in the reader's
    language (a snapshot written before, in English, reads the same way)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NotARegistry(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotARegistry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = tmp_path / "root"
        (root / "etc/docker").mkdir(parents=True)
        (root / "etc/docker/daemon.json").write_text(json.dumps(
            {"registry-mirrors": ["http://127.0.0.1:%d" % server.server_address[1]]}))
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env.update(DLDOCTOR_LANG="zh_CN", DLDOCTOR_HUB_URL="http://127.0.0.1:9",
                   DOCKER_HOST="unix:///nonexistent/docker.sock", NO_COLOR="1")
        res = subprocess.run([sys.executable, "-m", "dldoctor", "snapshot", str(tmp_path / "snap"),
                              "--root", str(root)], capture_output=True, text=True, env=env,
                             timeout=60)
        assert res.returncode == 0, res.stderr
    finally:
        server.shutdown()
    recorded = (tmp_path / "snap" / "mirror-probe").read_text()
    assert not re.search(r"[\u3000-\u9fff\uff00-\uffef]", recorded), recorded
    assert re.search(r"\tdead\t404 Not Found: no registry API at /v2/ \(\d+ ms\)\tmirror\n", recorded), recorded
    assert "\tdead\tno answer: " in recorded, recorded

    shown = {}
    for lang in ("zh_CN", "C"):
        res = run("check", "--snapshot", str(tmp_path / "snap"), "--only", "registry-mirrors",
                  env={"DLDOCTOR_LANG": lang, "NO_COLOR": "1"})
        assert res.returncode == 1, res.stderr
        shown[lang] = res.stdout
    assert "404 Not Found：/v2/ 上没有 Registry API" in shown["zh_CN"], shown["zh_CN"]
    assert "无应答：" in shown["zh_CN"] and "no answer" not in shown["zh_CN"], shown["zh_CN"]
    assert "404 Not Found: no registry API at /v2/" in shown["C"] and "no answer: " in shown["C"]


def test_an_offline_host_with_a_mirror_given_by_address_is_not_judged_either(tmp_path):
    """Offline, a mirror named by IP fails otherwise than Docker Hub's DNS lookup ("Network is
    unreachable"): it was called dead where fix said the host may have no network."""
    found = _probed_snapshot(tmp_path, ["http://10.20.30.40:5000"], [
        ("http://10.20.30.40:5000", "dead", "no answer: Network is unreachable", "mirror"),
        ("https://registry-1.docker.io", "dead", "no answer: Temporary failure in name resolution", "hub")])
    assert [f["problem"] for f in found] == ["registry.unreachable"], found
    assert "not judged: http://10.20.30.40:5000" in found[0]["detail"]
    assert "GET http://10.20.30.40:5000/v2/ -> no answer: Network is unreachable" in found[0]["evidence"]


def test_mirrors_never_asked_are_not_shown_as_working(tmp_path):
    """`check --no-probe` gave a green ✓ "Registry mirrors: …" for mirrors it never asked."""
    root = tmp_path / "root"
    (root / "etc/docker").mkdir(parents=True)
    (root / "etc/docker/daemon.json").write_text('{"registry-mirrors": ["https://mirror.example.com"]}\n')
    res = run("check", "--root", str(root), "--no-probe", "--json", "--only", "registry-mirrors")
    (found,) = [f for f in json.loads(res.stdout)["findings"] if f["check"] == "registry-mirrors"]
    assert (found["status"], found["title"]) == ("skip", "Registry mirrors (not probed): https://mirror.example.com")


@pytest.mark.parametrize("release, says, never", [
    ("debian-12", "nvidia-driver firmware-misc-nonfree", "ubuntu-drivers"),
    ("ubuntu-22.04", "ubuntu-drivers install", "firmware-misc-nonfree"),
])
def test_the_driver_advice_is_the_distributions_own(tmp_path, release, says, never):
    """Debian has neither ubuntu-drivers nor nvidia-driver-<branch> packages: the advice a Debian
    user got could not be followed."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text((DATA / "fixtures/os-release" / release).read_text())
    res = run("check", "--root", str(tmp_path), "--no-probe", "--json", "--only", "nvidia-driver",
              env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    fixes = [f["fix"] for f in json.loads(res.stdout)["findings"] if f["problem"] == "driver.missing"]
    assert fixes and says in fixes[0] and never not in fixes[0], res.stdout


def test_a_snapshot_and_a_root_together_are_refused(tmp_path):
    """`check --snapshot DIR --root R` read the snapshot and ignored R untold."""
    res = run("check", "--snapshot", str(CASE), "--root", str(tmp_path))
    assert res.returncode == 2 and "--snapshot" in res.stderr and "--root" in res.stderr
    assert res.stdout == ""


def test_a_missing_key_of_a_repository_fix_does_not_manage_gets_advice_that_works(tmp_path):
    """check sent a CUDA or third-party source's missing key to `fix --only apt-repos`, which
    writes only Docker's and NVIDIA's toolkit repositories and never touched it."""
    lists = tmp_path / "etc/apt/sources.list.d"
    lists.mkdir(parents=True)
    (tmp_path / "etc/os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    (lists / "cuda.list").write_text("deb [signed-by=/usr/share/keyrings/cuda-archive-keyring.gpg] "
                                     "https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/ /\n")
    (lists / "vendor.list").write_text("deb [signed-by=/usr/share/keyrings/vendor.gpg] "
                                       "https://packages.example.com/apt stable main\n")
    (lists / "docker.list").write_text("deb [signed-by=/usr/share/keyrings/docker.gpg] "
                                       "https://download.docker.com/linux/ubuntu jammy stable\n")
    res = run("check", "--root", str(tmp_path), "--no-probe", "--json", "--only", "apt-sources",
              env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    fixes = {f["evidence"][0].split(":")[0]: f["fix"] for f in json.loads(res.stdout)["findings"]
             if f["problem"] == "apt.no-pubkey"}
    assert "cuda-keyring" in fixes["cuda.list"] and "apt-repos" not in fixes["cuda.list"]
    assert "/etc/apt/sources.list.d/vendor.list" in fixes["vendor.list"] and "apt-repos" not in fixes["vendor.list"]
    assert "fix --only apt-repos" in fixes["docker.list"]       # that one fix does mend


def test_a_daemon_json_that_is_a_directory_fails_and_says_how_to_move_it(tmp_path):
    """ux10: a directory at /etc/docker/daemon.json (a bind mount of a missing file makes one)
    was "not collected", skipped, "no problems found" and exit 0; dockerd does not start on it."""
    (tmp_path / "etc" / "docker" / "daemon.json").mkdir(parents=True)
    res = run("check", "--root", str(tmp_path), "--only", "daemon-json", "--json", "--no-probe",
              env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    assert res.returncode == 1, res.stdout + res.stderr
    dj = json.loads(res.stdout)["findings"][0]
    assert dj["status"] == "fail" and dj["problem"] == "daemon-json.invalid", dj
    assert "is a directory" in dj["detail"]
    assert "mv /etc/docker/daemon.json /etc/docker/daemon.json.dir" in dj["fix"]
