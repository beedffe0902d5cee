"""The demo's published indicators: every indicator of the demo ICP month by month over the synthetic
history, disclosure-controlled, written where the evaluation pages read them (what
`icp measure --area <ICP> --out <data folder>/indicators` writes). Published once; a second run
reuses them."""

from __future__ import annotations

from icp.evaluation.published import indicators_dir
from icp.measure.indicators.cells import Months
from icp.measure.indicators.run import measure, write
from icp.records.engine import open_tables
from icp.records.persons import by_person
from icp.records.synth.population import EXTRACT_DATE, HISTORY_START
from icp.records.warehouse import Warehouse
from icp.sharing.policy import planning_opt_outs


def publish_demo_indicators(icp_code: str) -> str:
    folder = indicators_dir()
    if (folder / "month_icp.parquet").exists():
        return f"Indicators already published in {folder}/."
    months = Months(HISTORY_START, EXTRACT_DATE.replace(day=1))
    excluded = set(planning_opt_outs(icp_code, on=EXTRACT_DATE).patient_ids)
    tables = by_person(open_tables(Warehouse(), engine="duckdb", areas=[icp_code]))
    result = measure(tables, months, excluded=excluded)
    published = write(result, folder)
    return (
        f"{len(result.cells)} indicators published for {icp_code} "
        f"({len(published['month_icp'])} indicator-months) in {folder}/: see /evaluation/icp/{icp_code}/"
    )
