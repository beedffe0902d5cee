"""XmR charts give NHSRplotthedots' numbers and flags.

The cases are NHSRplotthedots' own tests, ported: github.com/nhs-r-community/NHSRplotthedots at
commit 050b07d7eacc011767532732f69b8fd7d6a28fd3, files tests/testthat/test-ptd_spc_standard.R (and its
snapshot _snaps/ptd_spc_standard.md), test-ptd_spc.R (_snaps/ptd_spc.md), test-ptd_calculate_point_type.R,
test-ptd_calculate_assurance_type.R, test-ptd_add_short_group_warnings.R and test-geom_ptd_icon.R.
Their data (`set.seed(123); rnorm(...)`) is rebuilt with R's own generator (`r_random.py`); expected
numbers are their snapshots' printed digits.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from icp.measure.spc import (
    SpcError,
    assurance,
    classify,
    part_of_seven,
    part_of_two_in_three,
    seven_point_one_side_mean,
    seven_point_trend,
    spc,
    two_in_three,
)
from tests.measure.r_random import RRandom

SOURCE = "NHSRplotthedots@050b07d7eacc011767532732f69b8fd7d6a28fd3"


def days(count: int, start: date = date(2020, 1, 2)) -> list[date]:
    """`as.Date("2020-01-01") + 1:count`."""
    return [start + timedelta(days=offset) for offset in range(count)]


def a(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def test_the_rebuilt_data_are_those_of_the_snapshot() -> None:
    # _snaps/ptd_spc_standard.md prints the first values of set.seed(123); rnorm(20).
    assert RRandom(123).rnorm(4) == pytest.approx(
        [-0.56047565, -0.23017749, 1.55870831, 0.07050839], abs=5e-9
    )


# test-ptd_spc_standard.R: "it returns expected values" ------------------------------------------


def test_mean_and_limits_of_twenty_random_points() -> None:
    chart = spc(days(20), RRandom(123).rnorm(20))
    points = chart.points
    assert points["mean"].iloc[0] == pytest.approx(0.1416238, abs=5e-8)
    assert points["lower"].iloc[0] == pytest.approx(-3.01138, abs=5e-6)
    assert points["upper"].iloc[0] == pytest.approx(3.294627, abs=5e-7)
    assert not points["outside_limits"].iloc[:5].any() and not points["close_to_limits"].iloc[:5].any()
    assert points["relative_to_mean"].iloc[:15].tolist() == [
        -1,
        -1,
        1,
        -1,
        -1,
        1,
        1,
        -1,
        -1,
        -1,
        1,
        1,
        1,
        -1,
        -1,
    ]
    assert (points["point_type"] == "common_cause").all()


def test_an_outlier_widens_the_limits_unless_its_moving_ranges_are_screened_out() -> None:
    values = RRandom(123).rnorm(20)
    values[14] = 10.0
    unscreened = spc(days(20), values).points
    screened = spc(days(20), values, screen_outliers=True).points
    assert unscreened["mean"].iloc[0] == pytest.approx(0.6694159, abs=5e-8)
    assert unscreened["lower"].iloc[0] == pytest.approx(-4.596625, abs=5e-7)
    assert unscreened["upper"].iloc[0] == pytest.approx(5.935457, abs=5e-7)
    assert screened["mean"].iloc[0] == pytest.approx(0.6694159, abs=5e-8)
    assert screened["lower"].iloc[0] == pytest.approx(-2.383666, abs=5e-7)
    assert screened["upper"].iloc[0] == pytest.approx(3.722497, abs=5e-7)
    assert unscreened["relative_to_mean"].iloc[:14].tolist() == [
        -1,
        -1,
        1,
        -1,
        -1,
        1,
        -1,
        -1,
        -1,
        -1,
        1,
        -1,
        -1,
        -1,
    ]


def test_screening_is_off_by_default_and_changes_nothing_without_an_outlier() -> None:
    values = RRandom(123).rnorm(20)
    assert spc(days(20), values).points["upper"].iloc[0] == pytest.approx(
        spc(days(20), values, screen_outliers=True).points["upper"].iloc[0]
    )


def test_a_rebase_date_starts_a_new_period_with_its_own_limits() -> None:
    values = RRandom(123).rnorm(20)
    chart = spc(days(20), values, rebase=[days(20)[10]])
    assert chart.points["period"].tolist() == [0] * 10 + [1] * 10
    second = np.array(values[10:])
    assert chart.points["mean"].iloc[-1] == pytest.approx(second.mean())
    assert chart.points["upper"].iloc[-1] == pytest.approx(
        second.mean() + 2.66 * np.abs(np.diff(second)).mean()
    )


def test_a_rebase_date_before_the_data_changes_nothing() -> None:
    # test-ptd_spc.R "it outputs expected content": rebase = 2020-01-01, the day before the first point.
    chart = spc(days(20), RRandom(123).rnorm(20), rebase=[date(2020, 1, 1)])
    assert chart.points["period"].eq(0).all()
    assert chart.points["mean"].iloc[0] == pytest.approx(0.142, abs=5e-4)


def test_a_baseline_fixes_the_limits_on_its_first_points() -> None:
    values = RRandom(123).rnorm(20)
    whole = spc(days(20), values).points
    fixed = spc(days(20), values, baseline=12).points
    assert fixed["lower"].iloc[0] != whole["lower"].iloc[0]
    assert fixed["upper"].iloc[0] != whole["upper"].iloc[0]
    assert fixed["mean"].iloc[-1] == pytest.approx(np.mean(values[:12]))
    assert fixed["upper"].iloc[-1] == pytest.approx(
        np.mean(values[:12]) + 2.66 * np.abs(np.diff(values[:12])).mean()
    )


def test_two_close_points_on_opposite_sides_of_the_mean_are_common_cause() -> None:
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    chart = spc(days(16), values, improvement="up")
    assert chart.points["point_type"].iloc[-2:].tolist() == ["common_cause", "common_cause"]


# test-ptd_spc.R: summary snapshots (facets are separate charts here) ------------------------------


@pytest.mark.parametrize(
    ("half", "mean", "lower", "upper"), [(0, 0.0746, -2.60, 2.75), (1, 0.209, -3.28, 3.70)]
)
def test_each_facet_has_its_own_limits(half: int, mean: float, lower: float, upper: float) -> None:
    values = RRandom(123).rnorm(20)[10 * half : 10 * half + 10]
    chart = spc(days(20)[10 * half : 10 * half + 10], values, improvement="up")
    point = chart.points.iloc[0]
    assert (
        round(point["mean"], 4 if half == 0 else 3),
        round(point["lower"], 2),
        round(point["upper"], 2),
    ) == (
        mean,
        lower,
        upper,
    )
    assert chart.points["special_cause"].isna().all()


def test_a_target_between_the_limits_gives_inconsistent_assurance() -> None:
    chart = spc(days(20), RRandom(123).rnorm(20), improvement="up", target=0.5)
    assert (chart.variation, chart.assurance) == ("common_cause", "inconsistent")


# test-geom_ptd_icon.R: "ptd_get_icons transforms the data correctly" ------------------------------


def _icon_series() -> tuple[list[date], RRandom, list[float]]:
    stream = RRandom(123)
    return days(24), stream, stream.rnorm(24)


def test_icons_of_random_points() -> None:
    dates, _stream, values = _icon_series()
    assert spc(dates, values, improvement="up").variation == "common_cause"
    chart = spc(dates, values, improvement="up", target=0.5)
    assert (chart.variation, chart.assurance) == ("common_cause", "inconsistent")
    for facet in (slice(0, 12), slice(12, 24)):
        chart = spc(dates[facet], values[facet], improvement="up", target=0.5)
        assert (chart.variation, chart.assurance) == ("common_cause", "inconsistent")


@pytest.mark.parametrize(
    ("shift", "target", "improvement", "variation", "assured"),
    [
        (5, -3, "up", "improvement_high", "consistent_pass"),
        (5, -3, "down", "concern_high", "consistent_fail"),
        (-5, 3, "up", "concern_low", "consistent_fail"),
        (-5, 3, "down", "improvement_low", "consistent_pass"),
        (-5, 3, "neutral", "neutral_low", None),
    ],
)
def test_icons_after_a_shift(
    shift: int, target: float, improvement: str, variation: str, assured: str | None
) -> None:
    dates, stream, values = _icon_series()
    up = stream.rnorm(12, 5)
    values[12:] = up if shift == 5 else stream.rnorm(12, -5)
    chart = spc(dates, values, improvement=improvement, target=target)  # type: ignore[arg-type]
    assert (chart.variation, chart.assurance) == (variation, assured)


# test-ptd_calculate_point_type.R: the rules one by one --------------------------------------------


def test_seven_points_on_one_side_of_the_mean() -> None:
    assert seven_point_one_side_mean(a()).tolist() == []
    assert seven_point_one_side_mean(a(*[1] * 6)).tolist() == [0] * 6
    assert seven_point_one_side_mean(a(*[1] * 6, -1)).tolist() == [0] * 7
    assert seven_point_one_side_mean(a(*[1] * 8, -1)).tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert seven_point_one_side_mean(a(*[-1] * 8, 1)).tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 0]


def test_part_of_a_run_of_seven() -> None:
    assert part_of_seven(a()).tolist() == []
    assert part_of_seven(a(*[0] * 6)).tolist() == [0] * 6
    assert part_of_seven(a(*[0] * 6, 1, 0)).tolist() == [1] * 7 + [0]
    assert part_of_seven(a(*[0] * 7, 1, 0)).tolist() == [0] + [1] * 7 + [0]
    assert part_of_seven(a(*[0] * 6, -1, 0)).tolist() == [1] * 7 + [0]
    assert part_of_seven(a(*[0] * 7, -1, 0)).tolist() == [0] + [1] * 7 + [0]


def test_seven_point_trend() -> None:
    assert seven_point_trend(a()).tolist() == []
    assert seven_point_trend(a(1, 2, 3, 4, 5, 6)).tolist() == [0] * 6
    assert seven_point_trend(a(1, 2, 3, 3, 4, 5, 6)).tolist() == [0] * 7
    assert seven_point_trend(a(1, 2, 3, 4, 5, 6, 7)).tolist() == [0] * 6 + [1]
    assert seven_point_trend(a(2, 1, 2, 3, 4, 5, 6, 7, 3)).tolist() == [0] * 7 + [1, 0]
    assert seven_point_trend(a(7, 6, 5, 4, 3, 2, 1)).tolist() == [0] * 6 + [-1]
    assert seven_point_trend(a(2, 7, 6, 5, 4, 3, 2, 1, 3)).tolist() == [0] * 7 + [-1, 0]


def test_two_in_three() -> None:
    assert two_in_three(a(), a()).tolist() == []
    assert two_in_three(a(0, 0, 0), a(0)).tolist() == [0, 0, 0]
    for close in (a(1, 0, 1), a(0, 1, 1), a(1, 1, 0)):
        assert two_in_three(close, a(1, 1, 1)).tolist() == [1, 1, 1]
    assert two_in_three(a(0, 0, 1, 0, 1, 0, 0), a(*[1] * 7)).tolist() == [0, 0, 1, 1, 1, 0, 0]
    assert two_in_three(a(0, 0, 1, 1, 0, 0, 0), a(*[1] * 7)).tolist() == [0, 1, 1, 1, 1, 0, 0]


def test_two_in_three_needs_all_three_on_one_side_of_the_mean() -> None:
    for close in (a(1, 0, 1), a(0, 1, 1), a(1, 1, 0)):
        assert two_in_three(close, a(1, -1, 1)).tolist() == [0, 0, 0]
    assert two_in_three(a(0, 0, 1, 0, 1, 0, 0), a(1, -1, 1, -1, 1, -1, 1)).tolist() == [0] * 7
    assert two_in_three(a(0, 0, 1, 1, 0, 0, 0), a(-1, 1, -1, 1, -1, 1, -1)).tolist() == [0] * 7


@pytest.mark.parametrize(
    ("close", "expected"),
    [
        ((1, 0, 1), (1, 0, 1)),
        ((0, 1, 1), (0, 1, 1)),
        ((1, 1, 0), (1, 1, 0)),
        ((0, 0, 1, 0, 1, 0, 0), (0, 0, 1, 0, 1, 0, 0)),
        ((1, 0, 0, 1), (0, 0, 0, 0)),
        ((1, 0, 0, 1, 1), (0, 0, 0, 1, 1)),
    ],
)
def test_only_the_close_points_of_a_two_in_three_are_flagged(
    close: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    near = a(*close)
    in_window = two_in_three(near, np.ones(near.size))
    assert part_of_two_in_three(in_window, near).tolist() == list(expected)


def test_the_precedence_of_the_rules() -> None:
    # "ptd_special_cause_type works as expected": each rule's marks given, as the R test's mocks give them.
    kinds = classify(
        a(1, 2, 3, 4, 5, 6, 7, 8),
        a(1, 1, 1, 1, -1, -1, -1, -1),
        a(0, 0, 0, 0, 0, 1, -1, 0),
        trend=a(1, -1, 0, 0, 0, 0, 0, 0),
        two_of_three=a(0, 0, 0, 0, 1, 0, 0, 0),
        one_side=a(0, 0, 1, -1, 0, 0, 0, 0),
    )
    assert kinds.tolist() == [
        "7 Point Trend (Increasing)",
        "7 Point Trend (Increasing)",
        "7 Points Above CL",
        "7 Points Above CL",
        "2 in 3 Below CL",
        "Below LCL",
        "Below LCL",
        "Common Cause",
    ]


# test-ptd_calculate_assurance_type.R ------------------------------------------------------------


@pytest.mark.parametrize(
    ("improvement", "expected"),
    [
        ("up", ["consistent_fail", "consistent_pass", "inconsistent"]),
        ("down", ["consistent_pass", "consistent_fail", "inconsistent"]),
        ("neutral", [None, None, None]),
    ],
)
def test_assurance_compares_the_target_with_the_limits(improvement: str, expected: list[str | None]) -> None:
    limits = [(1, 3), (5, 7), (1, 5)]
    assert [assurance(4, low, high, improvement) for low, high in limits] == expected  # type: ignore[arg-type]


def test_no_target_no_assurance() -> None:
    assert assurance(None, 1, 3, "up") is None


def test_assurance_reads_the_last_period() -> None:
    values = [0.0, 1.0] * 10 + [10.0, 11.0] * 10
    chart = spc(days(40), values, improvement="down", target=4, rebase=[days(40)[20]])
    assert chart.assurance == "consistent_fail"  # the last period sits wholly above the target
    earlier = spc(days(20), values[:20], improvement="down", target=4)
    assert earlier.assurance == "consistent_pass"


# test-ptd_add_short_group_warnings.R ------------------------------------------------------------


@pytest.mark.parametrize(("points", "trial"), [(11, True), (12, False)])
def test_fewer_than_twelve_points_have_trial_limits(points: int, trial: bool) -> None:
    chart = spc(days(points), RRandom(1).rnorm(points))
    assert chart.points["trial_limits"].eq(trial).all()


def test_a_short_period_after_a_rebase_has_trial_limits() -> None:
    chart = spc(days(40), RRandom(2).rnorm(40), rebase=[days(40)[35]])
    assert chart.points["trial_limits"].tolist() == [False] * 35 + [True] * 5


# ptd_spc_options and ptd_validate_spc_options ----------------------------------------------------


def test_a_baseline_under_twelve_points_is_refused() -> None:
    with pytest.raises(SpcError, match="at least 12"):
        spc(days(20), RRandom(1).rnorm(20), baseline=11)


def test_a_repeated_date_is_refused() -> None:
    with pytest.raises(SpcError, match="2020-01-02"):
        spc([date(2020, 1, 2)] * 2, [1.0, 2.0])


# The flags a chart reader sees -------------------------------------------------------------------


def test_special_causes_read_as_improvement_or_concern_by_direction() -> None:
    values = [4.8, 5.2] * 6 + [9.0]  # the baseline of 12 fixes the mean at 5: the points alternate about it
    for improvement, reading in (("up", "improvement"), ("down", "concern"), ("neutral", "neutral")):
        chart = spc(days(13), values, improvement=improvement, baseline=12)  # type: ignore[arg-type]
        assert chart.points["special_cause"].iloc[-1] == reading
        assert chart.points["special_cause"].iloc[:-1].isna().all()


def test_points_are_charted_in_date_order() -> None:
    chart = spc([date(2024, 3, 1), date(2024, 1, 1), date(2024, 2, 1)], [3.0, 1.0, 2.0])
    assert chart.points["value"].tolist() == [1.0, 2.0, 3.0]


def test_the_json_shape() -> None:
    chart = spc(days(13), [4.8, 5.2] * 6 + [9.0], improvement="up", target=6, baseline=12)
    document = chart.as_json()
    assert set(document) == {"points", "variation", "assurance"}
    assert set(document["points"][0]) == {"date", "value", "mean", "lower", "upper", "special_cause"}
    assert document["points"][0]["date"] == "2020-01-02"
    assert document["points"][-1]["special_cause"] == "improvement"
    assert document["variation"] == "improvement_high"
