"""Risk stratification: the scores (eFI, HFRS, Charlson, registers, flags), the emergency-admission
model, tiers and plain-words explanations, over the records warehouse through Ibis.

Pure Python: no Django, no app, no app's files. The import-linter contract "The pure packages never
import Django, django-ninja or any app" (pyproject.toml) enforces the imports, tests/test_layout.py
the files. The app side (the use case with opt-outs and the sync, worklists, pages) lives in
`icp.care` (`icp.care.stratification`).
"""
