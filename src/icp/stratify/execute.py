"""Run an Ibis expression to Arrow on whichever engine it is bound to (records.engine.to_arrow, the
one implementation, which the records package's own checks use too)."""

from __future__ import annotations

from icp.records.engine import to_arrow

__all__ = ["to_arrow"]
