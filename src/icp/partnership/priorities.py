"""The ICP priority groups: the one vocabulary that business cases, plans and worklists share.

The groups are those the ICPs were set up for: frail older people and people with long-term
conditions (respiratory disease, diabetes, stroke), later palliative and end-of-life care and mental
health (the Integrated Care Partnerships' published remit). Governance files business cases, plan
objectives and projects under a group; care finds the people in a group on a practice's worklist
(`icp.care.worklist.CASE_FINDING` says how). The stored values never change: rows hold them.
"""

from __future__ import annotations

from django.db import models


class PriorityGroup(models.TextChoices):
    FRAIL_ELDERLY = "frail_elderly", "Frail elderly"
    RESPIRATORY = "respiratory", "Respiratory"
    DIABETES = "diabetes", "Diabetes"
    STROKE = "stroke", "Stroke"
    PALLIATIVE = "palliative", "Palliative and end of life"
    MENTAL_HEALTH = "mental_health", "Mental health"
    OTHER = "other", "Other"
