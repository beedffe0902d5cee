"""Arrow building blocks for synthetic rows: ids, dates, constant columns, coded choices.

String columns are built straight from NumPy byte buffers where Arrow's own kernels would go
value by value (ids, constants): the synthesiser writes tens of millions of them for NI.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from icp.records.synth.codes import CodeChoice
from icp.records.synth.population import NEVER, Cohort
from icp.records.warehouse import constant_string

SOURCE = "icp synth"
HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
DECIMAL_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)


def _strings(data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.integer]) -> pa.Array:
    """A string array from its UTF-8 bytes and its count + 1 offsets (int32, or int64 if larger)."""
    count = int(offsets.size) - 1
    if int(offsets[-1]) < 2**31:
        return pa.StringArray.from_buffers(
            count, pa.py_buffer(np.ascontiguousarray(offsets, dtype=np.int32)), pa.py_buffer(data)
        )
    large = pa.LargeStringArray.from_buffers(
        count, pa.py_buffer(np.ascontiguousarray(offsets, dtype=np.int64)), pa.py_buffer(data)
    )
    return large.cast(pa.string())


def _fixed_width(rows: npt.NDArray[np.uint8]) -> pa.Array:
    """A string array whose i-th value is the bytes of row i of a (count x width) matrix."""
    count, width = rows.shape
    return _strings(rows.reshape(-1), np.arange(count + 1, dtype=np.int64) * width)


def ids(prefix: str, start: int, count: int) -> pa.Array:
    """`prefix` followed by a running number: S-NI-NOR-CA-C1, S-NI-NOR-CA-C2 … (not padded:
    padding costs more than the rest of the id)."""
    if count == 0:
        return pa.array([], pa.string())
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    numbers = np.arange(start, start + count, dtype=np.int64)
    # Numbers with the same count of digits are consecutive: one fixed-width block each.
    blocks, widths = [], []
    digits = 1
    while True:
        low, high = (0 if digits == 1 else 10 ** (digits - 1)), 10**digits
        chosen = numbers[(numbers >= low) & (numbers < high)]
        if chosen.size:
            rows = np.empty((chosen.size, head.size + digits), dtype=np.uint8)
            rows[:, : head.size] = head
            for place in range(digits):
                rows[:, head.size + place] = DECIMAL_DIGITS[(chosen // 10 ** (digits - 1 - place)) % 10]
            blocks.append(rows.reshape(-1))
            widths.append(np.full(chosen.size, head.size + digits, dtype=np.int64))
        if high > numbers[-1]:
            break
        digits += 1
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.concatenate(widths), out=offsets[1:])
    return _strings(np.concatenate(blocks), offsets)


def row_ids(cohort: Cohort, letter: str, count: int) -> pa.Array:
    """The next `count` ids of one kind of row in the cohort's ICP: S-<ICP>-<letter><n>, numbered on
    from the rows of the blocks written before (the cohort's blocks share one count)."""
    start = cohort.next_ids.get(letter, 0)
    cohort.next_ids[letter] = start + count
    return ids(f"S-{cohort.icp}-{letter}", start, count)


def opaque_ids(prefix: str, count: int, rng: np.random.Generator) -> pa.Array:
    """`prefix` followed by 16 random hex digits, all distinct: ids that cannot be guessed by counting
    (a person's id is in page and API addresses; a running number would let anyone list the ICP).
    Drawn from their own random stream, so the rest of the population does not change with them."""
    values = rng.integers(0, 2**63, size=count, dtype=np.int64)
    while len(np.unique(values)) < count:  # a repeat among 2^63 is all but impossible; redraw if so
        values = rng.integers(0, 2**63, size=count, dtype=np.int64)
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    rows = np.empty((count, head.size + 16), dtype=np.uint8)
    rows[:, : head.size] = head
    shifts = np.arange(60, -1, -4, dtype=np.int64)
    rows[:, head.size :] = HEX_DIGITS[(values[:, None] >> shifts) & 0xF]
    return _fixed_width(rows)


def dates(days: npt.NDArray[np.integer]) -> pa.Array:
    """Days since 1970-01-01 as date32, with NEVER as null."""
    days = np.ascontiguousarray(days, dtype=np.int32)
    never = days == NEVER
    return pa.Array.from_buffers(
        pa.date32(), days.size, [_validity(~never) if never.any() else None, pa.py_buffer(days)]
    )


def _validity(present: npt.NDArray[np.bool_]) -> pa.Buffer:
    return pa.py_buffer(np.packbits(present, bitorder="little"))


def constant(value: object, count: int, type_: pa.DataType) -> pa.Array:
    if value is None:
        return pa.nulls(count, type_)
    if pa.types.is_string(type_) and isinstance(value, str):
        encoded = np.frombuffer(value.encode(), dtype=np.uint8)
        return _strings(np.tile(encoded, count), np.arange(count + 1, dtype=np.int64) * encoded.size)
    if pa.types.is_boolean(type_) and isinstance(value, bool):
        return pa.array(np.full(count, value, dtype=bool), pa.bool_())
    return pa.repeat(pa.scalar(value, type=type_), count)


def provenance(icp: str, count: int, source: str) -> dict[str, pa.Array | pa.ChunkedArray]:
    """The columns every synthetic row carries (batch_id is set by the batch writer)."""
    return {
        "icp": constant(icp, count, pa.string()),
        # Dictionary-encoded, as the warehouse writes it (its icp column it encodes itself).
        "source": constant_string(source, count),
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
