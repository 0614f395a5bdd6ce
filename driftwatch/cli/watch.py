"""``watch-rule``: the EventBridge rule(s) for real-time alerts between snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import click

from driftwatch import watch
from driftwatch.cli import main
from driftwatch.cli.options import common_options, emit, finish, settings
from driftwatch.errors import EXIT_OK

FORMATS = ("pattern", "cloudformation", "cli")


@main.command("watch-rule")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="pattern",
    show_default=True,
    help="The event pattern JSON, a CloudFormation template, or AWS CLI commands.",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="EVENT",
    help="Leave out a noisy call, e.g. RunInstances (repeatable).",
)
@click.option(
    "--only-successful",
    is_flag=True,
    help="Skip calls AWS refused (by default refused attempts alert too).",
)
@click.option(
    "--rule-name",
    default=watch.DEFAULT_RULE_NAME,
    show_default=True,
    help="Name of the rule (and topic) in the template and commands.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE instead of stdout.",
)
@common_options
def watch_rule_command(
    *,
    output_format: str,
    exclude: tuple[str, ...],
    only_successful: bool,
    rule_name: str,
    output: Path | None,
) -> None:
    """Print the EventBridge pattern that catches every mutating EC2 network call."""
    settings()
    names = watch.watched_event_names(exclude)
    patterns = watch.event_patterns(names, only_successful=only_successful)
    if output_format == "cloudformation":
        template = watch.cloudformation_template(patterns, rule_name)
        text = json.dumps(template, indent=2) + "\n"
    elif output_format == "cli":
        text = watch.cli_script(patterns, rule_name)
    else:
        shown = patterns[0] if len(patterns) == 1 else patterns
        text = json.dumps(shown, indent=2) + "\n"
    emit(text, output)
    finish(EXIT_OK)
