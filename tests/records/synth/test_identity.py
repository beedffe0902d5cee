"""H&C numbers: the modulus-11 check, and synthetic numbers that no real person can have."""

from __future__ import annotations

import numpy as np
import pytest

from icp.records.synth.identity import BLOCK, check_digits, health_and_care_numbers, is_valid


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
        health_and_care_numbers(0, BLOCK)
