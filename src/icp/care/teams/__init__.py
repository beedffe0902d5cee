"""Care teams (FHIR CareTeam): members from any partner organisation, a named care coordinator, and
carers linked as people."""
