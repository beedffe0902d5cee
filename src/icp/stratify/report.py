"""The model card's figures: a Markdown table of the metrics and the calibration plot (PNG).

`icp model report` fits the model on the warehouse as `icp stratify` would (same data, same
seed, so the same numbers) and writes these, so the card in docs/risk-stratification.md can be
reproduced by anyone with the same warehouse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: render to files only

import matplotlib.pyplot as plt


def metrics_markdown(card: dict[str, Any]) -> str:
    """The card's hold-out metrics for LightGBM and the logistic baseline, with comparators."""
    metrics = card["metrics"]
    lines = [
        "| Measure (temporal hold-out) | LightGBM | Logistic regression |",
        "|---|---|---|",
    ]
    for key, label in (
        ("auroc", "AUROC"),
        ("average_precision", "Average precision"),
        ("brier", "Brier score"),
    ):
        lines.append(f"| {label} | {metrics['lightgbm'][key]} | {metrics['logistic_regression'][key]} |")
    for position, top in enumerate(metrics["lightgbm"]["top"]):
        baseline = metrics["logistic_regression"]["top"][position]
        share = f"{top['share'] * 100:g}%"
        lines.append(
            f"| PPV in top {share} ({top['people']:,} people) | {top['ppv']:.3f} | {baseline['ppv']:.3f} |"
        )
        lines.append(
            f"| Sensitivity in top {share} | {top['sensitivity']:.3f} | {baseline['sensitivity']:.3f} |"
        )
    development, holdout = card["development"], card["holdout"]
    lines += [
        "",
        f"Development: features at {development['index_date']}, {development['people']:,} people, "
        f"{development['admitted']:,} admitted ({development['rate']:.2%}). Hold-out: features at "
        f"{holdout['index_date']}, {holdout['people']:,} people, {holdout['admitted']:,} admitted "
        f"({holdout['rate']:.2%}). Model {card['version']}"
        + (" — trained on synthetic data." if card.get("synthetic_data") else "."),
        "",
        "Published comparators, for context only (other populations, predictors and outcomes): "
        + "; ".join(f"{c['model']} AUROC ≈ {c['auroc']}" for c in card["comparators"])
        + ".",
    ]
    return "\n".join(lines)


def calibration_png(card: dict[str, Any], path: Path) -> Path:
    """Observed against predicted risk by tenth of predicted risk, both models, on the hold-out."""
    figure, axis = plt.subplots(figsize=(4.8, 4.2), dpi=100)
    top = 0.0
    for key, label, marker in (
        ("lightgbm", "LightGBM", "o"),
        ("logistic_regression", "Logistic regression", "s"),
    ):
        points = card["metrics"][key]["calibration"]
        predicted = [p["mean_predicted"] for p in points]
        observed = [p["observed"] for p in points]
        top = max(top, *predicted, *observed)
        axis.plot(predicted, observed, marker=marker, linewidth=1, markersize=4, label=label)
    top = top * 1.05 or 1.0
    axis.plot([0, top], [0, top], linestyle="--", color="grey", linewidth=1, label="Perfect calibration")
    axis.set_xlim(0, top)
    axis.set_ylim(0, top)
    axis.set_xlabel("Mean predicted risk (tenth of people)")
    axis.set_ylabel("Observed emergency admission rate")
    title = "Calibration on the temporal hold-out"
    if card.get("synthetic_data"):
        title += "\n(synthetic data)"
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", metadata={"Software": None})
    plt.close(figure)
    return path
