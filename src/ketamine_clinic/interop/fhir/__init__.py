"""FHIR R4: each record as a validated resource (`resources` for people and measurements,
`treatment` for sessions, orders, doses, consents and care plans), a patient's bundle and
the bulk export (`bundle`), import (`ingest`), the codes (`codes`) and the endpoints (`api`)."""
