"""Moved to dldoctor.host.fsops (the host layer is the one door to the machine); this name stays
for code that still imports it from here."""
import sys

from dldoctor.host import fsops as _moved

sys.modules[__name__] = _moved
