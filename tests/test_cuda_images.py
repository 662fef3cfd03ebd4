"""dldoctor.provision.cuda_images: the maintained nvidia/cuda tags, image choice, and NVIDIA_REQUIRE_CUDA as
the toolkit reads it, with the real values of shared/reference/facts.md §2."""
from pathlib import Path

import pytest

from dldoctor.provision import cuda_images as ci
from dldoctor.parse.nvidia_smi import parse_nvidia_smi

from lab import CUDA_12_4_REQUIRE

FIXTURES = Path(__file__).resolve().parent / "data" / "fixtures"

# The whole NVIDIA_REQUIRE_CUDA of nvidia/cuda:12.6.3-base-ubuntu24.04 (upstream Dockerfile).
REQ_12_6_3 = " ".join(
    ["cuda>=12.6"]
    + ["brand=%s,driver>=%d,driver<%d" % (b, w, w + 1)
       for w in (470, 535, 550)
       for b in ("unknown", "grid", "tesla", "nvidia", "quadro", "quadrortx", "nvidiartx", "vapps",
                 "vpc", "vcs", "vws", "cloudgaming")])


def test_maintained_table_is_the_one_in_facts():
    assert [t.version for t in ci.MAINTAINED] == [
        "11.4.3", "11.5.2", "11.6.2", "11.7.1", "11.8.0", "12.0.1", "12.1.1", "12.2.2", "12.3.2",
        "12.4.1", "12.5.1", "12.6.3", "12.8.1", "12.9.1", "13.0.2", "13.1.0"]
    assert ci.require_cuda(ci.tag("11.4.3")) == "cuda>=11.4"
    assert ci.tag("13.1.0").windows == (535, 550, 570, 575, 580)
    assert "geforce" not in ci.tag("12.5.1").brands and "geforce" in ci.tag("12.4.1").brands


def test_generated_requirements_are_the_real_image_values():
    assert ci.require_cuda(ci.tag("12.4.1")) == CUDA_12_4_REQUIRE
    assert ci.require_cuda(ci.tag("12.6.3")) == REQ_12_6_3


@pytest.mark.parametrize("cuda,driver,image", [
    ("12.4", "550.127.05", "nvidia/cuda:12.4.1-base-ubuntu22.04"),
    ("12.7", "565.57.01", "nvidia/cuda:12.6.3-base-ubuntu24.04"),   # no 12.7 toolkit
    ("12.5", "555.42.06", "nvidia/cuda:12.5.1-base-ubuntu24.04"),
    ("13.0", "580.126.09", "nvidia/cuda:13.0.2-base-ubuntu24.04"),
    ("13.2", "595.71.05", "nvidia/cuda:13.1.0-base-ubuntu24.04"),   # 13.2+ tags unverified
    ("12.0", "525.105.17", "nvidia/cuda:12.0.1-base-ubuntu22.04"),
    ("11.4", "470.57.02", "nvidia/cuda:11.4.3-base-ubuntu20.04"),
    ("11.6", "510.47.03", "nvidia/cuda:11.6.2-base-ubuntu20.04"),
    ("11.2", "460.39", "nvidia/cuda:11.2.2-base-ubuntu20.04"),      # EOL-marked fallback
    ("11.3", "465.19.01", "nvidia/cuda:11.2.2-base-ubuntu20.04"),
    ("11.0", "450.57", "nvidia/cuda:11.0.3-base-ubuntu20.04"),
    ("10.2", "440.100", ci.WIRING_IMAGE),                          # no CUDA 11 MVC: no cuda image
    (None, "550.54.15", "nvidia/cuda:12.4.1-base-ubuntu22.04"),      # header missing: from branch
    (None, "390.25", ci.WIRING_IMAGE),
    (None, None, ci.WIRING_IMAGE),
])
def test_choose_image(cuda, driver, image):
    assert ci.choose_image(cuda, driver) == image


def test_choose_image_from_every_real_nvidia_smi_fixture_is_runnable():
    for path in sorted((FIXTURES / "nvidia-smi").glob("*.txt")):
        smi = parse_nvidia_smi(path.read_text())
        if smi.error or not smi.driver_version:
            continue
        image = ci.choose_image(smi.cuda_version, smi.driver_version)
        if image == ci.WIRING_IMAGE:
            continue
        version = image.split(":")[1].split("-")[0]
        req = ci.parse_require(ci.require_cuda(ci.tag(version)))
        cuda = smi.cuda_version or ci.driver_max_cuda(smi.driver_version)
        ok, why = ci.satisfied(req, cuda, smi.driver_version)
        assert ok and "meets cuda>=" in why, (path.name, image, why)


@pytest.mark.parametrize("driver,cuda", [
    ("550.127.05", "12.4"), ("565.57.01", "12.7"), ("580.65.06", "13.0"), ("470.141.03", "11.4"),
    ("418.39", "10.1"), ("610.43.02", "13.3"), ("nonsense", None), (None, None)])
def test_driver_max_cuda(driver, cuda):
    assert ci.driver_max_cuda(driver) == cuda


def test_parse_require_ors_spaces_and_ands_commas():
    req = ci.parse_require("cuda>=12.4 brand=tesla,driver>=470,driver<471")
    (expr,) = req.exprs
    assert [[str(c) for c in term] for term in expr] == [
        ["cuda>=12.4"], ["brand=tesla", "driver>=470", "driver<471"]]
    assert req.min_cuda() == "12.4"
    with pytest.raises(ValueError):
        ci.parse_require("cuda>>12")


def test_13_1_on_a_580_tesla_passes_through_the_driver_window():
    req = ci.parse_require(ci.require_cuda(ci.tag("13.1.0")))
    ok, why = ci.satisfied(req, "13.0", "580.65.06", "Tesla")
    assert ok and "exception for driver branch 580" in why
    # NVIDIA brand (A100/H100/A10 print "Product Brand : NVIDIA") too.
    assert ci.satisfied(req, "13.0", "580.126.09", "NVIDIA")[0]
    # Without the window it would fail: 575 is in the list, 560 is not.
    assert ci.satisfied(req, "12.9", "575.57.08", "tesla")[0]
    assert not ci.satisfied(req, "12.6", "560.35.03", "tesla")[0]


def test_a_geforce_on_r550_fails_12_5_1_and_later():
    for version in ("12.5.1", "12.6.3", "12.8.1", "12.9.1", "13.0.2", "13.1.0"):
        req = ci.parse_require(ci.require_cuda(ci.tag(version)))
        ok, why = ci.satisfied(req, "12.4", "550.127.05", "GeForce")
        assert not ok, version
        assert "not geforce" in why
    # ... while 12.4.1 is fine by its cuda>= term, and R535 GeForce passes 12.4.1 by its window.
    assert ci.satisfied(ci.parse_require(CUDA_12_4_REQUIRE), "12.4", "550.127.05", "GeForce")[0]
    assert ci.satisfied(ci.parse_require(CUDA_12_4_REQUIRE), "12.2", "535.129.03", "GeForce")[0]
    assert not ci.satisfied(ci.parse_require(CUDA_12_4_REQUIRE), "12.3", "545.23.06", "GeForce")[0]


def test_unknown_brand_is_possible_only_inside_a_driver_window():
    req = ci.parse_require(REQ_12_6_3)
    verdict, why = ci.evaluate(req, "12.4", "550.127.05")
    assert verdict == ci.MAYBE and "brand is not known" in why
    assert ci.satisfied(req, "12.4", "550.127.05")[0]
    # Outside every window an unknown brand does not help.
    verdict, why = ci.evaluate(req, "12.0", "525.105.17")
    assert verdict == ci.FALSE and "no exception" in why
    # Candidate brands from names: a GeForce is geforce or geforcertx, both refused.
    assert not ci.satisfied(req, "12.4", "550.40.07",
                            ci.brands_from_names(["NVIDIA GeForce RTX 4070"]))[0]
    assert ci.brands_from_names(["NVIDIA A10"]) is None
    assert ci.brands_from_names(["Tesla V100-SXM2..."]) == frozenset(["tesla"])


def test_every_gpu_must_pass():
    req = ci.parse_require(REQ_12_6_3)
    assert ci.satisfied(req, "12.4", "550.127.05", ["NVIDIA", "Tesla"])[0]
    assert not ci.satisfied(req, "12.4", "550.127.05", ["NVIDIA", "GeForce"])[0]


def test_product_brands_from_real_nvidia_smi_q():
    got = {}
    for path in sorted((FIXTURES / "nvidia-smi-q").glob("*.txt")):
        for brand in ci.brands_from_smi_q(path.read_text(errors="replace")):
            got[brand] = got.get(brand, 0) + 1
    assert set(got) == {"geforce", "nvidia", "quadro", "titan"}
    assert ci.brand_term("Quadro RTX") == "quadrortx"
    assert ci.brand_term("NVIDIA RTX Virtual Workstation") == "vws"
    assert ci.brand_term("NVIDIA Virtual Compute Server") == "vcs"


@pytest.mark.parametrize("value", ["true", "1", "True", "t"])
def test_nvidia_disable_require(value):
    req = ci.requirement_from_env({"NVIDIA_REQUIRE_CUDA": "cuda>=13.1",
                                   "NVIDIA_DISABLE_REQUIRE": value})
    assert req.disabled and ci.satisfied(req, "11.4", "470.57.02")[0]


def test_disable_require_false_keeps_the_requirement():
    req = ci.requirement_from_env(["NVIDIA_REQUIRE_CUDA=cuda>=13.1", "NVIDIA_DISABLE_REQUIRE=false"])
    assert not req.disabled and not ci.satisfied(req, "13.0", "580.65.06")[0]


def test_legacy_cuda_version_gets_an_implicit_requirement():
    req = ci.requirement_from_env(["PATH=/usr/bin", "CUDA_VERSION=10.2.89"])
    assert req.implicit and req.raw == ("cuda>=10.2",)
    assert not ci.satisfied(req, "10.1", "418.39")[0]
    assert ci.satisfied(req, "10.2", "440.100")[0]
    # NVIDIA_REQUIRE_CUDA present: CUDA_VERSION adds nothing.
    req = ci.requirement_from_env({"CUDA_VERSION": "12.4.1", "NVIDIA_REQUIRE_CUDA": "cuda>=11.0"})
    assert not req.implicit and ci.satisfied(req, "11.4", "470.57.02")[0]


def test_every_require_variable_is_anded():
    env = {"NVIDIA_REQUIRE_CUDA": "cuda>=11.0", "NVIDIA_REQUIRE_DRIVER": "driver>=535"}
    req = ci.requirement_from_env(env)
    assert len(req.exprs) == 2
    assert not ci.satisfied(req, "12.0", "525.105.17")[0]
    assert ci.satisfied(req, "12.2", "535.129.03")[0]
    # NVIDIA_REQUIRE_JETPACK is not one of them (the toolkit skips it).
    assert len(ci.requirement_from_env({"NVIDIA_REQUIRE_JETPACK": "csv-mounts=all"}).exprs) == 0


def test_no_requirement_and_unknown_driver():
    assert ci.satisfied(ci.requirement_from_env({"PATH": "/bin"}), "12.4", "550.1")[0]
    verdict, why = ci.evaluate(ci.parse_require("cuda>=12.4"), None, None)
    assert verdict == ci.MAYBE and "not known" in why


def test_version_comparison_is_numeric():
    req = ci.parse_require("cuda>=12.10")
    assert not ci.satisfied(req, "12.9", "575.1")[0]
    assert ci.satisfied(ci.parse_require("driver>=470,driver<471"), "11.4", "470.256.02")[0]
    assert not ci.satisfied(ci.parse_require("driver>=470,driver<471"), "12.0", "471.0")[0]
