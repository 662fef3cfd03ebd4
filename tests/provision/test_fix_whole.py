"""`dldoctor fix` end to end on a fake root: the plan shows whole (a step that cannot be planned is
shown blocked, the others keep their diffs), docker-group as root, and registry mirrors probed
against real HTTP servers on 127.0.0.1 (dead ones dropped, restricted ones kept, live ones fastest
first); `check` reports a restricted mirror from the same probe."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from dldoctor import mirror_urls
from dldoctor import mirror_probe as mp
from dldoctor.provision import mirrors as m
from dldoctor.provision.daemon_json import DaemonJsonStep
from dldoctor.provision.options import FixOptions

from mirror_server import mirror
from provision_fakes import MemoryHost, http, section

REPO = Path(__file__).resolve().parents[2]
OS_RELEASE = (REPO / "tests/data/fixtures/os-release/debian-12").read_text()
REG = {"Docker-Distribution-Api-Version": "registry/2.0"}


@pytest.fixture
def root():
    """A Debian 12 root with no keys, no packages database, a daemon.json, and no network."""
    d = tempfile.mkdtemp(prefix="dlwhole-", dir="/tmp")
    os.chmod(d, 0o755)
    for sub in ("etc/docker", "etc/apt/sources.list.d"):
        os.makedirs(os.path.join(d, sub))
    Path(d, "etc/os-release").write_text(OS_RELEASE)
    Path(d, "etc/group").write_text("root:x:0:\nusers:x:100:\n")
    Path(d, "etc/apt/sources.list").write_text("")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def daemon_json(root, data=None):
    p = Path(root, "etc/docker/daemon.json")
    if data is not None:
        p.write_text(json.dumps(data, indent=2) + "\n")
    return p.read_bytes()


def cli(*args, sudo_user=None):
    # No network: every request but those to 127.0.0.1 goes to a closed port. No Docker daemon.
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock", DLDOCTOR_LANG="C",
               HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9",
               NO_PROXY="127.0.0.1", no_proxy="127.0.0.1", DLDOCTOR_HUB_URL="http://127.0.0.1:9")
    env.pop("SUDO_USER", None)
    if sudo_user:
        env["SUDO_USER"] = sudo_user
    return subprocess.run([sys.executable, "-m", "dldoctor"] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          stdin=subprocess.DEVNULL, timeout=120, cwd=str(REPO))


# --- the plan shows whole -------------------------------------------------------------------------


def no_packages(root):
    """An empty dpkg database: dpkg-query reads it and lists nothing installed."""
    if shutil.which("dpkg-query") is None:
        pytest.skip("needs dpkg-query")
    status = Path(root, "var/lib/dpkg/status")
    status.parent.mkdir(parents=True)
    status.write_text("")


def test_offline_dry_run_shows_the_daemon_json_diff_and_apt_repos_blocked(root):
    daemon_json(root, {"log-level": "warn"})
    no_packages(root)
    with mirror("live") as live:
        r = cli("fix", "--root", root, "--dry-run", "--registry-mirror", live)
    assert r.returncode == 1, r.stdout + r.stderr
    apt = section(r.stdout, "apt-repos")
    assert apt.startswith("   blocked: could not get the Docker signing key: "
                          "https://download.docker.com/linux/debian/gpg")
    assert "(on an offline host pass the key file with --docker-key FILE" in apt
    dj = section(r.stdout, "daemon-json")
    assert "+  \"registry-mirrors\": [" in dj and "+    \"%s\"" % live in dj
    assert "Dry run: nothing was changed." in r.stdout
    # packages waits for the repositories apt-repos could not add: the rest is daemon-json alone
    assert section(r.stdout, "packages").startswith("   blocked: needs the apt repositories Docker's")
    assert "apt-get install" not in r.stdout
    # nor does daemon-json promise the toolkit the blocked packages step will not install
    assert "the packages step, left out or blocked in this run, installs" in section(r.stdout, "daemon-json")
    assert "To apply the rest, run again with --skip apt-repos --skip packages (or --only daemon-json)." \
        in r.stderr
    assert "Traceback" not in r.stderr
    assert daemon_json(root) == b'{\n  "log-level": "warn"\n}\n'


def test_packages_installs_only_from_repositories_the_host_lists_when_apt_repos_is_left_out(root):
    """With apt-repos skipped, the plan installed nvidia-container-toolkit and Docker CE from
    "the repositories just configured", which nothing had configured: apt would remove the
    conflicting packages, then find nothing to install."""
    no_packages(root)
    r = cli("fix", "--root", root, "--dry-run", "--only", "packages")
    assert r.returncode == 1, r.stdout + r.stderr
    assert section(r.stdout, "packages") == (
        "   blocked: needs the apt repositories Docker's (for docker-ce docker-ce-cli containerd.io "
        "docker-buildx-plugin docker-compose-plugin), NVIDIA's (for nvidia-container-toolkit), "
        "which apt-repos is not adding in this run, and no source apt reads is one of them (an "
        "internal mirror: give its base with --docker-apt-base or --nvidia-apt-base) (let apt-repos "
        "add them (run fix without --skip apt-repos, or mend what blocked it), or add them yourself)")
    # NVIDIA's alone (a mirror of it) is not enough for Docker CE; both are
    lists = Path(root, "etc/apt/sources.list.d")
    (lists / "nvidia-container-toolkit.list").write_text(
        "deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] "
        "https://mirrors.ustc.edu.cn/libnvidia-container/stable/deb/$(ARCH) /\n")
    r = cli("fix", "--root", root, "--dry-run", "--skip", "apt-repos", "--skip", "daemon-json",
            "--skip", "docker-group")
    assert r.returncode == 1
    assert section(r.stdout, "packages").startswith("   blocked: needs the apt repositories Docker's (for")
    assert "NVIDIA's" not in section(r.stdout, "packages")
    (lists / "docker.sources").write_text(
        "Types: deb\nURIs: https://mirrors.aliyun.com/docker-ce/linux/debian\nSuites: bookworm\n"
        "Components: stable\nSigned-By: /etc/apt/keyrings/docker.asc\n")
    r = cli("fix", "--root", root, "--dry-run", "--only", "packages")
    assert r.returncode == 0, r.stdout + r.stderr
    plan = section(r.stdout, "packages")
    assert "run: apt-get update\n        read the package lists\n" in plan, plan
    assert "just configured" not in plan and "apt-get install -y" in plan


def fix_yes_with_a_live_mirror(root, *args, sudo_user=None):
    """(daemon.json before, the run) of `fix --yes ARGS --registry-mirror <a live mirror>`."""
    if os.geteuid() != 0:
        pytest.skip("fix without --dry-run must run as root")
    before = daemon_json(root, {"log-level": "warn"})
    with mirror("live") as live:
        r = cli("fix", "--root", root, "--yes", *args, "--registry-mirror", live, sudo_user=sudo_user)
    return before, r


def test_yes_with_a_blocked_step_applies_nothing_and_names_the_options(root):
    before, r = fix_yes_with_a_live_mirror(root, "--skip", "packages")
    assert r.returncode == 1
    assert "Nothing was changed: apt-repos could not be planned." in r.stderr
    assert "--skip apt-repos (or --only daemon-json)" in r.stderr
    assert daemon_json(root) == before
    assert not os.path.exists(os.path.join(root, "var/lib/dldoctor"))   # no journal either


def test_after_a_fix_under_a_root_the_undo_it_names_finds_the_fix(root):
    """The advice said plain `dldoctor undo`, which looks under / and finds nothing."""
    before, r = fix_yes_with_a_live_mirror(root, "--only", "daemon-json")
    assert r.returncode == 0, r.stdout + r.stderr
    said = [l for l in (r.stdout + r.stderr).splitlines() if "puts the files back" in l]
    assert said and "`dldoctor undo --root %s`" % root in said[0], r.stdout + r.stderr
    assert daemon_json(root) != before
    r = cli("undo", "--root", root, "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert daemon_json(root) == before


def test_after_sudo_dldoctor_fix_the_undo_it_names_has_sudo(root):
    """`sudo dldoctor fix` leaves the person in their own shell: the undo pasted there needs sudo."""
    _before, r = fix_yes_with_a_live_mirror(root, "--only", "daemon-json", sudo_user="alice")
    assert r.returncode == 0, r.stdout + r.stderr
    said = [l for l in (r.stdout + r.stderr).splitlines() if "puts the files back" in l]
    assert said and "`sudo dldoctor undo --root %s`" % root in said[0], r.stdout + r.stderr


def test_root_without_sudo_user_skipping_the_repositories_exits_0(root):
    if os.geteuid() != 0:
        pytest.skip("the docker-group step reads who runs dldoctor: needs root")
    r = cli("fix", "--root", root, "--dry-run", "--skip", "apt-repos", "--skip", "packages")
    assert r.returncode == 0, r.stdout + r.stderr
    assert section(r.stdout, "docker-group").startswith("   not needed: dldoctor runs as root")
    assert "--user NAME adds one" in r.stdout
    r = cli("fix", "--root", root, "--dry-run", "--only", "docker-group", "--user", "alice",
            "--json")
    plan = json.loads(r.stdout)["plan"][0]
    assert plan["blocked"] is None and plan["not_needed"] is None
    assert ["usermod", "-aG", "docker", "alice"] in [c.get("argv") for c in plan["changes"]]


DOCKER_LINE = "deb https://download.docker.com/linux/debian bookworm stable\n"
NVIDIA_LINE = "deb https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH) /\n"


@pytest.mark.parametrize("name,text", [
    ("docker.list.distUpgrade", DOCKER_LINE + NVIDIA_LINE),      # left by do-release-upgrade
    ("docker.list.save", DOCKER_LINE + NVIDIA_LINE),
    ("docker", DOCKER_LINE + NVIDIA_LINE),
    ("dock er.list", DOCKER_LINE + NVIDIA_LINE),
    ("vendors.list", DOCKER_LINE.replace("deb ", "deb-src ") + NVIDIA_LINE.replace("deb ", "deb-src ")),
    ("docker.sources", "Types: deb\nURIs: https://download.docker.com/linux/debian\nSuites: bookworm\n"
                       "Components: stable\nEnabled:no\n\nTypes: deb\nURIs: "
                       "https://nvidia.github.io/libnvidia-container/stable/deb/$(ARCH)\nSuites: /\n"
                       "Enabled: off\n"),
], ids=["distUpgrade", "save", "no-extension", "space-in-name", "deb-src", "deb822-disabled"])
def test_packages_does_not_count_a_repository_apt_does_not_read(root, name, text):
    """apt reads *.list and *.sources of plain names, binary entries, Enabled: yes; a stale
    docker.list.distUpgrade counted, and the plan removed docker.io to install from nowhere."""
    no_packages(root)
    Path(root, "etc/apt/sources.list.d", name).write_text(text)
    r = cli("fix", "--root", root, "--dry-run", "--only", "packages")
    assert r.returncode == 1, r.stdout + r.stderr
    assert section(r.stdout, "packages").startswith("   blocked: needs the apt repositories Docker's")
    assert "NVIDIA's" in section(r.stdout, "packages")


@pytest.mark.parametrize("text,args", [
    ("deb https://artifactory.corp.example/docker-remote/linux/debian bookworm stable\n"
     "deb https://artifactory.corp.example/nvidia-remote/stable/deb/$(ARCH) /\n",
     ("--docker-apt-base", "https://artifactory.corp.example/docker-remote/",
      "--nvidia-apt-base", "https://artifactory.corp.example/nvidia-remote/")),
    (DOCKER_LINE + "deb https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/ /\n", ()),
], ids=["internal-mirror-named-by-its-bases", "cuda-repository"])
def test_packages_counts_an_internal_mirror_and_nvidias_cuda_repository(root, text, args):
    """An Artifactory mirror (the bases given, as apt-repos wrote them) and NVIDIA's CUDA
    repository (it carries the toolkit since 1.13) serve the packages: not blocked."""
    no_packages(root)
    Path(root, "etc/apt/sources.list.d", "vendors.list").write_text(text)
    r = cli("fix", "--root", root, "--dry-run", "--only", "packages", *args)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "apt-get install -y" in section(r.stdout, "packages")


def test_a_user_the_root_does_not_have_is_refused_before_anything_runs(root):
    """A typo in --user was planned (groupadd, then usermod) and failed only when applied."""
    Path(root, "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n"
                                        "alice:x:1000:1000::/home/alice:/bin/bash\n")
    r = cli("fix", "--root", root, "--dry-run", "--only", "docker-group", "--user", "alcie")
    assert r.returncode == 1, r.stdout + r.stderr
    assert section(r.stdout, "docker-group") == (
        "   blocked: alcie (--user) is not in /etc/passwd: usermod adds only local users; for a "
        "directory (LDAP) user, run `gpasswd -a alcie docker` (--user NAME, or --skip docker-group)")
    r = cli("fix", "--root", root, "--dry-run", "--only", "docker-group", "--user", "alice")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "run: usermod -aG docker alice" in section(r.stdout, "docker-group")


def test_no_probe_writes_a_mirror_this_machine_cannot_reach(root):
    """An internal mirror, or an offline host: fix refused every mirror it could not probe and
    offered only --skip daemon-json. --no-probe writes it as given and keeps the file's own."""
    daemon_json(root, {"registry-mirrors": ["https://old.example.com"]})
    internal = "https://mirror.internal.example"
    r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--registry-mirror", internal)
    assert r.returncode == 1
    assert "add --no-probe to write them anyway" in section(r.stdout, "daemon-json")
    r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--registry-mirror", internal,
            "--no-probe", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    plan = json.loads(r.stdout)["plan"][0]
    assert plan["blocked"] is None
    assert '+    "https://old.example.com",\n+    "%s"\n' % internal in plan["changes"][0]["diff"], plan
    assert any(n.startswith("--no-probe: %s written without asking" % internal) for n in plan["notes"])
    assert not plan["warnings"]
    # a mirror known to be closed needs no probe to be known so: written, with a warning
    r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--no-probe", "--json",
            "--registry-mirror", "https://docker.mirrors.ustc.edu.cn")
    warned = json.loads(r.stdout)["plan"][0]["warnings"]
    assert [w for w in warned if "https://docker.mirrors.ustc.edu.cn is written as asked, but it is "
            "known to be closed: USTC" in w], warned


def test_verify_takes_no_probe_as_check_does(root):
    """`verify --no-probe` was an unknown option: an offline verify spent the probes for nothing."""
    with mirror("dead") as dead:
        daemon_json(root, {"registry-mirrors": [dead]})
        probed = cli("verify", "--root", root, "--json")
        unprobed = cli("verify", "--root", root, "--json", "--no-probe")
    assert unprobed.returncode == probed.returncode == 1, unprobed.stderr

    def mirror_problems(r):
        return [f["problem"] for f in json.loads(r.stdout)["findings"] if f["check"] == "registry-mirrors"]
    assert mirror_problems(probed)[0] == "mirror.dead"
    assert mirror_problems(unprobed) == [None]


def test_what_dockerd_would_still_refuse_is_said_once(root):
    """Three unknown keys are one refusal of dockerd ("the following directives don't match any
    configuration option: foo, bar, baz"), said once, not once per key."""
    runtime = Path(root, "usr/bin/nvidia-container-runtime")
    runtime.parent.mkdir(parents=True)
    runtime.write_text("#!/bin/sh\n")
    runtime.chmod(0o755)
    daemon_json(root, {"foo": 1, "bar": 2, "baz": 3})
    r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--json",
            "--default-runtime", "nvidia")
    warnings = json.loads(r.stdout)["plan"][0]["warnings"]
    assert [w for w in warnings if "foo, bar, baz" in w] == [
        "dockerd will still refuse /etc/docker/daemon.json, for a setting fix does not manage: "
        "the following directives don't match any configuration option: foo, bar, baz"], warnings


def test_blocked_step_in_json(root):
    Path(root, "etc/docker/daemon.json").write_text('{"a": 1,}')
    r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    blocked = out["plan"][0]["blocked"]
    assert "is not valid JSON" in blocked["why"] and "--force" in blocked["unblock"]
    assert out["status"] == "dry-run" and out["exit_code"] == 1


def test_scheme_less_mirror_gets_a_suggestion(root):
    r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json",
            "--registry-mirror", "docker.m.daocloud.io")
    assert r.returncode == 2
    assert "no scheme specified" in r.stderr
    assert "did you mean https://docker.m.daocloud.io?" in r.stderr
    assert mirror_urls.scheme_hint("docker.m.daocloud.io/") == "https://docker.m.daocloud.io"
    assert mirror_urls.scheme_hint("https://x.example") is None and mirror_urls.scheme_hint("a b") is None


# --- mirrors that work ----------------------------------------------------------------------------


def test_dead_mirrors_are_dropped_restricted_kept_live_fastest_first(root):
    with mirror("dead") as dead, mirror("restricted") as restricted, \
            mirror("live", delay=0.3) as slow, mirror("live") as fast, \
            mirror("live", delay=0.1) as new:
        daemon_json(root, {"log-level": "warn", "registry-mirrors": [dead, slow, restricted, fast]})
        r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--json",
                "--registry-mirror", new)
        assert r.returncode == 0, r.stderr
        plan = json.loads(r.stdout)["plan"][0]
        diff = plan["changes"][0]["diff"]
        assert "-    \"%s\",\n" % dead in diff
        assert any(w == "registry mirror %s is removed: 404 Not Found: no registry API at /v2/"
                   % dead for w in plan["warnings"])
        assert any(n.startswith("%s is kept: it refuses library/hello-world with HTTP 403" %
                                restricted) for n in plan["notes"])
        after = json.loads("".join(l[1:] for l in diff.splitlines(True)
                                   if l[:1] in " +" and not l.startswith("+++")))
        assert after["registry-mirrors"] == [fast, new, slow, restricted]

        keep = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--json",
                   "--keep-mirrors", "--registry-mirror", new)
        kplan = json.loads(keep.stdout)["plan"][0]
        kdiff = kplan["changes"][0]["diff"]
        assert "-    \"%s\"" % dead not in kdiff and "+    \"%s\"" % new in kdiff
        assert not any("is removed" in w for w in kplan["warnings"])


def test_a_restricted_mirror_asked_for_is_added_with_a_note_that_says_so(root):
    with mirror("restricted") as restricted:
        r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--json",
                "--registry-mirror", restricted)
        assert r.returncode == 0, r.stderr
        plan = json.loads(r.stdout)["plan"][0]
        assert "+    \"%s\"" % restricted in plan["changes"][0]["diff"]
        assert any(n.startswith("%s is added, but it refuses library/hello-world with HTTP 403" %
                                restricted) for n in plan["notes"]), plan["notes"]


def test_check_reports_a_restricted_mirror_from_the_live_probe(root):
    with mirror("restricted") as restricted, mirror("dead") as dead:
        daemon_json(root, {"registry-mirrors": [restricted, dead]})
        r = cli("check", "--root", root, "--json")
    findings = [f for f in json.loads(r.stdout)["findings"] if f["check"] == "registry-mirrors"]
    by = {f["problem"]: f for f in findings}
    assert restricted in by["mirror.restricted"]["detail"]
    assert by["mirror.restricted"]["status"] == "warn"
    assert "not in the allowlist" in by["mirror.restricted"]["detail"]
    assert dead in by["mirror.dead"]["detail"]


def test_check_reports_a_mirror_that_refuses_manifests_with_a_bare_403_as_restricted(root):
    # /v2/ answers, the manifest gets an nginx "403 Forbidden" page: alive and refusing, not dead.
    with mirror("forbidden") as forbidden:
        daemon_json(root, {"registry-mirrors": [forbidden]})
        r = cli("check", "--root", root, "--json")
    by = {f["problem"]: f for f in json.loads(r.stdout)["findings"] if f["check"] == "registry-mirrors"}
    assert forbidden in by["mirror.restricted"]["detail"]
    assert "mirror.dead" not in by


# --- the choice, unit by unit (canned answers) ----------------------------------------------------


def _hub_host(answers):
    """MemoryHost where each URL in `answers` is live / restricted / dead with a latency."""
    man = mp.MANIFEST_PATH
    urls = {}
    for url, (state, latency) in answers.items():
        if state == "dead":
            urls[url + "/v2/"] = http(url + "/v2/", 404, elapsed=latency)
            continue
        urls[url + "/v2/"] = http(url + "/v2/", 200, b"{}", REG, latency)
        urls[url + man] = (http(url + man, 403, b'{"message":"forbidden"}', REG, latency)
                           if state == "restricted" else http(url + man, 200, b"{}", REG, latency))
    return MemoryHost(urls=urls)


def test_tuna_preset_now_gets_the_live_public_mirrors():
    dao, nju = "https://docker.m.daocloud.io", "https://docker.nju.edu.cn"
    host = _hub_host({dao: ("restricted", 0.02), nju: ("live", 0.05)})
    choice = m.choose_registry_mirrors(host, ["tuna"], [], 1.0)
    assert choice.live == (nju, dao) and not choice.none_works
    assert any("--mirror tuna: no Docker Hub mirror" in n for n in choice.notes)
    # Nothing answers: a note for a preset, an error for --mirror auto.
    quiet = m.choose_registry_mirrors(MemoryHost(), ["tuna"], [], 1.0)
    assert quiet.live == () and not quiet.none_works
    assert m.choose_registry_mirrors(MemoryHost(), ["auto"], [], 1.0).none_works


def test_auto_writes_at_most_three_fastest_first(monkeypatch):
    urls = ["https://m%d.example" % i for i in range(5)]
    monkeypatch.setattr(m, "auto_candidates", lambda: tuple(urls))
    host = _hub_host({u: ("live", 0.05 * (5 - i)) for i, u in enumerate(urls)})
    choice = m.choose_registry_mirrors(host, ["auto"], [], 1.0)
    assert choice.live == (urls[4], urls[3], urls[2])
    step = DaemonJsonStep(choice)
    from provision_fakes import make_facts
    facts = make_facts()
    facts.daemon_json_path = "/etc/docker/daemon.json"
    facts.raw["daemon.json"] = __import__("dldoctor.host", fromlist=["Evidence"]).Evidence(
        "daemon.json", "", exit=1)
    plan = step.plan(facts, FixOptions(presets=("auto",)))
    after = json.loads(plan.changes[0].after)
    assert after["registry-mirrors"] == [urls[4], urls[3], urls[2]]


def test_unknown_preset_names_auto():
    from dldoctor.errors import UsageError

    with pytest.raises(UsageError, match="auto"):
        m.resolve_presets(["nope"])
    assert m.resolve_presets(["auto", "tuna"]) == (m.preset("tuna"),)


def test_offline_host_keeps_mirrors_that_do_not_answer_but_drops_known_dead_ones(monkeypatch):
    ustc, dao = "https://docker.mirrors.ustc.edu.cn", "https://docker.m.daocloud.io"
    choice = m.choose_registry_mirrors(MemoryHost(), [], [], 1.0, configured=[dao + "/", ustc])
    assert [u for u, _w in choice.drop] == [ustc]
    # removed for being known closed, and said so (not for the DNS error every mirror gets offline)
    assert choice.drop[0][1].startswith("USTC mirror, "), choice.drop
    assert choice.order == (dao + "/",)
    assert any("no registry mirror answered, so none is removed for not answering" in n
               for n in choice.notes)
    notes, warnings = [], []
    mirrors, drop = m.plan_mirrors(choice, [dao + "/", ustc], False, notes, warnings)
    assert (mirrors, drop) == ((), (ustc,))
    # One mirror answers: the network works, and one that does not answer is dead.
    with mirror("live") as live:
        from dldoctor.host.live import LiveHost
        host = LiveHost(root="/")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        choice = m.choose_registry_mirrors(host, [], [], 2.0,
                                           configured=[live, "http://127.0.0.1:9"])
    assert [u for u, _w in choice.drop] == ["http://127.0.0.1:9"]


def test_a_package_database_dpkg_cannot_read_is_not_taken_for_none_installed(root):
    """dpkg-query exits 2 on a damaged status file and prints part of the list or nothing; read
    as 'none installed', the plan installed Docker CE beside docker.io without removing it."""
    if shutil.which("dpkg-query") is None:
        pytest.skip("needs dpkg-query")
    status = Path(root, "var/lib/dpkg/status")
    status.parent.mkdir(parents=True)
    status.write_text("Package: docker.io\nStatus: install ok installed\nArchitecture: amd64\n"
                      "Version: 20.10.7-0ubuntu5~20.04.2\n\n"
                      "Package: runc\nStatus: install ok installed\nArchitecture: amd64\n"
                      "Version: 1:1.1.0 -o APT::Foo=1\n\n")
    r = cli("fix", "--root", root, "--dry-run", "--only", "packages", "--json")
    plan = json.loads(r.stdout)["plan"][0]
    assert plan["changes"] == [] and "cannot tell which packages are installed" in plan["blocked"]["why"], plan
    assert "dpkg-query could not read the package database" in r.stderr


def test_apt_repos_refuses_a_sources_directory_it_cannot_read_whole(root):
    """Only the first 256 files were checked for another Docker or NVIDIA entry (each file was
    read into memory all the same: 1500 of 1 MiB took 1.6 GB); a duplicate past them breaks
    apt-get update with 'Conflicting values set for option Signed-By'."""
    d = Path(root, "etc/apt/sources.list.d")
    for i in range(300):
        (d / ("f%03d.list" % i)).write_text("deb http://x%d.example/ubuntu bookworm main\n" % i)
    (d / "zz-docker.list").write_text("deb [signed-by=/other.gpg] https://download.docker.com/linux/debian "
                                      "bookworm stable\n")
    r = cli("fix", "--root", root, "--dry-run", "--only", "apt-repos", "--json")
    plan = json.loads(r.stdout)["plan"][0]
    assert plan["changes"] == [] and "cannot check them all" in plan["blocked"]["why"], plan


@pytest.mark.parametrize("codename", ["jammy; rm -rf /", "../../x", "noble\ttrusted: yes"])
def test_apt_repos_refuses_an_odd_ubuntu_codename(root, codename):
    """An unknown codename was written as docker.sources' Suites: as it was."""
    Path(root, "etc/os-release").write_text('ID=ubuntu\nVERSION_ID="26.04"\nVERSION_CODENAME="%s"\n' % codename)
    r = cli("fix", "--root", root, "--dry-run", "--only", "apt-repos", "--json")
    plan = json.loads(r.stdout)["plan"][0]
    assert plan["changes"] == [] and "which is no release codename" in plan["blocked"]["why"], plan


def test_apt_repos_refuses_a_sources_file_larger_than_it_reads(root):
    """Sources are read to 1 MiB: a Docker entry past that was unseen, and docker.sources was
    added beside it (apt: 'Conflicting values set for option Signed-By')."""
    Path(root, "etc/apt/sources.list").write_text(
        "# padding\n" * 120_000 + "deb [signed-by=/other.gpg] https://download.docker.com/linux/debian "
        "bookworm stable\n")
    r = cli("fix", "--root", root, "--dry-run", "--only", "apt-repos", "--json")
    plan = json.loads(r.stdout)["plan"][0]
    assert plan["changes"] == [] and "cannot check all of it" in plan["blocked"]["why"], plan


def test_packages_refusal_says_when_the_sources_were_read_only_in_part(root):
    """sources.list.d is read to 256 files: a Docker repository past them was refused as "no source
    apt reads is one of them", which sends the user looking for a mistake that is not there."""
    no_packages(root)
    lists = Path(root, "etc/apt/sources.list.d")
    for i in range(300):
        (lists / ("a%03d.list" % i)).write_text("deb http://deb.example.org/x%d stable main\n" % i)
    (lists / "zz-docker.list").write_text(
        "deb https://download.docker.com/linux/debian bookworm stable\n")
    r = cli("fix", "--root", root, "--dry-run", "--only", "packages")
    assert r.returncode == 1, r.stdout + r.stderr
    part = section(r.stdout, "packages")
    assert "the apt sources were read only in part" in part and "no source apt reads" not in part, part


def test_dpkg_querys_reason_is_its_own_words_not_text_from_the_root(root):
    """The reason was cut at the last "\\r": a version holding "\\rFAKE reason" in the root's
    status file stood as dldoctor's reason, dpkg's own words dropped."""
    if shutil.which("dpkg-query") is None:
        pytest.skip("needs dpkg-query")
    status = Path(root, "var/lib/dpkg/status")
    status.parent.mkdir(parents=True)
    status.write_text("Package: runc\nStatus: install ok installed\nArchitecture: amd64\n"
                      "Version: 1.1\rall is well, nothing to see\n\n")
    r = cli("fix", "--root", root, "--dry-run", "--only", "packages", "--json")
    said = [ln for ln in r.stderr.splitlines() if "dpkg-query could not read" in ln]
    assert said and not said[0].split(": ", 1)[1].split(": ", 1)[1].startswith("all is well"), r.stderr
    assert "version" in said[0].lower(), said


def test_entries_read_past_are_no_files_read(root):
    """A dangling link or a directory in sources.list.d (and no sources.list) used up a place of
    the 256 without adding a file: the cut went untold, and a repository past it was 'missing'."""
    no_packages(root)
    os.remove(os.path.join(root, "etc/apt/sources.list"))
    lists = Path(root, "etc/apt/sources.list.d")
    os.symlink("/nonexistent/x.list", str(lists / "a000-broken.list"))
    (lists / "a000-dir.list").mkdir()
    for i in range(1, 256):
        (lists / ("a%03d.list" % i)).write_text("deb http://deb.example.org/x%d stable main\n" % i)
    (lists / "zz-docker.list").write_text("deb https://download.docker.com/linux/debian bookworm stable\n")
    r = cli("fix", "--root", root, "--dry-run", "--only", "packages")
    part = section(r.stdout, "packages")
    assert "the apt sources were read only in part" in part and "no source apt reads" not in part, part


def test_a_rewritten_mirror_list_names_each_entry_it_leaves_out(root):
    """Dropping a closed mirror writes the list again, one spelling per mirror and only strings:
    the second spelling and the number went without a word (the diff alone showed it)."""
    daemon_json(root, {"registry-mirrors": ["https://b.example.com", "https://B.example.com/", 1,
                                            "https://docker.mirrors.ustc.edu.cn"]})
    r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--no-probe", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    plan = json.loads(r.stdout)["plan"][0]
    assert "-    \"https://B.example.com/\",\n" in plan["changes"][0]["diff"], plan
    assert plan["warnings"] == [
        "registry mirror https://docker.mirrors.ustc.edu.cn is removed: USTC mirror, Docker Hub "
        "cache closed 2024-06-06",
        "registry mirror https://B.example.com/ is removed: it is https://b.example.com written again",
        "registry-mirrors entry 1 is removed: it is not a URL string, which dockerd cannot read"]


@pytest.mark.parametrize("url", ["https://<your-id>.mirror.aliyuncs.com", "https://xxxx.mirror.aliyuncs.com",
                                 "https://{your-id}.mirror.aliyuncs.com", "https://%3Cyour-id%3E.mirror.aliyuncs.com",
                                 "https://your_accelerator_id.mirror.aliyuncs.com"])
def test_a_guides_placeholder_is_not_written_as_a_mirror(root, url):
    """ux10: dldoctor's own `--registry-mirror https://<your-id>.mirror.aliyuncs.com`, pasted as it
    is with --no-probe, was written to daemon.json (dockerd takes it; every pull then fails on DNS)."""
    daemon_json(root, {})
    before = Path(root, "etc/docker/daemon.json").read_bytes()
    r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--no-probe",
            "--registry-mirror", url)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "is a guide's placeholder, not a mirror" in r.stderr and "Traceback" not in r.stderr
    assert Path(root, "etc/docker/daemon.json").read_bytes() == before


def test_an_immutable_daemon_json_is_named_and_said_to_be_immutable(root):
    """ux10: `chattr +i daemon.json`, fix as root: "….dldoctor-tmp: Operation not permitted — run it
    as root (sudo …)"; it names a temp file and asks root for what root cannot do."""
    daemon_json(root, {})
    path = os.path.join(root, "etc/docker/daemon.json")
    if os.geteuid() != 0 or not shutil.which("chattr") or \
            subprocess.run(["chattr", "+i", path], capture_output=True).returncode != 0:
        pytest.skip("needs root and a filesystem with chattr +i")
    try:
        r = cli("fix", "--root", root, "--yes", "--only", "daemon-json", "--no-probe",
                "--registry-mirror", "https://m.example.com")
    finally:
        subprocess.run(["chattr", "-i", path], capture_output=True)
    assert r.returncode != 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "dldoctor-tmp" not in r.stderr, r.stderr
    assert "etc/docker/daemon.json: Operation not permitted" in r.stderr and "chattr -i" in r.stderr, r.stderr
    assert json.loads(Path(path).read_text()) == {}


def test_a_real_host_that_merely_starts_with_xxx_is_no_placeholder():
    """adv14: `https://xxx.example.com` was refused, with no way past; xxxx is a placeholder only
    where a guide writes it, in a per-account accelerator's host."""
    from dldoctor.mirror_urls import placeholder

    assert not placeholder("https://xxx.example.com")
    assert not placeholder("https://yourcompany.example.com")
    assert placeholder("https://xxxx.mirror.swr.myhuaweicloud.com")



def test_a_mirror_added_to_a_list_holding_a_non_string_takes_it_out_and_says_so(root):
    """adv14: `"registry-mirrors": [5]` plus --registry-mirror appended to a list dockerd refuses
    (the non-string left in), with exit 0; it went only when a closed mirror was dropped too."""
    daemon_json(root, {"registry-mirrors": ["https://a.example.com", 5]})
    r = cli("fix", "--root", root, "--dry-run", "--only", "daemon-json", "--no-probe", "--json",
            "--registry-mirror", "https://m.example.com")
    plan = json.loads(r.stdout)["plan"][0]
    diff = plan["changes"][0]["diff"]
    assert "+    \"https://m.example.com\"" in diff and "-    5\n" in diff, diff
    assert "registry-mirrors entry 5 is removed: it is not a URL string, which dockerd cannot read" \
        in plan["warnings"], plan["warnings"]
