"""The Step protocol: every fix step and the smoke test have one shape, listed explicitly, and a
step that cannot be imported stops the command instead of vanishing from the plan."""
import pytest

import dldoctor.provision as provision
from dldoctor.provision.step import Step


def test_every_step_has_the_protocol_and_the_fix_order():
    fix = provision.steps()
    assert [s.name for s in fix] == ["apt-repos", "packages", "docker-group", "daemon-json"]
    for s in fix + (provision.smoke_test_step(),):
        assert isinstance(s, Step), s
        bound = s.prepare if s.name == "packages" else None
        if bound is not None:          # a pure step's prepare reads nothing: it is itself
            assert bound(object(), object(), object()) is s


def test_a_step_that_fails_to_import_is_an_error_not_a_skipped_step(monkeypatch):
    import sys

    provision.steps()       # imported once, as in a real run
    monkeypatch.delattr(provision, "packages")
    monkeypatch.setitem(sys.modules, "dldoctor.provision.packages", None)
    with pytest.raises(ImportError):
        provision.steps()
