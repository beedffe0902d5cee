"""`referral_days_to_accept`: mean days from a referral being made to its acceptance, over the
referrals accepted in the month (the numerator is the days, the denominator the referrals).
Counted by hand, June 2025, on DuckDB and on Spark."""

from __future__ import annotations

import datetime as dt

from tests.spec.conftest import IndicatorOnEngine
from tests.spec.indicator_records import JUNE, referral
from tests.stratify.builders import Records


def referrals() -> Records:
    r = Records()
    r.person("p", born=dt.date(1950, 1, 1))
    d = dt.date
    referral(r, "p", d(2025, 6, 1), accepted=d(2025, 6, 4), completed=d(2025, 6, 30))
    referral(r, "p", d(2025, 5, 28), accepted=d(2025, 6, 2), completed=d(2025, 7, 15))
    referral(r, "p", d(2025, 6, 20), accepted=d(2025, 7, 1))
    referral(r, "p", d(2025, 6, 10), rejected=d(2025, 6, 12))
    referral(r, "p", d(2025, 4, 1), accepted=d(2025, 4, 3), completed=d(2025, 6, 11))
    return r


def test_counted_by_hand(indicator_on_engine: IndicatorOnEngine) -> None:
    # Accepted in June: 1 -> 4 June (3 days) and 28 May -> 2 June (5 days) = 8 days over 2; not the
    # one accepted on 1 July, nor the rejected one. Mean 4 days.
    assert indicator_on_engine(referrals(), "referral_days_to_accept", JUNE) == (8, 2)
