"""The `icp` command line: one Typer app (`icp.cli.app`), one module per group of commands.

Commands are thin: they check their arguments, call an action or the pure core, and print.
"""

from icp.cli.app import app, main

__all__ = ["app", "main"]
