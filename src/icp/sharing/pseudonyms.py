"""Pseudonyms: stable, unguessable stand-ins for a person's id in outputs that are not for direct care.

Planning and evaluation see people only as pseudonyms (Caldicott: the minimum necessary). A pseudonym
is a keyed hash (HMAC-SHA256 under the deployment's secret key) of the opaque patient id, so it is
the same person on every page and export of one deployment, cannot be reversed or recomputed without
the key, and differs between deployments.
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac

# Why a salt: the same SECRET_KEY signs sessions; a purpose-specific salt keeps the uses apart.
_SALT = "icp.sharing.pseudonyms"


def pseudonym(patient_id: str) -> str:
    """The pseudonym of one person, e.g. 'PSN-3F9A2C71D0B4'."""
    digest = salted_hmac(_SALT, patient_id, algorithm="sha256").hexdigest()
    return f"PSN-{digest[:12].upper()}"
