"""The codes synthetic records carry: register conditions, eFI deficits, medicines, hospital ICD-10.

Each code is real and taken from a published list copied under `reference/` (the test suite checks
that every condition code is in its QOF cluster, every deficit code in its eFI code set, and every
ICD-10 code in the HFRS or Charlson tables), so the code lists stratification uses find them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from icp.records.synth.reference import REFERENCE, _rows

# The registers, in a fixed order (a column per register in the morbidity matrix).
REGISTERS = (
    "hypertension",
    "diabetes",
    "asthma",
    "copd",
    "chd",
    "stroke_tia",
    "atrial_fibrillation",
    "heart_failure",
    "ckd",
    "dementia",
    "cancer",
    "depression",
    "palliative_care",
    "learning_disability",
)

# The eFI deficits that are not register conditions and not polypharmacy, plus two symptom
# entries that count towards deficits a register also feeds (cognitive, respiratory).
DEFICITS = (
    "activity_limitation",
    "anaemia",
    "arthritis",
    "care_requirement",
    "dizziness",
    "dyspnoea",
    "falls",
    "foot_problems",
    "fragility_fracture",
    "hearing_impairment",
    "heart_valve_disease",
    "housebound",
    "hypotension_syncope",
    "mobility_problems",
    "osteoporosis",
    "parkinsonism",
    "peptic_ulcer",
    "peripheral_vascular_disease",
    "skin_ulcer",
    "sleep_disturbance",
    "social_vulnerability",
    "thyroid_disease",
    "urinary_incontinence",
    "urinary_system_disease",
    "visual_impairment",
    "weight_loss",
    "memory_symptoms",
    "respiratory_symptoms",
)


@dataclass(frozen=True)
class CodeChoice:
    """The codes one register or deficit is recorded with, and how often each is used."""

    key: str
    codes: tuple[str, ...]
    displays: tuple[str, ...]
    weights: npt.NDArray[np.float64]
    source_lists: tuple[str, ...]


@cache
def code_choices() -> dict[tuple[str, str], CodeChoice]:
    """(group, key) → codes, from `reference/synth_codes.csv`."""
    grouped: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in _rows(REFERENCE / "synth_codes.csv"):
        grouped.setdefault((row["group"], row["key"]), []).append(row)
    return {
        key: CodeChoice(
            key[1],
            tuple(r["code"] for r in rows),
            tuple(r["display"] for r in rows),
            np.array([float(r["weight"]) for r in rows]) / sum(float(r["weight"]) for r in rows),
            tuple(r["source_list"] for r in rows),
        )
        for key, rows in grouped.items()
    }


@dataclass(frozen=True)
class Medicine:
    name: str
    indications: tuple[str, ...]
    code: str
    display: str


@cache
def formulary() -> tuple[Medicine, ...]:
    """The medicines prescribed for each register condition (dm+d codes, `reference/formulary.csv`)."""
    return tuple(
        Medicine(row["medicine"], tuple(row["for"].split()), row["code"], row["display"])
        for row in _rows(REFERENCE / "formulary.csv")
    )


@dataclass(frozen=True)
class Icd10Code:
    code: str  # with its dot, as hospital systems record it (e.g. J44.1 or I50)
    display: str


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


@cache
def hfrs_codes() -> tuple[tuple[Icd10Code, float], ...]:
    """The 109 HFRS ICD-10 3-character codes with their Gilbert 2018 weights."""
    return tuple(
        (Icd10Code(row["icd10_3char"], row["description"]), float(row["weight"]))
        for row in _rows(REFERENCE / "codelists" / "hfrs_gilbert2018_icd10.csv")
    )


# Primary diagnoses of emergency spells by the register condition that led to them: ICD-10 codes
# (3- or 4-character) whose prefixes are in the Charlson (Quan 2005) table where the condition is a
# Charlson category, so that Charlson scores computed from hospital records mean something.
EMERGENCY_DIAGNOSES: dict[str, tuple[tuple[str, str], ...]] = {
    "copd": (("J44.1", "Chronic obstructive pulmonary disease with acute exacerbation"),),
    "asthma": (("J45.9", "Asthma, unspecified"),),
    "heart_failure": (("I50.0", "Congestive heart failure"),),
    "chd": (("I21.9", "Acute myocardial infarction, unspecified"), ("I20.0", "Unstable angina")),
    "stroke_tia": (
        ("I63.9", "Cerebral infarction, unspecified"),
        ("G45.9", "Transient cerebral ischaemic attack"),
    ),
    "atrial_fibrillation": (("I48.9", "Atrial fibrillation and atrial flutter, unspecified"),),
    "diabetes": (("E11.6", "Type 2 diabetes mellitus with other specified complications"),),
    "ckd": (("N18.4", "Chronic kidney disease, stage 4"),),
    "dementia": (("F03", "Unspecified dementia"),),
    "cancer": (
        ("C34.9", "Malignant neoplasm of bronchus or lung, unspecified"),
        ("C18.9", "Malignant neoplasm of colon, unspecified"),
    ),
}
# Common emergency admissions of people without a matching register condition.
GENERAL_EMERGENCY_DIAGNOSES = (
    ("J18.9", "Pneumonia, unspecified"),
    ("N39.0", "Urinary tract infection, site not specified"),
    ("R07.4", "Chest pain, unspecified"),
    ("R10.4", "Other and unspecified abdominal pain"),
    ("K80.2", "Calculus of gallbladder without cholecystitis"),
    ("S72.0", "Fracture of neck of femur"),
    ("A09", "Diarrhoea and gastroenteritis of presumed infectious origin"),
)
# Falls injury spells (PHOF C29 / 2.24i counts emergency admissions of people 65+ with an injury,
# S00-T98, as primary diagnosis and a fall, W00-W19, as external cause): injuries common after a
# fall in older people, and the fall codes (4th character .0: at home), with icp's weights.
FALLS_INJURIES = (
    ("S72.0", "Fracture of neck of femur", 0.30),
    ("S72.1", "Pertrochanteric fracture", 0.10),
    ("S52.5", "Fracture of lower end of radius", 0.12),
    ("S42.2", "Fracture of upper end of humerus", 0.08),
    ("S32.5", "Fracture of pubis", 0.07),
    ("S06.0", "Concussion", 0.10),
    ("S01.8", "Open wound of other parts of head", 0.13),
    ("T14.0", "Superficial injury of unspecified body region", 0.10),
)
FALLS_CAUSES = (
    ("W19.0", "Unspecified fall, home", 0.45),
    ("W01.0", "Fall on same level from slipping, tripping and stumbling, home", 0.35),
    ("W10.0", "Fall on and from stairs and steps, home", 0.12),
    ("W06.0", "Fall involving bed, home", 0.08),
)
ELECTIVE_DIAGNOSES = (
    ("H25.9", "Senile cataract, unspecified"),
    ("M17.1", "Other primary gonarthrosis"),
    ("M16.1", "Other primary coxarthrosis"),
    ("K40.9", "Unilateral or unspecified inguinal hernia"),
    ("N40", "Hyperplasia of prostate"),
    ("K57.3", "Diverticular disease of large intestine without perforation or abscess"),
    ("D12.6", "Benign neoplasm of colon, unspecified"),
)


@cache
def charlson_prefixes() -> tuple[str, ...]:
    with (REFERENCE / "codelists" / "charlson_quan2005_icd10.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        return tuple(row["icd10_prefix"] for row in csv.DictReader(handle))


@cache
def efi_code_sets() -> dict[str, set[str]]:
    """eFI code set name (e.g. efi-falls) → its SNOMED CT codes, from the Clegg 2016 mapped list."""
    sets: dict[str, set[str]] = {}
    for row in _rows(REFERENCE / "codelists" / "efi_clegg2016_snomed_mapped.csv"):
        sets.setdefault(row["gmsde_codeset"], set()).add(row["snomed_concept_id"])
    return sets


__all__ = [
    "DEFICITS",
    "EMERGENCY_DIAGNOSES",
    "REGISTERS",
    "CodeChoice",
    "Icd10Code",
    "Medicine",
    "code_choices",
    "efi_code_sets",
    "formulary",
    "hfrs_codes",
]
