"""Evaluation (the E of RICE): indicators, disclosure control, statistical process control (SPC)
charts and impact evaluation, over the records warehouse and plain tables.

Pure Python: no Django here (an import-linter contract enforces it). The pages and reports over it
live in the Django app `icp.evaluation`.
"""
