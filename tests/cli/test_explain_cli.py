"""`dldoctor explain` as a user runs it: text in (argument or stdin), ranked causes out."""
import json
import os
import subprocess
import sys

ERR = 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].'


def run(*args, input=None):
    env = dict(os.environ)
    env.pop("DOCKER_HOST", None)
    return subprocess.run([sys.executable, "-m", "dldoctor", "explain", *args], capture_output=True,
                          text=True, input=input, env=env, timeout=60)


def test_stdin_text_json_ranked_with_confidence():
    res = run("-", "--no-host", "--json", input=ERR + "\n")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["schema"] == "dldoctor.report/1"
    assert data["root_causes"][0] == "toolkit.missing"
    top = data["findings"][0]
    assert top["problem"] == "toolkit.missing" and 0 < top["confidence"] <= 1
    assert "could not select device driver" in top["evidence"][0]
    assert top["fix"]


def test_host_evidence_changes_the_answer(tmp_path):
    """The same error on a host whose daemon.json already registers the nvidia runtime means
    dockerd was not restarted, not that the toolkit is missing."""
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    res = run(ERR, "--root", str(tmp_path), "--json")
    assert json.loads(res.stdout)["root_causes"][0] == "toolkit.missing"
    (tmp_path / "var/lib/dpkg/status").write_text(
        "Package: nvidia-container-toolkit\nStatus: install ok installed\nPriority: optional\n"
        "Architecture: amd64\nVersion: 1.17.8-1\nDescription: NVIDIA Container toolkit\n\n")
    res = run(ERR, "--root", str(tmp_path), "--json")
    data = json.loads(res.stdout)
    # the symptom's cause leads, ahead of whatever else is wrong on this host (no driver here)
    assert data["root_causes"][0] == "toolkit.daemon-not-restarted", data["root_causes"]


def test_unknown_text_exits_1_and_empty_text_exits_2():
    res = run("everything is fine, thanks", "--no-host")
    assert res.returncode == 1
    res = run("-", "--no-host", input="   \n")
    assert res.returncode == 2 and "empty" in res.stderr
    res = run()
    assert res.returncode == 2
