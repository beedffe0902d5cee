"""FHIR R4 ingest and export for the records warehouse (pure Python: no Django here).

`ingest(paths, …)` loads Bulk Data NDJSON and Bundles as one atomic warehouse batch, putting aside
every record it cannot use with its reason; `export_fhir(out, …)` writes the warehouse back out as
Bulk Data NDJSON with a manifest. docs/ingest-and-export.md is the user guide.
"""

from icp.records.ingest.load import ingest
from icp.records.ingest.report import IngestReport, TypeCounts
from icp.records.ingest.sources import InputError

__all__ = ["IngestReport", "InputError", "TypeCounts", "ingest"]
