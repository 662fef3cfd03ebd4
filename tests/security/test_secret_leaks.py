"""No secret leaves the host, for the three leaks an adversarial test found (docs/security.md):

- a registry mirror's userinfo quoted in "dockerd rejects this mirror" (check, --json, the
  snapshot's mirror-probe), where dockerd's wording keeps the user name, which may be a token;
- a token as a URL's user name with an empty password (`https://TOKEN:@packagecloud.io/...`,
  apt's packagecloud form), and a key=value rule that swallowed host and path when the token
  holds "secret" or "token";
- JSON string escapes (`\\u0040`, `"pass\\u0077ord"`) in daemon.json hiding a password or a
  secret-named key from the text-based scrubber.

Each test plants the secret where a user has it and reads what a user would share: the token's
text is absent, the host (and path) are still there."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dldoctor.daemon_judge import mirror_error
from dldoctor.mirror_urls import validate_mirror_url
from dldoctor import scrub
from dldoctor.scrub import mask

OS_RELEASE = 'ID=ubuntu\nVERSION_ID="22.04"\n'
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def dldoctor(*args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in PROXY_VARS and k not in ("DOCKER_HOST", "LANGUAGE", "LC_ALL",
                                                       "DLDOCTOR_LANG", "DLDOCTOR_DEBUG")}
    env.update({"LANG": "C", "NO_COLOR": "1", "DOCKER_HOST": "unix:///nonexistent/docker.sock",
                # the probe of Docker Hub goes to a closed local port: no network, no wait
                "DLDOCTOR_HUB_URL": "http://127.0.0.1:9"})
    return subprocess.run([sys.executable, "-m", "dldoctor"] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def make_root(tmp_path: Path, files: dict) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text(OS_RELEASE)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def snapshot_text(snap: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(snap.rglob("*")) if p.is_file())


# --- 2. the mirror-rejection message ---------------------------------------------------------

TOKEN = "ghp_abcXYZ123tokenleak"


def test_a_mirrors_token_is_in_no_rejection_message_table_json_or_snapshot(tmp_path):
    root = make_root(tmp_path, {"etc/docker/daemon.json": json.dumps(
        {"registry-mirrors": ["https://%s@mirror.example.com" % TOKEN]})})
    table = dldoctor("check", "--root", str(root), "--no-probe")
    as_json = dldoctor("check", "--json", "--root", str(root), "--no-probe")
    snap = tmp_path / "snap"
    # with the probe: the rejected mirror's reason is recorded in the snapshot's mirror-probe
    snapped = dldoctor("snapshot", "--root", str(root), "--timeout", "2", str(snap))
    assert snapped.returncode == 0, snapped.stderr
    json.loads(as_json.stdout)
    for name, text in (("check", table.stdout + table.stderr),
                       ("check --json", as_json.stdout + as_json.stderr),
                       ("snapshot", snapshot_text(snap))):
        assert TOKEN not in text, name
        assert "username/password not allowed in URI 'https://***@mirror.example.com'" in text, name
    probe = (snap / "mirror-probe").read_text()
    assert "https://***@mirror.example.com" in probe and TOKEN not in probe


def test_a_mirrors_user_name_is_not_quoted_by_the_rejection_either(tmp_path):
    root = make_root(tmp_path, {"etc/docker/daemon.json": json.dumps(
        {"registry-mirrors": ["https://svc-deploy-user:Pw0rdLeak@mirror.example.com:5000"]})})
    res = dldoctor("check", "--root", str(root), "--no-probe")
    reasons = [line for line in res.stdout.splitlines() if "dockerd rejects this mirror" in line]
    assert reasons and all("svc-deploy-user" not in r and "Pw0rdLeak" not in r for r in reasons)
    assert "'https://***@mirror.example.com:5000'" in reasons[0]
    assert "Pw0rdLeak" not in res.stdout + res.stderr


@pytest.mark.parametrize("url", [
    "https://%s@mirror.example.com" % TOKEN,
    "https://%s:@mirror.example.com" % TOKEN,
    "https://%s:x-oauth-basic@mirror.example.com" % TOKEN,
    "https://bob:%s@mirror.example.com" % TOKEN,
    "https://%s:pa/ss@mirror.example.com" % TOKEN,      # urlsplit sees a bad port in the userinfo
    "https://%s@mirror.example.com/?q=1" % TOKEN,       # rejected for its query first
])
def test_every_mirror_reason_hides_the_userinfo(url):
    assert validate_mirror_url(url)
    for why in (validate_mirror_url(url), mirror_error(url), mirror_error(url, (20, 10))):
        if why is not None:     # the judge lets a path through (`pa/ss@...` is one to urlsplit)
            assert TOKEN not in why and "***@mirror.example.com" in why, why


def test_fix_refuses_a_registry_mirror_with_a_token_without_quoting_it(tmp_path):
    root = make_root(tmp_path, {"etc/docker/daemon.json": "{}\n"})
    res = dldoctor("fix", "--dry-run", "--root", str(root), "--only", "daemon-json",
                   "--registry-mirror", "https://%s@mirror.example.com" % TOKEN)
    assert res.returncode == 2, res.stderr
    assert TOKEN not in res.stdout + res.stderr
    assert "https://***@mirror.example.com" in res.stderr


# --- 3. a token as the URL's user name --------------------------------------------------------

PKGCLOUD = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("text, expected", [
    ("deb https://%s:@packagecloud.io/acme/private/ubuntu/ jammy main" % PKGCLOUD,
     "deb https://***@packagecloud.io/acme/private/ubuntu/ jammy main"),
    ("deb https://%s@packagecloud.io/acme/private/ubuntu/ jammy main" % PKGCLOUD,
     "deb https://***@packagecloud.io/acme/private/ubuntu/ jammy main"),
    # a token holding "secret" / "token": the key=value rule no longer swallows host and path
    ("deb [signed-by=/x] http://SECRETC2TOKEN:@apt2.example/ubuntu jammy main",
     "deb [signed-by=/x] http://***@apt2.example/ubuntu jammy main"),
    ("https://mytoken:Pw9@git.example/org/repo.git", "https://mytoken:***@git.example/org/repo.git"),
    ("HTTPS_PROXY=secretuser:Pw9@proxy:3128", "HTTPS_PROXY=secretuser:***@proxy:3128"),
    ("HTTPS_PROXY=%s:@proxy:3128" % PKGCLOUD, "HTTPS_PROXY=***@proxy:3128"),
    # GitHub's token:x-oauth-basic, and a user name in a token format with a password
    ("https://ghp_Tok3n:x-oauth-basic@github.com/o/r", "https://***@github.com/o/r"),
    ("https://glpat-Tok3n:anything@gitlab.com/o/r", "https://***@gitlab.com/o/r"),
    # kept as they were: a user name with a real password, e-mail, user@host, digests
    ("http://bob:hunter2@proxy:3128", "http://bob:***@proxy:3128"),
    ("git clone https://oauth2:glpat-xyz@gitlab.com/a/b", "git clone https://oauth2:***@gitlab.com/a/b"),
    ("mail bob@example.com", "mail bob@example.com"),
    ("nvidia/cuda@sha256:abcd", "nvidia/cuda@sha256:abcd"),
])
def test_a_token_as_user_name_is_masked_and_the_line_still_replays(text, expected):
    assert mask(text) == expected


def test_packagecloud_token_is_not_in_the_snapshot_and_the_source_line_is_whole(tmp_path):
    root = make_root(tmp_path, {
        "etc/apt/sources.list":
            "deb https://%s:@packagecloud.io/acme/private/ubuntu/ jammy main\n" % PKGCLOUD,
        "etc/apt/sources.list.d/other.list":
            "deb [signed-by=/x] http://SECRETC2TOKEN:@apt2.example/ubuntu jammy main\n"})
    snap = tmp_path / "snap"
    res = dldoctor("snapshot", "--root", str(root), "--no-probe", str(snap))
    assert res.returncode == 0, res.stderr
    text = snapshot_text(snap)
    assert PKGCLOUD not in text and "SECRETC2TOKEN" not in text
    assert "deb https://***@packagecloud.io/acme/private/ubuntu/ jammy main" in text
    assert "http://***@apt2.example/ubuntu jammy main" in text


def test_explain_of_an_apt_401_does_not_print_the_token():
    res = dldoctor("explain", "--no-host",
                   "E: Failed to fetch https://%s:@packagecloud.io/acme/private/ubuntu/dists/jammy/"
                   "InRelease  401  Unauthorized" % PKGCLOUD)
    out = res.stdout + res.stderr
    assert PKGCLOUD not in out
    assert "https://***@packagecloud.io/acme/private/ubuntu/dists/jammy/InRelease" in out


def test_a_token_in_its_issuers_format_is_masked_where_no_key_names_it():
    """A pasted `echo TOKEN | docker login --password-stdin` names no key, flag or URL userinfo;
    the token's own format (GitHub's ghp_, Docker Hub's dckr_pat_) is what tells."""
    ghp, dckr = "ghp_" + "Ab3dEfGh1jKlMnOp" * 2 + "QrSt", "dckr_pat_" + "Ab3dEfGh1jKlMnOpQr"
    paste = ("$ echo %s | docker login ghcr.io -u bob --password-stdin\n"
             "$ docker login -u bob --password-stdin <<< %s\n"
             'Error response from daemon: Get "https://ghcr.io/v2/": denied: denied' % (ghp, dckr))
    for flags in ([], ["--json"]):
        res = dldoctor("explain", "--no-host", *flags, paste)
        out = res.stdout + res.stderr
        assert ghp[4:] not in out and dckr[9:] not in out
        assert "echo ghp_*** | docker login" in out


# --- 4. JSON escapes in daemon.json ------------------------------------------------------------

ESCAPED = ('{"proxies": {"http-proxy": "http://bob:HunterPw2\\u0040proxy.corp:3128", '
           '"https-proxy": "http:\\/\\/bob:HunterPw3\\u0040proxy.corp:3128"}, '
           '"pass\\u0077ord": "SECRETE4", "\\u0061uths": {"\\u0061uth": "SECRETE3"}, '
           '"labels": ["cfg={\\"proxy\\": \\"http://bob:HunterPw5\\\\u0040p.corp\\"}"]}\n')
PLANTED = ("HunterPw2", "HunterPw3", "SECRETE4", "SECRETE3", "HunterPw5")


def test_escaped_secrets_in_daemon_json_are_masked_in_the_snapshot(tmp_path):
    root = make_root(tmp_path, {"etc/docker/daemon.json": ESCAPED})
    snap = tmp_path / "snap"
    res = dldoctor("snapshot", "--root", str(root), "--no-probe", str(snap))
    assert res.returncode == 0, res.stderr
    recorded = (snap / "daemon.json").read_text()
    assert [s for s in PLANTED if s in recorded] == []
    data = json.loads(recorded)                  # still JSON, still the same settings
    assert data["proxies"]["http-proxy"] == "http://bob:***@proxy.corp:3128"
    assert set(data) == {"proxies", "password", "auths", "labels"}
    # and the snapshot replays: its check shows none of them either
    replay = dldoctor("check", "-v", "--snapshot", str(snap))
    assert [s for s in PLANTED if s in replay.stdout + replay.stderr] == []


def test_an_invalid_daemon_json_with_escapes_stays_in_the_snapshot_masked(tmp_path):
    broken = '{"proxies": {"http-proxy": "http://bob:HunterPw2\\u0040proxy.corp:3128",}}\n'
    root = make_root(tmp_path, {"etc/docker/daemon.json": broken})
    check = dldoctor("check", "--root", str(root), "--no-probe")
    assert "HunterPw2" not in check.stdout + check.stderr       # the parse-error quote
    assert "bob:***@proxy.corp:3128" in check.stdout
    snap = tmp_path / "snap"
    res = dldoctor("snapshot", "--root", str(root), "--no-probe", str(snap))
    assert res.returncode == 0, res.stderr
    recorded = (snap / "daemon.json").read_text()
    assert "HunterPw2" not in recorded
    assert recorded == '{"proxies": {"http-proxy": "http://bob:***@proxy.corp:3128",}}\n'


def test_mask_json_keeps_a_clean_file_as_written():
    text = '{\n    "log-driver": "json-file",\n    "dup": 1,\n    "dup": 2.50,\n    "x": "\\u00e9"\n}\n'
    assert scrub.mask_json(text) == text
    deep = "[" * 100000 + "]" * 100000
    assert scrub.mask_json(deep) == deep


def test_mask_json_writes_back_what_the_text_pass_misses_members_and_numbers_kept():
    # an escape two levels down (a JSON document in a label) is beyond the text pass
    text = ('{"labels": ["cfg={\\"proxy\\": \\"http://bob:HunterPw5\\\\u0040p.corp\\"}"], '
            '"dup": 1, "dup": 2.50, "n": 1e400}')
    out = scrub.mask_json(text)
    assert "HunterPw5" not in out
    assert '"dup": 1,' in out and '"dup": 2.50,' in out and '"n": 1e400' in out
    assert json.loads(json.loads(out)["labels"][0].split("=", 1)[1]) == {"proxy": "http://bob:***@p.corp"}


@pytest.mark.parametrize("text,secret", [
    ("http://bob:it'sHUNTER7@proxy.corp:3128", "HUNTER7"),
    ("deb http://bob:it'sHUNTER8@mirror.corp/ubuntu jammy main", "HUNTER8"),
    ("lookup http://bob:it'sHUNTER10@proxy.corp:3128: no such host", "HUNTER10"),
    ('{"http-proxy": "http://bob:it\'sHUNTER11@proxy.corp:3128"}', "HUNTER11"),
])
def test_a_password_holding_a_quote_is_masked(text, secret):
    """`'` is a legal sub-delimiter of a URL's userinfo (curl, apt and dockerd take it)."""
    from dldoctor.scrub import mask

    out = mask(text)
    assert secret not in out and "bob:***@" in out and ".corp" in out, out


def test_a_password_with_a_blank_in_a_quoted_apt_uri_is_masked(tmp_path):
    """apt takes `deb "URI" suite component`, and then the password may hold blanks."""
    line = 'deb [signed-by=/k.gpg] "https://bob:HUNTER 12@mirror.corp/ubuntu" jammy main\n'
    root = make_root(tmp_path, {"etc/apt/sources.list.d/corp.list": line})
    snap = tmp_path / "snap"
    res = dldoctor("snapshot", "--root", str(root), "--no-probe", str(snap))
    assert res.returncode == 0, res.stderr
    recorded = "".join(p.read_text(errors="replace") for p in snap.rglob("*") if p.is_file())
    assert "HUNTER" not in recorded and "bob:***@mirror.corp" in recorded


def test_no_request_follows_a_redirect_to_the_cloud_metadata_service():
    """A hostile mirror answers /v2/ with a redirect to the VM's credentials endpoint: dldoctor,
    as root, fetched it (and a token realm's answer goes back to the registry). The redirect is
    refused before any connection is made; an ordinary redirect is still followed."""
    import http.server
    import threading

    from dldoctor.host.live import http_get_bounded

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path == "/ok":
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
                return
            self.send_response(302)
            self.send_header("Location", "/ok" if self.path == "/local" else
                             "http://169.254.169.254/latest/meta-data/iam/security-credentials/r")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % server.server_address[1]
    try:
        resp = http_get_bounded(base + "/v2/", timeout=3)
        assert resp.status is None and "cloud metadata address refused" in (resp.error or ""), resp
        assert resp.elapsed < 2       # refused, not a connection attempt left to time out
        ok = http_get_bounded(base + "/local", timeout=3)
        assert ok.status == 200 and ok.body == b"{}"
    finally:
        server.shutdown()
        server.server_close()
