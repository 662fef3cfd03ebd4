"""A real ssh target for `dldoctor fleet` tests: Debian's openssh-server on 127.0.0.1.

``Sshd`` runs /usr/sbin/sshd in the foreground on a free port (never 22) with a host key and a
client key generated for it, accepting only that key; ``stop()`` ends it by pid. Where it can, it
runs in a private mount namespace whose /etc/passwd, /etc/group and /etc/sudoers are the server's
own copies (bind mounts seen by sshd and its sessions only; this machine's /etc is never written):
root's home there is an empty directory, /etc/shadow holds no password (a target's shell reads no dotfiles of this machine's
root, whose start-up scripts would dominate the cost of a command), and an unprivileged login
user ``BECOME_USER`` may `sudo` without a password (``become_user`` is None where that cannot be
set up: no sudo, or no mount namespace). Every
inventory host is an alias of 127.0.0.1 with its own dldoctor_args/dldoctor_env (a lab's --root,
DOCKER_HOST, PATH). ``fleet_env()`` keeps Ansible's local state (temp files, control sockets) in
the test's directory, so parallel runs never share them.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

SSHD = "/usr/sbin/sshd"
BECOME_USER = "dlfleet"
BECOME_UID = 61234


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing() -> List[str]:
    out = []
    if os.geteuid() != 0:
        out.append("root (sshd on loopback, labs)")
    if not os.access(SSHD, os.X_OK):
        out.append("openssh-server (%s)" % SSHD)
    if not shutil.which("ssh-keygen") or not shutil.which("ssh"):
        out.append("openssh-client")
    if not os.access(os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), os.X_OK):
        out.append("ansible-core in this venv (pip install -e '.[fleet]')")
    return out


class Sshd:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="dlssh"))
        self.port = free_port()
        self.key = self.dir / "id_ed25519"
        self.proc: Optional[subprocess.Popen] = None
        self.become_user: Optional[str] = None
        os.chmod(str(self.dir), 0o711)  # the unprivileged user's sshd reads authorized_keys here
        for name in ("host_ed25519", "id_ed25519"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.dir / name)],
                           check=True, stdin=subprocess.DEVNULL, capture_output=True)
        (self.dir / "authorized_keys").write_text((self.dir / "id_ed25519.pub").read_text())
        os.chmod(str(self.dir / "authorized_keys"), 0o644)
        config = self.dir / "sshd_config"
        config.write_text("\n".join([
            "Port %d" % self.port,
            "ListenAddress 127.0.0.1",
            "HostKey %s" % (self.dir / "host_ed25519"),
            "AuthorizedKeysFile %s" % (self.dir / "authorized_keys"),
            "PidFile %s" % (self.dir / "sshd.pid"),
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "MaxStartups 200:30:400",
            "MaxSessions 200",
            "Subsystem sftp internal-sftp",
            "AcceptEnv LANG LC_*",
            "",
        ]))
        # sshd insists on its privilege separation directory (Debian's service makes it at boot).
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.log = open(str(self.dir / "sshd.log"), "wb")
        self.proc = subprocess.Popen(self._argv([SSHD, "-D", "-e", "-f", str(config)]), stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("sshd exited: %s" % (self.dir / "sshd.log").read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("sshd did not listen on 127.0.0.1:%d" % self.port)

    def _argv(self, sshd: List[str]) -> List[str]:
        """sshd's command line: inside a private mount namespace with this server's /etc/passwd,
        /etc/group and /etc/sudoers bound over the machine's, when unshare can make one."""
        unshare = shutil.which("unshare")
        if not unshare or subprocess.run([unshare, "-m", "--propagation", "private", "true"],
                                         capture_output=True).returncode != 0:
            return sshd
        home = self.dir / "home"
        for name in ("root", BECOME_USER):
            (home / name).mkdir(parents=True)
        os.chown(str(home / BECOME_USER), BECOME_UID, BECOME_UID)
        passwd = []
        for line in Path("/etc/passwd").read_text().splitlines():
            f = line.split(":")
            if len(f) == 7 and f[0] == "root":
                f[5] = str(home / "root")
            passwd.append(":".join(f))
        passwd.append("%s:x:%d:%d::%s:/bin/sh" % (BECOME_USER, BECOME_UID, BECOME_UID, home / BECOME_USER))
        group = Path("/etc/group").read_text().splitlines() + ["%s:x:%d:" % (BECOME_USER, BECOME_UID)]
        binds = {"passwd": "\n".join(passwd) + "\n", "group": "\n".join(group) + "\n"}
        sudo = shutil.which("sudo")
        if sudo and os.path.isfile("/etc/sudoers") and os.stat(sudo).st_mode & 0o4000:
            binds["sudoers"] = "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n%s ALL=(ALL:ALL) NOPASSWD: ALL\n" % BECOME_USER
            # sudo's PAM account check wants the user in shadow; no password hash is copied
            binds["shadow"] = "root:*:19000:0:99999:7:::\n%s:*:19000:0:99999:7:::\n" % BECOME_USER
            self.become_user = BECOME_USER
        script = []
        for name, text in binds.items():
            path = self.dir / ("etc-" + name)
            path.write_text(text)
            os.chmod(str(path), {"sudoers": 0o440, "shadow": 0o640}.get(name, 0o644))
            script.append("mount --bind %s /etc/%s" % (path, name))
        script.append('exec "$@"')
        return [unshare, "-m", "--propagation", "private", "sh", "-c", " && ".join(script), "sh"] + sshd

    def host_vars(self, **extra: Any) -> Dict[str, Any]:
        v = {"ansible_host": "127.0.0.1", "ansible_port": self.port, "ansible_user": "root",
             "ansible_ssh_private_key_file": str(self.key),
             "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
             "ansible_python_interpreter": sys.executable if os.environ.get("DLDOCTOR_FLEET_TARGET_PY") == "venv"
             else (shutil.which("python3") or "python3")}
        v.update(extra)
        return v

    def _ours(self) -> List[int]:
        """Processes of this server: its per-connection sshd children and grandchildren, and the
        ssh control masters Ansible left for it (their control sockets live in self.dir)."""
        parents: Dict[int, int] = {}
        mine: List[int] = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
                with open("/proc/%s/cmdline" % entry, "rb") as fh:
                    if str(self.dir).encode() in fh.read() and int(entry) != os.getpid():
                        mine.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
        if self.proc is not None:
            frontier = [self.proc.pid]
            while frontier:
                kids = [p for p, pp in parents.items() if pp in frontier]
                mine.extend(kids)
                frontier = kids
        return sorted(set(mine) - {self.proc.pid if self.proc else -1})

    def stop(self) -> None:
        for pid in self._ours():
            try:
                os.kill(pid, 15)
            except OSError:
                pass
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        self.log.close()
        shutil.rmtree(str(self.dir), ignore_errors=True)


def write_inventory(path: Path, hosts: Dict[str, Dict[str, Any]]) -> Path:
    """A YAML inventory (JSON is YAML) with these hosts and their variables."""
    path.write_text(json.dumps({"all": {"hosts": hosts}}, indent=2))
    return path


def fleet_env(base: Path, sshd: Optional[Sshd] = None, **extra: str) -> Dict[str, str]:
    """Ansible's state in the test's directory; ssh control sockets in the server's (short paths,
    and stop() finds the control masters by them)."""
    env = dict(os.environ)
    for k in ("DOCKER_HOST", "PYTHONPATH"):
        env.pop(k, None)
    env.update({"ANSIBLE_LOCAL_TEMP": str(base / "ansible-tmp"),
                "ANSIBLE_SSH_CONTROL_PATH_DIR": str((sshd.dir if sshd else base) / "cp"),
                "ANSIBLE_REMOTE_TEMP": "/tmp/.dldoctor-fleet-ansible",
                "ANSIBLE_HOST_KEY_CHECKING": "False",
                "ANSIBLE_CONFIG": str(base / "no-ansible.cfg"),
                "DLDOCTOR_LANG": "C"})
    env.update(extra)
    return env


def run_fleet(args: List[str], env: Dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dldoctor", "fleet"] + [str(a) for a in args],
                          capture_output=True, text=True, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def sshd():
    why = missing()
    if why:
        from lab import require_lab  # same rule as the lab: skip locally, fail in CI

        if os.environ.get("DLDOCTOR_REQUIRE_LAB"):
            pytest.fail("fleet tests need: %s" % ", ".join(why))
        pytest.skip("fleet tests need: %s" % ", ".join(why))
        require_lab()
    server = Sshd()
    try:
        yield server
    finally:
        server.stop()
