"""/etc/nvidia-container-runtime/config.toml, read by the standard TOML reader (tomllib on Python
3.11+, tomli below: the same parser) and flattened to dotted keys for the checks."""
from __future__ import annotations


from dldoctor.errors import ParseError
from dldoctor.lazy_regex import lazy_compile
from dldoctor import nesting
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

__all__ = ["ToolkitConfig", "parse_toolkit_config"]


@frozen_record
class ToolkitConfig:
    """Every value set in the file, keyed by its flattened dotted path
    ("nvidia-container-cli.no-cgroups" -> True). Arrays are tuples. Commented-out lines are absent."""

    values: Dict[str, object]

    def get(self, key: str, default: object = None) -> object:
        """The value at a flattened dotted key, or default."""
        return self.values.get(key, default)

    @property
    def no_cgroups(self) -> Optional[bool]:
        """nvidia-container-cli.no-cgroups if set to a boolean (rootless Docker needs true), else None."""
        v = self.values.get("nvidia-container-cli.no-cgroups")
        return v if isinstance(v, bool) else None

    @property
    def ldconfig(self) -> Optional[str]:
        """nvidia-container-cli.ldconfig ('@/sbin/ldconfig.real': '@' means a host path), else None."""
        v = self.values.get("nvidia-container-cli.ldconfig")
        return v if isinstance(v, str) else None

    @property
    def mode(self) -> Optional[str]:
        """nvidia-container-runtime.mode ('auto', 'legacy', 'cdi', 'csv'), else None."""
        v = self.values.get("nvidia-container-runtime.mode")
        return v if isinstance(v, str) else None


_AT = lazy_compile(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = lazy_compile(r"\s*\(at end of document\)$")


def _array(v: Any) -> Any:
    return tuple(_array(x) for x in v) if isinstance(v, list) else v


def _flatten(table: Dict[str, Any], out: Dict[str, object]) -> None:
    """Without recursion: a dotted key or table header of 2000 parts nests 2000 tables, and no
    bracket counts them (nesting.toml_too_deep); deeper than nesting.MAX_DEPTH is refused."""
    stack = [(table, "", 1)]
    while stack:
        tbl, prefix, depth = stack.pop()
        if depth > nesting.MAX_DEPTH:
            raise ParseError("config nested too deeply")
        for key, value in tbl.items():
            if isinstance(value, dict):
                stack.append((value, prefix + key + ".", depth + 1))
            else:
                out[prefix + key] = _array(value)


def _error(exc: ValueError, text: str) -> ParseError:
    """tomllib's message with its position as ParseError's line and column."""
    message = str(exc)
    m = _AT.search(message)
    if m:
        return ParseError(message[:m.start()], line=int(m.group(1)), col=int(m.group(2)))
    if _AT_END.search(message):
        return ParseError(_AT_END.sub("", message), line=text.count("\n") + 1,
                          col=len(text) - text.rfind("\n"))
    return ParseError(message)


def parse_toolkit_config(text: str) -> ToolkitConfig:
    """Read config.toml into flattened values; ParseError (with line and column) on a syntax error
    or an empty file."""
    if not isinstance(text, str):
        raise ParseError("expected text, got %s" % type(text).__name__)
    try:
        import tomllib  # type: ignore[import-not-found]
    except ImportError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ParseError("empty config file")
    deep = nesting.toml_too_deep(text)
    if deep is not None:
        raise ParseError("config nested too deeply", line=text.count("\n", 0, deep) + 1,
                         col=deep - text.rfind("\n", 0, deep))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _error(exc, text)
    except RecursionError:      # what the scan above did not see as nesting
        raise ParseError("config nested too deeply")
    values: Dict[str, object] = {}
    _flatten(data, values)
    return ToolkitConfig(values=values)
