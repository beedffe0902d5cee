"""Words, not codes: the term for a clinical code, units as clinicians write them, settings and
register names in words, in UK English.

- **Terms.** A code's term is the display text the source sent with it (the FHIR `display`: what
  the recording system showed the clinician), else the term the shipped code lists give the code
  (`codelists.code_terms()`: the eFI, register, flag and observation lists, each cited in
  `codelists/codelists.csv`), else nothing is invented: the page shows the code with
  "(no term known)". ICD-10 codes without a display take the HFRS list's description of
  their 3-character category, said as such ("category I50").
- **UK spelling.** The code lists carry SNOMED CT International Edition terms in US English
  ("Anemia", "Dyspnea"). The UK Edition's en-GB language reference set is not shipped here, so
  the common US forms are turned into UK ones by the word table `UK_SPELLINGS` below (an
  approximation of the en-GB preferred terms, not a copy of them; a spec test lists the cases).
- **Units.** Sources send UCUM codes (`mm[Hg]`, `mL/min/{1.73_m2}`, `kg/m2`); pages show them as
  written in UK clinical practice ("mmHg", "mL/min/1.73m²", "kg/m²"). UCUM: https://ucum.org/ucum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from icp.stratify import codelists

NO_TERM = "(no term known)"

# Code systems by the names people know them by.
SYSTEM_NAMES = {
    "snomed": "SNOMED CT",
    "icd10": "ICD-10",
    "opcs4": "OPCS-4",
    "dmd": "dm+d",
    "loinc": "LOINC",
    "read2": "Read v2",
    "ctv3": "CTV3",
    "icp-local": "local code",
}

# US → UK spellings met in SNOMED CT and LOINC terms (stems, matched at the start of a word, so
# "anemia" and "anemic" both change; the rest of the word is kept). Order matters where one stem
# contains another.
UK_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("anesthe", "anaesthe"),
    ("anemi", "anaemi"),
    ("hemoglobin", "haemoglobin"),
    ("hemorrh", "haemorrh"),
    ("hematu", "haematu"),
    ("hemato", "haemato"),
    ("hemat", "haemat"),
    ("hemoly", "haemoly"),
    ("hemophil", "haemophil"),
    ("hypoglycem", "hypoglycaem"),
    ("hyperglycem", "hyperglycaem"),
    ("glycemi", "glycaemi"),
    ("ischem", "ischaem"),
    ("leukem", "leukaem"),
    ("septicem", "septicaem"),
    ("dyspnea", "dyspnoea"),
    ("apnea", "apnoea"),
    ("diarrhea", "diarrhoea"),
    ("edema", "oedema"),
    ("esophag", "oesophag"),
    ("estrogen", "oestrogen"),
    ("orthoped", "orthopaed"),
    ("pediatr", "paediatr"),
    ("gynecolog", "gynaecolog"),
    ("tumor", "tumour"),
    ("behavior", "behaviour"),
    ("center", "centre"),
    ("fiber", "fibre"),
    ("catheteriz", "catheteris"),
    ("hospitaliz", "hospitalis"),
    ("immuniz", "immunis"),
)
_SPELLING = re.compile(r"\b(" + "|".join(re.escape(us) for us, _uk in UK_SPELLINGS) + r")", re.IGNORECASE)
_UK = {us: uk for us, uk in UK_SPELLINGS}
# "(disorder)", "(finding)": SNOMED CT's semantic tags; "[V]", "[D]", "[X]": Read v2 chapter marks.
_SEMANTIC_TAG = re.compile(r"\s*\((disorder|finding|procedure|situation|observable entity|regime/therapy)\)$")
_READ_MARK = re.compile(r"^\[[A-Z]\]\s*")


def uk_english(text: str) -> str:
    """`text` with US spellings of clinical words in UK English ("Anemia" → "Anaemia")."""

    def swap(match: re.Match[str]) -> str:
        found = match.group(1)
        uk = _UK[found.lower()]
        if found.isupper():
            return uk.upper()
        return uk[0].upper() + uk[1:] if found[0].isupper() else uk

    return _SPELLING.sub(swap, text)


def clean_term(text: str) -> str:
    """A list's term as a page shows it: no semantic tag, no Read chapter mark, UK spelling."""
    return uk_english(_READ_MARK.sub("", _SEMANTIC_TAG.sub("", text.strip())))


@dataclass(frozen=True)
class Term:
    """The words for one code, and where they came from."""

    text: str  # what the page shows; the code itself when no term is known
    code_system: str
    code: str
    known: bool

    @property
    def system_name(self) -> str:
        return SYSTEM_NAMES.get(self.code_system, self.code_system)

    def __str__(self) -> str:
        return self.text if self.known else f"{self.system_name} {self.code} {NO_TERM}"


def term(code_system: str | None, code: str | None, display: str | None = None) -> Term:
    """The words for a code: the source's display text, else the code lists' term, else none known."""
    system, value = (code_system or "").strip(), (code or "").strip()
    if display and display.strip():
        return Term(clean_term(display), system, value, True)
    listed = codelists.code_terms().get((system, value))
    if listed:
        return Term(clean_term(listed), system, value, True)
    if system == "icd10" and value:
        category = codelists.hfrs_descriptions().get(value.replace(".", "")[:3].upper())
        if category:
            return Term(f"{uk_english(category)} (category {value[:3].upper()})", system, value, True)
    return Term(value, system, value, False)


# Observation measures by the short names clinicians use (the lists' terms are long).
MEASURE_NAMES = {
    "egfr": "eGFR",
    "hba1c": "HbA1c",
    "systolic_bp": "Systolic blood pressure",
    "bmi": "Body mass index",
}


def observation_name(code_system: str | None, code: str | None, display: str | None = None) -> str:
    """The short name of an observation ("eGFR"), else its term."""
    measure = codelists.observation_measures().get(((code_system or ""), (code or "")))
    if measure and measure[0] in MEASURE_NAMES:
        return MEASURE_NAMES[measure[0]]
    return str(term(code_system, code, display))


# UCUM codes whose written form is not the code with its brackets taken off.
_UNITS = {
    "mm[hg]": "mmHg",
    "ml/min/{1.73_m2}": "mL/min/1.73m²",
    "ml/min/1.73m2": "mL/min/1.73m²",
    "ml/min/1.73.m2": "mL/min/1.73m²",
    "kg/m2": "kg/m²",
    "cel": "°C",
    "10*9/l": "\u00d710⁹/L",
    "10*12/l": "\u00d710¹²/L",
    "/min": "per minute",
    "{beats}/min": "beats per minute",
    "{breaths}/min": "breaths per minute",
    "mmol/l": "mmol/L",
    "umol/l": "µmol/L",
    "ug/l": "µg/L",
    "g/l": "g/L",
    "ml": "mL",
    "l": "L",
}
_ANNOTATION = re.compile(r"\{[^}]*\}")


def unit_words(ucum: str | None) -> str:
    """A UCUM unit as written in UK clinical practice; annotations alone ("{grade}") show nothing."""
    if not ucum:
        return ""
    known = _UNITS.get(ucum.strip().lower())
    if known is not None:
        return known
    written = _ANNOTATION.sub("", ucum.strip()).replace("[", "").replace("]", "")
    return re.sub(r"(?<=[a-zA-Z])2\b", "²", written).strip()


def value_words(number: float | None, ucum: str | None) -> str:
    """A measurement as a person writes it: "142 mmHg", "48 mL/min/1.73m²", "grade 3"."""
    if number is None:
        return ""
    shown = f"{number:g}" if float(number) != int(number) else str(int(number))
    if (ucum or "").strip().lower() == "{grade}":
        return f"grade {shown}"
    unit = unit_words(ucum)
    return f"{shown} {unit}" if unit else shown


# Where care happened (`encounter.setting`, records/schema.py) and how a person was admitted.
SETTINGS = {
    "gp": "GP practice",
    "ae": "A&E (emergency department)",
    "outpatient": "Outpatient clinic",
    "inpatient": "Hospital admission",
    "community": "Community services",
    "other": "Other setting",
}
ADMISSION_METHODS = {
    "emergency": "emergency",
    "elective": "planned",
    "maternity": "maternity",
    "other": "other",
}


def setting_words(setting: str | None, admission_method: str | None = None) -> str:
    words = SETTINGS.get(setting or "", (setting or "Not recorded").replace("_", " ").capitalize())
    method = ADMISSION_METHODS.get(admission_method or "", admission_method or "")
    return f"{words} ({method})" if method else words


# The condition registers of `codelists/registers.csv`, by the names QOF uses for them.
REGISTER_NAMES = {
    "asthma": "Asthma",
    "atrial_fibrillation": "Atrial fibrillation",
    "cancer": "Cancer",
    "chd": "Coronary heart disease",
    "ckd": "Chronic kidney disease",
    "copd": "COPD",
    "dementia": "Dementia",
    "depression": "Depression",
    "diabetes": "Diabetes",
    "heart_failure": "Heart failure",
    "hypertension": "Hypertension",
    "learning_disability": "Learning disability",
    "palliative_care": "Palliative care",
    "smi": "Severe mental illness",
    "stroke_tia": "Stroke or TIA",
}


def register_name(key: str) -> str:
    return REGISTER_NAMES.get(key, key.replace("_", " ").capitalize())


@cache
def register_choices() -> list[tuple[str, str]]:
    """The registers as (key, name) pairs, in the lists' order, for filters."""
    return [(key, register_name(key)) for key in codelists.registers()]
