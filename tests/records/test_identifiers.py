"""National numbers count only when valid: ten digits, the modulus-11 check digit right, no placeholder."""

from __future__ import annotations

import pytest

from icp.records.identifiers import is_valid, normalise


@pytest.mark.parametrize(
    "number",
    [
        "9434765919",  # the NHS Data Dictionary's worked example
        "943 476 5919",
        "943-476-5919",
        "3000000011",  # an H&C number in NI's range: same scheme
        "9900000021",  # a synthetic number (the reserved 99 range)
    ],
)
def test_a_number_with_the_right_check_digit_is_valid(number: str) -> None:
    assert is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # check digit wrong
        "943476591",  # nine digits
        "94347659190",  # eleven
        "943476591X",
        "1111111111",  # passes the check digit, but is a placeholder
        "0000000000",
        "",
        None,
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full-width digits: not ASCII
    ],
)
def test_anything_else_is_not(number: str | None) -> None:
    assert not is_valid(number)


def test_a_body_whose_check_digit_would_be_10_has_no_valid_number() -> None:
    # 123456789: 1*10+2*9+…+9*2 = 210; 210 mod 11 = 1; 11 - 1 = 10: no digit can follow.
    assert not any(is_valid(f"123456789{digit}") for digit in range(10))


def test_normalise_keeps_only_the_digits_sources_separate() -> None:
    assert normalise(" 943 476-5919 ") == "9434765919"
    assert normalise(None) == ""
