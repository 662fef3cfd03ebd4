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

from dldoctor.main import main  # noqa: E402

main()
