"""The one translation function. Every sentence a user reads goes through `_()` (gettext style:
the English text is the message id), so zh_CN output needs only a catalog, not code changes.

Catalogs are JSON files `locale/<lang>.json` mapping English -> translation (shipped as package
data, no compile step, no gettext tooling on the host), read through the package's loader
(pkgutil.get_data), never a path built from `__file__`: from a wheel, an egg or dldoctor.pyz alike. The language comes from DLDOCTOR_LANG,
then LANGUAGE / LC_ALL / LC_MESSAGES / LANG, as gettext does.
"""
from __future__ import annotations

import json
import os
import pkgutil
from typing import Dict, Optional

_catalog: Optional[Dict[str, str]] = None


def language() -> str:
    for var in ("DLDOCTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        val = os.environ.get(var)
        if val:
            return val.split(":")[0].split(".")[0]
    return "C"


def _load() -> Dict[str, str]:
    lang = language()
    for name in (lang, lang.split("_")[0]):
        if not name or "/" in name or name.startswith("."):
            continue
        try:
            raw = pkgutil.get_data("dldoctor", "locale/%s.json" % name)
            data = json.loads((raw or b"").decode("utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        catalog = {k: v for k, v in data.items() if isinstance(v, str) and v}
        return catalog if _shows(catalog) else {}
    return {}


def _shows(catalog: Dict[str, str]) -> bool:
    """Whether stdout's encoding can carry the translations (PYTHONIOENCODING=ascii cannot):
    when it cannot, English is printed rather than nothing."""
    import sys

    enc = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        "".join(catalog.values()).encode(enc)
    except UnicodeEncodeError:
        return False
    except LookupError:
        pass
    return True


def _(message: str) -> str:
    """Translate one user-facing sentence (returns it unchanged when no translation exists)."""
    global _catalog
    if _catalog is None:
        _catalog = _load()
    return _catalog.get(message, message)


def reset() -> None:
    """Forget the loaded catalog (tests switch languages)."""
    global _catalog
    _catalog = None
