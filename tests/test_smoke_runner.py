"""dldoctor.smoke_runner: the pull's progress counts layers from docker's own lines."""
from dldoctor.smoke_runner import _layer_counter

# `docker pull` output as docker 20.10 prints it without a terminal (the lab's dockerd).
PULL = """12.4.1-base-ubuntu22.04: Pulling from nvidia/cuda
aece8493d397: Pulling fs layer
5e3b7ee77381: Pulling fs layer
aece8493d397: Downloading
aece8493d397: Verifying Checksum
aece8493d397: Download complete
aece8493d397: Pull complete
5e3b7ee77381: Already exists
Digest: sha256:0f0ea6307635d792d283e2a8dedb79163e5fc9b5e5fc9b5e5fc9b5e5fc9b5e5f
Status: Downloaded newer image for nvidia/cuda:12.4.1-base-ubuntu22.04
"""


def test_layers_done_and_seen_after_each_line():
    shown = []
    on_line = _layer_counter(lambda done, n: shown.append((done, n)))
    for line in PULL.splitlines(keepends=True):
        on_line(line)
    assert shown[0] == (0, 0)           # the header names no layer
    assert shown[2] == (0, 2)           # two layers seen, none done
    assert shown[6] == (1, 2)           # "Pull complete"
    assert shown[-1] == (2, 2)          # "Already exists" counts as done; later lines keep it
