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
    # the word model guesses something for any words, at 4% here: that names no cause
    res = run("-", "--no-host", input="hello world 随便一句\n")
    assert res.returncode == 1 and "no known cause found in this text" in res.stdout, res.stdout
    res = run("-", "--no-host", input="   \n")
    assert res.returncode == 2 and "empty" in res.stderr
    res = run()
    assert res.returncode == 2


def test_stdin_that_never_ends_is_read_up_to_a_limit():
    """`dmesg -w | dldoctor explain -` or a runaway log: explain reads a bounded head and
    answers, instead of waiting for an end that never comes (or eating all memory)."""
    feeder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "line = (%r + '\\n').encode()\n"
         "sys.stdout.buffer.write(line * (4 * 1024 * 1024 // len(line)))\n"
         "sys.stdout.buffer.flush()\n"
         "time.sleep(600)\n" % ERR], stdout=subprocess.PIPE)
    try:
        env = dict(os.environ, LANG="C")
        env.pop("DOCKER_HOST", None)
        # the timeout is the assertion: before the bound, explain waited for the feeder's end
        res = subprocess.run([sys.executable, "-m", "dldoctor", "explain", "--no-host", "-"],
                             stdin=feeder.stdout, capture_output=True, text=True, env=env,
                             timeout=120)
    finally:
        feeder.kill()
        feeder.wait()
    assert res.returncode == 0, res.stderr
    assert "toolkit.missing" in res.stdout
    assert "only the first" in res.stderr, res.stderr


def test_closed_stdin_is_a_usage_error():
    env = dict(os.environ, LANG="C")
    env.pop("DOCKER_HOST", None)
    res = subprocess.run(["sh", "-c", 'exec "$0" -m dldoctor explain --no-host - <&-', sys.executable],
                         capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 2, res.stderr
    assert "internal error" not in res.stderr and "standard input" in res.stderr, res.stderr


def test_a_problem_id_points_at_its_page_instead_of_a_guess():
    """A user who copies `mirror.dead` from check's output into explain got the word model's
    guesses about the ID's letters, marked as failures, exit 1."""
    res = run("mirror.dead", "--no-host")
    assert res.returncode == 2
    assert "dldoctor docs mirror.dead" in res.stderr and res.stdout == ""
    # an error text that names an ID among its words is still read
    res = run("-", "--no-host", "--json", input=ERR + " (check said toolkit.missing)\n")
    assert res.returncode == 0 and json.loads(res.stdout)["root_causes"][0] == "toolkit.missing"
