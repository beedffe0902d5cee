"""The published figures `icp synth` is calibrated to, read from the files copied beside this module.

Every file under `reference/` is a copy of a published file (see `reference/SOURCE_population.md`,
`reference/SOURCE_practices.md` and `reference/codelists/SOURCE_*.md` for where each came from).
The GP practices and the ICPs' postcode districts live here, on the pure side, as the one copy:
the partnership registry (`icp.partnership.reference`) reads the same files from this package, so
nothing pure reads an app's files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

REFERENCE = Path(__file__).resolve().parent / "reference"

# Five-year bands of the NI population table, as lower bounds; "100+" is treated as 100-104.
AGE_BANDS = np.arange(0, 105, 5)
NIMDM_AREAS = 890  # SOAs ranked by NIMDM 2017; 890 / 5 = 178 per quintile


class ReferenceDataError(ValueError):
    """A reference file does not say what the synthesiser expects; the message names file and line."""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Practice:
    code: str  # NI-GP-%03d of the BSO practice number, as the partnership registry names it
    icp: str
    list_size: int
    postcode_district: str


@cache
def icp_codes() -> tuple[str, ...]:
    """The 17 NI ICP codes in the order of the registry file (the order fixes each ICP's seed)."""
    return tuple(row["icp_code"] for row in _rows(REFERENCE / "ni_icps.csv"))


@cache
def practices() -> tuple[Practice, ...]:
    """NI practices with their BSO list sizes (January 2024), assigned to ICPs as the registry does:
    by postcode district within the practice's LCG area (`icp/partnership/reference.py`)."""
    lcg_codes = {"Belfast": "NI-BEL", "Northern": "NI-NOR", "South Eastern": "NI-SE"}
    lcg_codes |= {"Southern": "NI-SO", "Western": "NI-WE"}
    by_district: dict[tuple[str, str], str] = {}
    for row in _rows(REFERENCE / "ni_icps.csv"):
        for district in row["postcode_districts"].split():
            by_district[(row["lcg_area"], district)] = row["icp_code"]
    found = []
    for line, row in enumerate(_rows(REFERENCE / "ni_gp_practices_bso_jan2024.csv"), start=2):
        lcg = row["LCG"].strip()
        district = row["Postcode"].strip().upper().split()[0]
        icp_code = by_district.get((lcg, district))
        if icp_code is None or lcg not in lcg_codes:
            raise ReferenceDataError(
                f"ni_gp_practices_bso_jan2024.csv line {line}: no ICP covers {lcg!r} {district!r}"
            )
        found.append(
            Practice(
                code=f"NI-GP-{int(row['PracNo']):03d}",
                icp=icp_code,
                list_size=int(row["Registered_Patients"]),
                postcode_district=district,
            )
        )
    return tuple(found)


@cache
def age_sex_shares() -> npt.NDArray[np.float64]:
    """Shares of NI's mid-2022 population by (sex, 5-year band): shape (2, 21), female row first."""
    counts = np.zeros((2, len(AGE_BANDS)))
    for row in _rows(REFERENCE / "ni_population_5yr_age_sex_mid2022_to_mid2026.csv"):
        if row["year"] != "2022" or row["sex"] not in ("Females", "Males"):
            continue
        band = int(row["age_band"].rstrip("+").split("-")[0]) // 5
        counts[0 if row["sex"] == "Females" else 1, band] = float(row["population"])
    if counts.min() <= 0:
        raise ReferenceDataError("ni_population_5yr_age_sex_mid2022_to_mid2026.csv: a 2022 band is missing")
    shares: npt.NDArray[np.float64] = counts / counts.sum()
    return shares


@cache
def life_table_mx() -> npt.NDArray[np.float64]:
    """Central death rate per person-year by sex (female row first) and single year of age 0-100."""
    mx = np.zeros((2, 101))
    for row in _rows(REFERENCE / "ni_national_life_table_2020_2022.csv"):
        mx[0 if row["sex"] == "Females" else 1, int(row["age"])] = float(row["mx"])
    return mx


@cache
def soa_ranks_by_lgd() -> dict[str, npt.NDArray[np.int32]]:
    """NIMDM 2017 overall ranks (1 = most deprived of 890) of the SOAs in each 2014 district."""
    lgd = {
        row["soa01_code"]: row["lgd14_name"] for row in _rows(REFERENCE / "ni_soa2001_to_lgd2014_lookup.csv")
    }
    ranks: dict[str, list[int]] = {}
    for row in _rows(REFERENCE / "nimdm2017_soa_deciles_ranks.csv"):
        ranks.setdefault(lgd[row["soa_code"]], []).append(int(row["IMD_rank"]))
    return {name: np.array(sorted(values), dtype=np.int32) for name, values in ranks.items()}


@cache
def soa_codes_by_rank() -> dict[int, str]:
    return {
        int(row["IMD_rank"]): row["soa_code"] for row in _rows(REFERENCE / "nimdm2017_soa_deciles_ranks.csv")
    }


# Which 2014 districts each ICP's people live in. An approximation made for icp (no published
# practice-to-SOA catchment exists in the reference): ICPs are matched to the districts their
# postcode districts mostly fall in; Belfast's four ICPs all draw from Belfast's SOAs.
ICP_DISTRICTS: dict[str, tuple[str, ...]] = {
    "NI-BEL-N": ("Belfast",),
    "NI-BEL-W": ("Belfast",),
    "NI-BEL-S": ("Belfast",),
    "NI-BEL-E": ("Belfast",),
    "NI-NOR-AB": ("Antrim and Newtownabbey", "Mid and East Antrim"),
    "NI-NOR-CA": ("Causeway Coast and Glens",),
    "NI-NOR-EA": ("Mid and East Antrim", "Antrim and Newtownabbey"),
    "NI-NOR-MU": ("Mid Ulster",),
    "NI-SE-DO": ("Newry, Mourne and Down",),
    "NI-SE-ND": ("North Down and Ards",),
    "NI-SE-AR": ("North Down and Ards",),
    "NI-SE-LI": ("Lisburn and Castlereagh",),
    "NI-SO-AD": ("Armagh, Banbridge and Craigavon", "Mid Ulster"),
    "NI-SO-CB": ("Armagh, Banbridge and Craigavon",),
    "NI-SO-NM": ("Newry, Mourne and Down",),
    "NI-WE-DE": ("Derry and Strabane",),
    "NI-WE-SW": ("Fermanagh and Omagh", "Derry and Strabane"),
}


@dataclass(frozen=True)
class Prevalence:
    register: str
    per_100: float  # published register size per 100 of the denominator
    minimum_age: int  # the denominator's age floor (0 = all ages)
    table: str  # which published figure, for the docs and test messages


# The QOF registers icp synthesises, mapped to the rows of the NI QOF summary table.
QOF_LABELS = {
    "hypertension": "Hypertension",
    "diabetes": "Diabetes Mellitus",
    "asthma": "Asthma",
    "copd": "Chronic Obstructive Pulmonary Disease",
    "chd": "Coronary Heart Disease",
    "stroke_tia": "Stroke & TIA",
    "atrial_fibrillation": "Atrial Fibrillation",
    "heart_failure": "Heart Failure 1",
    "ckd": "Chronic Kidney Disease",
    "dementia": "Dementia",
    "cancer": "Cancer",
    "depression": "Depression",
}
# No NI figure for learning disability exists in the reference (its SOURCE says so): icp assumes
# half a percent of all ages, the order of UK GP learning-disability registers. Not calibrated.
LEARNING_DISABILITY_ASSUMED_PER_100 = 0.5


@cache
def qof_prevalence() -> dict[str, Prevalence]:
    """The register prevalences to hit, from the NI QOF tables (latest year each)."""
    summary = {
        row["nisra_disease_label"]: row for row in _rows(REFERENCE / "ni_qof_prevalence_latest_summary.csv")
    }
    found: dict[str, Prevalence] = {}
    for register, label in QOF_LABELS.items():
        row = summary[label]
        denominator = row["denominator"]
        minimum_age = 18 if "18+" in denominator else 17 if "17+" in denominator else 0
        found[register] = Prevalence(
            register,
            float(row["prevalence_per_100"]),
            minimum_age,
            f"NI QOF {row['financial_year']} ({label}, {denominator})",
        )
    for row in _rows(REFERENCE / "ni_qof_register_totals_2024_25_practice_sum_thirdparty.csv"):
        if row["register"] == "Palliative Care":
            found["palliative_care"] = Prevalence(
                "palliative_care",
                float(row["prevalence_per_1000_full_list"]) / 10,
                0,
                "NI practice table 2024/25 summed by a third party (Palliative Care, all ages)",
            )
    found["learning_disability"] = Prevalence(
        "learning_disability", LEARNING_DISABILITY_ASSUMED_PER_100, 0, "assumed by icp (no NI figure)"
    )
    return found


@dataclass(frozen=True)
class HospitalRates:
    """Admissions per person-year by age band (lower bounds 0, 5, 15, 45, 65, 75, 85)."""

    band_lower: npt.NDArray[np.int32]
    all_admissions: npt.NDArray[np.float64]
    emergency_share: float  # of discharge episodes, NI overall (not published by age)
    elective_share: float  # waiting list + planned, of discharge episodes


@cache
def hospital_rates() -> HospitalRates:
    """NI 2021/22 admissions by age band over the mid-2022 population of the same bands."""
    rows = _rows(REFERENCE / "ni_hospital_activity_headline_2021_22.csv")
    bands = {"0-4": 0, "5-14": 5, "15-44": 15, "45-64": 45, "65-74": 65, "75-84": 75, "85 & Over": 85}
    admissions = {}
    for row in rows:
        if row["measure"] == "Admissions" and row["breakdown"] == "age_band":
            label = row["category"].split(" (")[0]
            admissions[bands[label]] = float(row["count"])
    discharges = {
        row["category"]: float(row["count"])
        for row in rows
        if row["measure"] == "Discharge Episodes" and row["breakdown"] == "type"
    }
    total = sum(discharges.values())
    shares = age_sex_shares().sum(axis=0) * 1_910_543  # the mid-2022 NI total, for denominators
    lower = np.array(sorted(admissions), dtype=np.int32)
    upper = np.append(lower[1:], 105)
    population = np.array(
        [shares[(lo <= AGE_BANDS) & (hi > AGE_BANDS)].sum() for lo, hi in zip(lower, upper, strict=True)]
    )
    rate = np.array([admissions[int(lo)] for lo in lower]) / population
    elective = sum(v for k, v in discharges.items() if k.startswith(("Waiting List", "Planned")))
    return HospitalRates(lower, rate, discharges["Emergency"] / total, elective / total)
