"""Version strings as people's tools print them compare as tuples."""
import pytest

from dldoctor.parse.version import version_tuple


@pytest.mark.parametrize("text,want", [
    ("20.10.8+dfsg1", (20, 10, 8)), ("17.12.0-ce", (17, 12, 0)), ("5:24.0.7-1~ubuntu.22.04~jammy", (24, 0, 7)),
    ("1.17.8-1", (1, 17, 8)), ("550.127.05", (550, 127, 5)), ("22.04", (22, 4)), (" 12.4", (12, 4)),
    ("", ()), (None, ()), ("TEMPLATE_VERSION_ID", ()),
])
def test_version_tuple(text, want):
    assert version_tuple(text) == want


def test_versions_order_like_releases():
    assert version_tuple("18.09.7") < (19, 3) <= version_tuple("19.03.2") < version_tuple("20.10.24")
