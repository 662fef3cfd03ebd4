"""The daemon-json step on real daemon.json files (tests/data/fixtures/daemon-json/, each from a
public report; see SOURCES.md): golden merges, refusals with dockerd's own words and position, and
the plan (reload vs restart, flag conflicts, validation, the toolkit missing)."""
from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from dldoctor.errors import ParseError, Refused, UsageError
from dldoctor.facts import Facts, Unknown
from dldoctor.host import Evidence
from dldoctor.model import DaemonAction, FileWrite
from dldoctor.parse.docker_info import DockerInfo
from dldoctor.parse.dockerd_cmdline import DockerdFlags, parse_dockerd_cmdline
from dldoctor.provision import daemon_json as dj
from dldoctor.provision.options import FixOptions

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures" / "daemon-json"
VALID = sorted(p.name for p in FIXTURES.glob("*.json") if not p.name.startswith("INVALID"))
INVALID = sorted(p.name for p in FIXTURES.glob("INVALID-*.json"))
MIRROR = "https://mirror.example.com"
RUNTIME = "/usr/bin/nvidia-container-runtime"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


# --- golden merges --------------------------------------------------------------------------------

GOLDEN = {
    # nvidia-ctk's file: "args" renamed in place (dockerd reads runtimeArgs), the relative path made
    # absolute, 4-space indentation and nvidia-ctk's sorted key order kept.
    "nvidia-ctk-runtime-configure-generated.json":
        '{\n    "runtimes": {\n        "nvidia": {\n            "runtimeArgs": [],\n'
        '            "path": "/usr/bin/nvidia-container-runtime"\n        }\n    },\n'
        '    "registry-mirrors": [\n        "https://mirror.example.com"\n    ]\n}\n',
    # tabs stay tabs, at every depth.
    "hosts-tcp-unix-tab-indented-CONFLICTS-with-fd-unit.json":
        '{\n\t"hosts": [\n\t\t"tcp://127.0.0.1:2375",\n\t\t"unix:///var/run/docker.sock"\n\t],\n'
        '\t"registry-mirrors": [\n\t\t"https://mirror.example.com"\n\t],\n\t"runtimes": {\n'
        '\t\t"nvidia": {\n\t\t\t"path": "/usr/bin/nvidia-container-runtime",\n'
        '\t\t\t"runtimeArgs": []\n\t\t}\n\t}\n}\n',
    # a one-line file stays one line.
    "one-line-nvidia-default-runtime.json":
        '{ "default-runtime": "nvidia", "runtimes": { "nvidia": { "path": '
        '"/usr/bin/nvidia-container-runtime", "runtimeArgs": [] } }, "registry-mirrors": '
        '["https://mirror.example.com"] }\n',
    # trailing tabs, compact inline arrays and objects, "key":"value" without a space: all kept;
    # the new mirror joins the inline list.
    "aliyun-mirror-cgroupdriver-trailing-tabs.json":
        '{\n  "exec-opts": ["native.cgroupdriver=systemd"],\t\n  "registry-mirrors": '
        '["https://5ev99jhr.mirror.aliyuncs.com", "https://mirror.example.com"],\t\n'
        '  "live-restore": true,\n  "log-driver":"json-file",\n'
        '  "log-opts": {"max-size":"50m", "max-file":"3"},\n  "max-concurrent-downloads": 10,\n'
        '  "max-concurrent-uploads": 5,\n  "storage-driver": "overlay2",\n  "runtimes": {\n'
        '    "nvidia": {\n      "path": "/usr/bin/nvidia-container-runtime",\n'
        '      "runtimeArgs": []\n    }\n  }\n}\n',
    # irregular indentation (3 spaces, closing brackets out of line) left exactly as it was.
    "cgroupdriver-systemd-data-root-dns-logopts-mirrors-163-baidu.json":
        '{\n   "exec-opts": ["native.cgroupdriver=systemd"],\n   "data-root": "/data/docker",\n'
        '   "live-restore": true,\n   "dns": ["8.8.8.8"],\n   "log-driver": "json-file",\n'
        '   "log-opts": {\n     "max-size":  "100m",\n     "max-file": "5"\n    },\n'
        '   "registry-mirrors": [\n    "https://hub-mirror.c.163.com",\n'
        '    "https://mirror.baidubce.com",\n    "https://mirror.example.com"\n  ],\n'
        '   "runtimes": {\n      "nvidia": {\n         "path": "/usr/bin/nvidia-container-runtime",\n'
        '         "runtimeArgs": []\n      }\n   }\n }\n',
    # an indented top-level object; the runtime is already right and is not touched.
    "insecure-registries-nvidia-default-generic-resources.json":
        '  {\n    "insecure-registries":["10.0.0.1:5000"],\n    "default-runtime": "nvidia",\n'
        '      "runtimes": {\n          "nvidia": {\n      "path": "/usr/bin/nvidia-container-runtime",\n'
        '      "runtimeArgs": []\n          }\n    },\n'
        '    "node-generic-resources": ["gpu=GPU-d53fc9bd"],\n'
        '    "registry-mirrors": ["https://mirror.example.com"]\n  }\n',
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_merge(name):
    assert dj.merge(fixture(name), [MIRROR], RUNTIME, None) == GOLDEN[name]


@pytest.mark.parametrize("name", VALID)
def test_merge_keeps_everything_else_and_is_idempotent(name):
    text = fixture(name)
    out = dj.merge(text, [MIRROR], RUNTIME, None)
    before, after = json.loads(text), json.loads(out)
    for key, value in before.items():
        if key not in ("registry-mirrors", "runtimes"):
            assert after[key] == value
    assert list(after)[:len(before)] == list(before)            # order kept, new keys at the end
    assert after["registry-mirrors"][:len(before.get("registry-mirrors", []))] == \
        before.get("registry-mirrors", [])
    assert MIRROR in after["registry-mirrors"]
    assert after["runtimes"]["nvidia"]["path"] == RUNTIME
    assert "args" not in after["runtimes"]["nvidia"]
    assert dj.merge(out, [MIRROR], RUNTIME, None) == out
    # a line leaves only if it holds what had to change, or gains the comma before a new member
    added = [l[2:] for l in difflib.ndiff(text.splitlines(), out.splitlines()) if l[:2] == "+ "]
    for line in (l[2:] for l in difflib.ndiff(text.splitlines(), out.splitlines())
                 if l[:2] == "- "):
        assert (line + "," in added or '"path"' in line or '"args"' in line
                or '"registry-mirrors"' in line), line


def test_new_file_is_two_space_with_newline():
    out = dj.merge(None, [MIRROR], RUNTIME, "nvidia")
    assert out == ('{\n  "registry-mirrors": [\n    "https://mirror.example.com"\n  ],\n'
                   '  "runtimes": {\n    "nvidia": {\n      "path": '
                   '"/usr/bin/nvidia-container-runtime",\n      "runtimeArgs": []\n    }\n  },\n'
                   '  "default-runtime": "nvidia"\n}\n')
    assert dj.merge(out, [MIRROR], RUNTIME, "nvidia") == out


@pytest.mark.parametrize("text", ["", "  \n", "{}", "{}\n", "null\n"])
def test_empty_and_blank_files(text):
    out = dj.merge(text, [MIRROR], None, None)
    assert json.loads(out) == {"registry-mirrors": [MIRROR]}
    assert dj.merge(text, [], None, None) == text        # nothing to add: not even reformatted


def test_mirrors_union_keeps_order_and_normalises():
    text = '{"registry-mirrors": ["https://B.example.com/", "https://a.example.com"]}'
    out = dj.merge(text, ["https://b.example.com", "https://c.example.com",
                          "https://c.example.com/"], None, None)
    assert json.loads(out)["registry-mirrors"] == [
        "https://B.example.com/", "https://a.example.com", "https://c.example.com"]


def test_args_dropped_when_runtime_args_present_and_other_runtimes_left_alone():
    text = ('{\n  "runtimes": {\n    "nvidia": {\n      "path": "/x",\n      "runtimeArgs": ["--a"],\n'
            '      "args": []\n    },\n    "other": {"args": ["-d"], "path": "/o"}\n  }\n}\n')
    out = dj.merge(text, [], RUNTIME, None)
    assert out == ('{\n  "runtimes": {\n    "nvidia": {\n      "path": '
                   '"/usr/bin/nvidia-container-runtime",\n      "runtimeArgs": ["--a"]\n    },\n'
                   '    "other": {"args": ["-d"], "path": "/o"}\n  }\n}\n')   # not fix's runtime
    assert dj.merge(out, [], RUNTIME, None) == out


def test_shim_runtime_and_default_runtime():
    text = '{"runtimes": {"nvidia": {"runtimeType": "io.containerd.runc.v2"}}, "default-runtime": "runc"}'
    out = dj.merge(text, [], RUNTIME, "nvidia")
    data = json.loads(out)
    assert data["runtimes"]["nvidia"] == {"runtimeType": "io.containerd.runc.v2"}
    assert data["default-runtime"] == "nvidia"


def test_crlf_and_bom_kept():
    text = '\ufeff{\r\n    "debug": true\r\n}\r\n'
    out = dj.merge(text, [MIRROR], None, None)
    assert out == '\ufeff{\r\n    "debug": true,\r\n    "registry-mirrors": [\r\n        ' \
                  '"https://mirror.example.com"\r\n    ]\r\n}\r\n'


def test_runtimes_not_an_object_is_refused():
    with pytest.raises(Refused):
        dj.merge('{"runtimes": []}', [], RUNTIME, None)


# --- invalid files: refused with dockerd's words and the position ---------------------------------

INVALID_EXPECTED = {
    # dockerd prints exactly this sentence for a trailing comma (shared/lab-notes.md).
    "INVALID-trailing-comma-nvidia.json":
        ("invalid character '}' looking for beginning of object key string", 9, 1),
    "INVALID-aliyun-mirror-stray-brace-graph.json":
        ("invalid character ',' after top-level value", 3, 54),
}


@pytest.mark.parametrize("name", INVALID)
def test_invalid_is_a_parse_error_with_position(name):
    with pytest.raises(ParseError) as err:
        dj.merge(fixture(name), [MIRROR], RUNTIME, None)
    msg, line, col = INVALID_EXPECTED[name]
    assert (err.value.message, err.value.line, err.value.col) == (msg, line, col)


@pytest.mark.parametrize("text,msg", [
    ('{"a": 1,}', "invalid character '}' looking for beginning of object key string"),
    ('{"a" 1}', "invalid character '1' after object key"),
    ('{"a": 1 "b": 2}', "invalid character '\"' after object key:value pair"),
    ('[1, 2]', "json: cannot unmarshal array into Go value of type map[string]interface {}"),
    ('"x"', "json: cannot unmarshal string into Go value of type map[string]interface {}"),
    ('{"a": [1 2]}', "invalid character '2' after array element"),
    ('{"a": tru}', "invalid character '}' in literal true (expecting 'e')"),
    ('{"a": "x\ty"}', "invalid character '\\t' in string literal"),
    ('{"a": 01}', "invalid character '1' after object key:value pair"),
    ('{"a": NaN}', "invalid character 'N' looking for beginning of value"),
    ('{"a": 1', "unexpected end of JSON input"),
    ("{'a': 1}", "invalid character '\\'' looking for beginning of object key string"),
])
def test_go_error_messages(text, msg):
    with pytest.raises(ParseError) as err:
        dj.parse(text)
    assert err.value.message == msg


# --- the plan -------------------------------------------------------------------------------------


def make_facts(text=None, runtime=RUNTIME, info=None, flags=None, version="24.0.7",
               path="/etc/docker/daemon.json", info_json=None):
    facts = Facts()
    facts.daemon_json_path = path
    if text is None:
        facts.daemon_json = None
        facts.raw["daemon.json"] = Evidence("daemon.json", "", exit=1, source=path)
    else:
        facts.daemon_json = object()           # parsed by the colleague's parser; not used here
        facts.raw["daemon.json"] = Evidence("daemon.json", text, source=path)
    facts.binaries = {"nvidia-container-runtime": runtime, "dockerd": "/usr/bin/dockerd"}
    facts.docker_info = info if info is not None else DockerInfo(
        server_version=version, runtimes=("io.containerd.runc.v2", "runc"),
        default_runtime="runc")
    facts.docker_version = Unknown("not collected")
    facts.dockerd_flags = flags if flags is not None else DockerdFlags(
        argv=("/usr/bin/dockerd", "-H", "fd://"), flags={"hosts": ("fd://",)}, config_file=None)
    if info_json is not None:
        facts.raw["docker-info.json"] = Evidence("docker-info.json", json.dumps(info_json))
    return facts


def opts(**kw):
    kw.setdefault("registry_mirrors", (MIRROR,))
    return FixOptions(**kw)


def test_plan_reload_with_validation_on_modern_engine():
    text = fixture("nvidia-docker2-package-installed.json")
    plan = dj.step.plan(make_facts(text), opts())
    write, action = plan.changes
    assert isinstance(write, FileWrite) and write.path == "/etc/docker/daemon.json"
    assert write.before == text.encode() and write.after == dj.merge(text, [MIRROR], RUNTIME,
                                                                     None).encode()
    assert write.validate == ("/usr/bin/dockerd", "--validate", "--config-file", "{path}")
    assert isinstance(action, DaemonAction) and action.action == "reload"
    assert "registry-mirrors" in action.why
    assert "+        \"https://mirror.example.com\"" in write.diff()


def test_plan_no_validation_before_23():
    plan = dj.step.plan(make_facts("{}", version="20.10.24"), opts())
    assert plan.changes[0].validate is None


def test_plan_new_file_when_absent_and_nothing_when_nothing_to_add():
    plan = dj.step.plan(make_facts(None, runtime=None), opts())
    assert plan.changes[0].before is None
    empty = dj.step.plan(make_facts(None, runtime=None), opts(registry_mirrors=()))
    assert empty.empty


def test_plan_is_empty_once_applied_and_live():
    text = dj.merge("{}", [MIRROR], RUNTIME, None)
    info = DockerInfo(server_version="24.0.7", runtimes=("nvidia", "runc"),
                      registry_mirrors=(MIRROR + "/",), default_runtime="runc")
    assert dj.step.plan(make_facts(text, info=info), opts()).empty


def test_plan_reloads_a_file_the_daemon_has_not_read():
    text = dj.merge("{}", [MIRROR], RUNTIME, None)
    plan = dj.step.plan(make_facts(text), opts())
    assert [c.action for c in plan.changes] == ["reload"]
    assert "not live" in plan.changes[0].why


def test_plan_toolkit_missing_skips_runtime_with_note():
    plan = dj.step.plan(make_facts("{}", runtime=None), opts())
    assert "runtimes" not in json.loads(plan.changes[0].after)
    assert any("nvidia-container-runtime is not installed" in n for n in plan.notes)


def test_plan_default_runtime_needs_the_runtime():
    with pytest.raises(Refused) as err:
        dj.step.plan(make_facts("{}", runtime=None), opts(default_runtime="nvidia"))
    assert "nvidia-container-runtime is not installed" in str(err.value)
    plan = dj.step.plan(make_facts("{}"), opts(default_runtime="nvidia"))
    assert json.loads(plan.changes[0].after)["default-runtime"] == "nvidia"


@pytest.mark.parametrize("name", INVALID)
def test_plan_refuses_invalid_file_with_position(name):
    with pytest.raises(Refused) as err:
        dj.step.plan(make_facts(fixture(name)), opts())
    msg, line, col = INVALID_EXPECTED[name]
    assert "%s (line %d, column %d)" % (msg, line, col) in str(err.value)
    assert "--force" in str(err.value)


def test_plan_force_replaces_and_restarts():
    text = fixture("INVALID-trailing-comma-nvidia.json")
    plan = dj.step.plan(make_facts(text), opts(force=True))
    write, action = plan.changes
    assert write.before == text.encode()
    assert json.loads(write.after) == {"registry-mirrors": [MIRROR], "runtimes": {
        "nvidia": {"path": RUNTIME, "runtimeArgs": []}}}
    assert action.action == "restart"
    assert any("backup" in n for n in plan.notes)


def test_plan_refuses_hosts_against_fd_flag():
    text = fixture("hosts-tcp-unix-tab-indented-CONFLICTS-with-fd-unit.json")
    with pytest.raises(Refused) as err:
        dj.step.plan(make_facts(text), opts())
    assert "hosts: from flag ['fd://']" in str(err.value)
    assert "ExecStart=" in str(err.value)


def test_plan_refuses_mirror_set_in_a_drop_in():
    flags = DockerdFlags(argv=("/usr/bin/dockerd", "--registry-mirror", "https://x.example"),
                         flags={"registry-mirrors": ("https://x.example",)}, config_file=None)
    with pytest.raises(Refused) as err:
        dj.step.plan(make_facts("{}", flags=flags), opts())
    assert "registry-mirrors" in str(err.value)


def test_plan_rejects_bad_mirror_url():
    with pytest.raises(UsageError):
        dj.step.plan(make_facts("{}"), opts(registry_mirrors=("docker.mirrors.example.com",)))


def test_plan_pending_non_reloadable_key():
    text = '{\n  "log-driver": "local"\n}\n'
    live = {"ServerVersion": "24.0.7", "LoggingDriver": "json-file"}
    plan = dj.step.plan(make_facts(text, info_json=live), opts())
    assert plan.changes[-1].action == "reload"
    assert any("--restart" in w for w in plan.warnings)
    plan = dj.step.plan(make_facts(text, info_json=live), opts(allow_restart=True))
    assert plan.changes[-1].action == "restart"


def test_plan_unreadable_file_refused():
    facts = make_facts("{}")
    facts.raw.pop("daemon.json")
    facts.daemon_json = Unknown("permission denied")
    with pytest.raises(Refused):
        dj.step.plan(facts, opts())


# --- pure helpers ---------------------------------------------------------------------------------


def test_changed_keys_and_needs_restart():
    before = {"a": 1, "registry-mirrors": [], "gone": 1}
    after = {"a": 1, "registry-mirrors": [MIRROR], "runtimes": {}}
    assert dj.changed_keys(before, after) == ["registry-mirrors", "runtimes", "gone"]
    assert not dj.needs_restart(["registry-mirrors", "runtimes", "default-runtime", "debug"])
    assert dj.needs_restart(["registry-mirrors", "data-root"])


def test_flag_conflicts_follow_moby():
    flags = {"host": ("fd://",), "http-proxy": ("http://p",), "add-runtime": ("x=/x",),
             "log-opt": ("max-size=1m",)}
    data = {"hosts": ["unix://"], "proxies": {"http-proxy": "http://q"},
            "runtimes": {"x": {"path": "/y"}}, "log-opts": {"max-size": "2m"}}
    got = {k for k, _, _ in dj.flag_conflicts(data, flags)}
    assert got == {"hosts", "http-proxy", "log-opts"}      # runtimes merge; proxies flatten


def test_verify():
    text = dj.merge(None, [MIRROR], RUNTIME, "nvidia")
    good = DockerInfo(server_version="24", runtimes=("nvidia", "runc"),
                      registry_mirrors=(MIRROR + "/",), default_runtime="nvidia")
    assert dj.verify(good, text) == []
    bad = DockerInfo(server_version="24", runtimes=("runc",), default_runtime="runc")
    assert len(dj.verify(bad, text)) == 3
    assert dj.verify(DockerInfo(), text) == ["Docker does not answer `docker info`"]


def test_plan_reports_an_undefined_default_runtime_with_the_fix():
    text = '{"default-runtime": "nvidia-legacy"}\n'
    plan = dj.step.plan(make_facts(text, runtime=None), opts())
    [warning] = [w for w in plan.warnings if "default runtime" in w]
    assert '"nvidia-legacy"' in warning and "--default-runtime nvidia" in warning


def test_plan_conflicts_are_the_judges():
    # --add-runtime beside "runtimes": dockerd merges them, so fix goes ahead
    flags = parse_dockerd_cmdline("/usr/bin/dockerd --add-runtime x=/x -H fd://")
    plan = dj.step.plan(make_facts("{}", flags=flags), opts())
    assert plan.changes
    # ... but an 18.06 dockerd stops on the same pair, so fix refuses and says why
    with pytest.raises(Refused) as err:
        dj.step.plan(make_facts("{}", flags=flags, version="18.06.3-ce"), opts())
    assert "runtimes" in str(err.value)
