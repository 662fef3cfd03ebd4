"""`dldoctor docs ID`: the page of a finding, help that travels with the program.

The findings pages (docs/findings/<id>.md in the repository) ship as package data
`dldoctor/findings/<id>.md` and are read through pkgutil, so `docs` works the same from a
checkout, a wheel and dldoctor.pyz on a host with no network. Their translations
(docs/findings/zh_CN/<id>.md) ship beside them and are shown in the language dldoctor speaks;
where a page has no translation, the English page is headed by the finding's title and fix in
that language, from the catalog, and one line that says the page itself is English.
"""
from __future__ import annotations

import difflib
import pkgutil
import re
import sys
from typing import TYPE_CHECKING, List, Optional

from dldoctor.i18n import _

if TYPE_CHECKING:
    import typer

_ID = re.compile(r"^[a-z0-9][a-z0-9.-]{0,80}$")


_LANG = re.compile(r"^[A-Za-z]{2,3}(?:_[A-Za-z]{2})?$")


def page(problem_id: str, lang: Optional[str] = None) -> Optional[str]:
    """The findings page of one problem ID, or None when there is none: in `lang` (by default the
    language dldoctor speaks) where that translation exists, else the English page."""
    if not _ID.match(problem_id) or ".." in problem_id:
        return None
    text = translated(problem_id, lang)
    return text if text is not None else _read("findings/%s.md" % problem_id)


def translated(problem_id: str, lang: Optional[str] = None) -> Optional[str]:
    """The page's translation into `lang` (by default the language spoken), or None."""
    from dldoctor.i18n import speaking

    lang = speaking() if lang is None else lang
    if lang == "en" or not _LANG.match(lang) or not _ID.match(problem_id) or ".." in problem_id:
        return None
    return _read("findings/%s/%s.md" % (lang, problem_id))


def _read(resource: str) -> Optional[str]:
    try:
        raw = pkgutil.get_data("dldoctor", resource)
    except (OSError, ValueError):
        return None
    return None if raw is None else raw.decode("utf-8", "replace")


def english_only_note() -> Optional[str]:
    """The line that says a page is shown in English, in the user's language; None in English
    (every page is written in English: there is nothing to say then)."""
    note = _("(this page exists in English only)")
    return None if note == "(this page exists in English only)" else note


def header(problem_id: str) -> List[str]:
    """The lines `docs` prints before a page in another language. A translated page quotes
    dldoctor's English output (its fenced blocks are the English page's), which one line says.
    A page with no translation stays English, headed by what dldoctor can say in that language,
    the finding's title and fix from the catalog (the sentences `check` prints), and a line that
    says the rest is English."""
    from dldoctor import catalog

    note = english_only_note()
    if note is None or problem_id not in catalog.PROBLEMS:
        return []
    if translated(problem_id) is not None:      # its commands and outputs are kept as written
        return [_("(the page quotes dldoctor's output in English; in this language it prints the "
                  "same lines translated)")]
    return [_("{id}: {title}").format(id=problem_id, title=catalog.title(problem_id)),
            _("fix: ") + catalog.fix(problem_id), note]


def known_ids() -> List[str]:
    from dldoctor import catalog

    return sorted(catalog.PROBLEMS)


def register(app: "typer.Typer") -> None:
    """Add `docs` to the typer app."""
    import typer

    from dldoctor.cli.errors import guarded
    from dldoctor.errors import UsageError

    @app.command("docs", help=_("Print the page of a finding (what it means, how to fix it); without an ID, list them."))
    @guarded
    def docs(
        problem_id: Optional[str] = typer.Argument(None, metavar="ID", help=_("A problem ID, as `check` prints it (e.g. toolkit.missing).")),
    ) -> None:
        from dldoctor import catalog

        if problem_id is None:
            for pid in known_ids():
                typer.echo("%-32s %s" % (pid, catalog.title(pid)))
            return
        text = page(problem_id)
        if text is None:
            hint = difflib.get_close_matches(problem_id, known_ids(), n=3)
            if hint:
                msg = _("no page for {id!r}; did you mean: {ids}?").format(
                    id=problem_id, ids=", ".join(hint))
            else:
                msg = _("no page for {id!r}; `dldoctor docs` lists every ID").format(id=problem_id)
            raise UsageError(msg)
        head = header(problem_id)
        if sys.stdout.isatty():
            from rich.console import Console
            from rich.markdown import Markdown

            console = Console()
            for line in head:
                console.print(line, markup=False, highlight=False)
            if head:
                console.print()
            console.print(Markdown(text))
        else:
            sys.stdout.write("".join(line + "\n" for line in head) + ("\n" if head else ""))
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
