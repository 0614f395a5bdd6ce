"""Options every command shares, and the output helpers built on them.

``--store``, ``-v`` and ``-q`` are on every command; ``--profile``,
``--region`` and ``--endpoint-url`` on those that read AWS. The decorators add
them without passing them as arguments: commands ask ``settings()`` and
``aws_settings()`` for what was given, so their signatures stay about their
own options.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.logging import RichHandler

from driftwatch.aws import AwsTarget
from driftwatch.files import atomic_write
from driftwatch.store import Store, default_store

F = TypeVar("F", bound=Callable[..., Any])

_META = "driftwatch.settings"


@dataclass(frozen=True)
class Settings:
    """What the shared options said."""

    store: Store
    verbose: int
    quiet: bool


@dataclass(frozen=True)
class AwsSettings:
    """Where to read AWS: the target and the regions asked for (empty: all)."""

    target: AwsTarget
    regions: tuple[str, ...]


def _remember(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        ctx.meta.setdefault(_META, {})[name] = value
        return value

    return callback


def common_options(function: F) -> F:
    """Add ``--store``, ``-v/--verbose`` and ``-q/--quiet`` to a command."""
    decorators = [
        click.option(
            "--store",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Store directory (default: $DRIFTWATCH_STORE or ./baselines).",
            expose_value=False,
            callback=_remember("store"),
        ),
        click.option(
            "-v",
            "--verbose",
            count=True,
            help="More detail on stderr; -v also shows tracebacks of errors.",
            expose_value=False,
            is_eager=True,
            callback=_remember("verbose"),
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="Only errors on stderr, no progress.",
            expose_value=False,
            is_eager=True,
            callback=_remember("quiet"),
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def aws_options(function: F) -> F:
    """Add ``--profile``, ``--region`` (repeatable) and ``--endpoint-url``."""
    decorators = [
        click.option(
            "--profile",
            default=None,
            help="AWS profile from the shared config files.",
            expose_value=False,
            callback=_remember("profile"),
        ),
        click.option(
            "--region",
            "regions",
            multiple=True,
            help="Region to read (repeatable; default: every enabled region).",
            expose_value=False,
            callback=_remember("regions"),
        ),
        click.option(
            "--endpoint-url",
            default=None,
            envvar="AWS_ENDPOINT_URL",
            help="AWS endpoint override, for emulators (or $AWS_ENDPOINT_URL).",
            expose_value=False,
            callback=_remember("endpoint_url"),
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def _given() -> dict[str, Any]:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return {}
    return dict(ctx.meta.get(_META, {}))


def settings() -> Settings:
    """The shared options of the running command; configures logging once."""
    given = _given()
    store = Store(given.get("store") or default_store())
    result = Settings(store, int(given.get("verbose") or 0), bool(given.get("quiet")))
    configure_logging(result)
    return result


def aws_settings() -> AwsSettings:
    """The AWS options of the running command."""
    given = _given()
    target = AwsTarget(
        profile=given.get("profile"), endpoint_url=given.get("endpoint_url")
    )
    return AwsSettings(target, tuple(given.get("regions") or ()))


def is_verbose() -> bool:
    """True when -v was given, so errors show their traceback."""
    return bool(_given().get("verbose"))


def configure_logging(given: Settings) -> None:
    """INFO off a terminal, WARNING on one (progress shows there), DEBUG with -vv."""
    if given.quiet:
        level = logging.ERROR
    elif given.verbose >= 2:
        level = logging.DEBUG
    elif given.verbose == 1 or not sys.stderr.isatty():
        level = logging.INFO
    else:
        level = logging.WARNING
    handler: logging.Handler
    if sys.stderr.isatty():
        handler = RichHandler(console=stderr_console(), show_path=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("driftwatch")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def stderr_console() -> Console:
    """A rich console on stderr, for progress and tables about the run."""
    return Console(stderr=True)


def show_progress(given: Settings) -> bool:
    """Progress bars only on a terminal and never with -q."""
    return not given.quiet and sys.stderr.isatty()


def emit(text: str, output: Path | None = None) -> None:
    """Write a result to ``output`` atomically, or to stdout."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    atomic_write(output, text.encode("utf-8"))


def default_format(terminal: str, piped: str) -> str:
    """The default output format: ``terminal`` on a terminal, else ``piped``."""
    return terminal if sys.stdout.isatty() else piped


def finish(exit_code: int) -> None:
    """End the command with ``exit_code``."""
    click.get_current_context().exit(exit_code)
