"""Moved to dldoctor.host.daemon_control (the host layer is the one door to the machine); this name stays
for code that still imports it from here."""
import sys

from dldoctor.host import daemon_control as _moved

sys.modules[__name__] = _moved
