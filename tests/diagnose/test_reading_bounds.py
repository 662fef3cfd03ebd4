"""The phrase families and structure readers stay linear in hostile text, as the signatures do
(test_signature_bounds.py).

The repros: 100 KB of empty lines in a report's notes took 84 s in the `groups` reader and 53 s
in the proxy reader (`^\\s*` with re.M ran across every blank line from every line start); 40 KB
of `libnvidia` took six minutes in one prose phrase (`libnvidia[\\w.-]*` then 60 characters).
"""
import time

import pytest

from dldoctor import prose, readers
from dldoctor.explain import explain
from dldoctor.signatures import TEXT_MAX, bounded

from test_signature_bounds import _adversarial

PHRASES = sorted({ph for fam in prose.FAMILIES for ph in fam.phrases + ((fam.unless,) if fam.unless else ())})


@pytest.mark.parametrize("phrase", PHRASES, ids=["phrase%d" % i for i in range(len(PHRASES))])
def test_every_phrase_is_bounded_and_fast_over_adversarial_text(phrase):
    pattern = prose._compiled(phrase)
    assert pattern.pattern == bounded(phrase)
    worst = 0.0
    for text in _adversarial(phrase, TEXT_MAX + 8 * 1024):
        t = time.perf_counter()
        pattern.search(text)
        worst = max(worst, time.perf_counter() - t)
    assert worst < 2.0, (phrase, worst)


LINES = ["\n", " \n", "\r\n", "\t\n", "groups\n", "$ groups\n", "Environment=\n", "docker ", "registry-mirrors ",
         "--registry-mirror ", "http_proxy=", "[", "\"", "docker pull a.b/"]


@pytest.mark.parametrize("reader", readers.READERS, ids=[r.__name__ for r in readers.READERS])
def test_every_reader_is_fast_over_long_runs(reader):
    worst = 0.0
    for frag in LINES:
        text = frag * (200 * 1024 // len(frag))
        t = time.perf_counter()
        reader({"notes": text, "error": text, "command": text})  # uncut: read() also cuts to TEXT_MAX
        worst = max(worst, time.perf_counter() - t)
    assert worst < 3.0, worst


def test_a_report_of_blank_lines_is_read_quickly_and_its_error_still_counts():
    text = "\n" * 200000 + "docker: Error response from daemon: unknown or invalid runtime name: nvidia\n"
    t = time.perf_counter()
    report = explain(text)
    assert time.perf_counter() - t < 10.0
    assert report.root_causes[0] == "runtime.not-registered"


def test_groups_output_is_still_read_with_windows_line_ends():
    text = "$ groups alice\r\nalice : alice sudo docker\r\n$ groups\r\nalice sudo\r\n"
    found = readers.groups_output({"notes": text})
    assert [m.problem for m in found] == ["docker.group-not-active"]
    assert not readers.groups_output({"notes": text.replace("alice sudo\r\n", "alice sudo docker\r\n")})


def test_a_long_report_is_read_on_its_head_and_tail_by_the_readers_too():
    groups = "$ groups alice\nalice : alice docker\n$ groups\nalice\n"
    assert readers.read({"notes": groups + "x" * (2 * TEXT_MAX)})
    middle = "y" * TEXT_MAX + "\n" + groups + "y" * TEXT_MAX
    assert not [m for m in readers.read({"notes": middle}) if m.problem == "docker.group-not-active"]
