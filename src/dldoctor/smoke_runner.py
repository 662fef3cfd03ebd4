"""Runs the smoke test's plan: the `docker pull` and the `docker run` it lists, in order, through
the host's process runner (time-out, output cap, process-group kill), and nothing else.

Beside the executor rather than in it: these commands change no file, so there is nothing to
journal, back up or roll back; a container left behind by a run that timed out is removed with
the run's `undo` (`docker rm -f NAME`).
"""
from __future__ import annotations

import re
import sys

from dldoctor.host import CommandResult
from dldoctor.i18n import _
from dldoctor.model import Plan, Run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Sequence

CLEANUP_TIMEOUT = 30.0
_PULL_LINE = re.compile(r"^([0-9a-f]{12}): (.+)$")  # read stripped: `(.+?)\s*$` was quadratic in a blank run


def run_plan(plan: Plan, host: Any, *, pull_timeout: float, run_timeout: float,
             progress: bool = False) -> Dict[str, CommandResult]:
    """What each command printed, by docker verb ("pull", "run"); it stops at the first failure,
    so a command after it is absent."""
    results: Dict[str, CommandResult] = {}
    for change in plan.changes:
        if not isinstance(change, Run):
            continue
        verb = change.argv[1]
        if verb == "pull":
            res = _pull(host, change.argv, pull_timeout, progress)
        else:
            res = host.run(change.argv, timeout=run_timeout)
            if res.timed_out and change.undo:
                host.run(change.undo, timeout=CLEANUP_TIMEOUT)
        results[verb] = res
        if not res.ok:
            break
    return results


def _pull(host: Any, argv: Sequence[str], timeout: float, progress: bool) -> CommandResult:
    tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    if progress and tty and getattr(host, "is_live", False):
        return _pull_with_progress(host, argv, timeout)
    res: CommandResult = host.run(argv, timeout=timeout)
    return res


def _pull_with_progress(host: Any, argv: Sequence[str], timeout: float) -> CommandResult:
    """`docker pull`, its layer lines drawn as a rich progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dldoctor.host import process

    image = argv[-1]
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(_("pulling {image}").format(image=image), total=None)
        on_line = _layer_counter(lambda done, n: bar.update(
            task, total=n or None, completed=done,
            description=_("pulling {image} ({done}/{n} layers)").format(
                image=image, done=done, n=n or "?")))
        return process.stream(argv, on_line, timeout=timeout, env=getattr(host, "env", None))


def _layer_counter(show: Callable[[int, int], None]) -> Callable[[str], None]:
    """A line handler for `docker pull` output: (layers done, layers seen) after each line."""
    layers: Dict[str, bool] = {}

    def on_line(line: str) -> None:
        m = _PULL_LINE.match(line.strip())
        if m:
            done = m.group(2).rstrip() in ("Pull complete", "Already exists")
            layers[m.group(1)] = layers.get(m.group(1), False) or done
        show(sum(layers.values()), len(layers))
    return on_line

