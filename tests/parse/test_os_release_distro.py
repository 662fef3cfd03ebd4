"""Our os-release reading agrees with python-distro's on every os-release fixture.

dldoctor reads /etc/os-release through its host layer (the one door: --root resolved inside the
root, snapshots replayed, reads bounded) and parses the text itself; distro, which can only read
files by path (its root_dir follows an absolute /etc/os-release link out of the root), serves as
the reference reader here. Where distro names a field, ours says the same.
"""
from pathlib import Path

import pytest

from dldoctor.parse.os_release import parse_os_release

distro = pytest.importorskip("distro")
FIX = Path(__file__).resolve().parents[1] / "data" / "fixtures" / "os-release"


def _distro_reading(tmp_path, text):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_text(text, encoding="utf-8")
    kwargs = dict(root_dir=str(tmp_path), include_lsb=False, include_uname=False)
    try:
        return distro.LinuxDistribution(include_oslevel=False, **kwargs)
    except TypeError:  # distro < 1.7
        return distro.LinuxDistribution(**kwargs)


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.iterdir() if p.is_file()))
def test_same_reading_as_distro(tmp_path, name):
    text = (FIX / name).read_text(encoding="utf-8")
    ours = parse_os_release(text)
    ref = _distro_reading(tmp_path, text)
    attr = ref.os_release_attr
    assert ours.id == (attr("id").lower() or None)
    assert ours.name == (attr("name").strip() or None)
    assert ours.pretty_name == (attr("pretty_name").strip() or None)
    assert ours.id_like == tuple(attr("id_like").lower().split())
    if attr("version_id") and any(c.isdigit() for c in attr("version_id")):
        assert ours.version_id == attr("version_id")
    named = attr("version_codename") or attr("ubuntu_codename")
    if named:
        assert ours.codename == named.lower()
    elif attr("codename") and ours.id in ("ubuntu", "debian"):
        # distro keeps "Xenial Xerus" from VERSION="16.04 LTS (Xenial Xerus)"; the apt suite is
        # its first word. (Ours is the apt suite only: RHEL's "(Maipo)" is no suite.)
        assert ours.codename == attr("codename").split()[0].lower()
