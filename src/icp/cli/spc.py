"""`icp spc`: any analyst's CSV in, its XmR chart and numbers out (Making Data Count rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from icp.cli.help import Typer

SPC_HELP = """Draw an XmR (SPC) chart of one column of a CSV over its dates, as NHS England's Making Data
Count and NHSRplotthedots do: mean, process limits, special causes, variation and assurance icons.

Example: [bold]icp spc admissions.csv --date month --value rate --improvement down
--json spc.json --svg spc.svg[/bold]
"""

console = Console()
errors = Console(stderr=True)
app = Typer()


@app.command(help=SPC_HELP, rich_help_panel="Evaluation (E)")
def spc(
    file: Annotated[Path, typer.Argument(help="A CSV file with a header row", metavar="FILE")],
    date: Annotated[
        str,
        typer.Option(
            "--date", help="The column of dates (YYYY-MM-DD, YYYY-MM or DD/MM/YYYY)", metavar="COLUMN"
        ),
    ],
    value: Annotated[str, typer.Option("--value", help="The column of numbers to chart", metavar="COLUMN")],
    improvement: Annotated[
        str,
        typer.Option("--improvement", help="Which way is better: up, down or neutral", metavar="DIRECTION"),
    ] = "neutral",
    target: Annotated[
        float | None, typer.Option("--target", help="A target, for the assurance icon", metavar="NUMBER")
    ] = None,
    baseline: Annotated[
        int | None,
        typer.Option(
            "--baseline", help="Fix the mean and limits on the first N points (12 or more)", metavar="N"
        ),
    ] = None,
    rebase: Annotated[
        list[str] | None,
        typer.Option(
            "--rebase",
            help="Recalculate the limits from this date on (repeatable), YYYY-MM-DD",
            metavar="DATE",
        ),
    ] = None,
    screen_outliers: Annotated[
        bool, typer.Option("--screen-outliers", help="Leave out moving ranges above 3.267 x their mean")
    ] = False,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the points and icons as JSON", metavar="FILE")
    ] = None,
    svg_out: Annotated[
        Path | None, typer.Option("--svg", help="Write the chart as an accessible SVG", metavar="FILE")
    ] = None,
) -> None:
    from icp.measure.series import SeriesError, parse_date, read_series
    from icp.measure.spc import IMPROVEMENTS, SpcError
    from icp.measure.spc import spc as chart_of
    from icp.measure.spc_chart import ASSURANCE_WORDS, VARIATION_WORDS, chart_svg

    if improvement not in IMPROVEMENTS:
        errors.print(f"[red]--improvement {improvement!r}: expected up, down or neutral[/red]")
        raise typer.Exit(2)
    try:
        series = read_series(file, date_column=date, value_column=value)
        rebase_dates = [parse_date(day) for day in rebase or []]
    except (SeriesError, ValueError) as error:
        errors.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(2) from None
    for day in sorted(set(rebase_dates) - set(series.dates)):
        errors.print(f"[yellow]--rebase {day}: not a date in {file}, so it changes nothing[/yellow]")
    try:
        chart = chart_of(
            series.dates,
            series.values,
            improvement=improvement,
            target=target,
            baseline=baseline,
            rebase=rebase_dates,
            screen_outliers=screen_outliers,
        )
    except SpcError as error:
        errors.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(2) from None
    if json_out:
        json_out.write_text(chart.to_json() + "\n", encoding="utf-8")
    if svg_out:
        svg_out.write_text(
            chart_svg(chart, title=f"{value} by {date} ({file.name})") + "\n", encoding="utf-8"
        )
    points = chart.points
    table = Table(title=f"{value}: {len(points)} points", show_lines=False)
    for heading in ("from", "to", "points", "mean", "lower", "upper", "special cause points"):
        table.add_column(heading, justify="right" if heading not in ("from", "to") else "left")
    for _period, group in points.groupby("period"):
        first = group.iloc[0]
        table.add_row(
            str(first["date"]),
            str(group.iloc[-1]["date"]),
            str(len(group)) + (" (trial)" if bool(first["trial_limits"]) else ""),
            f"{first['mean']:.4g}",
            f"{first['lower']:.4g}",
            f"{first['upper']:.4g}",
            str(int(group["special_cause"].notna().sum())),
        )
    console.print(table)
    console.print(VARIATION_WORDS[chart.variation or "common_cause"], highlight=False)
    if chart.assurance:
        console.print(ASSURANCE_WORDS[chart.assurance], highlight=False)
    for path in (json_out, svg_out):
        if path:
            console.print(f"Wrote {path}", highlight=False)
