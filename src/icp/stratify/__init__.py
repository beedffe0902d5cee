"""Risk stratification: the scores (eFI, HFRS, Charlson, registers, flags), the emergency-admission
model, tiers and plain-words explanations, over the records warehouse through Ibis.

Pure Python: no Django here (an import-linter contract enforces it). The app side (worklists,
pages, the sync of results) lives in `icp.care`.
"""
