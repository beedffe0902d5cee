"""Words, not codes: terms for codes in UK English, units as written, settings and registers named."""

from __future__ import annotations

import pytest

from icp.stratify import codelists, terms


@pytest.mark.parametrize(
    ("us", "uk"),
    [
        ("Anemia", "Anaemia"),
        ("Anemia (disorder)", "Anaemia"),
        ("Dyspnea on exertion", "Dyspnoea on exertion"),
        ("Peripheral ischemia", "Peripheral ischaemia"),
        ("Transient ischemic attack", "Transient ischaemic attack"),
        ("Malignant tumor of lung", "Malignant tumour of lung"),
        ("Hemoglobin A1c", "Haemoglobin A1c"),
        ("Edema of legs", "Oedema of legs"),
        ("Esophagitis", "Oesophagitis"),
        ("Diarrhea", "Diarrhoea"),
        ("[V]Person living alone (situation)", "Person living alone"),
    ],
)
def test_us_spellings_and_snomed_tags_become_uk_english(us: str, uk: str) -> None:
    assert terms.clean_term(us) == uk


def test_words_that_merely_contain_a_us_stem_are_left_alone() -> None:
    # "hemi" is not "hema"; "anemone" is not in the list; "Schema" does not start a word with "hema".
    assert terms.uk_english("Hemiplegia") == "Hemiplegia"
    assert terms.uk_english("Schema") == "Schema"
    assert terms.uk_english("ANEMIA") == "ANAEMIA"


def test_the_source_display_text_comes_first_in_uk_spelling() -> None:
    found = terms.term("snomed", "271737000", "Anemia")
    assert found.known and found.text == "Anaemia" and str(found) == "Anaemia"


def test_a_code_without_display_takes_the_code_lists_term() -> None:
    assert ("snomed", "267036007") in codelists.code_terms()
    found = terms.term("snomed", "267036007", None)
    assert found.known and found.text == "Dyspnoea"


def test_an_unknown_code_is_shown_as_a_code_with_no_term_known() -> None:
    found = terms.term("snomed", "999999999999", "")
    assert not found.known
    assert str(found) == "SNOMED CT 999999999999 (no term known)"


def test_an_icd10_code_without_display_says_its_category_from_the_hfrs_list() -> None:
    found = terms.term("icd10", "F00.1", None)
    assert found.known and found.text == "Dementia in Alzheimer's disease (category F00)"


@pytest.mark.parametrize(
    ("ucum", "written"),
    [
        ("mm[Hg]", "mmHg"),
        ("mL/min/{1.73_m2}", "mL/min/1.73m²"),
        ("mL/min/1.73m2", "mL/min/1.73m²"),
        ("kg/m2", "kg/m²"),
        ("mmol/mol", "mmol/mol"),
        ("L", "L"),
        ("Cel", "°C"),
        ("10*9/L", "\u00d710⁹/L"),
        ("{grade}", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_ucum_units_are_written_as_clinicians_write_them(ucum: str | None, written: str) -> None:
    assert terms.unit_words(ucum) == written


def test_values_carry_their_unit_and_grades_read_as_grades() -> None:
    assert terms.value_words(142.0, "mm[Hg]") == "142 mmHg"
    assert terms.value_words(48.0, "mL/min/{1.73_m2}") == "48 mL/min/1.73m²"
    assert terms.value_words(31.2, "kg/m2") == "31.2 kg/m²"
    assert terms.value_words(3.0, "{grade}") == "grade 3"
    assert terms.value_words(None, "kg/m2") == ""


def test_observations_take_the_short_names_clinicians_use() -> None:
    long_term = "eGFR (estimated glomerular filtration rate) using creatinine ..."
    assert terms.observation_name("snomed", "1011481000000105", long_term) == "eGFR"
    assert terms.observation_name("snomed", "999791000000106", "Haemoglobin A1c level") == "HbA1c"
    assert terms.observation_name("loinc", "20150-9", "FEV1") == "FEV1"


def test_settings_and_registers_are_named_in_words() -> None:
    assert terms.setting_words("inpatient", "emergency") == "Hospital admission (emergency)"
    assert terms.setting_words("ae") == "A&E (emergency department)"
    assert terms.setting_words("gp") == "GP practice"
    assert terms.register_name("stroke_tia") == "Stroke or TIA"
    assert terms.register_name("chd") == "Coronary heart disease"
    # every register the code lists define has a name in words, not its key
    for key, name in terms.register_choices():
        assert "_" not in name, key
