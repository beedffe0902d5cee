"""The one `icp` command: a Typer app that gathers every command module in `icp.cli`.

Each module holds one group of commands and exposes `app`; adding a group is one line here.
"""

from __future__ import annotations

from icp.cli import audit, demo, echo, ingest, jobs, link, measure, setup, spc, stratify, synth, users
from icp.cli.help import Typer

HELP = """icp: run an Integrated Care Partnership (RICE work and governance).

[bold]Start here.[/bold] To try it: [bold]icp demo[/bold] (what `make demo` runs). To set up a site:
[bold]icp migrate[/bold], then [bold]icp load-structure[/bold], then
[bold]icp createuser jo --role icp_manager --icp NI-NOR-CA[/bold], then [bold]icp serve[/bold].

[bold]One example per group[/bold] (every command has --help with its own):

- Set up and run: [bold]icp check[/bold], [bold]icp worker[/bold]

- Logins: [bold]icp token create jo[/bold]

- Records: [bold]icp synth --area NI-NOR-CA --seed 42[/bold], [bold]icp link --area NI-NOR-CA[/bold]

- Risk stratification (R): [bold]icp stratify --area NI-NOR-CA[/bold]

- Evaluation (E): [bold]icp spc admissions.csv --date month --value rate[/bold],
[bold]icp measure --area NI-NOR-CA --out indicators/[/bold]

- Information sharing (I) and audit: [bold]icp audit verify[/bold]

- Governance: [bold]icp echo totals --start 2020-01-01[/bold]
"""

app = Typer(help=HELP, no_args_is_help=True, rich_markup_mode="rich")
for module in (setup, jobs, demo, users, synth, ingest, link, stratify, spc, measure, audit, echo):
    app.add_typer(module.app)


def main() -> None:
    app(prog_name="icp")
