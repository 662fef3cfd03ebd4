"""fix when apt cannot reach a repository (offline, or nvidia.github.io blocked): what a user trial
found is that `apt-get update` only warns and exits 0, the install then fails with nothing but
"E: Unable to locate package nvidia-container-toolkit", which `dldoctor explain` reads as a missing
repository and sends back to `fix --only apt-repos`. fix's failure now names the hosts apt could not
fetch from, why, and the ways around them. Real CLI runs on a --root with a fake apt-get, chrooted
(the root of test_undo_after_failures)."""
from __future__ import annotations

import os
from pathlib import Path

from test_undo_after_failures import TOOLKIT, cli, root  # noqa: F401 (root: the fixture)

# `update` prints what apt prints when it cannot fetch a source (the root's /update.out, read by
# the shell: busybox there has no applets, no cat) and exits 0; `install` then cannot locate the
# package, as apt says.
APT_GET = """#!/bin/sh
echo "apt-get $*" >> /apt.log
if [ "$1" = update ]; then
  while IFS= read -r line; do printf '%s\n' "$line"; done < /update.out; exit 0
fi
for a in "$@"; do last=$a; done
echo "Reading package lists..."
echo "E: Unable to locate package $last" >&2
exit 100
"""

UPDATE_EN = """Hit:1 http://deb.debian.org/debian bookworm InRelease
Err:2 https://nvidia.github.io/libnvidia-container/stable/deb/amd64  InRelease
  Temporary failure resolving 'nvidia.github.io'
Err:3 https://download.docker.com/linux/debian bookworm InRelease
  Could not connect to proxy http://bob:s3cretpw@proxy.corp:3128
Reading package lists...
W: Failed to fetch https://nvidia.github.io/libnvidia-container/stable/deb/amd64/InRelease  Temporary failure resolving 'nvidia.github.io'
W: Failed to fetch https://download.docker.com/linux/debian/dists/bookworm/InRelease  Could not connect to proxy http://bob:s3cretpw@proxy.corp:3128
W: Some index files failed to download. They have been ignored, or old ones used instead.
"""

# zh_CN apt: the same warning, translated (no Err: lines quoted)
UPDATE_ZH = """命中:1 http://deb.debian.org/debian bookworm InRelease
正在读取软件包列表...
W: 无法下载 https://nvidia.github.io/libnvidia-container/stable/deb/amd64/InRelease  暂时不能解析域名“nvidia.github.io”
W: 部分索引文件下载失败。如果忽略它们，那将转而使用旧的索引文件。
"""


def fix_install_fails(root: str, update_out: str) -> str:
    """`fix --yes --only packages` with apt-get update printing `update_out`: what the user reads."""
    Path(root, "bin", "apt-get").write_text(APT_GET)
    os.chmod(os.path.join(root, "bin", "apt-get"), 0o755)
    Path(root, "update.out").write_text(update_out, encoding="utf-8")
    r = cli("fix", "--root", root, "--yes", "--only", "packages")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Unable to locate package %s" % TOOLKIT in r.stderr, r.stderr
    return r.stderr


def test_a_failed_install_names_the_hosts_apt_get_update_could_not_fetch_from(root):
    err = fix_install_fails(root, UPDATE_EN)
    assert "apt-get update in this run could not fetch from these hosts" in err, err
    lines = [ln.strip() for ln in err.splitlines()]
    # one line per host, with apt's reason (Err:'s own, fuller than the W: line's)
    assert "nvidia.github.io: Temporary failure resolving 'nvidia.github.io'" in lines, err
    assert "download.docker.com: Could not connect to proxy http://bob:***@proxy.corp:3128" in lines, err
    assert "s3cretpw" not in err, err
    assert len([ln for ln in lines if ln.startswith("nvidia.github.io:")]) == 1, err
    # the way out is a mirror or a base or a proxy, not apt-repos again
    assert "--mirror ustc or --mirror aliyun" in err and "--nvidia-apt-base URL" in err, err
    assert "Acquire::https::Proxy" in err, err


def test_zh_cn_apt_warnings_are_read_too(root):
    err = fix_install_fails(root, UPDATE_ZH)
    lines = [ln.strip() for ln in err.splitlines()]
    assert "nvidia.github.io: 暂时不能解析域名“nvidia.github.io”" in lines, err
    assert not [ln for ln in lines if ln.startswith("W:")], err     # not the index-files warning


def test_an_update_that_fetched_everything_adds_nothing(root):
    err = fix_install_fails(root, "Hit:1 https://nvidia.github.io/libnvidia-container/stable/deb/"
                                  "amd64  InRelease\nReading package lists...\n")
    assert "could not fetch" not in err and "--mirror" not in err, err
