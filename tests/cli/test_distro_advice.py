"""ux10 F4: on dnf, zypper, pacman and unknown hosts `check` advised apt commands and `dldoctor fix`,
which manages Debian and Ubuntu only. Each finding's fix is now the host's own way (problem IDs
unchanged)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
RELEASES = DATA / "fixtures" / "os-release"
FOOOS = 'NAME="FooOS"\nID=fooos\nVERSION_ID="3.1"\nPRETTY_NAME="FooOS 3.1 (Kestrel)"\n'
APT_WORDS = ("apt-get", "ubuntu-drivers", "apt repository", "nvidia-driver-<branch>", "nvidia-dkms-")


def run(*args, env=None):
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent.sock", LANG="C", **(env or {}))
    env.pop("LANGUAGE", None)
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def findings(root: Path, os_release: str, *only: str) -> dict:
    """check --root on a host whose only file is its os-release: no driver, no toolkit."""
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc/os-release").write_text(os_release)
    args = [a for name in only for a in ("--only", name)]
    res = run("check", "--root", str(root), "--no-probe", "--json", *args)
    assert res.returncode in (0, 1), res.stderr
    return {f["problem"] or f["check"]: f for f in json.loads(res.stdout)["findings"]}


def release(name: str) -> str:
    return (RELEASES / name).read_text()


@pytest.mark.parametrize("name, text, driver, toolkit", [
    ("rocky-9.3", None,
     ["https://developer.download.nvidia.com/compute/cuda/repos/rhel9/x86_64/cuda-rhel9.repo",
      "dnf module enable -y nvidia-driver:open-dkms && sudo dnf install -y nvidia-open"],
     ["curl -s -L https://nvidia.github.io/libnvidia-container/stable/rpm/nvidia-container-toolkit.repo | "
      "sudo tee /etc/yum.repos.d/nvidia-container-toolkit.repo", "dnf install -y nvidia-container-toolkit"]),
    ("rhel-10.0", None, ["cuda-rhel10.repo && sudo dnf install -y nvidia-open"],
     ["dnf install -y nvidia-container-toolkit"]),
    ("fedora-42", None, ["cuda-fedora42.repo", "akmod-nvidia"], ["dnf install -y nvidia-container-toolkit"]),
    ("amazon-linux-2023", None, ["cuda-amzn2023.repo", "nvidia-driver:open-dkms"],
     ["dnf install -y nvidia-container-toolkit"]),
    ("opensuse-leap-15.4", None, ["compute/cuda/repos/opensuse15/"],
     ["zypper ar https://nvidia.github.io/libnvidia-container/stable/rpm/nvidia-container-toolkit.repo",
      "zypper --gpg-auto-import-keys install -y nvidia-container-toolkit"]),
    ("arch", None, ["pacman -S nvidia-open"], ["pacman -S nvidia-container-toolkit"]),
    ("manjaro", None, ["pacman -S nvidia-open"], ["pacman -S nvidia-container-toolkit"]),
    ("FooOS", FOOOS, ["Install NVIDIA's driver the way your distribution does"],
     ["Install the NVIDIA Container Toolkit the way your distribution does"]),
], ids=lambda v: v if isinstance(v, str) and "\n" not in v else "")
def test_a_host_without_apt_gets_its_own_install_commands(tmp_path, name, text, driver, toolkit):
    found = findings(tmp_path, text or release(name), "nvidia-driver", "nvidia-toolkit")
    d, t = found["driver.missing"]["fix"], found["toolkit.missing"]["fix"]
    # (a root without sudo is told the commands without it)
    for want in driver:
        assert want.replace("sudo ", "") in d.replace("sudo ", ""), d
    for want in toolkit + ["nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker"]:
        assert want.replace("sudo ", "") in t.replace("sudo ", ""), t
    for fix in (d, t):
        assert not any(w in fix for w in APT_WORDS), fix
        assert fix.endswith("dldoctor fix only manages Debian and Ubuntu."), fix


def test_ubuntu_keeps_the_apt_advice_and_fix(tmp_path):
    found = findings(tmp_path, release("ubuntu-22.04"), "nvidia-driver", "nvidia-toolkit")
    assert "ubuntu-drivers install" in found["driver.missing"]["fix"]
    assert "dldoctor fix" in found["toolkit.missing"]["fix"] and "apt" in found["toolkit.missing"]["fix"]


def test_a_module_that_is_not_loaded_on_rocky_is_rebuilt_the_dnf_way(tmp_path):
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "os-release").write_text(release("rocky-9.3"))
    (snap / "nvidia-smi").write_text("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
                                     "driver. Make sure that the latest NVIDIA driver is installed and running.\n")
    (snap / "nvidia-smi.exit").write_text("9\n")
    res = run("check", "--snapshot", str(snap), "--json", "--only", "nvidia-driver")
    (f,) = json.loads(res.stdout)["findings"]
    assert f["problem"] == "driver.not-loaded", f
    assert "dnf install kernel-devel-$(uname -r)" in f["fix"] and "apt-get" not in f["fix"], f


def test_an_unknown_distribution_is_a_warning_not_a_green_tick(tmp_path):
    os_ = findings(tmp_path, FOOOS, "os")["os.unsupported"]
    assert os_["status"] == "warn" and "FooOS 3.1 (Kestrel)" in os_["detail"], os_
    assert "dldoctor fix only manages Debian and Ubuntu" in os_["fix"]


@pytest.mark.parametrize("name", ["rocky-9.3", "opensuse-leap-15.4", "arch", "manjaro", "amazon-linux-2023"])
def test_known_families_without_apt_stay_ok(tmp_path, name):
    assert findings(tmp_path, release(name), "os")["os"]["status"] == "ok"


def test_a_host_without_os_release_says_the_file_is_missing(tmp_path):
    """A missing file is recorded like `cat` answers (exit 1, no text): the os line says the file is
    not there, not that it was "not collected"."""
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "os-release").write_text("")
    (snap / "os-release.exit").write_text("1\n")
    res = run("check", "--snapshot", str(snap), "--json", "--only", "os")
    (f,) = json.loads(res.stdout)["findings"]
    assert f["status"] == "skip" and "no /etc/os-release" in f["detail"], f


def test_a_root_without_os_release_says_the_file_is_missing(tmp_path):
    """The same on a live root: LiveHost records the missing file as `cat` would, so a snapshot of
    it says the same too."""
    (tmp_path / "root" / "etc").mkdir(parents=True)
    res = run("check", "--root", str(tmp_path / "root"), "--json", "--only", "os", "--no-probe")
    (f,) = json.loads(res.stdout)["findings"]
    assert f["status"] == "skip" and "no /etc/os-release" in f["detail"], f
    res = run("snapshot", str(tmp_path / "snap"), "--root", str(tmp_path / "root"), "--no-probe")
    assert res.returncode == 0, res.stderr
    res = run("check", "--snapshot", str(tmp_path / "snap"), "--json", "--only", "os")
    (f,) = json.loads(res.stdout)["findings"]
    assert "no /etc/os-release" in f["detail"], f


def test_fix_on_rocky_says_its_apt_steps_do_not_apply_and_how_to_leave_them_out(tmp_path):
    """ux10: the packages step said "cannot tell which packages are installed (not collected
    (packages))" and both apt steps "correct that and run fix again", for what cannot be corrected."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text(release("rocky-9.3"))
    res = run("fix", "--root", str(tmp_path), "--dry-run", "--no-probe", "--json")
    assert res.returncode == 1, res.stderr
    plans = {p["step"]: p for p in json.loads(res.stdout)["plan"]}
    for step in ("apt-repos", "packages"):
        blocked = plans[step]["blocked"]
        assert "is not Debian or Ubuntu" in json.dumps(blocked), blocked
        assert "--skip apt-repos --skip packages" in json.dumps(blocked), blocked
        assert "not collected" not in json.dumps(blocked) and "correct that" not in json.dumps(blocked)


def test_explain_on_rocky_gives_the_dnf_way_for_the_error_it_reads(tmp_path):
    """ux10: `explain --root <Rocky>` of "driver not loaded" answered with apt-get's nvidia-dkms."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text(release("rocky-9.3"))
    res = run("explain", "--root", str(tmp_path), "--json",
              "nvidia-container-cli: initialization error: nvml error: driver not loaded")
    first = json.loads(res.stdout)["findings"][0]
    assert first["problem"] == "driver.not-loaded", first
    assert "dnf install kernel-devel" in first["fix"] and "apt-get" not in first["fix"], first


def test_in_chinese_the_not_managed_sentence_follows_the_fix_without_a_blank(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text(release("rocky-9.3"))
    res = run("check", "--root", str(tmp_path), "--no-probe", "--json", "--only", "nvidia-toolkit",
              env={"DLDOCTOR_LANG": "zh_CN"})
    fixes = [f["fix"] for f in json.loads(res.stdout)["findings"] if f["fix"]]
    assert any(f.endswith("。dldoctor fix 只管理 Debian 和 Ubuntu。") for f in fixes), fixes
