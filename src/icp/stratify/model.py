"""The emergency-admission risk model: fit, validate on a later period, save, load and score.

No openly licensed NHS model exists (PARR, the Combined Predictive Model and QAdmissions are not
openly published or are licensed), so icp fits a local model, as integrated care systems do:

- development: features at T0 = as-of date - 2 years, outcome in (T0, T0 + 12 months];
- temporal hold-out: features at T1 = as-of date - 1 year, outcome in (T1, T1 + 12 months];
- a gradient-boosted model (LightGBM) and a logistic-regression baseline (scikit-learn), both
  evaluated on the hold-out only (metrics.py); the model scored at the as-of date is LightGBM.

A saved model is a folder `<models>/emergency-admission/<version>/` with the LightGBM model text,
the card (card.json: data, parameters, metrics, code list versions) and the calibration plot.
The version is the development index date plus a hash of the model text, so the same data and
parameters give the same version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

# LightGBM uses OpenMP; on a shared machine, spinning threads waiting for work slow everyone
# (and us) down badly. Must be set before the library loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import lightgbm as lgb
import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from icp.stratify import codelists
from icp.stratify import contributions as treeshap
from icp.stratify.metrics import Evaluation, evaluate

MODEL_NAME = "emergency-admission"
LIGHTGBM_PARAMETERS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.08,
    # Shallow trees: per-person contributions (TreeSHAP) cost grows with depth squared.
    "max_depth": 5,
    "num_leaves": 24,
    "min_data_in_leaf": 200,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 20261123,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
BOOST_ROUNDS = 120
# The logistic baseline, the comparator the model card reports beside LightGBM, is fitted on a
# random sample of at most this many people: its imputer and scaler make float64 copies with
# missing-value indicators, which for all of NI would take gigabytes, and a linear model's
# coefficients are stable long before that. 100,000 people hold about 7,000 admissions, at least 47
# events per candidate column (74 features and at most as many missing-value indicators), well above
# the 10 to 20 that sample-size guidance for prediction models asks (Riley et al., BMJ 2020;368:m441).
# On the fit's sample of NI's synthetic data, two baseline samples each: AUROC 0.7349 and 0.7350
# against 0.7353 and 0.7355 for 250,000, fitted in about 2 s instead of about 5 s (ADR 0211).
BASELINE_SAMPLE = 100_000
# Rows the baseline scores at a time (its imputer's and scaler's float64 copies, bounded).
BASELINE_CHUNK_ROWS = 250_000


MINIMUM_OUTCOMES = 20


class TooFewOutcomes(ValueError):
    """The history holds too few emergency admissions to fit and validate a model."""


@dataclass
class FittedModel:
    """A trained LightGBM booster with its card (what it was trained on and how well it did)."""

    booster: lgb.Booster
    feature_names: list[str]
    card: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.card["version"])

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(self.booster.predict(features, num_threads=2), dtype=np.float64)

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Per-person, per-feature contributions to the log-odds (TreeSHAP; last column = base value),
        each tree asked once per distinct way through it (`icp.stratify.contributions`)."""
        return treeshap.contributions(self.booster, features, self._tree_splits)

    @cached_property
    def _tree_splits(self) -> list[treeshap.TreeSplits]:
        return treeshap.tree_splits(self.booster)

    def save(self, models_dir: Path) -> Path:
        folder = models_dir / MODEL_NAME / self.version
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / "model.txt"))
        (folder / "card.json").write_text(json.dumps(self.card, indent=1, sort_keys=True), encoding="utf-8")
        return folder


@dataclass
class TrainingData:
    features: np.ndarray
    outcome: np.ndarray
    index_date: dt.date


@dataclass
class Trained:
    """The booster and the logistic baseline fitted on the development data, and what those data
    were (their card, not the data: the fit's caller frees them before building the hold-out)."""

    booster: lgb.Booster
    baseline: Any
    feature_names: list[str]
    development: dict[str, Any]


def fit(development: TrainingData, feature_names: list[str]) -> Trained:
    """Fit LightGBM and the logistic baseline on `development`."""
    _enough_outcomes(development, "development")
    dataset = lgb.Dataset(development.features, label=development.outcome, feature_name=feature_names)
    booster = lgb.train(LIGHTGBM_PARAMETERS, dataset, num_boost_round=BOOST_ROUNDS)
    del dataset  # LightGBM's binned copy of the features
    baseline = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=2000),
    )
    rows = np.arange(development.outcome.size)
    if rows.size > BASELINE_SAMPLE:
        rows = np.sort(
            np.random.default_rng(LIGHTGBM_PARAMETERS["seed"]).choice(rows, BASELINE_SAMPLE, replace=False)
        )
    baseline.fit(development.features[rows], development.outcome[rows])
    return Trained(booster, baseline, feature_names, _data_card(development))


def validate(
    trained: Trained, holdout: TrainingData, *, areas: list[str], synthetic: bool
) -> tuple[FittedModel, Evaluation, Evaluation]:
    """Evaluate both fitted models on `holdout`; the LightGBM model with its card."""
    _enough_outcomes(holdout, "hold-out")
    booster, feature_names = trained.booster, trained.feature_names
    gbm_eval = evaluate(holdout.outcome, np.asarray(booster.predict(holdout.features, num_threads=2)))
    baseline_eval = evaluate(holdout.outcome, _baseline_risk(trained.baseline, holdout.features))
    text = booster.model_to_string()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    development_date = dt.date.fromisoformat(trained.development["index_date"])
    version = f"ea-{development_date:%Y%m%d}-{digest}"
    importance = booster.feature_importance(importance_type="gain")
    top = sorted(zip(feature_names, importance.tolist(), strict=True), key=lambda pair: -pair[1])[:15]
    card = {
        "model": MODEL_NAME,
        "version": version,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "areas": areas,
        "synthetic_data": synthetic,
        "development": trained.development,
        "holdout": _data_card(holdout),
        "outcome": "at least one emergency admission in the 12 months after the index date",
        "features": feature_names,
        "lightgbm_parameters": LIGHTGBM_PARAMETERS,
        "boost_rounds": BOOST_ROUNDS,
        "baseline_sample": int(min(BASELINE_SAMPLE, trained.development["people"])),
        "metrics": {"lightgbm": gbm_eval.as_dict(), "logistic_regression": baseline_eval.as_dict()},
        "top_features_by_gain": [{"feature": f, "gain": round(g, 1)} for f, g in top],
        "codelist_versions": codelists.versions(),
        "comparators": COMPARATORS,
    }
    return FittedModel(booster, feature_names, card), gbm_eval, baseline_eval


def _enough_outcomes(data: TrainingData, name: str) -> None:
    admitted = int(data.outcome.sum())
    if admitted < MINIMUM_OUTCOMES:
        raise TooFewOutcomes(
            f"too few emergency admissions to fit and validate a model ({name} data: {admitted}; "
            f"at least {MINIMUM_OUTCOMES}): load more history or a larger area"
        )


def _baseline_risk(baseline: Any, features: np.ndarray) -> np.ndarray:
    """The baseline's risk for every row, BASELINE_CHUNK_ROWS rows at a time: its imputer and scaler
    copy what they are given as float64 with an indicator column per feature, which for all of NI's
    hold-out at once was the largest allocation of a first run (over 2 GB)."""
    parts = [
        baseline.predict_proba(features[start : start + BASELINE_CHUNK_ROWS])[:, 1]
        for start in range(0, features.shape[0], BASELINE_CHUNK_ROWS)
    ]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)


# Published figures, for context only: different populations, predictors and outcomes.
COMPARATORS = [
    {
        "model": "QAdmissions (Hippisley-Cox & Coupland, BMJ Open 2013;3:e003482)",
        "auroc": 0.77,
        "note": "validation cohort, emergency admission within 2 years, men and women aged 18-100 (~0.77)",
    },
    {
        "model": "SPARRA v3 (ISD Scotland, 2012)",
        "auroc": 0.80,
        "note": "emergency admission within 12 months, whole Scottish population (~0.80)",
    },
]


def _data_card(data: TrainingData) -> dict[str, Any]:
    return {
        "index_date": data.index_date.isoformat(),
        "people": int(data.outcome.size),
        "admitted": int(data.outcome.sum()),
        "rate": round(float(data.outcome.mean()), 5) if data.outcome.size else 0.0,
    }


def load(folder: Path) -> FittedModel:
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    booster = lgb.Booster(model_file=str(folder / "model.txt"))
    return FittedModel(booster, list(card["features"]), card)


def latest(models_dir: Path, *, areas: list[str] | None = None) -> FittedModel | None:
    """The most recently trained saved model (for `areas`, when given), or None."""
    folder = models_dir / MODEL_NAME
    if not folder.is_dir():
        return None
    cards = []
    for card_file in folder.glob("*/card.json"):
        card = json.loads(card_file.read_text(encoding="utf-8"))
        if areas is None or sorted(card.get("areas", [])) == sorted(areas):
            cards.append((card["trained_at"], card_file.parent))
    if not cards:
        return None
    return load(max(cards)[1])
