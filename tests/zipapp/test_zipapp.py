"""dist/dldoctor.pyz on a bare host: the same report as the installed package, on Python 3.8 and
3.13 in isolated mode (no venv, no site-packages), in English and Chinese, with the findings pages
inside; Python < 3.8 gets one sentence and exit 2."""
import json
import subprocess
import sys
import zipfile

import pytest

from pyzlib import REPO, clean_env, find_python, pyz  # noqa: F401  (pyz is a fixture)

CASES = REPO / "tests" / "data" / "cases"
# A flag conflict, a TOML toolkit config, a dead mirror, a hook installed after dockerd started.
SOME_CASES = ["dev-005", "dev-004", "dev-011", "dev-018"]
PYTHONS = [8, 13]


def run_pyz(python, pyz_path, *args, env=None):
    return subprocess.run([python, "-I", str(pyz_path), *args], capture_output=True, text=True,
                          env=env or clean_env(), timeout=120)


def run_venv(*args):
    return subprocess.run([sys.executable, "-m", "dldoctor", *args], capture_output=True, text=True,
                          env=clean_env(), timeout=120)


def python_or_skip(minor):
    py = find_python(minor)
    if py is None:
        pytest.skip("no Python 3.%d on this machine" % minor)
    return py


@pytest.mark.parametrize("minor", PYTHONS)
def test_same_report_as_the_installed_package(pyz, minor):
    py = python_or_skip(minor)
    for case in SOME_CASES:
        args = ("check", "--snapshot", str(CASES / case), "--json")
        want = run_venv(*args)
        got = run_pyz(py, pyz, *args)
        assert got.returncode == want.returncode, (case, got.stderr)
        assert want.returncode == 1  # every one of these cases has a failing finding
        assert json.loads(got.stdout) == json.loads(want.stdout), case
        assert got.stderr == ""


@pytest.mark.parametrize("minor", PYTHONS)
def test_chinese_from_the_zip(pyz, minor):
    py = python_or_skip(minor)
    case = str(CASES / "dev-018")
    zh = run_pyz(py, pyz, "check", "--snapshot", case, env=clean_env(DLDOCTOR_LANG="zh_CN"))
    en = run_pyz(py, pyz, "check", "--snapshot", case)
    assert zh.returncode == en.returncode == 1
    assert "GPU 与驱动" in zh.stdout and "GPU and driver" in en.stdout
    assert zh.stdout != en.stdout


def test_docs_page_from_the_zip(pyz):
    py = python_or_skip(8)
    res = run_pyz(py, pyz, "docs", "toolkit.daemon-not-restarted")
    assert res.returncode == 0, res.stderr
    assert res.stdout == (REPO / "docs" / "findings" / "toolkit.daemon-not-restarted.md").read_text()


def test_docs_page_in_chinese_from_the_zip(pyz):
    py = python_or_skip(8)
    res = run_pyz(py, pyz, "docs", "driver.nouveau", env=clean_env(DLDOCTOR_LANG="zh_CN"))
    assert res.returncode == 0, res.stderr
    assert res.stdout.partition("\n\n")[2] == (REPO / "docs" / "findings" / "zh_CN" / "driver.nouveau.md").read_text(encoding="utf-8")


def test_zip_holds_every_page_and_pure_python_only(pyz):
    names = zipfile.ZipFile(str(pyz)).namelist()
    pages = {"dldoctor/findings/" + p.relative_to(REPO / "docs" / "findings").as_posix()
             for p in (REPO / "docs" / "findings").glob("**/*.md")}
    assert any("/zh_CN/" in p for p in pages) and pages <= set(names), sorted(pages - set(names))
    assert "dldoctor/locale/zh_CN.json" in names
    assert "tomli/__init__.py" in names  # 3.8 .. 3.10 have no tomllib
    assert not [n for n in names if n.endswith((".so", ".pyd"))]
    assert "__main__.py" in names


@pytest.mark.parametrize("minor", [6, 7])
def test_old_python_gets_one_sentence(pyz, minor):
    py = python_or_skip(minor)
    res = run_pyz(py, pyz, "check")
    assert res.returncode == 2
    assert res.stderr.startswith("dldoctor: dldoctor needs Python 3.8 or newer")
    assert "Traceback" not in res.stderr and res.stdout == ""


@pytest.mark.parametrize("minor", PYTHONS)
def test_live_mirrors_probed_from_the_zip_are_live(pyz, minor, tmp_path):
    """zipimport before 3.10 marks no module as initializing: a probe thread importing requests
    while another did got it half-made ("module 'requests' has no attribute 'get'"), and every
    live mirror was reported dead (and fix would have removed it)."""
    sys.path.insert(0, str(REPO / "tests" / "provision"))
    from mirror_server import mirror

    py = python_or_skip(minor)
    root = tmp_path / "root"
    (root / "etc" / "docker").mkdir(parents=True)
    with mirror() as a, mirror() as b, mirror() as c, mirror() as hub:
        (root / "etc" / "docker" / "daemon.json").write_text(json.dumps({"registry-mirrors": [a, b, c]}))
        got = run_pyz(py, pyz, "check", "--root", str(root), "--json", "--timeout", "5",
                      env=clean_env(DLDOCTOR_HUB_URL=hub, DOCKER_HOST="unix:///nonexistent.sock"))
    assert "Traceback" not in got.stderr and "Exception in thread" not in got.stderr, got.stderr
    findings = [f for f in json.loads(got.stdout)["findings"] if f["check"] == "registry-mirrors"]
    assert [f["status"] for f in findings] == ["ok"], findings


RACE = r'''
import sys, threading, importlib, zipfile
pyz = sys.argv[1]
sys.path.insert(0, pyz)
src = zipfile.ZipFile(pyz).read("__main__.py").decode()
exec(compile(src.replace("\nmain()\n", "\n"), "__main__.py", "exec"), {"__name__": "pyz_main"})
import dldoctor
loader, base = dldoctor.__spec__.loader, dldoctor.__file__.rsplit("/", 1)[0]
sys.setswitchinterval(1e-6)
errors = []
def reader():
    for _ in range(300):
        try:
            loader.get_data(base + "/locale/zh_CN.json")
        except Exception as e:
            errors.append(repr(e))
def importer():
    for name in sys.argv[2:]:
        try:
            importlib.import_module("dldoctor." + name)
        except Exception as e:
            errors.append(repr(e))
threads = [threading.Thread(target=reader), threading.Thread(target=importer)]
[t.start() for t in threads]
[t.join() for t in threads]
print(errors)
'''


@pytest.mark.parametrize("minor", PYTHONS)
def test_a_read_from_the_zip_beside_an_import_in_another_thread(pyz, minor, tmp_path):
    """ux10: zh_CN's catalog read in an evidence thread while another imported: before 3.10,
    zipimport flags a global while it imports zlib for a compressed read, and the other thread's
    import failed ("can't decompress data; zlib not available", then an internal error)."""
    py = python_or_skip(minor)
    script = tmp_path / "race.py"
    script.write_text(RACE)
    modules = ["scrub", "mirror_urls", "nesting", "journal", "openpgp", "plans", "derived", "facts",
               "catalog", "prose", "readers", "signatures", "diagnose", "explain", "verify",
               "executor", "registry_http", "mirror_probe", "record", "model", "gather", "evidence"]
    for _ in range(3):
        got = subprocess.run([py, "-I", str(script), str(pyz)] + modules, capture_output=True,
                             text=True, env=clean_env(), timeout=120)
        assert got.returncode == 0 and got.stdout.strip() == "[]", got.stdout + got.stderr
