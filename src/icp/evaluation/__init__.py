"""Evaluation pages and reports over `icp.measure`: an ICP's indicators as SPC charts, practice
comparison (funnel plots), inequalities by deprivation quintile, the quarterly committee report (HTML
and tagged PDF) and CSV downloads for analysts. Aggregate, disclosure-controlled figures only: no page
here shows a named person.
"""
