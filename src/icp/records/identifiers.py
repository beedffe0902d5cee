"""National numbers: the NHS number and the Northern Ireland Health and Care (H&C) number.

Both are 10 digits whose last is a modulus-11 check digit (NHS Data Dictionary, "NHS Number";
the H&C number uses the same scheme): weights 10, 9, … 2 on the first nine digits; the check is
11 - (sum mod 11); 11 becomes 0; 10 means the nine digits cannot be used. The ranges do not
overlap (H&C numbers 320 000 001 0 to 399 999 999 9; NHS numbers in the 400 and 600-799
millions; synthetic numbers here all start with 99, the NHS's reserved test range), so the ten
digits alone say which person they belong to, whatever system a source named.

Record linkage trusts a number only when it is *valid*: the right length, the check digit right,
and not one digit repeated (`1111111111` passes the check digit and is a placeholder typed in
when the real number is not known).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)


def check_digits(bodies: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Modulus-11 check digit of each nine-digit body; 10 where the body has no valid number."""
    digits = (bodies[:, None] // 10 ** np.arange(8, -1, -1, dtype=np.int64)) % 10
    remainder = (digits * WEIGHTS).sum(axis=1) % 11
    check = 11 - remainder
    return np.where(check == 11, 0, check)


def normalise(number: str | None) -> str:
    """The digits of a number as sources write it (`943 476 5919`, `943-476-5919`); '' if none."""
    if not number:
        return ""
    return "".join(ch for ch in number if ch not in " -")


def is_valid(number: str | None) -> bool:
    """True if `number` (10 digits, spaces or hyphens allowed) passes the modulus-11 check.

    A number of one repeated digit is refused although its check digit may work out.
    """
    digits = normalise(number)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])
