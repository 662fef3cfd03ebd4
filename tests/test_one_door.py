"""One door to the machine: outside src/dldoctor/host/ no module starts a process, opens a file,
signals a process or reads /proc. Everything else asks the host layer, which is what lets a check
replay from a snapshot and keeps every read bounded and every command killable.

The test walks the syntax tree of every module of src/dldoctor, checks/ and provision/. It looks
for: any use of the subprocess module; open(), io.open, codecs.open, os.open, os.fdopen; os.kill,
os.killpg; os.system/popen/exec*/spawn*/fork; and a "/proc..." string literal used as a path (an
argument of a call, or the template of `%` or .format). A /proc path named in a table (the
evidence catalogue says where the host looks) or in a message is not a use.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Iterator, List, Optional

REPO = Path(__file__).resolve().parents[1]
TREES = (REPO / "src" / "dldoctor", REPO / "checks", REPO / "provision")
HOST = REPO / "src" / "dldoctor" / "host"

# Never dldoctor's to route: runs inside ansible-playbook, which loads it by path; it cannot import
# dldoctor (the control machine need not have it installed for ansible's own python).
EXEMPT = {
    "src/dldoctor/fleet/plugins/dldoctor_fleet.py": "an Ansible callback plugin run by ansible",
    "src/dldoctor/fleet/plugins/action/dldoctor_run.py": "an Ansible action plugin run by ansible",
}

_OS_CALLS = {"open", "fdopen", "kill", "killpg", "system", "popen", "fork", "forkpty",
             "posix_spawn", "posix_spawnp"}
_OS_PREFIXES = ("exec", "spawn")
_PROC_PATH = re.compile(r"^/proc(/[\w.%{}/-]*)?$")


def _os_forbidden(name: str) -> bool:
    return name in _OS_CALLS or name.startswith(_OS_PREFIXES)


def _dotted(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else base + "." + node.attr
    return None


def _proc_literal(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) \
            and _PROC_PATH.match(node.value):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str) \
                and first.value.startswith("/proc"):
            return first.value + "..."
    return None


def _parents(tree: ast.AST) -> Dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _used_as_path(node: ast.AST, parent: Optional[ast.AST]) -> bool:
    if isinstance(parent, ast.Call):
        return node in parent.args
    if isinstance(parent, ast.keyword):
        return True
    if isinstance(parent, ast.BinOp):
        return isinstance(parent.op, ast.Mod) and parent.left is node
    if isinstance(parent, ast.Attribute):
        return parent.attr == "format"
    return False


def doors(source: str, filename: str = "<planted>") -> List[str]:
    """Each way `source` reaches the machine by itself, as 'line: what'."""
    tree = ast.parse(source, filename)
    parents = _parents(tree)
    found: List[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += ["%d: import %s" % (line, a.name) for a in node.names
                      if a.name.split(".")[0] == "subprocess"]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            for a in node.names:
                if mod == "subprocess" or (mod == "os" and _os_forbidden(a.name)) or \
                        (mod in ("io", "codecs", "builtins") and a.name == "open"):
                    found.append("%d: from %s import %s" % (line, mod, a.name))
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name is None:
                continue
            head, _, attr = name.rpartition(".")
            if name == "open" or name in ("io.open", "codecs.open", "builtins.open") or \
                    head == "subprocess" or (head == "os" and _os_forbidden(attr)):
                found.append("%d: %s()" % (line, name))
        else:
            text = _proc_literal(node)
            if text is not None and _used_as_path(node, parents.get(node)):
                found.append("%d: %r used as a path" % (line, text))
    return sorted(set(found), key=lambda s: int(s.split(":")[0]))


def _modules() -> Iterator[Path]:
    for tree in TREES:
        for path in sorted(tree.rglob("*.py")):
            if HOST not in path.parents:
                yield path


def test_nothing_outside_host_opens_spawns_signals_or_reads_proc():
    bad = []
    for path in _modules():
        rel = path.relative_to(REPO).as_posix()
        if rel in EXEMPT:
            continue
        bad += ["%s:%s" % (rel, d) for d in doors(path.read_text(encoding="utf-8"), rel)]
    assert not bad, "outside src/dldoctor/host/ (go through the host layer):\n" + "\n".join(bad)


def test_the_lists_name_files_that_exist_and_still_need_it():
    for rel in EXEMPT:
        path = REPO / rel
        assert path.exists(), rel
        assert doors(path.read_text(encoding="utf-8"), rel), \
            "%s no longer needs its place on the list: remove it" % rel


def test_the_walk_covers_the_modules_that_matter():
    names = {p.relative_to(REPO).as_posix() for p in _modules()}
    assert {"src/dldoctor/journal.py", "src/dldoctor/streams.py", "src/dldoctor/gather.py",
            "provision/apt_repos.py", "checks/__init__.py"} <= names
    assert not any(n.startswith("src/dldoctor/host/") for n in names)


PLANTED = '''
import os, io, signal
import subprocess
from subprocess import run as go
from os import kill

def f(pid):
    subprocess.Popen(["docker"])
    with open("/etc/docker/daemon.json") as fh:
        fh.read()
    io.open("x")
    fd = os.open("x", os.O_RDONLY)
    os.fdopen(fd)
    os.kill(pid, signal.SIGTERM)
    os.killpg(pid, 9)
    os.system("true")
    os.execv("/bin/true", ["true"])
    os.readlink("/proc/%d/cwd" % pid)
    os.listdir("/proc")
    os.path.exists(f"/proc/{pid}/cmdline")
    os.path.exists(path="/proc/self/ns/mnt")
    "/proc/{}/stat".format(pid)
'''


def test_a_planted_door_is_caught_each_way():
    found = doors(PLANTED)
    text = "\n".join(found)
    for what in ("import subprocess", "from subprocess import run", "from os import kill",
                 "subprocess.Popen()", "open()", "io.open()", "os.open()", "os.fdopen()",
                 "os.kill()", "os.killpg()", "os.system()", "os.execv()",
                 "'/proc/%d/cwd' used", "'/proc' used", "'/proc/...' used",
                 "'/proc/self/ns/mnt' used", "'/proc/{}/stat' used"):
        assert what in text, (what, found)
    assert len(found) == 17, found


def test_a_proc_path_in_a_table_or_a_message_is_not_a_door():
    clean = '''
from dldoctor.errors import ParseError
TABLE = {"lsmod": ("kernel", ("/proc/modules",))}
def f(text):
    if not text:
        raise ParseError("/proc/version: expected text")
    """Reads /proc/PID/stat."""
    return TABLE
'''
    assert doors(clean) == []


def test_the_walk_fails_on_a_door_planted_in_a_module(tmp_path, monkeypatch):
    """The whole-tree test itself goes red, naming the file and line, when a module gains one."""
    import sys

    pkg = tmp_path / "src" / "dldoctor"
    (pkg / "host").mkdir(parents=True)
    (pkg / "host" / "ok.py").write_text("import subprocess\nsubprocess.run(['true'])\n")
    (pkg / "leaky.py").write_text("def read():\n    return open('/etc/passwd').read()\n")
    me = sys.modules[__name__]
    monkeypatch.setattr(me, "REPO", tmp_path)
    monkeypatch.setattr(me, "TREES", (pkg,))
    monkeypatch.setattr(me, "HOST", pkg / "host")
    try:
        test_nothing_outside_host_opens_spawns_signals_or_reads_proc()
    except AssertionError as exc:
        assert "src/dldoctor/leaky.py:2: open()" in str(exc) and "host/ok.py" not in str(exc)
    else:
        raise AssertionError("a planted open() went unnoticed")
