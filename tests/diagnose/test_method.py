"""The diagnosis method on the kinds of report the rules used to miss: structure read from pasted
configuration and command lines, what people write instead of output, known facts applied, and a
specific fault ranked above how the host is set up. Texts are shortened from real reports."""
import json
import os
import subprocess
import sys

import pytest

from dldoctor import catalog, gather, prose, readers
from dldoctor.diagnose import diagnose
from dldoctor.explain import explain
from dldoctor.facts import Facts
from dldoctor.host.snapshot import SnapshotHost
from dldoctor.model import Finding


def top(error=None, notes=None, command=None):
    rep = explain(error or "", command=command) if notes is None else None
    if rep is None:
        from dldoctor.diagnose import diagnose_symptom, rank

        facts = Facts(error=error, notes=notes, command=command)
        sym = diagnose_symptom(facts)
        return rank(sym, focus=[f.problem for f in sym if f.problem])
    return rep.root_causes


def snapshot_report(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return diagnose(gather.collect(SnapshotHost(str(tmp_path))))


def snapshot_causes(tmp_path, files):
    return snapshot_report(tmp_path, files).root_causes


# --- new catalog IDs ------------------------------------------------------------------------------

CHINESE_APT = ("错误:5 https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease\n"
               "  暂时不能解析域名“nvidia.github.io”\n"
               "W: 无法下载 https://nvidia.github.io/libnvidia-container/stable/deb/amd64/InRelease  "
               "暂时不能解析域名“nvidia.github.io”\n")


def test_explain_no_host_names_apt_repo_unreachable_for_chinese_apt_output():
    env = dict(os.environ, DLDOCTOR_LANG="C")
    env.pop("DOCKER_HOST", None)
    res = subprocess.run([sys.executable, "-m", "dldoctor", "explain", "-", "--no-host", "--json"],
                         input=CHINESE_APT, capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode in (0, 1), res.stderr
    assert json.loads(res.stdout)["root_causes"][0] == "apt.repo-unreachable"


def test_wsl1_kernel_release_is_wsl_gpu_unsupported(tmp_path):
    causes = snapshot_causes(tmp_path, {
        "proc-version": "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) "
                        "#488-Microsoft Mon Sep 01 13:43:00 PST 2020\n",
        "error": "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"})
    assert causes[0] == "os.wsl-gpu-unsupported"


def test_wsl2_kernel_is_not_reported_as_unsupported(tmp_path):
    causes = snapshot_causes(tmp_path, {
        "proc-version": "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1) #1 SMP\n"})
    assert "os.wsl-gpu-unsupported" not in causes


# --- structure readers ----------------------------------------------------------------------------

def test_scheme_less_registry_mirror_on_a_dockerd_command_line_is_invalid():
    status = ("Process: 2348 ExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2376 --registry-mirror "
              "registry.cn-hangzhou.aliyuncs.com/google_containers (code=exited, status=1/FAILURE)\n"
              "May 16 19:15:28 minikube systemd[1]: Failed to start Docker Application Container Engine.\n")
    assert top(notes=status)[0] == "mirror.invalid"
    good = "ExecStart=/usr/bin/dockerd --registry-mirror=https://docker.m.daocloud.io\n"
    assert not readers.mirror_flags({"notes": good})


@pytest.mark.parametrize("dropin", [
    '[Service]\nEnvironment="http_proxy=http://10.0.0.1:3128 https_proxy=http://10.0.0.1:3128"\n',
    '[Service]\nEnvironment=\u201cHTTP_PROXY=http://10.0.0.1:3128\u201d\n',
    '[Service]\nEnvironment="HTTP_PROXY=\'http://10.0.0.1:3128\'"\n',
    '[Service]\nEnvironment="HTTPS_PROXY=https://192.168.42.174:1235/"\n',
])
def test_proxy_drop_ins_dockerd_cannot_use(dropin):
    assert [m.problem for m in readers.proxy_settings({"notes": dropin})] == ["docker.proxy-misconfigured"]


def test_a_well_quoted_proxy_drop_in_is_fine():
    ok = '[Service]\nEnvironment="HTTP_PROXY=http://10.0.0.1:3128"\nEnvironment="NO_PROXY=localhost"\n'
    assert readers.proxy_settings({"notes": ok}) == []


def test_proxy_in_etc_default_docker_is_ignored_under_systemd():
    notes = ("Docker won't respect the proxy settings I have set in `/etc/default/docker`.\n"
             'export http_proxy="http://proxy.example:8080/"\n')
    assert top(notes=notes)[0] == "docker.proxy-misconfigured"


def test_closed_mirror_named_in_the_error_is_dead_not_a_missing_tag():
    err = ("Error response from daemon: manifest for docker.mirrors.ustc.edu.cn/library/nginx:latest not "
           "found: manifest unknown: manifest unknown\n")
    assert top(error=err)[0] == "mirror.dead"
    # a live university apt mirror on the same domain is not the closed registry mirror
    assert not readers.closed_mirrors({"notes": "Get:1 https://mirrors.ustc.edu.cn/ubuntu jammy InRelease failed"})


def test_groups_output_that_lacks_docker_in_this_session():
    notes = "me@vps:~$ groups\nme sudo\nme@vps:~$ groups me\nme : me sudo docker\n"
    assert top(notes=notes)[0] == "docker.group-not-active"


def test_echoed_daemon_json_that_is_not_json():
    cmd = "echo '{ \"insecure-registries\":\"10.0.0.5:5000\"] }' >> /etc/docker/daemon.json"
    assert top(command=cmd, error="Job for docker.service failed because the control process exited "
                                  "with error code.")[0] == "daemon-json.invalid"


@pytest.mark.parametrize("build,unsupported", [("19042.928", True), ("17763.292", True),
                                               ("19045.3803", False), ("22631.2861", False)])
def test_windows_builds_before_21h2_have_no_gpu_in_wsl(build, unsupported):
    notes = "I installed docker-desktop 4.24 in Windows 10 %s, driver 537.42" % build
    got = [m.problem for m in readers.windows_build({"notes": notes})]
    assert got == (["os.wsl-gpu-unsupported"] if unsupported else [])


# --- prose ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("notes,expected", [
    ("I added my user to the docker group but still get permission denied; logging out and back in "
     "was not enough, I had to reboot.", "docker.group-not-active"),
    ("用户已经加入 docker 组了，重新登录以后就好了", "docker.group-not-active"),
    ("Files created inside the container are owned by root on the host.", "container.root-owned-files"),
    ("My laptop has Intel graphics only, no NVIDIA card.", "gpu.absent"),
    ("国内拉取镜像超时，怎么解决", "registry.unreachable"),
    ("I can't access https://nvidia.github.io/libnvidia-container/gpgkey from our network", "apt.repo-unreachable"),
    ("My nvidia driver can't load because of Secure Boot.", "driver.secure-boot"),
    ("I'm on WSL 1, nvidia-smi does nothing", "os.wsl-gpu-unsupported"),
])
def test_what_people_write(notes, expected):
    assert prose.match({"notes": notes})[0].problem == expected
    assert top(notes=notes)[0] == expected


@pytest.mark.parametrize("notes", ["Docker on my MacBook Pro (M1 chip).", "used Macosx M1 14.6.1 (23G93)",
                                   "Mac OS X 10.15 with Docker for Mac"])
def test_mac_with_a_gpu_request_is_docker_desktop(notes):
    causes = top(error='docker: Error response from daemon: could not select device driver "" with '
                       'capabilities: [[gpu]].', notes=notes)
    assert causes[0] == "docker.desktop"


# --- ranking and known facts ----------------------------------------------------------------------

def test_specific_error_outranks_legacy_toolkit_context():
    causes = top(command="nvidia-docker run --rm nvidia/cuda nvidia-smi",
                 error="nvidia-docker | 2017/01/16 Error: Could not load UVM kernel module\n"
                       "modprobe: FATAL: Module nvidia not found.\n",
                 notes="nvidia-docker2 is installed")
    assert causes[0] in ("driver.not-loaded", "driver.uvm-missing")


def test_legacy_toolkit_stays_first_when_it_is_the_fault():
    err = ("The following packages have unmet dependencies:\n nvidia-docker2 : Depends: docker-ce "
           "(= 17.09.0~ce-0~ubuntu) but it is not installable\n")
    assert top(error=err)[0] == "toolkit.legacy"


def test_pre_410_driver_gets_its_cuda_version_from_the_branch_table(tmp_path):
    report = snapshot_report(tmp_path, {
        "nvidia-smi": "+------------------------------------------------------+\n"
                      "| NVIDIA-SMI 390.116                Driver Version: 390.116                   |\n",
        "error": "nvidia-container-cli: requirement error: unsatisfied condition: cuda>=10.0\n"})
    assert report.root_causes[0] == "driver.too-old-for-image"
    detail = next(f.detail for f in report.findings if f.problem == "driver.too-old-for-image")
    assert "9.1" in detail and "?" not in detail


@pytest.mark.parametrize("error, lib", [
    ("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object "
     "file: no such file or directory", "libnvidia-ml.so.1"),
    ("could not load NVML library", "libnvidia-ml.so.1"),
])
def test_the_library_the_toolkit_could_not_load_is_the_one_named(tmp_path, error, lib):
    """The detail names the library of the error (NVML's here; a driver library gone from disk has a
    detail of its own, below)."""
    report = snapshot_report(tmp_path, {"error": error + "\n"})
    detail = next(f.detail for f in report.findings if f.problem == "toolkit.libs-not-found")
    assert "could not load %s from" % lib in detail


def test_a_driver_library_gone_from_disk_is_named_with_its_repair(tmp_path):
    """The CLI opens every driver library the ld.so cache lists: one left there by a driver removed or
    upgraded stops it. The detail names that library and the repair (the catalog's fix, checking
    ldconfig for NVML, would find nothing wrong)."""
    error = ("nvidia-container-cli: detection error: open failed: /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.470.57.02: "
             "no such file or directory: unknown.\n")
    report = snapshot_report(tmp_path, {"error": error})
    assert report.root_causes[0] == "toolkit.libs-not-found"
    detail = next(f.detail for f in report.findings if f.problem == "toolkit.libs-not-found")
    assert "libGLX_nvidia.so.470.57.02" in detail and "ldconfig" in detail


# --- the learned fallback -------------------------------------------------------------------------

def test_word_model_trains_and_ranks_by_the_words():
    from dldoctor import wordmodel

    m = wordmodel.train([("my macbook m1 docker desktop", "docker.desktop"),
                         ("apple silicon macbook pro with docker desktop", "docker.desktop"),
                         ("apt could not resolve nvidia.github.io", "apt.repo-unreachable"),
                         ("dns nvidia.github.io resolve failure", "apt.repo-unreachable")])
    assert m.best("running desktop on a macbook")[0] == "docker.desktop"
    assert m.best("cannot resolve nvidia.github.io, dns")[0] == "apt.repo-unreachable"
    assert m.best("zzz qqq") is None
    assert m.best("macbook") is None  # one known word is not enough to guess
    probs = m.probabilities("cannot resolve nvidia.github.io, dns")
    assert abs(sum(p for _c, p in probs) - 1.0) < 1e-9 and probs[0][1] > probs[1][1]


def test_word_model_features():
    from dldoctor import wordmodel

    toks = wordmodel.tokens("nvidia-smi: command not found; /usr/lib/libcuda.so.1 (sha256:0123456789abcdef0123) "
                            "HTTP 403 from 10.0.0.1:5000, docker 24.0.7; 镜像加速器超时")
    assert "command_not" in toks and "not_found" in toks             # word pairs
    assert "usr/lib/libcuda.so.1" in toks and "libcuda" in toks      # a path whole and in parts
    assert {"#hex", "#403", "#ip", "#v24.0"} <= set(toks)            # shapes, not values
    assert "加速" in toks and "超时" in toks                          # Chinese character pairs
    assert "the" not in wordmodel.tokens("the")
    # plural and verb endings dropped, so differently worded reports share words: "containers
    # failing" and "container fails", "runtimes" and "runtime" (names with a dash or digit kept whole)
    assert wordmodel.tokens("containers failing") == wordmodel.tokens("container fails")
    assert wordmodel.tokens("nvidia runtimes") == wordmodel.tokens("nvidia runtime")
    assert wordmodel.tokens("libraries patches") == wordmodel.tokens("library patch")
    assert "nvidia-container-tools" in wordmodel.tokens("nvidia-container-tools")
    assert "tried" not in wordmodel.tokens("tried") and "tri" not in wordmodel.tokens("tried")  # a stop word first


def test_the_word_model_reads_a_reports_title_once_more():
    """An issue's title (the first line of the notes) is what the reporter thinks is wrong: its words
    are features twice, as words and as title words; the body's words only once."""
    from dldoctor import wordmodel

    text = wordmodel.report_text("docker: Error response from daemon: manifest unknown",
                                 "\nmirror stopped working\nSince yesterday pulls fail.", "docker pull nginx")
    toks = wordmodel.tokens(text)
    assert "^mirror" in toks and "^stopp" in toks and "mirror" in toks
    assert "^pull" not in toks and "^manifest" not in toks and "^nginx" not in toks  # the body, the error, the command
    assert not any(t.startswith("^") and "_" in t for t in toks)                       # no pairs of title words
    assert wordmodel.report_text("boom", None, None) == "boom"                         # no notes, no title
    # the marker itself in a report is a space, so no report makes up its own title
    forged = wordmodel.report_text("x\x1edriver missing", "pull fails", None)
    assert wordmodel.tokens(forged).count("^driver") == 0 and "^pull" in wordmodel.tokens(forged)
    # the shipped table knows title words, and the title moves its answer
    m = wordmodel.load()
    assert m is not None and any(w.startswith("^") for w in m.counts)
    titled = wordmodel.report_text(None, "Registry mirror is dead\ndocker pull fails", None)
    assert m.probabilities(titled) != m.probabilities(titled.split(wordmodel.TITLE)[0])


def test_word_model_does_not_lean_towards_the_commonest_problem():
    from dldoctor import wordmodel

    # The same words, as often, for a problem of nine training reports and one of a single report:
    # how common a problem was in training must not decide between them.
    counts = {"toolkit": {"image.tag-missing": 3, "toolkit.ldconfig": 3},
              "broken": {"image.tag-missing": 3, "toolkit.ldconfig": 3}}
    m = wordmodel.Model(counts, reports={"image.tag-missing": 9, "toolkit.ldconfig": 1})
    assert m.best("toolkit broken")[0] == "toolkit.ldconfig"
    # train() counts the reports, not the catalog's own documents, and the count survives the
    # shipped table's round trip
    m = wordmodel.train([("toolkit broken", "image.tag-missing")] * 9 + [("toolkit broken", "toolkit.ldconfig")],
                        catalog=[("toolkit broken", "toolkit.ldconfig")] * 8)
    assert m.reports == {"image.tag-missing": 9, "toolkit.ldconfig": 1}
    ns: dict = {}
    exec(wordmodel.dump(m, ["t-1"] * 10), ns)
    assert ns["REPORTS"] == (9, 1)


def test_shipped_word_model_is_small_deterministic_data():
    from pathlib import Path

    from dldoctor import word_weights, wordmodel

    # It grows with train (359 KB at 541 cases, 420 KB at 987 with the words of one document dropped,
    # 457 KB at 1096, 523 KB at 1317, 504 KB at 1619 with pairs kept from three documents, 566 KB at
    # 1908, 611 KB at 2139, 635 KB at 2243, 642 KB at 2273, 714 KB at 2330 and 214 silver reports,
    # 801 KB at 2370 and 500, 820 KB at 2384 and 569, 869 KB at 2422 and 710, 923 KB at 2486 and 879,
    # 987 KB at 2523 and 940 with the title's words once more, 1025 KB at 2589 and 1035, 1032 KB at
    # 2609 and 1046, 1081 KB at 2711 and 1183, 1127 KB at 2762 and 1311, 1140 KB at 2780 and 1346,
    # 1187 KB at 2931 and 1448, 1193 KB at 2936 and 1478, 1197 KB at 2951 and 1501, 1255 KB at 3049
    # and 1623, 1258 KB at 3051 and 1635, 1292 KB at 3146 and 1745, 1315 KB at 3187 and 1801, 1319 KB
    # at 3274 and 1873, 1361 KB at 3332 and 1878, 1365 KB at 3361 and 1878) and is loaded for every report text;
    # importing and loading it took about 55 ms at 1096 cases, 65 ms at 1317, 45-60 ms (16.6 MB peak
    # for the whole process) at 1908, 31 ms (17.3 MB) at 2273 and 34-49 ms (17 MB) at 2330 + 214,
    # 33-54 ms (18.6 MB) at 2370 + 500, 33-36 ms (18.8 MB) at 2384 + 569, 38-41 ms (19.1 MB) at
    # 2422 + 710, 38-57 ms (20.4 MB) at 2486 + 879, 52-64 ms (21.1 MB) at 2523 + 940 with title words,
    # 62-76 ms (21.0 MB) at 2589 + 1035, 42-67 ms (21.2 MB) at 2609 + 1046, 40-41 ms (21.4 MB) at
    # 2711 + 1183, 43-44 ms (21.8 MB) at 2762 + 1311, 47-51 ms (21.9 MB) at 2780 + 1346, 50-55 ms
    # (22.3 MB) at 2931 + 1448, 45-88 ms (22.4 MB) at 2936 + 1478, 57-74 ms (22.5 MB) at 2951 + 1501,
    # 46-63 ms (22.9 MB) at 3049 + 1623, 52-53 ms (23.0 MB) at 3051 + 1635, 49-81 ms (23.4 MB) at
    # 3187 + 1801.
    # The bound moved from 560 to 640 KB at 1908 cases, to 700 KB at 2273, to 780 KB at 2330 + 214,
    # to 860 KB at 2370 + 500, to 940 KB at 2422 + 710, to 1000 KB at 2486 + 879, to 1100 KB at
    # 2523 + 940 with title words, to 1200 KB at 2762 + 1311, to 1300 KB at 2931 + 1448 and to 1400 KB
    # at 3187 + 1801 for those
    # measurements: it guards against a change that doubles the table, not against the corpus growing.
    assert Path(word_weights.__file__).stat().st_size < 1_400_000
    m = wordmodel.load()
    assert m is not None and set(m.problems) <= set(catalog.PROBLEMS)
    again = wordmodel.load()
    text = "docker pull times out behind the campus proxy"
    assert m.probabilities(text) == again.probabilities(text)


def test_a_guess_only_when_nothing_else_answers(tmp_path):
    from dldoctor import diagnose as dg

    # No signature, family or reader knows this wording; the shipped word weights still guess.
    rep = explain("the dataloader workers keep dying in my training container, shm is full")
    assert rep.root_causes and rep.root_causes[0] == "container.shm-too-small"
    # its confidence is the model's probability, never more than a guess may be
    assert 0 < rep.findings[0].confidence <= dg.GUESS_CONFIDENCE
    # A failing host check is an answer: a guess never comes before it.
    (tmp_path / "nvidia-smi").write_text("NVIDIA-SMI has failed because it couldn't communicate with the "
                                         "NVIDIA driver.\n")
    (tmp_path / "notes").write_text("words that match no rule at all, banana\n")
    report = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    first = [f for f in report.findings if f.problem == report.root_causes[0]]
    assert first and all(f.check != "reported-error" for f in first)


def test_a_guess_the_model_gives_next_to_nothing_promotes_no_host_setting(tmp_path, monkeypatch):
    """An end-of-life release explains an install that failed; a third guess at 1% that happens to be
    such an install is no reason to put the release above the likeliest guess."""
    from dldoctor import diagnose as dg

    (tmp_path / "os-release").write_text('NAME="Ubuntu"\nVERSION_ID="18.04"\nID=ubuntu\nVERSION_CODENAME=bionic\n')
    (tmp_path / "notes").write_text("words that match no rule at all, banana\n")
    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("docker.permission-denied", 0.6), ("os.selinux", 0.02),
                                               ("apt.docker-repo-missing", 0.01)))
    report = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    assert report.root_causes[0] == "docker.permission-denied"
    # a guess the model does hold (30%) is a symptom the release may explain: it is promoted then
    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("docker.permission-denied", 0.6), ("apt.docker-repo-missing", 0.3)))
    report = diagnose(gather.collect(SnapshotHost(str(tmp_path))))
    assert report.root_causes[0] == "os.unsupported"


def test_a_chinese_title_about_a_dead_mirror_gets_mirror_guesses():
    from dldoctor import diagnose as dg

    # No rule reads this title ("the mirror address went stale"); the word model does, and says it
    # is guessing. ("失效", lapsed, is a rule's word since the ninth session.)
    rep = explain("镜像加速地址过期")
    assert rep.root_causes[0] == "mirror.dead" and len(rep.root_causes) == dg.GUESSES
    guesses = [f for f in rep.findings if f.check == "reported-error"]
    assert all(f.guess and f.confidence <= dg.GUESS_CONFIDENCE for f in guesses)
    # likeliest first, each with the model's own figure
    assert [f.confidence for f in guesses] == sorted((f.confidence for f in guesses), reverse=True)
    assert all("% by the model" in f.detail for f in guesses)
    rep = explain("镜像加速器失效了，docker pull 拉不下来")
    assert "mirror.dead" in rep.root_causes[:3]


class _Fixed:
    """A stand-in model that always says the same."""

    def __init__(self, *probs):
        self.probs = list(probs)

    def probabilities(self, text):
        return self.probs

    def best(self, text):
        return self.probs[0]


def test_the_model_adds_its_guess_third_and_never_displaces_a_definite_answer(monkeypatch):
    from dldoctor import diagnose as dg

    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("os.selinux", 0.6), ("gpu.absent", 0.3)))
    # host-setup context only (a legacy toolkit named in the notes): the guess comes before a mention
    # ("context"), and follows it where that is off
    facts = Facts(notes="I use nvidia-docker2 on this machine")
    found = dg.diagnose_symptom(facts)
    roots = dg.rank(found, focus=[f.problem for f in found])
    assert roots[0] == "toolkit.legacy"
    findings, ranked = dg.second_opinion(facts, found, roots)
    assert ranked[:2] == ("os.selinux", "toolkit.legacy")
    shipped = dg.COMBINE
    monkeypatch.setattr(dg, "COMBINE", "fill")
    findings, ranked = dg.second_opinion(facts, found, roots)
    assert ranked[0] == "toolkit.legacy" and ranked.index("os.selinux") == min(len(roots), dg.FILL_AT)
    monkeypatch.setattr(dg, "COMBINE", shipped)
    # the model's 60% is more than a guess may claim: it is capped below a weak reading
    assert any(f.problem == "os.selinux" and f.confidence == dg.GUESS_CONFIDENCE and "60% by the model" in f.detail
               for f in findings)
    # a definite reading of the error keeps its first places, however sure the model is; its
    # guess comes third (or right after the rules' causes)
    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("os.selinux", 0.99)))
    err = "docker: Error response from daemon: unknown or invalid runtime name: nvidia."
    facts = Facts(error=err)
    found = dg.diagnose_symptom(facts)
    roots = dg.rank(found, focus=[f.problem for f in found])
    ranked = dg.second_opinion(facts, found, roots)[1]
    assert ranked[:min(len(roots), dg.FILL_AT)] == roots[:dg.FILL_AT]
    assert ranked.index("os.selinux") == min(len(roots), dg.FILL_AT)
    # with the fill limited to weak answers, a definite one is left as it is and the model not asked
    monkeypatch.setattr(dg, "FILL_AFTER_ANY", False)
    monkeypatch.setattr(dg, "_model", lambda: pytest.fail("the model was loaded"))
    assert dg.second_opinion(facts, found, roots)[1] == roots


def test_one_cause_from_the_rules_is_followed_by_the_models_next_two(monkeypatch):
    """Most reports get one cause from the rules; the model's likeliest others fill the list to
    three, each said to be a guess, and the rules' answer stays first."""
    from dldoctor import diagnose as dg

    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("os.selinux", 0.6), ("gpu.absent", 0.3), ("driver.missing", 0.1)))
    err = "docker: Error response from daemon: unknown or invalid runtime name: nvidia."
    facts = Facts(error=err)
    found = dg.diagnose_symptom(facts)
    roots = dg.rank(found, focus=[f.problem for f in found])
    assert len(roots) == 1
    findings, ranked = dg.second_opinion(facts, found, roots)
    assert ranked == (roots[0], "os.selinux", "gpu.absent")
    guesses = [(f.problem, f.confidence) for f in findings if f.guess]
    assert guesses == [("os.selinux", dg.GUESS_CONFIDENCE), ("gpu.absent", 0.3)]
    # the model's first cause is the rules' own: the next two follow it
    monkeypatch.setattr(dg, "FALLBACK", _Fixed((roots[0], 0.7), ("gpu.absent", 0.2), ("driver.missing", 0.1)))
    assert dg.second_opinion(facts, found, roots)[1] == (roots[0], "gpu.absent", "driver.missing")
    # with a floor (off: its low guesses still name the labelled cause often enough), causes the
    # model barely considers are left out
    monkeypatch.setattr(dg, "FALLBACK", _Fixed((roots[0], 0.96), ("gpu.absent", 0.03), ("driver.missing", 0.01)))
    assert dg.second_opinion(facts, found, roots)[1] == (roots[0], "gpu.absent", "driver.missing")
    monkeypatch.setattr(dg, "PAD_POSTERIOR", 0.05)
    assert dg.second_opinion(facts, found, roots)[1] == roots
    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("os.selinux", 0.6), ("gpu.absent", 0.3), ("driver.missing", 0.1)))
    monkeypatch.setattr(dg, "PAD_TO", 0)
    assert dg.second_opinion(facts, found, roots)[1] == (roots[0], "os.selinux")


def test_a_confident_model_outranks_only_context_when_asked(monkeypatch):
    from dldoctor import diagnose as dg

    notes = "I use nvidia-docker2 on this machine"    # host-setup context only: toolkit.legacy
    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("docker.proxy-misconfigured", 0.95)))
    monkeypatch.setattr(dg, "COMBINE", "weak")
    facts = Facts(notes=notes)
    roots = dg.rank(dg.diagnose_symptom(facts), focus=[f.problem for f in dg.diagnose_symptom(facts)])
    assert roots and roots[0] == "toolkit.legacy"
    _f, ranked = dg.second_opinion(facts, dg.diagnose_symptom(facts), roots)
    assert ranked[0] == "docker.proxy-misconfigured"
    # a specific error reading is not overruled
    facts = Facts(error="docker: Error response from daemon: unknown or invalid runtime name: nvidia.")
    found = dg.diagnose_symptom(facts)
    roots = dg.rank(found, focus=[f.problem for f in found])
    assert dg.second_opinion(facts, found, roots)[1][0] == roots[0]


def test_the_policies_compared_on_held_out_batches_stay_off_but_work(monkeypatch):
    """scripts/eval-combine compares "sure", "tie" and "product" through join_model; none ships."""
    from dldoctor import diagnose as dg

    assert not any(k in dg.COMBINE for k in ("sure", "tie", "product"))
    err = "docker: Error response from daemon: unknown or invalid runtime name: nvidia."
    facts = Facts(error=err)
    found = dg.diagnose_symptom(facts)
    roots = dg.rank(found, focus=[f.problem for f in found])
    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("docker.proxy-misconfigured", 0.95), (roots[0], 0.01)))
    # shipped: a definite answer keeps its first places, through join_model as through diagnose;
    # the model's cause is added after them (third at the most)
    at = min(len(roots), dg.FILL_AT)
    ranked = dg.join_model(facts, found, True, roots)[1]
    assert ranked[:at] == roots[:at] and ranked[at] == "docker.proxy-misconfigured"
    monkeypatch.setattr(dg, "COMBINE", "sure")
    _f, ranked = dg.join_model(facts, found, True, roots)
    assert ranked[0] == "docker.proxy-misconfigured" and ranked[1:] == roots
    monkeypatch.setattr(dg, "COMBINE", "product")
    assert dg.join_model(facts, found, True, roots)[1] == roots  # only the rules' causes are reordered
    # nothing recognised, no check failed: the guesses, in the model's order
    facts = Facts(notes="something odd")
    monkeypatch.setattr(dg, "COMBINE", "fill")
    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("os.selinux", 0.6), ("gpu.absent", 0.3)))
    findings, ranked = dg.join_model(facts, [], False, ())
    assert ranked[:2] == ("os.selinux", "gpu.absent")
    assert all(f.confidence == dg.GUESS_CONFIDENCE for f in findings)


def test_product_lets_the_words_decide_between_causes_the_rules_found_but_never_puts_a_guess_first(monkeypatch):
    """"product" (compared by scripts/eval-combine, not shipped): the causes the rules found are
    ordered by confidence times the model's probability."""
    from dldoctor import diagnose as dg

    monkeypatch.setattr(dg, "COMBINE", "product+fill")

    err = ("W: GPG error: https://download.docker.com/linux/ubuntu jammy InRelease: The following signatures "
           "couldn't be verified because the public key is not available: NO_PUBKEY 7EA0A9C3F273FCD8\n"
           "E: The repository 'http://ppa.launchpad.net/someone/tools/ubuntu jammy Release' does not have a Release file.\n")
    facts = Facts(error=err)
    found = dg.diagnose_symptom(facts)
    roots = dg.rank(found, focus=[f.problem for f in found])
    assert set(roots[:2]) == {"apt.no-pubkey", "apt.broken-source"}
    for first, second in (("apt.no-pubkey", "apt.broken-source"), ("apt.broken-source", "apt.no-pubkey")):
        monkeypatch.setattr(dg, "FALLBACK", _Fixed((first, 0.9), (second, 0.05), ("os.selinux", 0.05)))
        findings, ranked = dg.second_opinion(facts, found, roots)
        assert ranked[:2] == (first, second)
        assert not any(f.guess for f in findings if f.problem in ranked[:2])
    # a cause only the model names is never reordered above the rules' causes, however sure
    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("os.selinux", 0.98), ("apt.no-pubkey", 0.01), ("apt.broken-source", 0.01)))
    ranked = dg.second_opinion(facts, found, roots)[1]
    assert set(ranked[:2]) == {"apt.no-pubkey", "apt.broken-source"} and ranked[2] == "os.selinux"


def test_context_puts_the_models_cause_before_a_mention_of_host_setup_only(monkeypatch):
    """"context" (shipped since scripts/eval-combine had twice the batches): when the rules' first
    cause is host-setup context that only a mention in the report named, the model's likeliest cause
    comes first; context a check found on the host, or a reading of the error, keeps its place."""
    from dldoctor import diagnose as dg

    assert "context" in dg.COMBINE and "fill" in dg.COMBINE
    monkeypatch.setattr(dg, "FALLBACK", _Fixed(("container.no-gpu-request", 0.2), ("gpu.absent", 0.1)))
    facts = Facts(notes="I use nvidia-docker2 on this machine")      # a mention: the legacy toolkit
    found = dg.diagnose_symptom(facts)
    roots = dg.rank(found, focus=[f.problem for f in found])
    assert roots[0] == "toolkit.legacy"
    ranked = dg.second_opinion(facts, found, roots)[1]
    assert ranked[:2] == ("container.no-gpu-request", "toolkit.legacy")
    # an error the rules read is not overruled
    facts = Facts(error="docker: Error response from daemon: unknown or invalid runtime name: nvidia.",
                  notes="I use nvidia-docker2 on this machine")
    found = dg.diagnose_symptom(facts)
    roots = dg.rank(found, focus=[f.problem for f in found])
    assert dg.second_opinion(facts, found, roots)[1][0] == roots[0] != "container.no-gpu-request"
    # host-setup context that a check found (not a mention) is not a mention
    check = Finding("os", "fail", "os.unsupported", "t")
    assert not dg._mentioned_context("os.unsupported", [check])


def test_a_rate_limited_mirror_prefix_is_restricted_not_docker_hub():
    causes = top(command="docker pull docker.example-mirror.cn/nvidia/cuda:12.4.1-base-ubuntu22.04",
                 error="Error response from daemon: toomanyrequests: This website has been temporarily rate limited")
    assert causes[0] == "mirror.restricted"
    # the same refusal from Docker Hub itself is the network's (or account's) limit, not a mirror's
    assert readers.mirror_host_limits({"command": "docker pull nvidia/cuda:12.4.1-base-ubuntu22.04",
                                       "error": "toomanyrequests: You have reached your pull rate limit."}) == []


# --- generalisation round 3 (train t-205 ...): wordings and structure the rules used to miss ---------

def test_apt_transport_failure_outranks_the_missing_release_file_it_causes():
    err = ("Err:5 https://nvidia.github.io/libnvidia-container/ubuntu16.04/amd64  Packages\n"
           "  Recv failure: Connection reset by peer\n"
           "W: The repository 'https://nvidia.github.io/libnvidia-container/ubuntu16.04/amd64  Release' "
           "does not have a Release file.\n")
    assert top(err, notes="Unable to install nvidia-docker in Ubuntu 16.04")[0] == "apt.repo-unreachable"


def test_chinese_apt_connection_failure_is_unreachable():
    err = "错误:3 https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease\n  连接失败 [IP: 185.199.109.153 443]\n"
    assert top(err, notes="")[0] == "apt.repo-unreachable"


def test_a_registry_access_log_with_manifests_refused_is_restricted():
    notes = ('172.18.0.2 - - [13/Jun/2024:07:28:46 +0000] "GET /v2/ HTTP/1.0" 200 2\n'
             '172.18.0.2 - - [13/Jun/2024:07:28:46 +0000] "HEAD /v2/coredns/coredns/manifests/latest HTTP/1.0" 403 86\n')
    assert top("Error response from daemon: denied", notes=notes)[0] == "mirror.restricted"


@pytest.mark.parametrize("prompt", ["root@00921839c781:/anomalib#", "coder@15a2d07c1ad2:~/project$"])
def test_nvidia_smi_missing_at_a_container_prompt_is_no_gpu_request(prompt):
    notes = prompt + " nvidia-smi\nbash: nvidia-smi: command not found\n>>> torch.cuda.is_available()\nFalse\n"
    assert top(notes=notes)[0] == "container.no-gpu-request"


def test_nvidia_smi_missing_beside_a_docker_run_without_gpus_is_inside_the_container():
    notes = "After the build and run I'm getting\n$ nvidia-smi\nbash: nvidia-smi: command not found"
    assert top(notes=notes, command="docker run --rm -it -p 3000:3000 myimage:1.0")[0] == "container.no-gpu-request"


def test_docker_run_with_gpus_is_not_read_as_no_gpu_request():
    matches = readers.container_without_gpu({"notes": "CUDA not found", "command": "docker run --gpus all -it img"})
    assert matches == []


@pytest.mark.parametrize("text", [
    'sudo ros config set rancher.docker.registry_mirror "http://127.0.0.1>53"',
    '{"registry-mirrors": ["https://docker.m.daocloud.io", ""]}',
    '"registry-mirrors": ["hub-mirror.c.163.com"]',
])
def test_mirror_settings_dockerd_rejects(text):
    assert [m.problem for m in readers.mirror_settings({"notes": text})] == ["mirror.invalid"]


def test_good_mirror_settings_and_placeholders_are_fine():
    assert readers.mirror_settings({"notes": '{"registry-mirrors": ["https://docker.m.daocloud.io"]}'}) == []
    assert readers.mirror_settings({"notes": '"registry-mirrors": ["https://<your-id>.mirror.aliyuncs.com"]'}) == []


def test_docker_desktop_in_the_description_does_not_outrank_the_error_it_does_not_cause():
    notes = "I am behind a company proxy with Zscaler.\n- Docker Desktop Version: Docker version 19.03.12"
    err = "Error response from daemon: Get https://registry-1.docker.io/v2/: x509: certificate signed by unknown authority"
    assert top(err, notes=notes)[0] == "registry.unreachable"


def test_docker_desktop_stays_first_for_a_fault_it_causes():
    notes = "Docker Desktop on my MacBook Pro"
    err = 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].'
    assert top(err, notes=notes)[0] == "docker.desktop"


def test_an_nvidia_card_named_beside_integrated_graphics_is_not_gpu_absent():
    notes = "My monitor is running on an integrated gpu but I have a 4080 super as well that is just used for inference."
    assert "gpu.absent" not in [m.problem for m in prose.match({"notes": notes})]


def test_closed_mirror_in_the_command_with_the_failure_in_the_error_is_dead():
    assert top("unexpected EOF", notes="quay.mirrors.ustc.edu.cn 错误",
               command="sudo docker pull quay.mirrors.ustc.edu.cn/coreos/etcd:v3.2.24")[0] == "mirror.dead"


def test_a_closed_mirror_did_not_stop_dockerd_from_starting():
    got = readers.closed_mirrors({"error": "Job for docker.service failed because the control process exited",
                                  "notes": '"registry-mirrors": ["https://hub-mirror.c.163.com"]'})
    assert got == []


@pytest.mark.parametrize("notes,expected", [
    ("WSL/CUDA unsupported on H100: the GPUs are not recognized by WSL (TCC mode only)", "os.wsl-gpu-unsupported"),
    ("你好，最近这几天所有的容器都是拉取镜像失败，请问是什么原因", "registry.unreachable"),
    ("when trying to fetch https://nvidia.github.io/libnvidia-container/ubuntu18.04/amd64/InRelease I get a "
     "connection failed.", "apt.repo-unreachable"),
])
def test_more_of_what_people_write(notes, expected):
    assert top(notes=notes)[0] == expected


def test_secure_boot_named_beside_a_module_that_will_not_load_outranks_not_loaded():
    notes = "Secure boot - Unable to load the kernel module 'nvidia.ko', ubuntu24.04 DRIVER_VERSION=535.161.07"
    assert top(notes=notes)[0] == "driver.secure-boot"


def test_a_mirror_answering_a_pull_with_an_xml_400_is_not_a_broken_daemon_json():
    err = ("Failed to pull image [error pulling image configuration: download failed after attempts=1: error parsing "
           "HTTP 400 response body: invalid character '<' looking for beginning of value: \"<?xml version=\\\"1.0\\\"?>"
           "<Error><Code>InvalidRequest</Code></Error>\"].")
    assert top(err, notes="DSM 7.2 pulling through our own mirror")[0] == "mirror.dead"


def test_working_after_a_docker_restart_is_daemon_not_restarted():
    matches = prose.match({"notes": "Unknown runtime specified nvidia after system reboot. Working after restart docker daemon."})
    assert "toolkit.daemon-not-restarted" in [m.problem for m in matches]


def test_installing_the_driver_on_windows_is_not_a_linux_driver_inside_wsl():
    notes = ("GPU access blocked in WSL hosted in windows server 2022 with GPU L40s\n"
             "1. install nvidia driver for GPU L40s, windows server 2022\n2. install ubuntu\n3. run nvidia-smi")
    assert top(notes=notes)[0] == "os.wsl-gpu-unsupported"


@pytest.mark.parametrize("error,expected", [
    ("W: GPG 错误：https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease: 由于没有公钥，无法验证下列签名： "
     "NO_PUBKEY DDCAE044F796ECB0", "apt.no-pubkey"),
    ("E: 仓库 “http://ppa.launchpad.net/old/ppa/ubuntu jammy Release” 没有 Release 文件。", "apt.broken-source"),
    # the same for a release Docker's repository (or a mirror of it) does not serve
    ("E: 仓库 “https://download.docker.com/linux/debian kali-rolling Release” 没有 Release 文件。", "os.unsupported"),
    ("E: 仓库 “https://mirrors.aliyun.com/docker-ce/linux/ubuntu vanessa Release” 没有 Release 文件。", "os.unsupported"),
    ("错误:2 https://download.docker.com/linux/ubuntu jammy InRelease\n  无法发起与 download.docker.com:443 (2a03::1) 的连接 - "
     "connect (101: 网络不可达)", "apt.repo-unreachable"),
])
def test_apt_in_a_chinese_locale(error, expected):
    assert top(error, notes="")[0] == expected


def test_starting_a_compose_project_is_not_dockerd_failing_to_start():
    notes = 'Failed to start docker compose --profile auto up --build get error " Found no NVIDIA driver on your system."'
    assert top(notes=notes)[0] == "container.no-gpu-request"


def test_a_closed_mirror_named_alone_is_a_weak_hint():
    got = readers.closed_mirrors({"notes": "docker.mirrors.ustc.edu.cn"})
    assert [(m.problem, m.strength) for m in got] == [("mirror.dead", 0.45)]
    assert top(notes="docker.mirrors.ustc.edu.cn")[0] == "mirror.dead"


# --- generalisation from t-275 … t-288 ------------------------------------------------------------

def test_a_broken_daemon_json_outranks_a_legacy_toolkit_named_in_the_title(tmp_path):
    causes = snapshot_causes(tmp_path, {
        "notes": "After installing nvidia-docker2 the docker service will not come back.",
        "daemon.json": '{\n  "log-level": "warn"\n  "runtimes": {}\n}\n'})
    assert causes[0] == "daemon-json.invalid"
    assert "toolkit.legacy" in causes


@pytest.mark.parametrize("notes", [
    "Support for Debian 13: the toolkit install stops, no packages for it yet.",
    "There are no matching apt sources for my distro (Pop!_OS 22.10).",
    "The installer fails due to an unsupported version of the release.",
])
def test_asking_for_a_release_the_repository_does_not_serve(notes):
    assert top(notes=notes)[0] == "apt.repo-unsupported-distro"


def test_support_for_a_release_without_any_install_word_is_not_read_as_a_repository():
    assert "apt.repo-unsupported-distro" not in [m.problem for m in prose.match(
        {"notes": "Thanks for adding support for Ubuntu 24.04 in the docs"})]


@pytest.mark.parametrize("err", [
    "services.app.deploy.resources.reservations value Additional properties are not allowed ('devices' was unexpected)",
    "validating compose.yml: services.train Additional property gpus is not allowed",
])
def test_a_compose_too_old_for_gpu_requests_is_too_old(err):
    assert top(error=err)[0] == "docker.too-old"


@pytest.mark.parametrize("notes", ["The NVIDIA kernel module is missing after the update.",
                                   "重启以后 nvidia 内核模块无法加载"])
def test_a_missing_kernel_module_in_words_is_not_loaded(notes):
    assert top(notes=notes)[0] == "driver.not-loaded"


def test_docker_desktop_mentioned_beside_a_mirror_dockerd_rejects_is_context():
    notes = ('I use Docker Desktop. With {"registry-mirrors": ["https://mirror.example.org/v2/hub"]} '
             "the engine no longer starts.")
    assert top(notes=notes)[0] == "mirror.invalid"


# --- generalisation from t-289 … t-304 ------------------------------------------------------------

def test_an_error_page_from_the_images_own_registry_without_a_mirror_is_unreachable():
    err = ("Error response from daemon: error parsing HTTP 403 response body: invalid character '<' looking for "
           "beginning of value: \"<html><title>403 Forbidden</title></html>\"")
    assert top(err, notes="works from my laptop", command="docker pull quay.io/prometheus/node-exporter")[0] == \
        "registry.unreachable"
    # the same page from a mirror is the mirror's fault
    assert top(err, notes="using our company registry mirror",
               command="docker pull quay.io/prometheus/node-exporter")[0] == "mirror.dead"


def test_a_registry_error_page_is_not_read_as_a_broken_daemon_json():
    from dldoctor import signatures

    err = "error parsing HTTP 404 response body: invalid character '<' looking for beginning of value"
    assert "daemon-json.invalid" not in [m.problem for m in signatures.match({"error": err})]


@pytest.mark.parametrize("notes", [
    "After adding me, `groups` doesn't list docker although /etc/group has my name.",
    "I was added to the `docker` group; reconnecting my SSH session fixed it.",
    "The docker group permissions aren't re-evaluated until the session restarts.",
])
def test_a_session_that_predates_the_group_in_words(notes):
    assert top(notes=notes)[0] == "docker.group-not-active"


@pytest.mark.parametrize("notes", ["NVIDIA deleted the 10.1 tags of nvidia/cuda last month.",
                                   "官方把这个镜像的旧标签删除了"])
def test_a_withdrawn_image_or_tag_in_words_is_tag_missing(notes):
    assert top(notes=notes)[0] == "image.tag-missing"


def test_a_mirror_that_withdrew_images_is_not_read_as_a_missing_tag():
    got = [m.problem for m in prose.match({"notes": "the mirror removed most images from its cache"})]
    assert "image.tag-missing" not in got


# --- generalisation from t-305 … t-320 ------------------------------------------------------------

@pytest.mark.parametrize("notes", [
    "Elementary OS is not listed among the supported distributions of the toolkit.",
    "There is no official nvidia-container-toolkit package released yet for Ubuntu 25.10.",
    "The toolkit does not support Debian 13 at the moment.",
])
def test_a_release_left_out_by_the_repository(notes):
    assert top(notes=notes)[0] == "apt.repo-unsupported-distro"


def test_asking_whether_a_release_is_supported_is_not_the_answer():
    notes = "Install fails every time. Is CentOS 8 not supported by nvidia-container-toolkit any more?"
    assert "apt.repo-unsupported-distro" not in [m.problem for m in prose.match({"notes": notes})]


def test_dnf_curl_errors_reach_the_repository_host():
    err = ("Curl error (35): SSL connect error for https://nvidia.github.io/libnvidia-container/stable/rpm/"
           "x86_64/repodata/repomd.xml [OpenSSL SSL_connect: SSL_ERROR_SYSCALL]")
    assert top(err)[0] == "apt.repo-unreachable"


@pytest.mark.parametrize("notes,expected", [
    ('In the settings I added https://mirror.example.org" and the trailing quote is redundant.', "mirror.invalid"),
    ("dockerd fails to start after I configure a registry mirror address.", "mirror.invalid"),
    ("网易的镜像已经停止服务了，拉取总是失败", "mirror.dead"),
    ("The mirror we used was shut down last month, pulls fail since.", "mirror.dead"),
])
def test_mirror_trouble_in_words(notes, expected):
    assert top(notes=notes)[0] == expected


def test_a_mirror_refusing_an_image_not_in_its_allowlist_is_not_dead():
    got = [m.problem for m in prose.match({"notes": "加速器找不到这个镜像，提示不在白名单"})]
    assert "mirror.dead" not in got


# --- generalisation from t-321 … t-339 ------------------------------------------------------------

@pytest.mark.parametrize("err,expected", [
    ("docker: Error response from daemon: create nvidia_driver_390.48: VolumeDriver.Create: internal error, "
     "check logs for details.", "toolkit.legacy"),
    ('docker: Error response from daemon: linux runtime spec devices: error gathering device information while '
     'adding custom device "/dev/nvidiactl": lstat /dev/nvidiactl: no such file or directory.', "driver.missing"),
    ("E: The repository 'https://download.docker.com/linux/ubuntu noble Release' does not have a Release file.",
     "os.unsupported"),
    ("ERROR: NVIDIA driver is not loaded", "driver.not-loaded"),
])
def test_older_and_plainer_wordings(err, expected):
    assert top(err)[0] == expected


def test_an_apple_silicon_mac_named_in_words_is_docker_desktop():
    err = 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].'
    assert top(err, notes="Running this on an M2 Max chip laptop.")[0] == "docker.desktop"


# --- generalisation from t-340 … t-350 ------------------------------------------------------------

def test_an_old_windows_build_is_no_gpu_finding_in_a_report_without_a_gpu():
    notes = "Docker for Windows on Windows 10 1803 17134.376 behind our proxy"
    err = "Error response from daemon: Get https://registry-1.docker.io/v2/: proxyconnect tcp: dial tcp: lookup http: no such host"
    assert readers.windows_build({"notes": notes, "error": err}) == []
    assert top(err, notes=notes)[0] == "docker.proxy-misconfigured"


@pytest.mark.parametrize("notes", ["I run the gpu image on a plain EC2 instance without GPU.",
                                   "这是一台没有独立显卡的服务器"])
def test_a_machine_without_a_gpu_in_words(notes):
    assert top(notes=notes)[0] == "gpu.absent"


# --- generalisation from t-351 … t-358 ------------------------------------------------------------

def test_the_rootless_extras_package_is_not_a_rootless_daemon():
    from dldoctor import signatures

    err = "sh -c 'yum install -y -q docker-ce docker-ce-cli containerd.io docker-ce-rootless-extras'"
    assert "docker.rootless" not in [m.problem for m in signatures.match({"error": err})]


@pytest.mark.parametrize("err", [
    "Error: Error downloading packages:\n  containerd.io-1.6.24-3.1.el9.x86_64: Cannot download, all mirrors were "
    "already tried without success",
    "Error: Failed to download metadata for repo 'docker-ce-stable': Cannot download repomd.xml",
])
def test_yum_and_dnf_that_reach_no_mirror_of_the_repository(err):
    assert top(err)[0] == "apt.repo-unreachable"


def test_get_docker_com_unreachable_in_words():
    assert top(notes="公司网络里 get.docker.com 无法访问，安装脚本下载不下来")[0] == "apt.repo-unreachable"


def test_the_toolkit_failing_on_cgroup_v2_in_words():
    assert top(notes="nvidia-container-toolkit fails on my cgroup v2 host (Fedora 31).")[0] == \
        "toolkit.too-old-for-cgroup-v2"


# --- generalisation from t-460 … t-484 ------------------------------------------------------------

@pytest.mark.parametrize("err", [
    "Error response from daemon: pull access denied for example.cn/library/nginx, repository does not exist or may "
    "require 'docker login': denied: only supports mainland China",
    "Error response from daemon: denied: 仅支持中国大陆访问",
])
def test_a_registry_that_serves_one_region_only_is_restricted(err):
    assert top(err)[0] == "mirror.restricted"


def test_an_application_saying_nvidia_smi_failed_is_a_missing_driver():
    err = ("level=WARN msg=\"GPU support may not be enabled, check that you have installed the GPU drivers: "
           "nvidia-smi command failed\"")
    assert top(err)[0] == "driver.missing"


@pytest.mark.parametrize("notes", ["The CI runner without any GPU attached tries to start the cuda image.",
                                   "我们这台服务器没有安装显卡，容器启动报错"])
def test_no_gpu_attached_in_words(notes):
    assert top(notes=notes)[0] == "gpu.absent"


def test_china_and_a_slow_pull_in_different_sentences():
    notes = ("We are on a campus network, no VPN. The registry mirrors are the usual domestic ones. "
             "Pulling postgres keeps timing out after half an hour.")
    assert top(notes=notes)[0] == "registry.unreachable"


# --- generalisation from t-485 … t-510 ------------------------------------------------------------

@pytest.mark.parametrize("notes", ["docker pull keeps failing, and the IP in the error is an overseas address.",
                                   "拉取镜像失败，报错里的地址是国外的服务器"])
def test_a_pull_answered_from_abroad(notes):
    assert top(notes=notes)[0] == "registry.unreachable"


def test_failing_to_connect_to_a_registry_in_words():
    assert top(notes="Our build agent is unable to connect to the container registry at all.")[0] == \
        "registry.unreachable"


@pytest.mark.parametrize("notes", ["The image tag doesn't exist on the hub any more, compose stops there.",
                                   "compose 报错说标签不存在"])
def test_an_image_or_tag_that_does_not_exist_in_words(notes):
    assert top(notes=notes)[0] == "image.tag-missing"


def test_the_nvidia_driver_gone_after_an_update():
    assert top(notes="Since the upgrade my NVIDIA driver is gone and nvidia-smi prints nothing.")[0] == \
        "driver.missing"


@pytest.mark.parametrize("notes", ["The box has no nvidia-container-toolkit, only the driver.",
                                   "服务器上没有安装 nvidia-container-toolkit"])
def test_the_toolkit_named_as_missing(notes):
    assert top(notes=notes)[0] == "toolkit.missing"


@pytest.mark.parametrize("text", ["sub   rsa2048 2019-09-18 [S] [expired: 2021-06-16]",
                                  "apt refuses the repo: the signing key has expired",
                                  "apt update 报错，仓库的公钥已经过期"])
def test_an_expired_repository_key(text):
    assert top(notes=text)[0] == "apt.no-pubkey"


def test_a_card_one_could_buy_is_not_the_host_lacking_an_nvidia_gpu():
    from dldoctor import prose

    notes = "If it cannot be done I could simply put an AMD GPU in there instead."
    assert "gpu.absent" not in [m.problem for m in prose.match({"notes": notes})]


def test_an_ngc_images_driver_banner_names_a_driver_too_old_for_the_image():
    """NGC images (Triton, PyTorch) check the driver in their entrypoint and say so; the "no
    CUDA-capable device" line printed under it follows from the old driver, not a missing GPU."""
    banner = ("ERROR: This container was built for NVIDIA Driver Release 470.57 or later, but\n"
              "       version 455.23.05 was detected and compatibility mode is UNAVAILABLE.\n\n"
              "       [[No CUDA-capable device is detected (CUDA_ERROR_NO_DEVICE) cuInit()=100]]\n")
    assert top(banner)[0] == "driver.too-old-for-image"


def test_a_daemon_older_than_the_gpu_api_refusing_a_newer_client_is_docker_too_old():
    """API 1.39 is Docker 18.09, before --gpus; a daemon that speaks 1.43 is new enough, and its
    refusal of a newer client names no cause of a GPU failure."""
    old = "Error response from daemon: client version 1.41 is too new. Maximum supported API version is 1.39"
    assert top(old)[0] == "docker.too-old"
    new = "Error response from daemon: client version 1.47 is too new. Maximum supported API version is 1.43"
    assert all(f.guess for f in explain(new).findings if f.problem == "docker.too-old")


def test_a_proxy_that_refuses_is_the_proxy_setting_in_older_and_desktop_wordings():
    old_go = ("Error while pulling image: Get https://index.docker.io/v1/repositories/gitlab/gitlab-ce/images: "
              "http: error connecting to proxy http://127.0.0.1:53847: dial tcp 127.0.0.1:53847: getsockopt: connection refused")
    desktop = ('Error response from daemon: Get "https://registry-1.docker.io/v2/": writing response to '
               "registry-1.docker.io:443: connecting to 127.0.0.1:1081: dial tcp 127.0.0.1:1081: connectex: "
               "No connection could be made because the target machine actively refused it.")
    assert top(old_go)[0] == "docker.proxy-misconfigured"
    assert top(desktop)[0] == "docker.proxy-misconfigured"
    # the registry itself refusing is no proxy
    direct = 'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp 54.1.2.3:443: connect: connection refused'
    assert top(direct)[0] != "docker.proxy-misconfigured"


@pytest.mark.parametrize("error", [
    "E: The repository 'https://download.docker.com/linux/ubuntu vanessa Release' does not have a Release file.",
    "Err:13 https://download.docker.com/linux/ubuntu tricia Release\n  404  Not Found [IP: 54.192.137.35 443]",
    "https://download.docker.com/linux/centos/2/x86_64/stable/repodata/repomd.xml: [Errno 14] HTTPS Error 404 - Not Found",
    "https://mirrors.tuna.tsinghua.edu.cn/docker-ce/linux/centos/2.1903/x86_64/stable/repodata/repomd.xml: "
    "[Errno 14] HTTPS Error 404 - Not Found",
    "Status code: 404 for https://download.docker.com/linux/fedora/2022.0.20211222/x86_64/stable/repodata/repomd.xml",
])
def test_a_release_dockers_repository_does_not_serve_is_the_release(error):
    """A derivative's codename (Linux Mint) or an RPM release number Docker never built for (Amazon
    Linux's $releasever) asks docker-ce for a suite it does not have: the catalog's os.unsupported,
    not a broken third-party source nor NVIDIA's per-distribution URLs."""
    assert top(error)[0] == "os.unsupported"


def test_nvidias_per_distribution_urls_stay_their_own_cause():
    err = ("E: The repository 'https://nvidia.github.io/libnvidia-container/ubuntu24.04/amd64 Release' "
           "does not have a Release file.")
    assert top(err)[0] == "apt.repo-unsupported-distro"
    # a Docker suite that exists but fails for another reason is no release question
    assert top("Err:5 https://download.docker.com/linux/ubuntu jammy InRelease\n"
               "  Could not resolve 'download.docker.com'")[0] == "apt.repo-unreachable"
