"""What the treatment screens and API read: courses with their orders and plans (`courses`),
the dose calculator's inputs and results
(`dosing`), the doses already given (`dose_history`), the clinic's protocols, titration
suggestions and the PK plans."""
