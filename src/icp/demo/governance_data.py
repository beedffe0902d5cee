"""The synthetic content of the governance demo: indicators, meetings, business cases, milestones.

All of it is invented for the demonstration and labelled synthetic where it is shown.
"""

from __future__ import annotations

from icp.governance.vocab import AgendaPurpose, IndicatorDirection, MeetingMode, Rag
from icp.partnership.priorities import PriorityGroup

INDICATORS = [
    (
        "emergency-admissions-75",
        "Emergency admissions, people aged 75 and over",
        "admissions per 1,000 people aged 75+ per year",
        IndicatorDirection.LOWER_IS_BETTER,
    ),
    (
        "copd-admissions",
        "COPD emergency admissions",
        "admissions per 100,000 people per year",
        IndicatorDirection.LOWER_IS_BETTER,
    ),
    (
        "diabetes-amputations",
        "Diabetes-related lower-limb amputations",
        "amputations per 10,000 people with diabetes per year",
        IndicatorDirection.LOWER_IS_BETTER,
    ),
    (
        "falls-admissions",
        "Emergency admissions after a fall, aged 65+",
        "admissions per 1,000 people aged 65+",
        IndicatorDirection.LOWER_IS_BETTER,
    ),
    (
        "home-at-end-of-life",
        "Deaths at usual place of residence",
        "% of deaths",
        IndicatorDirection.HIGHER_IS_BETTER,
    ),
]

# (days ago, mode, quorate?) — one meeting of the year is inquorate: the chair sent apologies.
MEETINGS = [
    (330, MeetingMode.IN_PERSON, True),
    (240, MeetingMode.VIRTUAL, True),
    (150, MeetingMode.VIRTUAL, False),
    (60, MeetingMode.HYBRID, True),
]
AGENDA = [
    ("Frailty pathway: progress report", AgendaPurpose.DISCUSSION),
    ("Business cases for the LCG", AgendaPurpose.DECISION),
    ("Risk stratification: practice worklists", AgendaPurpose.INFORMATION),
]

# title, priority group, lifecycle steps, days of history, indicator, baseline, target
CASES = [
    (
        "Nurse home in-reach for care homes",
        PriorityGroup.FRAIL_ELDERLY,
        ["submit", "start_review", "approve", "start_implementation"],
        300,
        "emergency-admissions-75",
        52,
        45,
    ),
    (
        "Rapid access respiratory clinic",
        PriorityGroup.RESPIRATORY,
        ["submit", "start_review"],
        120,
        "copd-admissions",
        410,
        350,
    ),
    (
        "Diabetes foot protection service",
        PriorityGroup.DIABETES,
        ["submit", "start_review", "return_for_changes"],
        200,
        "diabetes-amputations",
        9.1,
        6.5,
    ),
    (
        "Palliative care coordination hub",
        PriorityGroup.PALLIATIVE,
        ["submit", "start_review", "decline"],
        260,
        "home-at-end-of-life",
        46,
        55,
    ),
    ("Social prescribing link workers", PriorityGroup.OTHER, [], 30, "emergency-admissions-75", 52, 50),
]
COMMENTS = {
    "return_for_changes": "Please show how the service reaches housebound patients, with costs by year.",
    "decline": "Not affordable this year; please resubmit with the Trust's palliative care review.",
    "approve": "Approved in full for two years.",
}

MILESTONES = [
    (
        1,
        "Frail older people: proactive care",
        "Agree the frailty pathway with all practices",
        -150,
        Rag.COMPLETE,
    ),
    (1, "Frail older people: proactive care", "Case-finding worklists live in every practice", 60, Rag.GREEN),
    (1, "Frail older people: proactive care", "Falls clinic in the community hospital", -20, Rag.AMBER),
    (2, "Long-term conditions", "Respiratory business case decided by the LCG", 30, Rag.AMBER),
    (2, "Long-term conditions", "Diabetes foot service resubmitted", 45, Rag.RED),
    (3, "Palliative and end of life care", "Shared palliative care register across partners", 120, Rag.GREEN),
]
