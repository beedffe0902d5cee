"""Arrow building blocks for synthetic rows: ids, dates, constant columns, coded choices."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from icp.records.synth.codes import CodeChoice
from icp.records.synth.population import NEVER

SOURCE = "icp synth"


def ids(prefix: str, start: int, count: int) -> pa.Array:
    """`prefix` followed by a running number: S-NI-NOR-CA-C1, S-NI-NOR-CA-C2 … (not padded:
    padding costs more than the rest of the id)."""
    numbers = pc.cast(pa.array(np.arange(start, start + count, dtype=np.int64)), pa.string())
    result: pa.Array = pc.binary_join_element_wise(prefix, numbers, "")
    return result


def opaque_ids(prefix: str, count: int, rng: np.random.Generator) -> pa.Array:
    """`prefix` followed by 16 random hex digits, all distinct: ids that cannot be guessed by counting
    (a person's id is in page and API addresses; a running number would let anyone list the ICP).
    Drawn from their own random stream, so the rest of the population does not change with them."""
    values = rng.integers(0, 2**63, size=count, dtype=np.int64)
    while len(np.unique(values)) < count:  # a repeat among 2^63 is all but impossible; redraw if so
        values = rng.integers(0, 2**63, size=count, dtype=np.int64)
    return pa.array([f"{prefix}{value:016x}" for value in values.tolist()], pa.string())


def dates(days: npt.NDArray[np.integer]) -> pa.Array:
    """Days since 1970-01-01 as date32, with NEVER as null."""
    days = np.asarray(days, dtype=np.int32)
    return pa.array(days, type=pa.int32(), mask=days == NEVER).cast(pa.date32())


def constant(value: object, count: int, type_: pa.DataType) -> pa.Array:
    return pa.repeat(pa.scalar(value, type=type_), count)


def provenance(icp: str, count: int, source: str) -> dict[str, pa.Array]:
    """The columns every synthetic row carries (batch_id is set by the batch writer)."""
    return {
        "icp": constant(icp, count, pa.string()),
        "source": constant(source, count, pa.string()),
        "synthetic": constant(True, count, pa.bool_()),
    }


def coded(choice: CodeChoice, rng: np.random.Generator, count: int) -> dict[str, pa.Array]:
    """SNOMED CT code and display for `count` rows, drawn by the choice's weights."""
    picked = pa.array(rng.choice(len(choice.codes), size=count, p=choice.weights).astype(np.int32))
    return {
        "code_system": constant("snomed", count, pa.string()),
        "code": pa.array(choice.codes).take(picked),
        "display": pa.array(choice.displays).take(picked),
    }


def pick(values: list[str] | tuple[str, ...], index: npt.NDArray[np.integer]) -> pa.Array:
    return pa.array(list(values), pa.string()).take(pa.array(np.asarray(index, dtype=np.int32)))
