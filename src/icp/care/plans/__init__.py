"""Care plans (FHIR CarePlan and Goal): goals in the person's own words, activities owned across
organisations, due and review dates, overdue work shown."""
