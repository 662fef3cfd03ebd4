"""No secret leaves the host: known passwords planted in every place evidence comes from, then
every output a user can produce (check, check --json, snapshot dir and tarball, a check of that
snapshot, explain, fix --dry-run) is searched for them. Real processes, a fake `docker` on PATH."""
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

# Each value is a password (or token) the user never wants to see again; the '@' one checks that
# masking covers a password up to the last '@' before the host.
SECRETS = {
    "daemon_proxy": "DjProxyPw1",
    "daemon_mirror": "DjMirrorPw2",
    "daemon_auth": "RGpBdXRoQmFzZTY0",
    "daemon_password": "DjNestedPw3",
    "daemon_token": "DjIdentTok4",
    "env_schemeless": "EnvSchemelessPw5",
    "env_at_head": "EnvAtHead6",
    "env_at_tail": "EnvAtTail7",
    "env_noproxy": "EnvNoProxyPw8",
    "info_proxy": "InfoProxyPw9",
    "info_mirror": "InfoMirrorPw10",
    "apt_source": "AptSourcePw11",
    "apt_conf": "AptConfPw12",
    "dropin": "DropinPw13",
    "default_docker": "DefaultDockerPw14",
    "cli_config": "Q2xpQ29uZmlnQXV0aA",
    "cmdline": "CmdlinePw15",
    "explain_url": "ExplainPw16",
    "explain_header": "ExplainBearer17",
    "invalid_json": "InvalidJsonPw18",
    # JSON documents embedded as strings: their keys and values are JSON-escaped (\"auth\")
    "daemon_label_auth": "RGFlbW9uTGFiZWxBdXRo",
    "info_label_password": "InfoLabelPw19",
    "explain_json_password": "ExplainJsonPw20",
    "explain_json_auth": "RXhwbGFpbkpzb25BdXRo",
    "explain_json_header": "ExplainJsonBearer21",
    # a config.json auth string pasted straight under "auths", and a value on the line after its
    # key: the line-by-line mask of fix's diff saw neither
    "daemon_auths_string": "SGFyYm9yU3RyaW5n",
    "daemon_split_token": "SplunkTok22",
    # the ways a Chinese user and a shell paste credentials in a report
    "explain_zh": "HarborZh23",
    "explain_curl": "CurlUser24",
    "explain_sig": "AzureSig25",
}


def _daemon_json(valid: bool) -> str:
    s = SECRETS
    data = {
        "registry-mirrors": ["https://mirroruser:%s@mirror.example.com" % s["daemon_mirror"]],
        "auths": {"registry.example": {"auth": s["daemon_auth"]}, "harbor.corp": s["daemon_auths_string"]},
        "deep": {"list": [{"password": s["daemon_password"], "identitytoken": s["daemon_token"]}]},
        "credsStore": "desktop",
        # a JSON document held in a string (a CI runner's DOCKER_AUTH_CONFIG as a label): written
        # to the file JSON-escaped, {\"auths\":{...{\"auth\":\"...\"}}}
        "labels": ['ci.auth-config={"auths":{"r.example":{"auth":"%s"}}}' % s["daemon_label_auth"]],
        # last, so that fix's diff quotes these lines as context
        "proxies": {"no-proxy": "localhost",
                    "https-proxy": "http://proxyuser:%s@proxy.example:3128" % s["daemon_proxy"]},
    }
    text = json.dumps(data, indent=2).replace(
        '"credsStore": "desktop",',
        '"credsStore": "desktop",\n  "log-opts": {"splunk-token"\n    : "%s"},' % s["daemon_split_token"])
    if not valid:
        # a broken file whose quoted error line holds a proxy password
        text = text.replace('"no-proxy": "localhost"',
                            '"http-proxy": "http://u:%s@p.example:8080" "no-proxy": 1' % s["invalid_json"])
    return text


def _docker_info() -> str:
    info = json.loads((DATA / "fixtures/docker-info-json/cli-29-no-swarm.json").read_text())
    server = info.get("ServerInfo", info)
    server["HttpProxy"] = "http://infouser:%s@proxy.example:3128" % SECRETS["info_proxy"]
    server["HttpsProxy"] = "infouser:%s@proxy.example:3128" % SECRETS["info_proxy"]
    reg = server.setdefault("RegistryConfig", {}) or {}
    server["RegistryConfig"] = reg
    reg["Mirrors"] = ["https://mu:%s@mirror.example.com/" % SECRETS["info_mirror"]]
    server["Labels"] = ['ci.login={"username": "bob", "password": "%s"}' % SECRETS["info_label_password"]]
    return json.dumps(info)


def _build(tmp_path: Path, valid: bool = True):
    s = SECRETS
    root = tmp_path / "root"
    for d in ("etc/docker", "etc/apt/sources.list.d", "etc/apt/apt.conf.d", "etc/default",
              "etc/systemd/system/docker.service.d", "root/.docker", "var/run"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "etc/os-release").write_text((DATA / "fixtures/os-release/ubuntu-22.04").read_text())
    (root / "etc/docker/daemon.json").write_text(_daemon_json(valid))
    (root / "etc/apt/sources.list.d/mirror.list").write_text(
        "deb http://aptuser:%s@apt.example.com/ubuntu jammy main\n" % s["apt_source"])
    (root / "etc/apt/apt.conf.d/95proxy").write_text(
        'Acquire::http::Proxy "http://aptuser:%s@proxy.example:3142";\n' % s["apt_conf"])
    (root / "etc/default/docker").write_text(
        'export http_proxy="http://def:%s@proxy.example:3128"\n' % s["default_docker"])
    (root / "etc/systemd/system/docker.service.d/http-proxy.conf").write_text(
        '[Service]\nEnvironment="HTTPS_PROXY=http://dropin:%s@proxy.example:3128"\n' % s["dropin"])
    runtime = root / "usr/bin/nvidia-container-runtime"  # so `fix` plans a daemon.json diff
    runtime.parent.mkdir(parents=True)
    runtime.write_text("#!/bin/sh\n")
    runtime.chmod(0o755)
    (root / "root/.docker/config.json").write_text(json.dumps({"auths": {"r.example": {"auth": s["cli_config"]}}}))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "info.json").write_text(_docker_info())
    docker = bin_dir / "docker"
    docker.write_text("#!/bin/sh\n"
                      'case "$1" in\n'
                      '  info) cat "%s" ;;\n'
                      '  version) echo \'{"Client":{"Version":"29.0.0"},"Server":{"Version":"29.0.0"}}\' ;;\n'
                      "  *) exit 1 ;;\n"
                      "esac\n" % (tmp_path / "info.json"))
    docker.chmod(0o755)
    env = {
        "PATH": "%s:%s" % (bin_dir, os.environ.get("PATH", "/usr/bin:/bin")),
        "HTTPS_PROXY": "envuser:%s@proxy.example:3128" % s["env_schemeless"],
        "http_proxy": "http://envuser:%s@%s@proxy.example:3128" % (s["env_at_head"], s["env_at_tail"]),
        "NO_PROXY": "localhost,nouser:%s@internal.example" % s["env_noproxy"],
        "ALL_PROXY": "socks5://all:%s@proxy.example:1080" % s["env_schemeless"],
        "LANG": "C",
    }
    env.pop("DOCKER_HOST", None)
    return root, env


def _run(args, env, timeout=60):
    e = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "LANGUAGE", "LC_ALL")}
    e.update(env)
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], capture_output=True,
                          env=e, timeout=timeout)


def _leaks(blob: bytes):
    return [k for k, v in SECRETS.items() if v.encode() in blob]


@pytest.fixture
def fake_dockerd(tmp_path):
    """A process whose command line holds a registry mirror password, named by docker.pid."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)",
                             "--registry-mirror=https://cmd:%s@mirror.example" % SECRETS["cmdline"]])
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("valid", [True, False], ids=["valid-daemon-json", "invalid-daemon-json"])
def test_no_planted_secret_in_any_output(tmp_path, valid, fake_dockerd):
    root, env = _build(tmp_path, valid)
    (root / "var/run/docker.pid").write_text("%d\n" % fake_dockerd)
    outputs = {}
    for name, args in {
        "check": ["check", "--root", str(root), "--no-probe", "--timeout", "5"],
        "check -v": ["check", "-v", "--root", str(root), "--no-probe", "--timeout", "5"],
        "check --json": ["check", "--json", "--root", str(root), "--no-probe", "--timeout", "5"],
        "fix --dry-run": ["fix", "--dry-run", "--root", str(root), "--only", "daemon-json"],
        "explain": ["explain", "-v", "--root", str(root), "--timeout", "5",
                    "Error response from daemon: Get \"https://u:%s@mirror.example.com/v2/\": "
                    "Authorization: Bearer %s: i/o timeout" % (SECRETS["explain_url"], SECRETS["explain_header"])],
        "explain pasted": ["explain", "-v", "--root", str(root), "--timeout", "5",
                           "x509: certificate signed by unknown authority. 账号 admin 密码：%s\n"
                           "$ curl -u admin:%s https://harbor.corp/v2/\n"
                           'Get "https://r.blob.core.windows.net/d?se=2026&sig=%s&sp=r": i/o timeout'
                           % (SECRETS["explain_zh"], SECRETS["explain_curl"], SECRETS["explain_sig"])],
        # a log line quoting a JSON request body: every key and value in it JSON-escaped
        "explain json log": ["explain", "-v", "--root", str(root), "--timeout", "5",
                             'Error response from daemon: Get "https://mirror.example.com/v2/": '
                             'body={\\"username\\": \\"bob\\", \\"password\\": \\"%s\\", '
                             '\\"auths\\":{\\"r.example\\":{\\"auth\\":\\"%s\\"}}, '
                             '\\"headers\\": {\\"Authorization\\": \\"Bearer %s\\"}}: i/o timeout'
                             % (SECRETS["explain_json_password"], SECRETS["explain_json_auth"],
                                SECRETS["explain_json_header"])],
    }.items():
        res = _run(args, env)
        assert b"Traceback" not in res.stderr, (name, res.stderr)
        assert res.returncode in (0, 1), (name, res.returncode, res.stderr)
        if name == "check --json":
            json.loads(res.stdout)
        outputs[name] = res.stdout + res.stderr

    snap_dir, snap_tgz = tmp_path / "snap", tmp_path / "snap.tar.gz"
    for out in (snap_dir, snap_tgz):
        res = _run(["snapshot", str(out), "--root", str(root), "--no-probe", "--timeout", "5"], env)
        assert res.returncode == 0, res.stderr
        outputs["snapshot " + out.name] = res.stdout + res.stderr
    outputs["snapshot files"] = b"".join(p.read_bytes() for p in snap_dir.rglob("*") if p.is_file())
    with tarfile.open(snap_tgz) as tar:
        outputs["snapshot tarball"] = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
    outputs["snapshot (gzip bytes)"] = snap_tgz.read_bytes()
    for name, args in {"replay": ["check", "-v", "--snapshot", str(snap_dir)],
                       "replay --json": ["check", "--json", "--snapshot", str(snap_tgz)]}.items():
        res = _run(args, env)
        assert b"Traceback" not in res.stderr
        outputs[name] = res.stdout + res.stderr

    leaks = {name: _leaks(blob) for name, blob in outputs.items() if _leaks(blob)}
    assert leaks == {}
    # what was recorded still says what it is: masked, not dropped
    files = outputs["snapshot files"].decode()
    assert "proxyuser:***@proxy.example" in files and "mirroruser:***@mirror.example.com" in files
    assert "envuser:***@proxy.example:3128" in files
    assert '"auths"' in files and '"password": "***"' in files
    # an embedded document keeps its escaped shape, only the secret replaced
    assert '{\\"auth\\":\\"***\\"}' in files and '\\"password\\": \\"***\\"' in files
    assert '\\"password\\": \\"***\\"' in outputs["explain json log"].decode()


def test_invalid_daemon_json_quote_is_masked(tmp_path):
    root, env = _build(tmp_path, valid=False)
    res = _run(["check", "--json", "--root", str(root), "--no-probe"], env)
    data = json.loads(res.stdout)
    dj = [f for f in data["findings"] if f["check"] == "daemon-json"][0]
    assert dj["problem"] == "daemon-json.invalid"
    quoted = "\n".join(dj["evidence"])
    assert "u:***@p.example:8080" in quoted and SECRETS["invalid_json"] not in quoted
