"""Everything the demo loads: synthetic partners and logins, a synthetic population, governance,
information sharing and a stratification run for one ICP (`icp demo`, `make demo`).

No production module imports this package (an import-linter contract says so), and it never
imports `icp.cli`: it makes what it makes through the apps' actions and the pure core, so the
demo's own changes are in the audit trail like anyone else's. Every invented name is marked
synthetic.
"""
