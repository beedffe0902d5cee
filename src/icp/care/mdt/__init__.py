"""MDT meetings: a case list (from worklists or added by hand), attendance (virtual allowed), per-case
discussion and outcome, and actions with owners across organisations carried to the next meeting."""
