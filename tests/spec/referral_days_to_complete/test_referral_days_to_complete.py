"""`referral_days_to_complete`: mean days from a referral being made to its completion, over the
referrals completed in the month. Counted by hand, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE
from tests.spec.referral_days_to_accept.test_referral_days_to_accept import referrals


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Completed in June: 1 -> 30 June (29 days) and 1 April -> 11 June (71 days) = 100 days over 2;
    # not the one completed on 15 July. Mean 50 days.
    assert indicator_on_engine(referrals(), "referral_days_to_complete", JUNE) == (100, 2)
