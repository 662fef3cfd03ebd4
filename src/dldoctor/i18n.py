"""The one translation function. Every sentence a user reads goes through `_()` (gettext style:
the English text is the message id), so zh_CN output needs only a catalog, not code changes.

Catalogs are JSON files `locale/<lang>.json` mapping English -> translation (shipped as package
data, no compile step, no gettext tooling on the host), read through the package's loader
(as pkgutil.get_data does), never opened as a file: from a wheel, an egg or dldoctor.pyz alike. The language comes from DLDOCTOR_LANG,
then LANGUAGE / LC_ALL / LC_MESSAGES / LANG, as gettext does.
"""
from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional

LANGS = ("en", "zh_CN")   # what --lang accepts

_catalog: Optional[Dict[str, str]] = None
_speaking = "en"   # the language of the loaded catalog ("en" when none shows)


def language() -> str:
    for var in ("DLDOCTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        val = os.environ.get(var)
        if val:
            return val.split(":")[0].split(".")[0]
    return "C"


def _load() -> Dict[str, str]:
    global _speaking
    _speaking = "en"
    lang = language()
    names = [lang, lang.split("_")[0]]
    if names[1] == "zh" and lang[3:5].upper() not in ("TW", "HK", "MO"):
        names.append("zh_CN")   # Simplified Chinese elsewhere too (zh, zh_SG); not Traditional
    for name in names:
        if not name or "/" in name or name.startswith("."):
            continue
        try:
            raw = _package_data("locale/%s.json" % name)
            if raw is None:
                continue
            import json

            data = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        catalog = {k: v for k, v in data.items() if isinstance(v, str) and v}
        if not catalog or not _shows(catalog):
            return {}
        _speaking = name
        return catalog
    return {}


def _package_data(resource: str) -> Optional[bytes]:
    """pkgutil.get_data("dldoctor", resource), without importing pkgutil and importlib.util for it
    (every run looks for its language's catalog, English ones included)."""
    import dldoctor

    spec = getattr(dldoctor, "__spec__", None)
    loader = getattr(spec, "loader", None)
    where = getattr(dldoctor, "__file__", None)
    if loader is None or not hasattr(loader, "get_data") or not where:
        return None
    data: bytes = loader.get_data(os.path.join(os.path.dirname(where), *resource.split("/")))
    return data


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


def speaking() -> str:
    """The language `_()` speaks: the name of the catalog in use ("zh_CN"), or "en" when no
    catalog shows (English asked for, no catalog for the language, or a stdout that cannot carry
    it). Other translated texts (the findings pages) follow it, so a page and the sentences
    around it are in one language."""
    global _catalog
    if _catalog is None:
        _catalog = _load()
    return _speaking


def use_language(lang: str) -> None:
    """Speak `lang` from now on (--lang outranks DLDOCTOR_LANG and the locale variables)."""
    os.environ["DLDOCTOR_LANG"] = lang
    reset()


def reset() -> None:
    """Forget the loaded catalog (tests switch languages)."""
    global _catalog
    _catalog = None
