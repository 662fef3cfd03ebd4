"""`python -m dldoctor`, and the entry point of dldoctor.pyz (scripts/zipapp copies this file to
the top of the zip as __main__.py).

Written in syntax every Python parses, 2.7 included, and checked before anything else is imported:
an old system python3 (3.6 on CentOS 7, 3.7 on Debian 10) gets one sentence and exit 2, not a
SyntaxError from a module that uses 3.8 syntax. It runs before i18n can load, so its one
translation is inline.
"""
import os
import sys

if sys.version_info < (3, 8):
    _lang = ""
    for _var in ("DLDOCTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        _lang = os.environ.get(_var) or ""
        if _lang:
            break
    if _lang.startswith("zh"):
        _msg = "dldoctor 需要 Python 3.8 或更新版本（当前为 Python %d.%d）"
    else:
        _msg = "dldoctor needs Python 3.8 or newer (this is Python %d.%d)"
    sys.stderr.write("dldoctor: " + _msg % sys.version_info[:2] + "\n")
    sys.exit(2)

if sys.version_info < (3, 10) and os.path.isfile(sys.path[0] or ""):
    # From the zip, before Python 3.10: zipimport loads through load_module(), which marks no
    # module as being initialised, so a thread importing a module another thread is importing gets
    # it half-made ("module 'requests' has no attribute 'get'": every live mirror probed dead).
    # dldoctor imports lazily in its probe and evidence threads; one lock makes imports whole.
    import builtins
    import importlib
    import threading

    _lock = threading.RLock()
    _import = builtins.__import__
    _import_module = importlib.import_module

    def _whole_import(*args, **kwargs):
        with _lock:
            return _import(*args, **kwargs)

    def _whole_import_module(*args, **kwargs):
        with _lock:
            return _import_module(*args, **kwargs)

    builtins.__import__ = _whole_import
    importlib.import_module = _whole_import_module

    # A read from the zip takes the lock too (the language's catalog, certifi's cacert.pem, read in
    # probe and evidence threads): zipimport before 3.10 flags a global while it imports zlib for a
    # compressed read, and an import that sees the flag in another thread fails with "can't
    # decompress data; zlib not available".
    import zipimport

    _get_data = zipimport.zipimporter.get_data

    def _whole_get_data(self, pathname):
        with _lock:
            return _get_data(self, pathname)

    zipimport.zipimporter.get_data = _whole_get_data  # type: ignore[method-assign]

from dldoctor.main import main  # noqa: E402

main()
