"""How well a risk model discriminates and is calibrated, in the terms a model card reports.

AUROC, average precision, Brier score, a calibration table (observed against predicted by tenth of
predicted risk) and, for the people a service would actually pick, the positive predictive value
and sensitivity in the top 0.5%, 2% and 5% by predicted risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

TOP_SHARES = (0.005, 0.02, 0.05)


@dataclass(frozen=True)
class TopShare:
    share: float
    people: int
    ppv: float
    sensitivity: float


@dataclass(frozen=True)
class Evaluation:
    people: int
    events: int
    auroc: float
    average_precision: float
    brier: float
    calibration: list[tuple[float, float, int]]  # (mean predicted, observed rate, people) per tenth
    top: list[TopShare]

    def as_dict(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "events": self.events,
            "auroc": round(self.auroc, 4),
            "average_precision": round(self.average_precision, 4),
            "brier": round(self.brier, 5),
            "calibration": [
                {"mean_predicted": round(p, 5), "observed": round(o, 5), "people": n}
                for p, o, n in self.calibration
            ],
            "top": [
                {
                    "share": t.share,
                    "people": t.people,
                    "ppv": round(t.ppv, 4),
                    "sensitivity": round(t.sensitivity, 4),
                }
                for t in self.top
            ],
        }


def top_share(
    outcome: np.ndarray, risk: np.ndarray, share: float, *, highest_first: np.ndarray | None = None
) -> TopShare:
    """PPV and sensitivity among the `share` of people with the highest predicted risk.

    `highest_first`: the people's positions by risk, highest first (ties by position), when already
    sorted (evaluate sorts once for every share).
    """
    n = max(1, round(outcome.size * share))
    # Stable ordering: ties broken by position, so the figure is reproducible.
    order = np.argsort(-risk, kind="stable") if highest_first is None else highest_first
    chosen = order[:n]
    hits = int(outcome[chosen].sum())
    events = int(outcome.sum())
    return TopShare(share, n, hits / n, hits / events if events else 0.0)


def calibration_table(
    outcome: np.ndarray, risk: np.ndarray, bins: int = 10
) -> list[tuple[float, float, int]]:
    order = np.argsort(risk, kind="stable")
    table = []
    for part in np.array_split(order, bins):
        if part.size:
            table.append((float(risk[part].mean()), float(outcome[part].mean()), int(part.size)))
    return table


def evaluate(outcome: np.ndarray, risk: np.ndarray) -> Evaluation:
    outcome = np.asarray(outcome, dtype=np.int8)
    risk = np.asarray(risk, dtype=np.float64)
    if outcome.min() == outcome.max():
        raise ValueError("cannot evaluate a model on an outcome with a single value")
    highest_first = np.argsort(-risk, kind="stable")
    return Evaluation(
        people=int(outcome.size),
        events=int(outcome.sum()),
        auroc=float(roc_auc_score(outcome, risk)),
        average_precision=float(average_precision_score(outcome, risk)),
        brier=float(brier_score_loss(outcome, risk)),
        calibration=calibration_table(outcome, risk),
        top=[top_share(outcome, risk, share, highest_first=highest_first) for share in TOP_SHARES],
    )
