"""Mirror presets, moby's mirror-URL rules, and the /v2/ probe against real HTTP servers on 127.0.0.1."""
from __future__ import annotations

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, Tuple

import pytest

from dldoctor.errors import UsageError
from dldoctor.host.live import LiveHost
from dldoctor import mirror_probe as mp
from dldoctor.provision import mirrors as m

from provision_fakes import MemoryHost, http


# --- the catalog ----------------------------------------------------------------------------------


def test_presets_are_the_six_from_the_catalog():
    assert m.PRESET_NAMES == ("aliyun", "tuna", "ustc", "huawei", "tencent", "azure")
    bases = {p.name: p.docker_apt_base for p in m.PRESETS}
    assert bases == {
        "aliyun": "https://mirrors.aliyun.com/docker-ce",
        "tuna": "https://mirrors.tuna.tsinghua.edu.cn/docker-ce",
        "ustc": "https://mirrors.ustc.edu.cn/docker-ce",
        "huawei": "https://mirrors.huaweicloud.com/docker-ce",
        "tencent": "https://mirrors.cloud.tencent.com/docker-ce",
        "azure": "https://mirror.azure.cn/docker-ce",
    }
    toolkit = {p.name: (p.nvidia_apt_base, p.nvidia_apt_verified) for p in m.PRESETS}
    assert toolkit["ustc"] == ("https://mirrors.ustc.edu.cn/libnvidia-container", True)
    assert toolkit["aliyun"] == ("https://mirrors.aliyun.com/libnvidia-container", False)
    assert all(toolkit[n] == (None, False) for n in ("tuna", "huawei", "tencent", "azure"))
    assert {p.name for p in m.PRESETS if not p.docker_apt_verified} == {"huawei", "tencent"}


def test_no_preset_writes_a_known_dead_registry_mirror():
    for p in m.PRESETS:
        for url in p.registry_mirrors:
            assert m.validate_mirror_url(url) is None
            assert m.known_dead(url) is None, url
    dead = {k.operator for k in m.KNOWN_REGISTRY_MIRRORS if k.status == "dead"}
    assert {"USTC", "SJTU"} <= dead
    assert "DEAD" in m.preset("ustc").registry_note


def test_unknown_preset_is_a_usage_error():
    with pytest.raises(UsageError, match="choose one of aliyun, tuna, ustc, huawei, tencent, azure"):
        m.resolve_presets(["ustc", "docker-cn"])
    assert [p.name for p in m.resolve_presets(["USTC", "ustc", "tuna"])] == ["ustc", "tuna"]


# --- moby's ValidateMirror ------------------------------------------------------------------------


@pytest.mark.parametrize("url, error", [
    ("https://docker.m.daocloud.io", None),
    ("https://docker.m.daocloud.io/", None),
    ("http://127.0.0.1:5000", None),
    ("https://abc123.mirror.aliyuncs.com", None),
    ("docker.m.daocloud.io", "no scheme specified"),
    ("127.0.0.1:5000", "no scheme specified"),
    ("://x", "no scheme specified"),
    ("ftp://mirror.example", "unsupported scheme 'ftp'"),
    ("https://mirror.example/?a=b", "query or fragment"),
    ("https://mirror.example#frag", "query or fragment"),
    ("https://user:secret@mirror.example", "username/password not allowed"),
    ("https://mirror.example/v2/", "path '/v2/'"),
    ("https://mirror.example:99999", "not a valid URI"),
    ("https://", "no host"),
    (" https://mirror.example", "whitespace"),
    ("", "empty URL"),
])
def test_validate_mirror_url(url, error):
    got = m.validate_mirror_url(url)
    if error is None:
        assert got is None
    else:
        assert got is not None and error in got
        assert "secret" not in got


# --- probe classification against real servers ---------------------------------------------------

REG = {"Docker-Distribution-Api-Version": "registry/2.0"}
BEHAVIOURS: Dict[str, Tuple[int, Dict[str, str], bytes, float]] = {
    "ok200": (200, dict(REG, **{"Content-Type": "application/json"}), b"{}", 0.0),
    "ok401": (401, dict(REG, **{"WWW-Authenticate": 'Bearer realm="https://auth.docker.io/token"'}),
              b'{"errors":[]}', 0.15),
    "notfound": (404, {"Content-Type": "text/plain"}, b"404 page not found", 0.0),
    "forbidden": (403, {}, b"", 0.0),
    "html": (200, {"Content-Type": "text/html"}, b"<!doctype html><title>nginx</title>", 0.0),
    "noheader": (200, {"Content-Type": "application/json"}, b"{}", 0.0),
    "wrongheader": (401, {"Docker-Distribution-Api-Version": "registry/1.0"}, b"", 0.0),
    "slow": (200, REG, b"{}", 3.0),
}


def _server(status: int, headers: Dict[str, str], body: bytes, delay: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            if delay:
                time.sleep(delay)
            if self.path != "/v2/":
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return srv


@pytest.fixture(scope="module")
def registries() -> Iterator[Dict[str, str]]:
    """name -> http://127.0.0.1:PORT, one real server per behaviour, plus a closed port."""
    servers = {name: _server(*spec) for name, spec in BEHAVIOURS.items()}
    urls = {name: "http://127.0.0.1:%d" % s.server_address[1] for name, s in servers.items()}
    closed = _server(200, {}, b"", 0.0)
    urls["closed"] = "http://127.0.0.1:%d" % closed.server_address[1]
    closed.shutdown()
    closed.server_close()
    yield urls
    for s in servers.values():
        s.shutdown()
        s.server_close()


@pytest.fixture
def live(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return LiveHost(root="/")


def test_probe_classifies_every_behaviour(registries, live):
    names = ["html", "ok401", "notfound", "ok200", "noheader", "forbidden", "wrongheader", "slow",
             "closed"]
    start = time.monotonic()
    probes = mp.probe(live, [registries[n] for n in names], timeout=1.0)
    wall = time.monotonic() - start
    by_url = {p.url: p for p in probes}
    got = {n: by_url[registries[n]] for n in names}
    # Alive: 200 or 401 with the registry header; fastest first.
    assert [p.url for p in probes[:2]] == [registries["ok200"], registries["ok401"]]
    assert got["ok200"].alive and got["ok200"].status == 200
    assert got["ok401"].alive and got["ok401"].status == 401
    assert got["ok200"].api_version == "registry/2.0"
    assert got["ok200"].latency < got["ok401"].latency
    # Dead, each with its reason.
    assert not got["notfound"].alive and "404" in got["notfound"].reason
    assert not got["forbidden"].alive and "403" in got["forbidden"].reason
    assert not got["html"].alive and "HTML page" in got["html"].reason
    assert not got["noheader"].alive and "without the Docker-Distribution-Api-Version" in got["noheader"].reason
    assert not got["wrongheader"].alive and "registry/1.0" in got["wrongheader"].reason
    assert not got["slow"].alive and got["slow"].status is None and "no answer" in got["slow"].reason
    assert not got["closed"].alive and "no answer" in got["closed"].reason
    assert [p.alive for p in probes] == [True, True] + [False] * 7
    # Concurrent: the 1 s timeout and the 0.15 s server did not add up.
    assert wall < 2.5


class _CountingHost(MemoryHost):
    """Answers every probe after `delay` seconds and records how many were in flight at once."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def http_get(self, url, timeout=5.0, headers=None):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.delay)
        with self.lock:
            self.now -= 1
        return http(url, 401, headers=REG, elapsed=self.delay)


@pytest.mark.parametrize("bound, expected_peak", [(2, 2), (8, 8)])
def test_probe_is_concurrent_and_bounded(monkeypatch, bound, expected_peak):
    monkeypatch.setattr(mp, "MAX_CONCURRENT_PROBES", bound)
    host = _CountingHost(0.2)
    urls = ["https://m%d.example" % i for i in range(6)]
    start = time.monotonic()
    probes = mp.probe(host, urls, timeout=1.0)
    wall = time.monotonic() - start
    assert all(p.alive for p in probes) and len(probes) == 6
    assert host.peak == expected_peak
    # two requests per mirror (/v2/ and the manifest), all in one bounded pool
    assert wall < 0.2 * (12 / expected_peak) + 0.35


def test_probe_dedupes_and_refuses_invalid_urls_without_a_request():
    host = MemoryHost(urls={"https://a.example/v2/": http("https://a.example/v2/", 200, headers=REG)})
    probes = mp.probe(host, ["https://a.example/", "https://a.example", "a.example", "https://b.example/x"])
    assert [(p.url, p.alive) for p in probes] == [
        ("https://a.example", True), ("a.example", False), ("https://b.example/x", False)]
    assert "no scheme" in probes[1].reason and "path" in probes[2].reason
    assert sorted(host.requests) == ["https://a.example/v2/",
                                     "https://a.example/v2/library/hello-world/manifests/latest"]


def test_classify_redirect_and_server_error():
    r = mp.classify("https://x", http("https://x/v2/", 302, headers={"Location": "https://y/v2/"}))
    assert not r.alive and "redirect to https://y/v2/" in r.reason
    assert "server error" in mp.classify("https://x", http("https://x/v2/", 502)).reason
    assert "rate limited" in mp.classify("https://x", http("https://x/v2/", 429)).reason


# --- candidates for fix ---------------------------------------------------------------------------


def test_aliyun_without_its_accelerator_says_so_and_goes_on():
    urls, notes = m.registry_mirror_candidates(["aliyun"], [])
    assert urls == []
    assert any("per account" in n and "--registry-mirror https://<your-id>.mirror.aliyuncs.com" in n
               for n in notes)
    urls, notes = m.registry_mirror_candidates(["aliyun"], ["https://abc.mirror.aliyuncs.com/"])
    assert urls == ["https://abc.mirror.aliyuncs.com"]
    assert not any("per account" in n for n in notes)
    assert m.NOTE_DOCKER_HUB_ONLY in notes
    assert "nvcr.io" in m.NOTE_DOCKER_HUB_ONLY


def test_candidates_order_and_dead_notes():
    urls, notes = m.registry_mirror_candidates(
        ["tencent", "ustc"], ["https://docker.m.daocloud.io", "https://docker.mirrors.ustc.edu.cn"])
    assert urls == ["https://docker.m.daocloud.io", "https://docker.mirrors.ustc.edu.cn",
                    "https://mirror.ccs.tencentyun.com"]
    assert any("docker.mirrors.ustc.edu.cn is known to be closed: USTC mirror" in n for n in notes)
    assert any(n.startswith("--mirror ustc: no Docker Hub mirror") for n in notes)


def test_choose_registry_mirrors_against_real_servers(registries, live):
    choice = m.choose_registry_mirrors(
        live, [], [registries["ok401"], registries["notfound"], registries["ok200"]], timeout=2.0)
    assert choice.live == (registries["ok200"], registries["ok401"])
    assert choice.refused == ((registries["notfound"], "404 Not Found: no registry API at /v2/"),)
    assert m.NOTE_DOCKER_HUB_ONLY in choice.notes


# --- dldoctor mirrors ------------------------------------------------------------------------------


def test_mirrors_listing_without_probe():
    from dldoctor.cli import mirrors as cli_mirrors

    data = cli_mirrors.collect(None)
    assert data["schema"] == "dldoctor.mirrors/1" and data["probed"] is False
    assert [p["name"] for p in data["presets"]] == list(m.PRESET_NAMES)
    ustc = {r["url"]: r for r in data["registry_mirrors"]}["https://docker.mirrors.ustc.edu.cn"]
    assert ustc["status"] == "dead" and ustc["probe"] is None
    json.dumps(data)


def test_mirrors_listing_probes_ranks_and_never_breaks_a_url():
    from rich.cells import cell_len
    from rich.console import Console

    from dldoctor.cli import mirrors as cli_mirrors

    dao, nju = "https://docker.m.daocloud.io", "https://docker.nju.edu.cn"
    man = "/v2/library/hello-world/manifests/latest"
    host = MemoryHost(urls={
        dao + "/v2/": http(dao + "/v2/", 401, headers=REG, elapsed=0.042),
        dao + man: http(dao + man, 403, b'{"errors":[{"code":"DENIED","message":"not in the '
                                             b'allowlist"}]}', headers=REG, elapsed=0.05),
        nju + "/v2/": http(nju + "/v2/", 200, headers=REG, elapsed=0.08),
        nju + man: http(nju + man, 200, b"{}", headers=REG, elapsed=0.09),
    })
    data = cli_mirrors.collect(host, timeout=1.0)
    rows = data["registry_mirrors"]
    by = {r["url"]: r for r in rows}
    # Ranked: live first (NJU), then restricted (DaoCloud), then the rest; closed ones last.
    assert [r["url"] for r in rows[:2]] == [nju, dao]
    assert (by[nju]["rank"], by[dao]["rank"]) == (1, 2)
    assert by[dao]["probe"]["state"] == "restricted" and by[dao]["probe"]["latency_ms"] == 42
    assert "not in the allowlist" in by[dao]["probe"]["reason"]
    assert by["https://mirror.ccs.tencentyun.com"]["probe"]["alive"] is False
    assert by["https://docker.mirrors.sjtug.sjtu.edu.cn"]["probe"] is None  # known dead
    assert rows[-1]["status"] == "dead"
    assert all(r["source"] and r["as_of"] for r in rows)       # data with source and date
    assert by[dao]["verified"] is True and by[nju]["verified"] is False
    assert data["auto"] == [nju, dao]
    probed = {u.split("/v2/")[0] for u in host.requests}
    assert probed == {dao, nju, "https://mirror.ccs.tencentyun.com"}
    assert sorted(host.requests) == sorted(u + p for u in probed for p in ("/v2/", man))
    for width in (80, 100):
        out = io.StringIO()
        cli_mirrors.render_human(data, Console(file=out, width=width, color_system=None))
        text = out.getvalue()
        lines = text.splitlines()
        assert all(cell_len(l) <= width for l in lines), [l for l in lines if cell_len(l) > width]
        urls = {r["url"] for r in rows} | {p["docker_apt_base"] for p in data["presets"]}
        for url in urls:                        # every URL whole, on one line
            assert any(url in l for l in lines), url
        assert "alive 80 ms" in text and "DEAD" in text and "restricted (42 ms)" in text


def test_wrap_breaks_chinese_between_characters_and_never_inside_a_url():
    from rich.cells import cell_len

    from dldoctor.cli.mirrors import wrap

    text = "请从阿里云控制台复制您的镜像加速器地址并传入 https://abc.mirror.aliyuncs.com 使用"
    lines = wrap(text, 34)
    assert len(lines) > 2 and all(cell_len(l) <= 34 for l in lines)
    assert any("https://abc.mirror.aliyuncs.com" in l for l in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap("x https://a-very-long-host.example.com/path", 10) == [
        "x", "https://a-very-long-host.example.com/path"]


def test_mirrors_command_json():
    from typer.testing import CliRunner

    from dldoctor.cli import app

    res = CliRunner().invoke(app, ["mirrors", "--no-probe", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["probed"] is False and len(data["presets"]) == 6
    res = CliRunner().invoke(app, ["mirrors", "--probe-timeout", "0"])
    assert res.exit_code == 2


def test_what_a_server_says_reaches_the_reason_without_control_characters():
    man = mp.MANIFEST_PATH
    u = "https://x.example"
    host = MemoryHost(urls={
        u + "/v2/": http(u + "/v2/", 200, b"{}", REG),
        u + man: http(u + man, 403, b'{"message":"denied\x1b[31m red\\u0007"}', REG),
    })
    [p] = mp.probe(host, [u])
    assert p.state == "restricted" and "denied" in p.reason
    assert all(c.isprintable() for c in p.reason)
    r = mp.classify(u, http(u + "/v2/", 302, headers={"Location": "https://y/\x1b[2J"}))
    assert all(c.isprintable() for c in r.reason)


def test_mirror_operators_in_zh_cn(monkeypatch):
    from rich.console import Console

    from dldoctor import i18n
    from dldoctor.cli import mirrors as cli_mirrors

    monkeypatch.setenv("DLDOCTOR_LANG", "zh_CN")
    i18n.reset()
    try:
        out = io.StringIO()
        cli_mirrors.render_human(cli_mirrors.collect(None), Console(file=out, width=200, color_system=None))
        text = out.getvalue()
        assert "南京大学" in text and "腾讯云" in text and "Nanjing University" not in text
        # the presets' names and the sources speak the same language as the candidates
        assert "aliyun  阿里云" in text and "tuna  清华大学 TUNA" in text, text
        assert "Alibaba Cloud" not in text and "Tsinghua University" not in text, text
        assert "用户教程（未能获取厂商页面）" in text and "was not retrieved" not in text, text
        assert "user guides" not in text, text
    finally:
        monkeypatch.delenv("DLDOCTOR_LANG")
        i18n.reset()


@pytest.mark.parametrize("lang", ["C", "zh_CN"])
def test_mirror_labels_line_up_by_display_width(monkeypatch, lang):
    """Every value starts in one column, whatever the label: a CJK character takes two cells
    ("docker-ce apt 源" is 16 cells wide, and was followed by one space where the others had
    three); in English the column is where it always was."""
    from rich.cells import cell_len

    from dldoctor import i18n
    from dldoctor.cli import mirrors as cli_mirrors

    monkeypatch.setenv("DLDOCTOR_LANG", lang)
    i18n.reset()
    try:
        labels = [i18n._(w) for w in ("docker-ce apt", "toolkit apt", "Docker Hub", "probe",
                                      "status", "operator", "source")]
        lines = cli_mirrors.render_lines(cli_mirrors.collect(None), width=100)
    finally:
        monkeypatch.delenv("DLDOCTOR_LANG")
        i18n.reset()
    starts = {}
    for line in lines:
        for label in labels:
            if line.startswith("    " + label + "  "):
                value = line[4 + len(label):]
                starts.setdefault(label, set()).add(
                    cell_len("    " + label) + len(value) - len(value.lstrip(" ")))
    assert sorted(starts) == sorted(labels), lines
    columns = set().union(*starts.values())
    assert len(columns) == 1, starts
    if lang == "C":
        assert columns == {4 + 16}


def test_mirrors_offline_says_nothing_answered_before_calling_every_candidate_dead():
    """Offline, every candidate was listed as dead with no word that the host had no network."""
    from dldoctor.cli import mirrors as cli_mirrors

    data = cli_mirrors.collect(MemoryHost(urls={}), timeout=1.0)
    assert data["offline_note"].startswith("no candidate answered (no answer: Name or service not "
                                           "known): this host may have no network"), data
    lines = cli_mirrors.render_lines(data, 100)
    assert "this host may have no network" in lines[0]          # first, before the listing
    nju = "https://docker.nju.edu.cn"
    host = MemoryHost(urls={nju + "/v2/": http(nju + "/v2/", 200, headers=REG, elapsed=0.08)})
    assert cli_mirrors.collect(host, timeout=1.0)["offline_note"] is None
