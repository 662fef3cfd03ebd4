"""Fixtures of the chroot tests; they live in chroot_lab.py (importable by the tests as well)."""
from chroot_lab import apt_repo, bookworm_tarball, fresh_root, shared_root  # noqa: F401 (fixtures)
