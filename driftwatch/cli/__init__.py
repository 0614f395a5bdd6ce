"""The ``driftwatch`` command line: thin click commands over the core modules.

Each command parses its options, calls one core function, prints the result
and ends with an exit code from ``driftwatch.errors``. The one place where a
``DriftwatchError`` becomes a sentence on stderr and an exit code is
``DriftwatchGroup.invoke``; nothing below the CLI prints or exits.

Command modules register themselves on ``main`` when imported at the bottom
of this file.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

import click

from driftwatch import __version__
from driftwatch.cli.options import is_verbose
from driftwatch.errors import EXIT_FAILURE, DriftwatchError


class DriftwatchGroup(click.Group):
    """A click group that turns driftwatch errors into one sentence and an exit."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a DriftwatchError becomes stderr text and its exit code."""
        try:
            return super().invoke(ctx)
        except DriftwatchError as exc:
            _report(exc, exc.exit_code)
        except KeyboardInterrupt:
            click.echo("driftwatch: interrupted.", err=True)
            sys.exit(130)
        except OSError as exc:
            _report(exc, EXIT_FAILURE)
        return None


def _report(exc: BaseException, exit_code: int) -> None:
    if is_verbose():
        traceback.print_exception(exc, file=sys.stderr)
    message = str(exc) if isinstance(exc, DriftwatchError) else _os_message(exc)
    click.echo(f"driftwatch: {message}", err=True)
    sys.exit(exit_code)


def _os_message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}."
    return f"{type(exc).__name__}: {exc}."


@click.group(
    cls=DriftwatchGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, prog_name="driftwatch")
def main() -> None:
    """Network drift, internet exposure and revert plans for AWS VPCs."""
    logging.captureWarnings(True)


# Registration: each module adds its commands to ``main``.
from driftwatch.cli import demo as _demo  # noqa: E402, F401
from driftwatch.cli import diff as _diff  # noqa: E402, F401
from driftwatch.cli import exposure as _exposure  # noqa: E402, F401
from driftwatch.cli import report as _incident_report  # noqa: E402, F401
from driftwatch.cli import revert as _revert  # noqa: E402, F401
from driftwatch.cli import snapshot as _snapshot  # noqa: E402, F401
from driftwatch.cli import watch as _watch  # noqa: E402, F401
