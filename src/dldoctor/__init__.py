"""dldoctor: diagnose, fix and verify GPU Docker hosts."""

__version__ = "0.1.0"
