"""The platform's own id for each person a source sends: opaque, stable, and not the source's.

A source system's patient id may be a running number (the next one is a guess away, and counting
them lists the population) or a national number. The warehouse, and so every URL, FHIR resource and
audit row, names an ingested person by `P-` and 20 hex digits of an HMAC-SHA256 of the source's id
under the warehouse's own key (`Warehouse.patient_id_key`, a random key in a file of the warehouse
folder that only its owner may read). The same source id always gives the same id, so a reload and
a later load's clinical records find the person again; without the key the id cannot be computed
from the source's, nor the source's recovered from it. The source's id is kept beside it
(`patient.source_id`), to trace a record back to its source.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "P-"
HEX_DIGITS = 20  # 80 bits: no two of a national population's ids meet, and none can be guessed
BLOCK_BYTES = 64  # SHA-256's block size


def opaque_patient_id(key: bytes, source_id: str) -> str:
    """The warehouse's id for the person a source calls `source_id`."""
    digest = hmac.new(key, source_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:HEX_DIGITS]


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys (RFC 2104), for computing the id in SQL."""
    block = hashlib.sha256(key).digest() if len(key) > BLOCK_BYTES else key
    block = block.ljust(BLOCK_BYTES, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def opaque_patient_id_sql(column: str, pads: str = "id_key") -> str:
    """SQL for opaque_patient_id of the VARCHAR `column`, with the relation `pads` (columns ipad,
    opad: `hmac_pads` as BLOBs) in scope: the same HMAC, vectorised, so a load of millions of people
    does not hash them one by one in Python. Tests hold it equal to opaque_patient_id."""
    inner = f"unhex(sha256({pads}.ipad || encode({column})))"
    return f"'{PREFIX}' || left(sha256({pads}.opad || {inner}), {HEX_DIGITS})"
