"""Opaque ids: what URLs and FHIR resources carry instead of a database key.

A database key is a sequence: it says how many rows there are and in what order they came, and the
next one is a guess away. An opaque id is 80 random bits, so it says nothing and cannot be guessed.
"""

from __future__ import annotations

import secrets


def new_public_id() -> str:
    """An opaque, unguessable id for URLs and FHIR ids (never the database key)."""
    return secrets.token_hex(10)
