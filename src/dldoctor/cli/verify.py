"""`dldoctor verify`: the checks, then the proof (a GPU container that runs nvidia-smi)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from dldoctor.i18n import _

if TYPE_CHECKING:
    import typer


def register(app: "typer.Typer") -> None:
    """Add `dldoctor verify` to the Typer app."""
    import typer

    from dldoctor.cli.errors import guarded
    from dldoctor.cli.options import (report_json_option, root_option, timeout_option,
                                      verbose_option)

    @app.command(help=_('Run the checks, then prove it: docker run --gpus all <cuda image> nvidia-smi.'))
    @guarded
    def verify(
        json_out: bool = report_json_option(),
        verbose: bool = verbose_option(),
        image: Optional[str] = typer.Option(None, "--image", metavar="IMAGE", help=_("Image for the smoke test (default: an nvidia/cuda base tag the driver can run).")),
        root: str = root_option(),
        timeout: float = timeout_option(),
        run_timeout: float = typer.Option(120.0, "--run-timeout", metavar="SECONDS", help=_("Seconds to allow the container run.")),
        pull_timeout: float = typer.Option(900.0, "--pull-timeout", metavar="SECONDS", help=_("Seconds to allow the image pull.")),
        dry_run: bool = typer.Option(False, "--dry-run", help=_("Print the smoke test's plan (the image and why, the preflight verdict, the pull and the docker run) and pull or run nothing.")),
        no_probe: bool = typer.Option(False, "--no-probe", help=_("Do not probe the configured registry mirrors (an offline host).")),
    ) -> None:
        from dldoctor.cli.check import emit
        from dldoctor.cli.options import require_seconds
        from dldoctor.host.factory import make_host
        from dldoctor.verify import verify as run_verify

        require_seconds("--run-timeout", run_timeout)
        require_seconds("--pull-timeout", pull_timeout)
        host = make_host(root, timeout)
        if dry_run:
            from dldoctor.scrub import safe
            from dldoctor.verify import dry_run as plan_only

            text, code = plan_only(host, image=image, json_out=json_out, probe=not no_probe)
            typer.echo(safe(text))
            raise typer.Exit(code)
        report = run_verify(host, image=image, run_timeout=run_timeout, pull_timeout=pull_timeout,
                            progress=not json_out, probe=not no_probe)
        emit(report, json_out, verbose)
        raise typer.Exit(report.exit_code)
