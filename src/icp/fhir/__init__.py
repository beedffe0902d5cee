"""FHIR R4 API: read and search for Patient, Condition, Observation, MedicationStatement, Encounter,
Consent and AuditEvent, under the same access decision as the pages; errors as OperationOutcome."""
