"""The ``ivr`` command: one module per group of commands, all registered on one click group."""

from __future__ import annotations

import sys

import click

from ivr.cli import calls, checks, design, floor, screens
from ivr.cli.common import err


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ivr", prog_name="ivr", message="%(prog)s, version %(version)s")
def cli() -> None:
    """Simulate IVR phone menus: check them, draw them, and call them."""


for command in (
    design.check,
    design.diff,
    design.import_,
    design.export,
    design.graph,
    design.schema,
    design.speak,
    calls.call,
    calls.record,
    floor.staff,
    floor.simulate,
    floor.load,
    floor.report,
    checks.replay,
    checks.fuzz,
    screens.run,
    screens.serve,
    screens.demo,
):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``ivr`` console script."""
    try:
        cli.main(prog_name="ivr", standalone_mode=True)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
