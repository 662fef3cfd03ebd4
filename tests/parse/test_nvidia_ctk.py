"""nvidia-ctk cdi list / cdi generate fixtures, parsed and asserted."""
from pathlib import Path

import pytest

from dldoctor.errors import ParseError
from dldoctor.parse.nvidia_ctk import parse_cdi_generate, parse_cdi_list

FIX = Path(__file__).resolve().parents[1] / "data" / "fixtures" / "nvidia-ctk"


def test_every_fixture_is_covered():
    assert sorted(p.name for p in FIX.iterdir()) == ["cdi-generate-1.17.6-log.txt", "cdi-list-1.17.6-fake-driver.txt"]


def test_cdi_list():
    out = parse_cdi_list((FIX / "cdi-list-1.17.6-fake-driver.txt").read_text())
    assert out.announced == 9 and len(out.devices) == 9
    assert out.devices[0] == "nvidia.com/gpu=0" and out.devices[-1] == "nvidia.com/gpu=all"


def test_cdi_generate():
    out = parse_cdi_generate((FIX / "cdi-generate-1.17.6-log.txt").read_text())
    assert out.driver_version == "575.57.08" and out.mode == "nvml"
    assert any("/dev/nvidia-uvm" in w for w in out.warnings)
    assert out.errors == ()


@pytest.mark.parametrize("text", ["", "<html></html>", "Client: Docker Engine\n Version: 28.2.2\n"])
def test_garbage(text):
    with pytest.raises(ParseError):
        parse_cdi_list(text)
    with pytest.raises(ParseError):
        parse_cdi_generate(text)
