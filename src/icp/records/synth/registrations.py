"""Death registrations (date and place of death) and hospital procedures (lower-limb amputations)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from icp.records.synth.outcomes import DEATH_PLACES, MAJOR_AMPUTATIONS, MINOR_AMPUTATIONS, Outcomes
from icp.records.synth.population import NEVER, Cohort
from icp.records.synth.tables import constant, dates, pick, provenance, row_ids


def death_table(cohort: Cohort, outcomes: Outcomes, pids: pa.Array, source: str) -> pa.Table:
    """One row per death, with the place of death (no cause: the synthetic model has none)."""
    person = np.flatnonzero(outcomes.death_day != NEVER)
    places = outcomes.death_place if outcomes.death_place is not None else np.zeros(cohort.size, np.int8)
    n = person.size
    return pa.table(
        {
            "patient_id": pids.take(pa.array(person)),
            "death_date": dates(outcomes.death_day[person]),
            "place_of_death": pick(DEATH_PLACES, places[person]),
            **provenance(cohort.icp, n, source),
        }
    )


def procedure_table(cohort: Cohort, outcomes: Outcomes, pids: pa.Array, source: str) -> pa.Table:
    """Lower-limb amputations (OPCS-4) of people with diabetes, major and minor."""
    if (
        outcomes.amputation_person is None
        or outcomes.amputation_day is None
        or outcomes.amputation_code is None
    ):
        return pa.table({})
    person, code = outcomes.amputation_person, outcomes.amputation_code
    n = person.size
    table = (*MAJOR_AMPUTATIONS, *MINOR_AMPUTATIONS)
    return pa.table(
        {
            "procedure_id": row_ids(cohort, "P", n),
            "patient_id": pids.take(pa.array(person)),
            "code_system": constant("opcs4", n, pa.string()),
            "code": pick([c for c, _, _ in table], code),
            "display": pick([d for _, d, _ in table], code),
            "performed_date": dates(outcomes.amputation_day),
            **provenance(cohort.icp, n, source),
        }
    )
