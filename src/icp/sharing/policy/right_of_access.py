"""Subject access: may this user produce a person's own record for them (UK GDPR Article 15)?

Not a purpose of sharing, so none of the sharing checks apply: only the IG lead of the person's ICP
answers. The export itself, and its audit event, are `icp.sharing.subject_access`.
"""

from __future__ import annotations

from typing import Any

from icp.partnership.models import home_icp
from icp.partnership.roles import UserRole
from icp.patients.models import PatientIndex
from icp.sharing.policy.decision import Code, Decision
from icp.sharing.policy.facts import resolve
from icp.sharing.vocabulary import DataCategory

# A person's right of access to their own data (UK GDPR Article 15): not a purpose of sharing, so it
# is not in `Purpose` and no agreement, relationship or sharing choice governs it.
SUBJECT_ACCESS = "subject_access"


def decide_subject_access(
    user: Any, patient: PatientIndex | str | None
) -> tuple[PatientIndex | None, dict[str, Decision]]:
    """May `user` produce `patient`'s subject-access export (their whole record and access log)?

    Only the IG lead of the person's ICP, acting for the data controller, answers a right-of-access
    request. The data goes to the person themselves, so sharing agreements, relationships and the
    person's sharing choices (which restrict sharing with others) do not apply. Not audited here:
    the one caller, `icp.sharing.subject_access.export`, records the request allowed or refused as
    one event with what it contained.
    """
    found, patient_id = resolve(patient)

    def answer(allowed: bool, code: Code, reason: str) -> tuple[PatientIndex | None, dict[str, Decision]]:
        return found, {
            category: Decision(allowed, reason, code, SUBJECT_ACCESS, category, patient_id=patient_id)
            for category in DataCategory.values
        }

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return answer(False, Code.UNAUTHENTICATED, "You are not logged in.")
    if user.role != UserRole.IG_LEAD:
        return answer(
            False, Code.ROLE_PURPOSE, "Only an information-governance lead produces a subject-access export."
        )
    if found is None:
        return answer(False, Code.UNKNOWN_PATIENT, "No record with that id is available to you.")
    user_icp = home_icp(user)
    if user_icp is None or user_icp.pk != found.icp_id:
        return answer(False, Code.OTHER_ICP, "This person is not in the ICP your account works for.")
    return answer(True, Code.ALLOWED, "Subject access request answered by the IG lead of the person's ICP.")
