"""Synthetic identities: H&C numbers in a range no real person has, and invented names.

H&C (Health and Care) numbers are 10 digits whose last is a modulus-11 check digit, the same
scheme as the NHS number (the rule itself is in `icp.records.identifiers`).

Synthetic numbers all start with **9**. No UK health service issues numbers there: NI's H&C
numbers are issued from 320 000 001 0 to 399 999 999 9, England and Wales' NHS numbers from the
400 and 600-799 millions, and Scotland's CHI numbers begin with a date of birth (at most 31…); the
999 range is the NHS's reserved test range, which synthetic numbers stay below. Each ICP gets its
own block of 500,000 bodies in the 99 range (990 000 000 + 500 000 x ICP index: about 454,500
numbers, enough for any ICP at its real list size), and, for populations scaled beyond that
(`--people`), a block of its own of 4,700,000 bodies in the 90-97 range (900 000 000 +
4 700 000 x ICP index), so numbers never collide between ICPs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from icp.records.identifiers import check_digits, is_valid

__all__ = ["check_digits", "health_and_care_numbers", "is_valid"]

SYNTHETIC_PREFIX = 990_000_000  # first nine-digit body of the 99 range
BLOCK = 500_000  # nine-digit bodies per ICP in the 99 range (about 454,500 valid numbers)
OVERFLOW_PREFIX = 900_000_000  # the 90-97 range, for ICPs scaled beyond their 99 block
OVERFLOW_BLOCK = 4_700_000  # bodies per ICP there (17 ICPs end below 980 000 000)


def health_and_care_numbers(icp_index: int, count: int) -> npt.NDArray[np.int64]:
    """`count` valid synthetic H&C numbers for the ICP at `icp_index`, in a fixed order: its 99
    block first, then its overflow block."""
    parts = []
    wanted = count
    for start, size in (
        (SYNTHETIC_PREFIX + BLOCK * icp_index, BLOCK),
        (OVERFLOW_PREFIX + OVERFLOW_BLOCK * icp_index, OVERFLOW_BLOCK),
    ):
        # About 1 body in 11 has no valid check digit: take enough bodies for what is still wanted.
        bodies = np.arange(start, start + min(size, int(wanted * 1.15) + 100), dtype=np.int64)
        checks = check_digits(bodies)
        usable = checks != 10
        parts.append((bodies[usable] * 10 + checks[usable])[:wanted])
        wanted -= parts[-1].size
        if wanted == 0:
            break
    if wanted:
        most = (BLOCK + OVERFLOW_BLOCK) * 10 // 11
        raise ValueError(f"at most about {most:,} synthetic H&C numbers per ICP; asked for {count:,}")
    numbers: npt.NDArray[np.int64] = np.concatenate(parts)
    return numbers


# Invented names: common given names and Northern Irish surnames, drawn independently. Every
# record they appear on is flagged synthetic.
GIVEN_FEMALE = [
    "Aoife",
    "Anna",
    "Ava",
    "Caoimhe",
    "Charlotte",
    "Chloe",
    "Clare",
    "Deborah",
    "Eilis",
    "Ellen",
    "Emily",
    "Emma",
    "Erin",
    "Grace",
    "Hannah",
    "Isla",
    "Jane",
    "Julie",
    "Karen",
    "Kathleen",
    "Laura",
    "Lily",
    "Louise",
    "Lucy",
    "Margaret",
    "Mary",
    "Niamh",
    "Olivia",
    "Orla",
    "Patricia",
    "Rachel",
    "Rebecca",
    "Roisin",
    "Ruth",
    "Sarah",
    "Sinead",
    "Siobhan",
    "Sophie",
    "Susan",
    "Victoria",
]
GIVEN_MALE = [
    "Aaron",
    "Adam",
    "Alan",
    "Andrew",
    "Brian",
    "Callum",
    "Cathal",
    "Charlie",
    "Ciaran",
    "Conor",
    "Daniel",
    "David",
    "Declan",
    "Eoin",
    "Gareth",
    "George",
    "Harry",
    "Jack",
    "James",
    "John",
    "Jonathan",
    "Kevin",
    "Liam",
    "Mark",
    "Matthew",
    "Michael",
    "Niall",
    "Noah",
    "Oisin",
    "Patrick",
    "Paul",
    "Peter",
    "Richard",
    "Robert",
    "Ryan",
    "Sean",
    "Stephen",
    "Thomas",
    "William",
]
FAMILY = [
    "Adams",
    "Allen",
    "Anderson",
    "Bell",
    "Boyd",
    "Brown",
    "Campbell",
    "Craig",
    "Doherty",
    "Donnelly",
    "Doyle",
    "Ferguson",
    "Gallagher",
    "Graham",
    "Hamilton",
    "Hughes",
    "Irvine",
    "Johnston",
    "Kelly",
    "Kennedy",
    "Lynch",
    "Magee",
    "Martin",
    "Maxwell",
    "McAllister",
    "McCann",
    "McCartney",
    "McDonald",
    "McGrath",
    "McKenna",
    "McLaughlin",
    "McMullan",
    "Millar",
    "Mitchell",
    "Moore",
    "Morrison",
    "Murphy",
    "Murray",
    "O'Hare",
    "O'Neill",
    "Patterson",
    "Quinn",
    "Reid",
    "Robinson",
    "Scott",
    "Smith",
    "Stewart",
    "Thompson",
    "Walker",
    "Wilson",
    "Wright",
    "Young",
]
