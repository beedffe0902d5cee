"""Build the code lists shipped in src/icp/stratify/codelists/ from the reference collection.

Run once by a developer when a reference list changes (it is not run by the product):

    python scripts/build_stratify_codelists.py ../shared/reference/codelists

It copies the published lists into one tidy shape (list, code_system, code, term), applies the
clinical review of the machine-mapped eFI SNOMED list (efi_review.csv, kept by hand) and writes
codelists.csv, the manifest of every file with its source, version and SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "icp" / "stratify" / "codelists"

REGISTERS = {
    # register: (include refsets, resolved refsets)
    "diabetes": (["dm_cod"], ["dmres_cod"]),
    "copd": (["copd_cod"], ["copdres_cod"]),
    "asthma": (["ast_cod"], ["astres_cod"]),
    "stroke_tia": (["strk_cod", "tia_cod"], []),
    "heart_failure": (["hf_cod", "hflvsd_cod"], ["hfres_cod"]),
    "chd": (["chd_cod"], []),
    "atrial_fibrillation": (["afib_cod"], []),
    "hypertension": (["hyp_cod"], ["hypres_cod"]),
    "ckd": (["ckd_cod"], ["ckdres_cod"]),
    "dementia": (["dem_cod"], []),
    "cancer": (["c19can_cod", "c19haemcan_cod"], []),
    "palliative_care": (["palcare_cod", "palcareni_cod"], []),
    "learning_disability": (["ld_cod"], []),
    "smi": (["mh_cod"], []),
    "depression": (["depr_cod"], ["depres_cod"]),
}

FLAG_LISTS = {
    "housebound": ("include", "opensafely-housebound.csv"),
    "no_longer_housebound": ("exclude", "opensafely-no-longer-housebound.csv"),
    "carer": ("include", "primis-covid19-vacc-uptake-carer.csv"),
    "not_carer": ("exclude", "primis-covid19-vacc-uptake-notcarer.csv"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (OUT / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(reference: Path) -> None:
    efi = reference / "efi"
    deficits = list(csv.DictReader((efi / "efi_deficits.csv").open(encoding="utf-8")))
    codeset_to_deficit = {d["gmsde_codeset"]: d["deficit_key_ohdsi"] for d in deficits if d["gmsde_codeset"]}
    review = {
        (r["deficit"], r["code"]): r
        for r in csv.DictReader((OUT / "efi_review.csv").open(encoding="utf-8"))
        if r["decision"] == "drop"
    }
    rows: list[list[str]] = []
    seen: set[tuple[str, str, str]] = set()
    used_review: set[tuple[str, str]] = set()
    for system, filename, column in (
        ("snomed", "efi_clegg2016_snomed_mapped.csv", "snomed_concept_id"),
        ("read2", "efi_clegg2016_readv2.csv", "readv2_code"),
        ("ctv3", "efi_clegg2016_ctv3.csv", "ctv3_code"),
    ):
        for row in csv.DictReader((efi / filename).open(encoding="utf-8")):
            deficit = codeset_to_deficit[row["gmsde_codeset"]]
            code = row[column].strip()
            if system == "snomed" and (deficit, code) in review:
                used_review.add((deficit, code))
                continue
            key = (deficit, system, code)
            if key in seen:
                continue
            seen.add(key)
            rows.append([deficit, system, code, row["term"].strip()])
    missing = set(review) - used_review
    if missing:
        raise SystemExit(f"efi_review.csv drops codes that are not in the mapped list: {sorted(missing)}")
    write("efi_codes.csv", ["deficit", "code_system", "code", "term"], rows)

    register_rows = []
    for register, (includes, resolved) in REGISTERS.items():
        for role, refsets in (("include", includes), ("resolved", resolved)):
            for refset in refsets:
                for row in csv.DictReader((reference / "registers" / f"{refset}.csv").open(encoding="utf-8")):
                    register_rows.append([register, role, refset, row["code"].strip(), row["term"].strip()])
    write("registers.csv", ["register", "role", "refset", "code", "term"], register_rows)

    flag_rows = []
    for name, (role, filename) in FLAG_LISTS.items():
        flag = name.removeprefix("no_longer_").removeprefix("not_")
        for row in csv.DictReader((reference / "registers" / filename).open(encoding="utf-8")):
            flag_rows.append([flag, role, "snomed", row["code"].strip(), row["term"].strip(), filename])
    for row in csv.DictReader((OUT / "flags_local.csv").open(encoding="utf-8")):
        flag_rows.append(
            [row["flag"], row["role"], row["code_system"], row["code"], row["term"], "flags_local.csv"]
        )
    write("flags.csv", ["flag", "role", "code_system", "code", "term", "source_file"], flag_rows)

    hfrs = list(csv.DictReader((reference / "hfrs" / "hfrs_gilbert2018_icd10.csv").open(encoding="utf-8")))
    write(
        "hfrs_icd10.csv",
        ["code", "weight", "description"],
        [[r["icd10_3char"], r["weight"], r["description"]] for r in hfrs],
    )
    quan = list(
        csv.DictReader((reference / "charlson" / "charlson_quan2005_icd10.csv").open(encoding="utf-8"))
    )
    write(
        "charlson_quan2005_icd10.csv",
        ["category", "prefix"],
        [[r["category_key"], r["icd10_prefix"].replace(".", "").upper()] for r in quan],
    )
    weights = list(csv.DictReader((reference / "charlson" / "charlson_weights.csv").open(encoding="utf-8")))
    write(
        "charlson_weights.csv",
        ["category", "label", "charlson_1987", "quan_2011"],
        [[r["category_key"], r["category"], r["charlson_1987"], r["quan_2011"]] for r in weights],
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
