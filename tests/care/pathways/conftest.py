"""The pathway tests' world: the sharing world, with a way to give a person a latest risk result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from icp.patients.models import PatientIndex, RiskResult
from tests.care.risk_rows import app_values, result_row
from tests.sharing.conftest import World, shared_world, world

__all__ = ["shared_world", "world"]


@pytest.fixture
def risk_for(shared_world: World) -> Callable[..., RiskResult]:
    """Give a person a risk result (the row a stratification run would sync), with changes."""

    def make(patient: PatientIndex, **changes: Any) -> RiskResult:
        row = result_row(patient.patient_id, patient.practice.code if patient.practice else "", **changes)
        return RiskResult.objects.create(
            patient=patient, icp=patient.icp, practice=patient.practice, **app_values(row, patient.icp)
        )

    return make
