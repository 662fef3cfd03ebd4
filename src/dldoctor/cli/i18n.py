"""Typer's and click's own words (Usage, Options, "Show this message and exit.", "No such option")
in the user's language, for every command registered on the app.

click 8.1 passes its words through gettext, which needs compiled .mo catalogs; the click that
Typer >= 0.2x vendors has them as plain f-strings. Neither reads dldoctor's catalog, so this
module translates at the few places every word passes: the usage prefix, the help option's text,
Typer's panel titles and markers, the final text of every usage error (matched against click's
English, the same in both clicks), and it lets Chinese help wrap instead of being cut ("…": rich
breaks lines only at spaces unless a text may fold). In English `install()` translates nothing,
so start-up cost is paid only by those who asked for a translation.

In every language, every usage error's text goes through dldoctor.scrub.safe before click or Typer
prints it: the text quotes what was typed (`dldoctor explain $(cat some.log)` makes a log's words
extra arguments), and which control characters reach the terminal must not depend on the click,
Typer and rich versions installed (ESC, C1 and BiDi overrides are shown escaped, as everywhere).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Match, Optional, Pattern, Tuple

from dldoctor.i18n import _

_installed_for: Optional[str] = None


def translating() -> bool:
    """True when the catalog in use translates click's words (zh_CN today)."""
    return _("Usage:") != "Usage:"


def _click_module() -> Any:
    """The click Typer uses: its own vendored copy (typer._click) where it has one."""
    import importlib
    import importlib.util

    vendored = importlib.util.find_spec("typer._click") is not None
    return importlib.import_module("typer._click" if vendored else "click")


def _colon(label: str) -> str:
    """A label before its value: a full-width colon needs no space after it."""
    return label if label.endswith("：") else label + " "


def _fixed() -> Dict[str, str]:
    """Words Typer prints as they are (panel titles, markers)."""
    return {
        "Usage:": _("Usage:"),
        "Usage: ": _("Usage:") + " ",
        "Options": _("Options"),
        "Arguments": _("Arguments"),
        "Commands": _("Commands"),
        "Error": _("Error"),
        "Aborted.": _("Aborted."),
        "Aborted!": _("Aborted."),
        "(deprecated) ": _("(deprecated)") + " ",
        "[default: {}]": "[" + _colon(_("default:")) + "{}]",
        "[env var: {}]": "[" + _colon(_("env var:")) + "{}]",
        "[required]": "[" + _("required") + "]",
        "Try [blue]'{command_path} {help_option}'[/] for help.":
            _("Try [blue]'{command_path} {help_option}'[/] for help."),
        "Show this message and exit.": _("Show this message and exit."),
    }


def _type_name(name: str) -> str:
    names = {"float": _("number"), "integer": _("whole number"), "boolean": _("boolean (true/false)"),
             "UUID": "UUID"}
    return names.get(name, name)


def _rules() -> List[Tuple[Pattern[str], Callable[[Match[str]], str]]]:
    """click's error sentences (as either click words them) -> the catalog's."""
    def rx(pattern: str) -> Pattern[str]:
        return re.compile(pattern, re.S)

    def suggest(rest: str) -> str:
        rest = rest.strip()
        m = re.fullmatch(r"Did you mean (\S+)\?", rest)
        if m:
            return " " + _("Did you mean {possibility}?").format(possibility=m.group(1))
        m = re.fullmatch(r"\(Possible options: (.*)\)", rest)
        if m:
            return " " + _("(Possible options: {possibilities})").format(possibilities=m.group(1))
        return (" " + rest) if rest else ""

    return [
        (rx(r"No such option: (?P<name>\S+)(?P<rest>.*)"),
         lambda m: _("No such option: {name}").format(name=m.group("name")) + suggest(m.group("rest"))),
        (rx(r"No such command (?P<name>.+)\."),
         lambda m: _("No such command {name}.").format(name=m.group("name"))),
        (rx(r"Missing command\."), lambda m: _("Missing command.")),
        (rx(r"Missing argument (?P<hint>'[^']*'|.+?)\.(?P<rest>(?:\s.*)?)"),
         lambda m: _("Missing argument {name}.").format(name=m.group("hint")) + translate(m.group("rest"))),
        (rx(r"Missing option (?P<hint>'[^']*'|.+?)\.(?P<rest>(?:\s.*)?)"),
         lambda m: _("Missing option {name}.").format(name=m.group("hint")) + translate(m.group("rest"))),
        (rx(r"Missing parameter(?::? (?P<hint>.+?))?\.?"),
         lambda m: _("Missing parameter {name}.").format(name=m.group("hint") or "")),
        (rx(r"Invalid value for (?P<hint>.+?): (?P<msg>.*)"),
         lambda m: _("Invalid value for {name}: {message}").format(
             name=m.group("hint"), message=translate(m.group("msg")))),
        (rx(r"Invalid value: (?P<msg>.*)"),
         lambda m: _("Invalid value: {message}").format(message=translate(m.group("msg")))),
        (rx(r"Option (?P<name>'[^']+') requires an argument\."),
         lambda m: _("Option {name} needs a value.").format(name=m.group("name"))),
        (rx(r"Option (?P<name>'[^']+') requires (?P<n>\d+) arguments\."),
         lambda m: _("Option {name} needs {n} values.").format(name=m.group("name"), n=m.group("n"))),
        (rx(r"Option (?P<name>'[^']+') does not take a value\."),
         lambda m: _("Option {name} takes no value.").format(name=m.group("name"))),
        (rx(r"Got unexpected extra arguments?(?:\(s\))? \((?P<args>.*)\)"),
         lambda m: _("Unexpected extra argument: {args}").format(args=m.group("args"))),
        (rx(r"(?P<value>.+) is not a valid (?P<type>float|integer|boolean|UUID)\."),
         lambda m: _("{value} is not a valid {type}.").format(value=m.group("value"),
                                                              type=_type_name(m.group("type")))),
        (rx(r"(?P<value>.+) is not in the range (?P<range>.+)\."),
         lambda m: _("{value} is not in the range {range}.").format(value=m.group("value"),
                                                                   range=m.group("range"))),
        (rx(r"(?P<value>.+) is not one of (?P<choices>.+)\."),
         lambda m: _("{value} is not one of {choices}.").format(value=m.group("value"),
                                                               choices=m.group("choices"))),
        (rx(r"(?P<value>.+) is not (?P<choice>'[^']*')\."),
         lambda m: _("{value} is not one of {choices}.").format(value=m.group("value"),
                                                               choices=m.group("choice"))),
        (rx(r"\s*Choose from:\s*(?P<choices>.*)"),
         lambda m: " " + _("Choose from: {choices}").format(
             choices=", ".join(c.strip() for c in m.group("choices").split(",")))),
        (rx(r"Error: (?P<msg>.*)"), lambda m: _("Error: {message}").format(message=translate(m.group("msg")))),
    ]


_compiled: Optional[List[Tuple[Pattern[str], Callable[[Match[str]], str]]]] = None


def translate(text: str) -> str:
    """One of click's English sentences in the catalog's language (unknown text unchanged)."""
    global _compiled
    if not text or not translating():
        return text
    fixed = _fixed()
    if text in fixed:
        return fixed[text]
    if _compiled is None:
        _compiled = _rules()
    for pattern, render in _compiled:
        m = pattern.fullmatch(text)
        if m:
            return render(m)
    return text


def _fold_help_text(make: Callable[..., Any]) -> Callable[..., Any]:
    """Typer's help texts may fold inside their table cell: a CJK sentence has no spaces, and
    rich would otherwise cut it at the cell's edge with an ellipsis. Folding breaks a word longer
    than the cell at any character, so a translation keeps a space before every name it quotes
    (a step, a preset, a file): "：daemon-json、apt-repos、packages" is one word to rich, and was
    cut mid-name (tests/cli/test_help.py::test_zh_cn_help_never_breaks_a_name)."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = make(*args, **kwargs)
        if hasattr(out, "overflow"):
            out.overflow = "fold"
        return out
    wrapper.__wrapped__ = make  # type: ignore[attr-defined]
    return wrapper


def _patch_rich_utils() -> None:
    from typer import rich_utils
    fixed = _fixed()
    for name in ("DEPRECATED_STRING", "DEFAULT_STRING", "ENVVAR_STRING", "REQUIRED_LONG_STRING",
                 "ARGUMENTS_PANEL_TITLE", "OPTIONS_PANEL_TITLE", "COMMANDS_PANEL_TITLE",
                 "ERRORS_PANEL_TITLE", "ABORTED_TEXT", "RICH_HELP"):
        value = getattr(rich_utils, name, None)
        if isinstance(value, str) and value in fixed:
            setattr(rich_utils, name, fixed[value])
    for name in ("_make_rich_text", "_make_rich_rext"):  # the second: its name in Typer < 0.12
        make = getattr(rich_utils, name, None)
        if make is not None and not hasattr(make, "__wrapped__"):
            setattr(rich_utils, name, _fold_help_text(make))


def _patch_click(click_mod: Any) -> None:
    fmt_cls = click_mod.formatting.HelpFormatter
    if not getattr(fmt_cls.write_usage, "_dldoctor", False):
        orig_usage = fmt_cls.write_usage

        def write_usage(self: Any, prog: str, args: str = "", prefix: Optional[str] = None) -> None:
            if prefix is None:
                prefix = _("Usage:") + " "
            orig_usage(self, prog, args, prefix)
        write_usage._dldoctor = True  # type: ignore[attr-defined]
        fmt_cls.write_usage = write_usage

    cmd_cls = click_mod.core.Command
    if not getattr(cmd_cls.get_help_option, "_dldoctor", False):
        orig_help = cmd_cls.get_help_option

        def get_help_option(self: Any, ctx: Any) -> Any:
            opt = orig_help(self, ctx)
            if opt is not None and isinstance(getattr(opt, "help", None), str):
                opt.help = translate(opt.help)
            return opt
        get_help_option._dldoctor = True  # type: ignore[attr-defined]
        cmd_cls.get_help_option = get_help_option


def _patch_errors(click_mod: Any) -> None:
    """Every click exception's format_message: translated, then terminal-safe (any language)."""
    exc_mod = click_mod.exceptions
    base = exc_mod.ClickException
    for cls in [base] + list(vars(exc_mod).values()):
        if not (isinstance(cls, type) and issubclass(cls, base)):
            continue
        # ClickException itself may inherit format_message (Typer's vendored click): wrap it there.
        orig_fm: Optional[Callable[[Any], str]] = (
            cls.__dict__.get("format_message") or (getattr(cls, "format_message") if cls is base else None))
        if orig_fm is None or getattr(orig_fm, "_dldoctor", False):
            continue

        setattr(cls, "format_message", _shown(orig_fm))


def _shown(orig: Callable[[Any], str]) -> Callable[[Any], str]:
    """A ClickException.format_message whose text goes through translate(), then
    dldoctor.scrub.safe (it quotes what was typed: escape sequences, BiDi overrides, a password)."""
    def format_message(self: Any) -> str:
        from dldoctor.scrub import safe

        return safe(translate(orig(self)))
    format_message._dldoctor = True  # type: ignore[attr-defined]
    return format_message


_errors_shown = False


def install() -> None:
    """Make click's usage errors terminal-safe, and translate Typer's and click's words for the
    language in use (idempotent; in English nothing is translated)."""
    global _installed_for, _compiled, _errors_shown
    if not _errors_shown:
        _patch_errors(_click_module())
        _errors_shown = True
    if not translating():
        return
    from dldoctor import i18n

    lang = i18n.language()
    if _installed_for == lang:
        return
    _installed_for, _compiled = lang, None
    _patch_click(_click_module())
    _patch_rich_utils()
