"""The access decision: the one place that answers "may this user see this part of this record?".

`decide(user, patient, purpose, category)` checks, in this order, and denies at the first failure
(the order is part of the design: a user with no business with a person learns nothing about that
person's choices; see docs/adr/0040-access-decision.md and the decision table in
docs/information-sharing.md):

1. the user is logged in; the purpose and data category are known;
2. the user's role may act for the purpose, and may ever see the category (`rules.py`);
3. the person is known, and is in the ICP the user works for;
4. the user's organisation is a party to a signed, in-date agreement of that ICP covering the
   purpose and the category;
5. the user has a legitimate relationship with the person for the purpose (for individual care:
   a `patients.CareRelationship` in force, or the registered practice derived from the index);
6. the person's choices permit (direct-care consent, planning opt-out, sensitive records withheld).

A denial at steps 3 to 6 for a care purpose is overridden while the user holds an active break glass on
the person (roles and planning purposes are never overridden). Every call is recorded in the audit
chain, allowed or denied, with the reason.

**The referral basis** (`referral=`, and `decide_referrals` for a list): being party to a referral
(its requester's organisation, or its owner's from `requested` on) opens that referral's own data
and nothing else: who the person is (`demographics`) and, with it, the referral's reason. Steps 1 and
2 apply as always and the person must be known; the ICP, agreement, relationship and choice checks
(3 to 6) are replaced by the party check, because the referral is a disclosure the referrer already
made under its own decision and refusing its receiver would lose a referral.
The rest of the record opens only through a relationship (an accepted referral creates one) under
steps 3 to 6 (docs/adr/0180-referral-basis.md).

The decision is a package, one module per responsibility. Callers import it from here only
(`icp.sharing.policy`), never from its modules (docs/adr/0197-the-access-decision-as-a-package.md):

- `decision`: the answer (`Decision`, its `Code`, what break glass may override);
- `facts`: what is known of a request, gathered once for any number of people;
- `judge`: steps 1 and 2, then 3 to 6 and break glass, on the facts;
- `referral_basis`: the party check that replaces steps 3 to 6 for a referral;
- `right_of_access`: subject access, which is not sharing;
- `choices`: the person's choices in force, and the planning opt-outs population jobs leave out;
- `questions`: what callers ask (`decide`, `decide_many`, `decide_referrals`, `evaluate_many`,
  `evaluate_people`, `readable`) and the audit of every answer.
"""

from icp.sharing.policy.choices import OptOuts, latest_choices, latest_choices_of, planning_opt_outs
from icp.sharing.policy.decision import OVERRIDABLE, Code, Decision
from icp.sharing.policy.questions import (
    decide,
    decide_many,
    decide_referrals,
    evaluate_many,
    evaluate_people,
    readable,
)
from icp.sharing.policy.referral_basis import REFERRAL_CATEGORY, ReferralBasis
from icp.sharing.policy.right_of_access import SUBJECT_ACCESS, decide_subject_access

__all__ = [
    "OVERRIDABLE",
    "REFERRAL_CATEGORY",
    "SUBJECT_ACCESS",
    "Code",
    "Decision",
    "OptOuts",
    "ReferralBasis",
    "decide",
    "decide_many",
    "decide_referrals",
    "decide_subject_access",
    "evaluate_many",
    "evaluate_people",
    "latest_choices",
    "latest_choices_of",
    "planning_opt_outs",
    "readable",
]
