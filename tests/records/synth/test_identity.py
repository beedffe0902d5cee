"""H&C numbers: the modulus-11 check, and synthetic numbers that no real person can have."""

from __future__ import annotations

import numpy as np
import pytest

from icp.records.synth.identity import (
    BLOCK,
    OVERFLOW_BLOCK,
    OVERFLOW_PREFIX,
    check_digits,
    health_and_care_numbers,
    is_valid,
)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("943 476 5919", True),  # the NHS's published example of a valid number
        ("9434765918", False),  # wrong check digit
        ("943476591", False),  # too short
        ("94347659AB", False),
        ("9990000026", True),  # a synthetic number (check digit 6)
    ],
)
def test_the_modulus_11_check(number: str, valid: bool) -> None:
    assert is_valid(number) is valid


def test_a_body_whose_check_digit_would_be_10_has_no_valid_number() -> None:
    bodies = np.arange(990_000_000, 990_000_200, dtype=np.int64)
    checks = check_digits(bodies)
    assert (checks == 10).any()
    for body, check in zip(bodies, checks, strict=True):
        if check != 10:
            assert is_valid(f"{body}{check}")


def test_each_icp_gets_its_own_block_of_synthetic_numbers() -> None:
    first = health_and_care_numbers(0, 1000)
    second = health_and_care_numbers(1, 1000)
    assert not set(first) & set(second)
    assert all(str(n).startswith("99") for n in (*first, *second))
    assert second.min() // 10 >= 990_000_000 + BLOCK
    with pytest.raises(ValueError, match="at most"):
        health_and_care_numbers(0, BLOCK + OVERFLOW_BLOCK)


def test_an_icp_scaled_beyond_its_99_block_continues_in_its_own_block_below_it() -> None:
    """--people beyond about 454,500 in one ICP: the first numbers are the ICP's usual ones, the rest
    come from the ICP's block in the 90-97 range, apart from every other ICP's."""
    usual = health_and_care_numbers(2, 1000)
    scaled = health_and_care_numbers(2, 600_000)
    assert (scaled[:1000] == usual).all()
    assert len(np.unique(scaled)) == scaled.size
    assert all(is_valid(str(n)) for n in scaled[::997])
    beyond = scaled[scaled // 10 < 990_000_000] // 10
    assert beyond.size > 100_000
    assert beyond.min() >= OVERFLOW_PREFIX + 2 * OVERFLOW_BLOCK
    assert beyond.max() < OVERFLOW_PREFIX + 3 * OVERFLOW_BLOCK
    last_icp = health_and_care_numbers(16, BLOCK + OVERFLOW_BLOCK - 600_000)
    assert last_icp[-1] // 10 < 980_000_000 and not set(last_icp.tolist()) & set(scaled.tolist())
