"""A stratifiable population for the app side: random records in the warehouse, indexed in the app."""

from __future__ import annotations

from icp.partnership.models import Area
from icp.patients.models import PatientIndex
from icp.records.warehouse import Warehouse
from tests.stratify.population import random_population


def indexed_warehouse(people: int, *, indexed: int | None = None) -> Warehouse:
    """A random population of `people` in NI-NOR-CA's warehouse (ICP_DATA_DIR), the first `indexed` of
    them (all by default) in the app database's patient index."""
    records = random_population(people)
    store = records.write(Warehouse())
    icp = Area.objects.get(code="NI-NOR-CA")
    practice = icp.practices.order_by("code").first()
    PatientIndex.objects.bulk_create(
        PatientIndex(patient_id=row["patient_id"], icp=icp, practice=practice, synthetic=True)
        for row in records.rows["patient"][:indexed]
    )
    return store
