"""Probabilistic linkage with Splink: how likely two records are to be the same person.

Splink implements the Fellegi-Sunter model: each field's agreement level between two records
(exact, close, swapped, different, missing) carries a weight of evidence, log2(m/u), where m is the
chance of that level when the records are the same person and u when they are not. The weights add
up to a match weight and, with the prior (the chance that two records picked at random match), a
match probability.

Trained without labels, on the records being linked, every run:
- the prior from a strict rule (same names and date of birth), assuming it finds `PRIOR_RECALL` of
  true pairs;
- u by sampling random pairs of records (`U_PAIRS` pairs, seeded, so a run can be repeated);
- m by expectation maximisation on pairs blocked on date of birth (trains names, sex, postcode)
  and on names (trains date of birth).

Fields (cleaned by `prepare`): given and family name (exact; swapped; Jaro-Winkler close),
date of birth (exact; day and month transposed; one character different), sex (exact), postcode
district (exact). The national number is *not* a field here: the exact rule uses it, and pairs
that share one are scored here too (a blocking rule on it) so that a number on the wrong person
can be caught. Candidate pairs come from the blocking rules in `BLOCKING`; a true pair that none
of them finds is never scored (`docs/linkage.md` lists what that misses).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

PRIOR_RECALL = 0.7
# Fewer pairs than this agreeing on names and date of birth: too little to train on (a single
# source with no duplicates, say). The model is then not used and only the exact rule links.
MIN_TRAINING_PAIRS = 10
PRIOR_RULE = "l.given_name = r.given_name AND l.family_name = r.family_name AND l.birth_date = r.birth_date"
U_PAIRS = 2_000_000
# Pairs below this probability are not returned at all (far below any threshold in use).
FLOOR = 0.001
# The SQL of the candidate-pair rules (Splink's `l.` / `r.` for the two records).
BLOCKING = (
    "l.birth_date = r.birth_date",
    "l.family_name = r.family_name AND l.given_name = r.given_name",
    "l.given_name = r.family_name AND l.family_name = r.given_name",
    "l.national_id = r.national_id",
    "l.postcode_district = r.postcode_district AND l.family_name = r.family_name "
    "AND substr(l.birth_date, 1, 4) = substr(r.birth_date, 1, 4)",
    "l.postcode_district = r.postcode_district AND l.given_name = r.given_name "
    "AND substr(l.birth_date, 1, 4) = substr(r.birth_date, 1, 4)",
)
DAY_MONTH_SWAPPED = (
    "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) "
    "AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) "
    "AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
)


@dataclass(frozen=True)
class Scored:
    left: str
    right: str
    match_probability: float
    match_weight: float


def _settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator
    from splink.blocking_rule_library import CustomRule

    birth_date = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.CustomLevel(DAY_MONTH_SWAPPED, label_for_charts="Day and month transposed"),
            cll.DamerauLevenshteinLevel("birth_date", 1),
            cll.ElseLevel(),
        ],
        comparison_description="Date of birth",
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.ForenameSurnameComparison(
                "given_name", "family_name", forename_surname_concat_col_name="given_family"
            ),
            birth_date,
            cl.ExactMatch("sex"),
            cl.ExactMatch("postcode_district"),
        ],
        blocking_rules_to_generate_predictions=[CustomRule(rule) for rule in BLOCKING],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def score(records: pa.Table, *, seed: int = 42, floor: float = FLOOR) -> tuple[list[Scored], dict[str, Any]]:
    """Every candidate pair with match probability at least `floor`, and a summary of the model.

    `records` are `prepare.linkage_records` rows. The summary holds the prior and each field's
    weights (the model card that `icp link` writes to the batch record), or `trained: False` and
    the reason when there is too little to train on (then no pair is scored).
    """
    if records.num_rows < 2:
        return [], {"trained": False, "reason": "fewer than two records"}
    from splink import DuckDBAPI, Linker, block_on

    frame = records.append_column(
        "given_family",
        pa.array(
            [
                (given or "") + (family or "") if given or family else None
                for given, family in zip(
                    records.column("given_name").to_pylist(),
                    records.column("family_name").to_pylist(),
                    strict=True,
                )
            ],
            pa.string(),
        ),
    )
    connection = duckdb.connect()
    connection.execute("SET threads = 2")
    connection.register("linkage_input", frame)
    rows = connection.execute(
        f"SELECT count(*) FROM linkage_input l JOIN linkage_input r "  # noqa: S608 - a constant
        f"ON l.unique_id < r.unique_id AND {PRIOR_RULE}"
    ).fetchall()
    agreeing = int(rows[0][0])
    connection.unregister("linkage_input")
    if agreeing < MIN_TRAINING_PAIRS:
        connection.close()
        return [], {
            "trained": False,
            "reason": f"only {agreeing} pairs of records agree on name and date of birth: "
            "too few to train on",
        }
    db_api = DuckDBAPI(connection=connection)
    # Splink reports its training steps through `logging` and `warnings`; neither names a person.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = db_api.register(frame, table_name="linkage_records")
        linker = Linker(table, _settings(), log_level=None)
        logging.getLogger("splink").setLevel(logging.ERROR)
        training = linker.training
        training.estimate_probability_two_random_records_match(
            [block_on("given_name", "family_name", "birth_date")], recall=PRIOR_RECALL
        )
        training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=seed, num_chunks=1)
        training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
        training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "family_name"))
        predictions = linker.inference.predict(threshold_match_probability=floor)
        rows = (
            predictions.as_pyarrow_table()  # type: ignore[no-untyped-call]
            .select(["unique_id_l", "unique_id_r", "match_probability", "match_weight"])
            .to_pylist()
        )
        summary = _model_card(linker)
    connection.close()
    scored = []
    for row in rows:
        low, high = sorted((str(row["unique_id_l"]), str(row["unique_id_r"])))
        scored.append(Scored(low, high, float(row["match_probability"]), float(row["match_weight"])))
    return scored, summary


def _model_card(linker: Any) -> dict[str, Any]:
    """The trained prior and each comparison level's m, u and weight, as plain data."""
    settings = linker.misc.save_model_to_json()
    card: dict[str, Any] = {
        "trained": True,
        "probability_two_random_records_match": settings.get("probability_two_random_records_match"),
        "fields": {},
    }
    for comparison in settings.get("comparisons", []):
        levels = []
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            levels.append(
                {
                    "level": level.get("label_for_charts"),
                    "m": level.get("m_probability"),
                    "u": level.get("u_probability"),
                }
            )
        card["fields"][comparison.get("output_column_name")] = levels
    return card
