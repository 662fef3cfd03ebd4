"""`check` on daemon.json: the judge's verdicts as findings, for the host's Docker release."""
import json

from dldoctor import gather
from dldoctor.checks.daemon_json import check_daemon_json, dockerd_version
from dldoctor.host.snapshot import SnapshotHost


def findings(tmp_path, daemon_json, version=None, packages=None, cmdline=None):
    (tmp_path / "daemon.json").write_text(daemon_json)
    if version:
        (tmp_path / "docker-version.json").write_text(json.dumps(
            {"Client": {"Version": version}, "Server": {"Version": version, "Components": [
                {"Name": "Engine", "Version": version}]}}))
    if packages:
        (tmp_path / "packages").write_text(packages)
    if cmdline:
        (tmp_path / "dockerd-cmdline").write_text(cmdline)
    facts = gather.collect(SnapshotHost(str(tmp_path)))
    return facts, [f for f in check_daemon_json(facts) if f.problem]


def test_registry_mirror_is_no_mirror_and_names_the_key(tmp_path):
    _facts, [f] = findings(tmp_path, '{"registry-mirror": ["https://mirror.example.com"]}\n', "20.10.24")
    assert f.status == "warn" and f.problem == "daemon-json.unknown-key"
    assert "registry-mirrors" in f.detail and "No registry mirror is configured" in f.detail


def test_typo_dockerd_refuses_names_the_key_it_meant(tmp_path):
    _facts, [f] = findings(tmp_path, '{"default-runtimes": "nvidia"}\n', "29.7.2")
    assert f.status == "fail" and "did you mean default-runtime?" in f.detail


def test_version_from_the_package_database(tmp_path):
    facts, found = findings(tmp_path, '{"default-stop-timeout": 30}\n',
                            packages="docker-ce 5:29.7.2-1~debian.12~bookworm install ok installed\n")
    assert dockerd_version(facts) == ((29, 7, 2), "docker-ce")
    assert found == []
    facts, [f] = findings(tmp_path, '{"default-stop-timeout": 30}\n',
                          packages="docker.io 20.10.24+dfsg1-1+deb12u1 install ok installed\n")
    assert f.status == "fail" and "dockerd 20.10.24" in f.detail


def test_unknown_version_warns_with_the_releases(tmp_path):
    _facts, [f] = findings(tmp_path, '{"registry-mirrors": ["https://m.example.com/v2-proxy"]}\n')
    assert f.status == "warn" and "20.10, 23" in f.detail


def test_values_are_judged(tmp_path):
    _facts, [f] = findings(tmp_path, '{"log-level": "foobar"}\n', "29.7.2")
    assert f.status == "fail" and f.problem == "daemon-json.invalid"
    assert "invalid logging level: foobar" in f.detail


def test_nested_flag_conflict_and_merged_runtimes(tmp_path):
    cmd = "/usr/bin/dockerd -H fd:// --add-runtime x=/usr/bin/x --http-proxy http://p:3128\n"
    _facts, [f] = findings(tmp_path, '{"runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime"}},'
                           ' "proxies": {"http-proxy": "http://q:3128"}}\n', "29.7.2", cmdline=cmd)
    assert f.problem == "daemon-json.flag-conflict" and "http-proxy" in f.detail and "runtimes" not in f.detail.split(":")[0]


def test_utf16_with_a_bom_is_read(tmp_path):
    (tmp_path / "daemon.json").write_bytes('\ufeff{"debug": true}'.encode("utf-16-le"))
    (tmp_path / "packages").write_text("docker-ce 5:28.5.2-1~debian.12~bookworm install ok installed\n")
    facts = gather.collect(SnapshotHost(str(tmp_path)))
    assert [f.status for f in check_daemon_json(facts)] == ["ok"]


STRAY = ('{\n  "registry-mirrors": ["https://m.example.com"] },\n'
         '  "runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime"}}\n}\n')


def test_text_after_the_first_object_on_20_10_is_ignored_not_refused(tmp_path):
    # dockerd 20.10 reads with json.Decoder; the lab's real 20.10 starts with this file
    (tmp_path / "d1").mkdir()
    _facts, [f] = findings(tmp_path / "d1", STRAY, "20.10.24")
    assert f.status == "warn" and "reads only the first JSON object" in f.detail
    (tmp_path / "d2").mkdir()
    _facts, [f] = findings(tmp_path / "d2", STRAY, "24.0.7")
    assert f.status == "fail"
    (tmp_path / "d3").mkdir()
    _facts, [f] = findings(tmp_path / "d3", STRAY)
    assert f.status == "warn" and "23, 24" in f.detail


def test_deep_nesting_is_valid_as_for_go(tmp_path):
    """Go's encoding/json allows 10000 levels; 250 used to be called invalid."""
    # a shim runtime's options are a map[string]interface{}: any JSON at all decodes into it
    deep = ('{"runtimes": {"kata": {"runtimeType": "io.containerd.kata.v2", "options": {"x": '
            + "[" * 5000 + "]" * 5000 + "}}}}\n")
    (tmp_path / "packages").write_text("docker-ce 5:29.7.2-1~debian.12~bookworm install ok installed\n")
    _facts, found = findings(tmp_path, deep)
    assert found == []


def test_version_from_dockerd_itself(tmp_path):
    (tmp_path / "dockerd-version").write_text("Docker version 20.10.24+dfsg1, build 5d6db84\n")
    facts, [f] = findings(tmp_path, '{"default-stop-timeout": 30}\n')
    assert dockerd_version(facts) == ((20, 10, 24), "dockerd --version")
    assert f.status == "fail" and f.problem == "daemon-json.unknown-key"
