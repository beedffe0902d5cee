"""`icp demo`: set up the demo (everything in `icp.demo`) and serve it. The only CLI module that
imports the demo package."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from icp.cli.help import Typer
from icp.cli.output import console, refuse
from icp.cli.setup import serve

app = Typer()


@app.command(rich_help_panel="Set up and run")
def demo(
    serve_site: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the site when ready")] = True,
) -> None:
    """Set up the demo on the embedded defaults with synthetic data, print the logins and serve.

    The logins' password is ICP_DEMO_PASSWORD if set. Every step is idempotent.

    Example: [bold]icp demo[/bold] (what `make demo` runs)
    """
    os.environ.setdefault("ICP_DEBUG", "1")
    from icp.demo.run import DEMO_PASSWORD_DEFAULT, run_demo

    password = os.environ.get("ICP_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
    from django.core.exceptions import ValidationError

    try:
        run_demo(console=console, password=password)
    except ValidationError as error:  # the logins' password must pass the site's validators
        refuse("The demo was not finished: " + " ".join(error.messages))
    if serve_site:
        serve(dev=True)
