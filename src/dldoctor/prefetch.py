"""Moved to dldoctor.host.prefetch (the host layer is the one door to the machine); this name stays
for code that still imports it from here."""
import sys

from dldoctor.host import prefetch as _moved

sys.modules[__name__] = _moved
