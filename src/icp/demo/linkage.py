"""The demo's second sources: a trust, a council and a pharmacy send records of some of the demo
ICP's people, with the errors real extracts carry, and `icp link` joins them into persons.

So the demo shows record linkage as an information-governance lead meets it: persons brought
together from several sources on the shared care record, and pairs waiting on the review page.
The copies are `icp.records.linkage.synthetic`'s (the same error model the linkage benchmark
measures), written as one synthetic batch that a new `icp synth` of the ICP replaces with the rest.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icp.records.linkage.synthetic import other_sources
from icp.records.schema import CLINICAL_TABLES
from icp.records.warehouse import Warehouse

# A small share of the ICP's people in each other source, so the demo's linkage stays about a
# minute. Few second-source records among 100,000 make the model's prior small, so many true pairs
# wait for review (about 1,900 on the demo ICP; docs/linkage.md, "In the demo").
DEMO_SHARES: dict[str, float] = {"trust": 0.03, "council": 0.01, "pharmacy": 0.02}
SEED = 7


def second_sources_label(icp_code: str) -> str:
    return f"second sources of {icp_code} (synthetic): a trust, a council and a pharmacy"


def add_second_sources(
    icp_code: str, names: dict[str, str] | None = None, warehouse: Warehouse | None = None
) -> int:
    """Write the other sources' copies of some GP records once; the number of records written
    (0 when the demo already has them). `names`: each source's name as records show it."""
    warehouse = warehouse or Warehouse()
    label = second_sources_label(icp_code)
    if warehouse.find_batches(source=label, area=icp_code):
        return 0
    schema = CLINICAL_TABLES["patient"]
    columns = [name for name in schema.names if name not in {"batch_id", "source"}]
    gp = warehouse.read_arrow("patient", [icp_code], columns=columns)
    gp = gp.filter(pc.equal(gp.column("registered"), True))
    copies, _truth = other_sources(gp.to_pylist(), np.random.default_rng(SEED), DEMO_SHARES, prefix="DEMO-")
    if not copies:
        return 0
    names = names or {}
    sources = [names.get(key, key) for key in (str(copy.pop("source")) for copy in copies)]
    table = pa.Table.from_pylist([{**copy, "person_id": None} for copy in copies])
    table = table.append_column("source", pa.array(sources, pa.string()))
    with warehouse.batch(kind="synth", source=label) as batch:
        batch.write("patient", table)
    return int(table.num_rows)


def link_demo_sources(icp_code: str) -> str:
    """`make demo`'s step: the other sources' records, then `icp link` over the ICP (once)."""
    from icp.audit.events import EventType
    from icp.audit.models import AuditEvent
    from icp.partnership.models import Area, Organisation
    from icp.patients.linkage import run_linkage

    icp = Area.objects.select_related("parent").get(code=icp_code)
    # The demo partnership's own organisations (icp.demo.partnership) send the records.
    codes = {"trust": f"{icp.parent.code if icp.parent else ''}-TRUST", "council": f"{icp_code}-CNCL"}
    codes["pharmacy"] = f"{icp_code}-PH1"
    found = dict(Organisation.objects.filter(code__in=codes.values()).values_list("code", "name"))
    names = {key: found.get(code, f"A {key}") for key, code in codes.items()}
    names = {key: name if "synthetic" in name else f"{name} (synthetic)" for key, name in names.items()}
    written = add_second_sources(icp_code, names)
    linked_before = AuditEvent.objects.filter(action=EventType.LINKAGE_RUN, detail__icp=icp_code).exists()
    if not written and linked_before:
        return f"Record linkage: {icp_code} already linked."
    summary = run_linkage(area=icp_code)
    return (
        f"Record linkage (synthetic second sources): {summary.records:,} records, {summary.persons:,} "
        f"persons, {summary.waiting} pairs waiting for the IG lead's review."
    )
