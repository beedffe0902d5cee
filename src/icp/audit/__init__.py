"""The audit trail: an append-only, hash-chained log of who did what to which record, and why.

Every action function records an event here; `icp audit verify` recomputes the chain so that any
row changed or deleted outside icp is detected. See docs/adr/0002-audit-chain.md.
"""
