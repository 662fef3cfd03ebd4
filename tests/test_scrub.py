"""dldoctor.scrub: what is masked, what is kept, JSON stays JSON, terminals see no escapes."""
import json
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dldoctor.scrub import json_text, mask, mask_obj, terminal


@pytest.mark.parametrize("text, expected", [
    # URL userinfo, any scheme or none
    ("HTTPS_PROXY=user:pass@host:3128", "HTTPS_PROXY=user:***@host:3128"),
    ("https_proxy=http://bob:pass@host:8080/", "https_proxy=http://bob:***@host:8080/"),
    ("ALL_PROXY=socks5h://a:b@h:1080", "ALL_PROXY=socks5h://a:***@h:1080"),
    ("no_proxy=localhost,u:p@corp.example", "no_proxy=localhost,u:***@corp.example"),
    ("--registry-mirror=https://m:mp@mirror.x", "--registry-mirror=https://m:***@mirror.x"),
    ("deb http://u:p@mirror/ubuntu jammy main", "deb http://u:***@mirror/ubuntu jammy main"),
    ('Acquire::http::Proxy "http://ap:apw@h:3142";', 'Acquire::http::Proxy "http://ap:***@h:3142";'),
    ("https://ghp_token@github.com/x", "https://***@github.com/x"),
    ('Environment="HTTP_PROXY=http://a:b@h:3128"', 'Environment="HTTP_PROXY=http://a:***@h:3128"'),
    # a password with '@' is masked up to the last '@' before the host
    ("http_proxy=http://u:p@ss@w0rd@proxy:3128", "http_proxy=http://u:***@proxy:3128"),
    ("HTTPS_PROXY=u:p@ss@proxy:3128", "HTTPS_PROXY=u:***@proxy:3128"),
    # headers, tokens, keys at any depth
    ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
    ("curl -H 'Proxy-Authorization: Basic dXNlcjpw'", "curl -H 'Proxy-Authorization: Basic ***'"),
    ('{"a": {"b": [{"password": "x"}]}}', '{"a": {"b": [{"password": "***"}]}}'),
    ('{"auths": {"r": {"auth": "QUJD"}}}', '{"auths": {"r": {"auth": "***"}}}'),
    ('"IdentityToken": "tok"', '"IdentityToken": "***"'),
    ('"credsStore": "desktop"', '"credsStore": "***"'),
    ("?access_token=abc&x=1", "?access_token=***&x=1"),
    # kept: no password in sight
    ("user@example.com", "user@example.com"),
    ("git@github.com:org/repo", "git@github.com:org/repo"),
    ("nvidia/cuda@sha256:abcd", "nvidia/cuda@sha256:abcd"),
    ("nvidia/cuda:12.4.1-base@sha256:abcd", "nvidia/cuda:12.4.1-base@sha256:abcd"),
    ("https://registry-1.docker.io/v2/", "https://registry-1.docker.io/v2/"),
    ('"Authorization": null', '"Authorization": null'),
    # a password given on a command line (a pasted `docker login`)
    ("docker login -u bob -p Hunter2 reg.example", "docker login -u bob -p *** reg.example"),
    ("$ docker login -u bob -pHunter2 reg.example", "$ docker login -u bob -p*** reg.example"),
    ("docker login --password Hunter2 r", "docker login --password *** r"),
    ("docker login --password=Hunter2 r", "docker login --password=*** r"),
    ("mysql --password 'Hun ter2' -h db", "mysql --password '***' -h db"),
    ("docker login --password-stdin r", "docker login --password-stdin r"),
    ("docker run -p 8080:80 --gpus all img", "docker run -p 8080:80 --gpus all img"),
    # secret-named variables of a systemd drop-in or /etc/default/docker
    ('Environment="REGISTRY_PASS=s3cret"', 'Environment="REGISTRY_PASS=***"'),
    ("DOCKER_PASS: s3cret", "DOCKER_PASS: ***"),
    ('"private_key": "-----BEGIN"', '"private_key": "***"'),
    ("MINIO_SECRET_KEY=abc credentials=xyz", "MINIO_SECRET_KEY=*** credentials=***"),
    ("bypass=1 compass: north", "bypass=1 compass: north"),
    # short spellings of a password; the shell's working directory is none
    ('{"pw": "NestedPw852", "db_pw": "x"}', '{"pw": "***", "db_pw": "***"}'),
    ("PWD=/root pwr=1 npw=2", "PWD=/root pwr=1 npw=2"),
    ("db-pwd: a adminPwd=b dbpwd=c passcode=d creds=e", "db-pwd: *** adminPwd=*** dbpwd=*** passcode=*** creds=***"),
    # a credential helper's name is not a key: the error stays readable
    ('err: exec: "docker-credential-desktop": executable file not found in $PATH',
     'err: exec: "docker-credential-desktop": executable file not found in $PATH'),
    ("docker-credentials: abc", "docker-credentials: ***"),
    # nor a registry client's failure to fetch a token
    ("failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=x: 403",
     "failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=x: 403"),
    ("failed to fetch oauth token: unexpected status: 401 Unauthorized",
     "failed to fetch oauth token: unexpected status: 401 Unauthorized"),
    ("token: abc oauth_token=xyz", "token: *** oauth_token=***"),
    ("failed to fetch oauth token: unexpected status from POST request to https://ghcr.io/token: 401 Unauthorized",
     "failed to fetch oauth token: unexpected status from POST request to https://ghcr.io/token: 401 Unauthorized"),
    # ... while a token after those words is still one
    ("oauth token: gho_abcdef123", "oauth token: ***"),
    ("OAuth Token: ghp_xyz", "OAuth Token: ***"),
    ('{"oauth token": "hf_abc"}', '{"oauth token": "***"}'),
    ("anonymous token: eyJhbGciOi.x.y", "anonymous token: ***"),
    # Chinese key words and a full-width colon (what an input method types)
    ("账号 admin 密码：Harbor12345", "账号 admin 密码：***"),
    ("password：S3cr3t 口令=abc 令牌: t0k", "password：*** 口令=*** 令牌: ***"),
    ("获取令牌失败：unauthorized", "获取令牌失败：unauthorized"),
    # a key said in Chinese (AccessKey 密钥, its common misspelling 秘钥, a private key); a gpg
    # key ID before the colon stays
    ("AccessKey 密钥：Wq8dL2kP0zX9 秘钥=abc123 私钥: \"k3y\"",
     "AccessKey 密钥：*** 秘钥=*** 私钥: \"***\""),
    ("gpg: 密钥 DDCAE044F796ECB0：公钥已导入", "gpg: 密钥 DDCAE044F796ECB0：公钥已导入"),
    # credentials on command lines beyond --password and login -p
    ("curl -u admin:S3cr3t https://harbor.corp/v2/", "curl -u admin:*** https://harbor.corp/v2/"),
    ("skopeo copy --src-creds bob:S3cr3t docker://a", "skopeo copy --src-creds *** docker://a"),
    ("kubeadm join --token abcdef.0123456789 x", "kubeadm join --token *** x"),
    ("kubectl create secret --docker-password S3cr3t --x", "kubectl create secret --docker-password *** --x"),
    ("docker build --token-file f --password-stdin", "docker build --token-file f --password-stdin"),
    ("x509: certificate signed by unknown authority, bearer S3cr3tT0k", "x509: certificate signed by unknown authority, bearer ***"),
    ('Www-Authenticate: Bearer realm="https://auth.docker.io/token"', 'Www-Authenticate: Bearer realm="https://auth.docker.io/token"'),
    ("bearer authentication failed", "bearer authentication failed"),
    ("X-JFrog-Art-Api: AKCp8abc Cookie: session=abc", "X-JFrog-Art-Api: *** Cookie: ***"),
    # signed URLs and storage keys
    ("blob/data?se=2026-12-07&sig=S3cr3t%3D&sp=r", "blob/data?se=2026-12-07&sig=***&sp=r"),
    ("?X-Amz-Signature=abc123&x=1", "?X-Amz-Signature=***&x=1"),
    ("AccountName=a;AccountKey=S3cr3t==;EndpointSuffix=core", "AccountName=a;AccountKey=***;EndpointSuffix=core"),
    # JSON allows a line break around the colon
    ('"splunk-token"\n   : "S3cr3t", "x": 1', '"splunk-token"\n   : "***", "x": 1'),
    ('"splunk-token":\n   "S3cr3t"', '"splunk-token":\n   "***"'),
    ("az login --client-secret Xy9SECRETq1 --tenant t", "az login --client-secret *** --tenant t"),
    ("--docker-password Summertime --docker-server h", "--docker-password *** --docker-server h"),
    ("hf login --token abcdefghijklmnopqrstuvwx", "hf login --token ***"),
    ('curl -H "Accept: application/json;q=0.9" -u admin:S3cr3t https://h', 'curl -H "Accept: application/json;q=0.9" -u admin:*** https://h'),
    ('{"HttpHeaders": {"Cookie": "sid=S3cr3t"}}', '{"HttpHeaders": {"Cookie": "***"}}'),
    ('密码："S3cr3t"', '密码："***"'),
    ("密码: S3cr3t(Z2)x", "密码: ***"),
    ("Authorization header: Bearer abcdefghijABCDEFGHIJklmnop==", "Authorization header: Bearer ***"),
    # ... but the words of errors and prose around those triggers stay readable
    ("docker buildx build --secret id=npmrc,src=/root/.npmrc .", "docker buildx build --secret id=npmrc,src=/root/.npmrc ."),
    ("Caught signal sig=11 addr=0x7f (sig=9)", "Caught signal sig=11 addr=0x7f (sig=9)"),
    ("WWW-Authenticate: Bearer realm=https://harbor.corp/service/token,service=harbor",
     "WWW-Authenticate: Bearer realm=https://harbor.corp/service/token,service=harbor"),
    ("Cookie jar not found; Cookie: header omitted", "Cookie jar not found; Cookie: header omitted"),
    ("error: --token must be used with --server", "error: --token must be used with --server"),
    ("获取令牌：失败，连接 auth.docker.io 超时", "获取令牌：失败，连接 auth.docker.io 超时"),
    ("密码: 错误 (Harbor 登录失败)", "密码: 错误 (Harbor 登录失败)"),
    ("密码：Harbor12345，请重试", "密码：***，请重试"),
    ("curl http://x/ | grep -u foo:bar", "curl http://x/ | grep -u foo:bar"),
    # a token in its issuer's format, wherever it stands; identifiers sharing a prefix stay
    ("docker login -u bob --password-stdin <<< dckr_pat_Ab3dEfGh1jKlMnOpQrStUv", "docker login -u bob --password-stdin <<< dckr_pat_***"),
    ("git clone with ghp_Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789 failed", "git clone with ghp_*** failed"),
    ("令牌ghp_Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789，谢谢", "令牌ghp_***，谢谢"),
    ("hf_hub_download() used hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf", "hf_hub_download() used hf_***"),
    ("export key sk-proj-Ab3dEfGh1jKlMnOpQrStUv_wxYz0123456789-AbCd for scikit-learn sk-learn-extra-long-name-of-package",
     "export key sk-proj-*** for scikit-learn sk-learn-extra-long-name-of-package"),
    ("myimage:sk-Build2024-Release-Candidate", "myimage:sk-Build2024-Release-Candidate"),
    # after an escape: a JSON log line's \n, a colour, a URL's %3D
    ('{"log":"denied for\\nghp_Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789\\n"}', '{"log":"denied for\\nghp_***\\n"}'),
    ("<<< \x1b[1mghp_Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789\x1b[0m", "<<< \x1b[1mghp_***\x1b[0m"),
    ("?q=token%3Dghp_Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789&x=1", "?q=token%3Dghp_***&x=1"),
    ("curl 'https://maps.googleapis.com/x?key=AIzaSyA1234567890abcdefghijklmnopqrstuv&q=1'",
     "curl 'https://maps.googleapis.com/x?key=***&q=1'"),
    ("aws AKIAIOSFODNN7EXAMPLE / NGC nvapi-Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789abcdef",
     "aws *** / NGC nvapi-***"),
    ("POST https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/AbCdEfGhIjKlMnOpQrStUvWx",
     "POST https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/***"),
    ("xoxb-123456789012-1234567890123-AbCdEfGhIjKl glpat-Ab3dEfGh1jKlMnOpQrSt", "xoxb-*** glpat-***"),
    # a JSON signature member; a Chinese token word before an HTTP status is the status
    ('{"sig": "S3cr3tsig", "se": "2026"}', '{"sig": "***", "se": "2026"}'),
    ("获取令牌：401 Unauthorized", "获取令牌：401 Unauthorized"),
    ("用户 root 密码：520 登录失败", "用户 root 密码：*** 登录失败"),
    ('{"sig": 9, "event": "kill"} {"sig": "SIGKILL"}', '{"sig": 9, "event": "kill"} {"sig": "SIGKILL"}'),
    # every string of an "auths" block is a credential, whatever its key (the file may not parse)
    ('{"auths": {"harbor.corp": "SGFy", "r": {"auth": "QUJD"}}, "x": "keep"', '{"auths": {"harbor.corp": "***", "r": {"auth": "***"}}, "x": "keep"'),
])
def test_mask(text, expected):
    assert mask(text) == expected


def test_an_auths_block_that_never_closes_ends_at_a_line_no_deeper():
    """A daemon.json missing one brace after "auths" had every later value masked: the runtime,
    data-root and log driver the reader needs to find the error."""
    text = ('{\n  "auths": {"harbor.corp": {"auth": "QUJD"},\n  "default-runtime": "nvidia",\n'
            '  "data-root": "/data/docker"\n}\n')
    out = mask(text)
    assert '"auth": "***"' in out and '"default-runtime": "nvidia"' in out and '"/data/docker"' in out


@pytest.mark.parametrize("text", [
    '{\n"auths": {\n"harbor.corp": "YWRtaW46UzNjcjN0"\n},\n"data-root": "/data/docker",\n}\n',
    '{\n  "auths": {\n  "harbor.corp": "YWRtaW46UzNjcjN0"\n  },\n  "data-root": "/data/docker",\n}\n'])
def test_an_auths_block_whose_members_are_no_deeper_than_it_is_still_masked(text):
    """A broken file whose members sit at the "auths" line's depth: the block ends at its brace."""
    out = mask(text)
    assert "YWRtaW46UzNjcjN0" not in out and '"/data/docker"' in out, out


def test_fix_diff_hides_decoded_secrets_but_not_what_the_file_shows_elsewhere():
    from dldoctor.plans import FileWrite

    before = (b'{\n  "auths": {"h.corp": {"username": "nvidia", "password": "Pw12345"}, "x.io": "YWRt"},\n'
              b'  "default-runtime": "nvidia",\n  "runtimes": {"nvidia": {"path": "nvidia-container-runtime"}},\n'
              b'  "log-opts": {"splunk-token"\n    : "S3cr3tL1"}\n}\n')
    after = before.replace(b'{\n', b'{\n  "registry-mirrors": ["https://m"],\n', 1)
    diff = FileWrite("/etc/docker/daemon.json", before, after).diff()
    assert "Pw12345" not in diff and "YWRt" not in diff and "S3cr3tL1" not in diff
    assert '"default-runtime": "nvidia"' in diff and '"runtimes": {"nvidia"' in diff, diff


def test_bare_json_secret_becomes_a_string():
    assert json.loads(mask('{"password": 123456, "token": null}')) == {"password": "***", "token": None}


def test_mask_obj_masks_short_password_keys_but_not_the_working_directory():
    assert mask_obj({"pw": "a", "db_pwd": "b", "pwd_db": "c", "PWD": "/root"}) == {
        "pw": "***", "db_pwd": "***", "pwd_db": "***", "PWD": "/root"}
    # the same keys as the text masker (they disagreed: db-pwd, x-registry-auth, adminPwd)
    assert mask_obj({"db-pwd": "a", "adminPwd": "b", "x-registry-auth": "c", "creds": "d"}) == {
        "db-pwd": "***", "adminPwd": "***", "x-registry-auth": "***", "creds": "***"}


def test_mask_obj_masks_whole_secret_subtrees():
    data = {"auths": {"r": {"auth": "x", "email": "a@b"}}, "proxies": {"http-proxy": "http://u:p@h"},
            "n": 1}
    assert mask_obj(data) == {"auths": {"r": {"auth": "***", "email": "***"}},
                              "proxies": {"http-proxy": "http://u:***@h"}, "n": 1}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
        st.sampled_from(["password", "token", "auth", "auths", "Authorization", "url", "proxy",
                         "credsStore", "x"]) | st.text(max_size=8), kids, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([None, 2]))
@example({"Authorization": "\""}, None)                 # an escaped quote in a header's value
@example({"Authorization": "Bearer x\"y"}, 2)
@example({"Authorization": "}"}, 1)          # the header's escaped quote is no value (found by this test)
def test_masked_json_is_still_json(value, indent):
    json.loads(mask(json.dumps(value, indent=indent)))


@pytest.mark.parametrize("text, expected", [
    # a JSON document embedded in a string (a log line, a label, an environment variable)
    (r'msg="{\"password\": \"hunter2\"}"', r'msg="{\"password\": \"***\"}"'),
    (r'x \"auth\":\"dXNlcjpwYXNz\" y', r'x \"auth\":\"***\" y'),
    (r'{\"auths\":{\"r\":{\"auth\":\"QUJD\"}}}', r'{\"auths\":{\"r\":{\"auth\":\"***\"}}}'),
    (r'{\"password\": \"a\\\"b\\\\c\", \"u\": 1}', r'{\"password\": \"***\", \"u\": 1}'),
    (r'{\\\"token\\\": \\\"t0k\\\"}', r'{\\\"token\\\": \\\"***\\\"}'),  # embedded twice
    (r'{\"pin_password\": 1234}', r'{\"pin_password\": \"***\"}'),
    (r'{\"password\": null}', r'{\"password\": null}'),
    (r'{\"Authorization\": \"Bearer abc\", \"n\": 1}', r'{\"Authorization\": \"Bearer ***\", \"n\": 1}'),
    (r'{\"password\": \"cut off', r'{\"password\": \"***'),
    (r'msg="{\"password\": \"cut" next=1', r'msg="{\"password\": \"***" next=1'),
    (r'pass=a\b\c x', r'pass=*** x'),                       # a backslash in a bare value
    (r'\"cmd\": \"login password=abc\"', r'\"cmd\": \"login password=***\"'),
])
def test_mask_json_escaped(text, expected):
    assert mask(text) == expected


@settings(max_examples=200, deadline=None)
@given(json_values, st.integers(1, 2))
@example({"password": "a\"b\\"}, 1)
@example({"Authorization": "Bearer x\"y"}, 2)
@example({"Authorization": "}"}, 1)          # the header's escaped quote is no value (found by this test)
def test_masked_embedded_json_is_still_json(value, depth):
    text = json.dumps(value)
    for _ in range(depth):
        text = json.dumps(text)
    masked = mask(text)
    for _ in range(depth + 1):
        masked = json.loads(masked)
    if isinstance(value, dict) and isinstance(value.get("password"), str) and value["password"]:
        assert masked["password"] == "***"


@pytest.mark.parametrize("raw, shown", [
    ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),                                  # clear screen
    ("\x1b]8;;http://evil\x07link\x1b]8;;\x07", "\\x1b]8;;http://evil\\x07link\\x1b]8;;\\x07"),  # OSC 8
    ("\x1b]52;c;ZWNobyBoaQ==\x07", "\\x1b]52;c;ZWNobyBoaQ==\\x07"),          # OSC 52 clipboard
    ("\x9b31m", "\\x9b31m"),                                              # C1 CSI
    ("abc\u202edcba", "abc\\u202edcba"),                                   # BiDi override
    ("a\rb", "a\\x0db"),
    ("bad byte \udcff", "bad byte \\xff"),                                 # surrogateescape
    ("m\u200birror \ufeff\u00ad\u2060", "m\\u200birror \\ufeff\\xad\\u2060"),    # invisible
    ("tab\tand\nnewline", "tab\tand\nnewline"),
])
def test_terminal_shows_controls_escaped(raw, shown):
    assert terminal(raw) == shown


def test_json_text_is_valid_utf8_and_inert():
    dumped = json.dumps({"e": "x\udcff\x9b\u202e\x1b"}, ensure_ascii=False)
    out = json_text(dumped)
    out.encode("utf-8")  # no lone surrogate left
    assert json.loads(out) == {"e": "x\\xff\x9b\u202e\x1b"}
    assert "\x9b" not in out and "\u202e" not in out
    assert json_text(json.dumps({"m": "m\u200birror"}, ensure_ascii=False)) == '{"m": "m\\u200birror"}'


@pytest.mark.parametrize("fragment", ["a", "@", "a:", "x@", "password", "password:", "auth ",
                                      "login -", "login ", "--password ",
                                      "authorization:", "https://", "u:p@", "\"token\": \"", "=:@",
                                      '\\"token\\": \\"', "password=\\\\", '\\"password\\": \\"\\\\',
                                      "curl ", "curl -u a", "bearer ", "bearer a", "密码：", "密钥=", "--token ",
                                      '"token"\n', '"token":\n ', '{"auths": {', '{"auths": {:"a',
                                      '"auths":{"a":"', '"auths":{\n   ', ' -u a:b;"', '--client-secret ',
                                      "sk-", "sk-a", "sk-ab-", "ghp_", "ghp_a ", "hooks.slack.com/services/a/b/",
                                      '"sig": "', "令牌：401 "])
def test_mask_is_linear(fragment):
    """Masking 1 MB costs about 8 times 128 KB (quadratic would be 64 times)."""
    def cost(n):
        text = fragment * (n // len(fragment))
        t = time.perf_counter()
        mask(text)
        terminal(text)
        return time.perf_counter() - t

    small, big = min(cost(128 * 1024) for _ in range(3)), min(cost(1024 * 1024) for _ in range(2))
    assert big < max(small * 24, 0.05), (small, big)


def test_the_passwd_file_named_in_a_message_is_no_password():
    """"/etc/passwd: usermod adds only local users" was masked as a password's value."""
    from dldoctor.scrub import mask

    text = "alice is not in /etc/passwd: usermod adds only local users"
    assert mask(text) == text
    assert "hunter2" not in mask("passwd: hunter2") and "hunter2" not in mask("db_passwd=hunter2")
