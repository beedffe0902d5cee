"""Record linkage: which records from different sources are about the same person.

A GP practice, a trust, a council and a pharmacy each send a `patient` row for the same person;
linkage gives all of them one `person_id` (docs/linkage.md, ADR 0160):

- `prepare`: the identity fields each record offers, cleaned the same way for every source;
- `exact`: pairs that share a valid national number (NHS or H&C number, modulus-11 checked);
- `model`: probabilistic linkage with Splink (Fellegi-Sunter, trained without labels) on name,
  date of birth, sex and postcode district;
- `persons`: pairs and reviewers' decisions into persons, each named by its primary record;
- `run`: the whole of it for one ICP, and writing `patient.person_id` to the warehouse;
- `synthetic`, `evaluate`: a set with known truth and realistic errors, and its precision and recall.

Pure Python over Arrow and DuckDB: no Django. The review queue and the patient index live in the
app (`icp.patients.linkage`).
"""
