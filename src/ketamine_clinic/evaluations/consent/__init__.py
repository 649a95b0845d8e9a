"""Consent: the clinic's documents, the patient's signature (typed or drawn) with a
witness, withdrawal, and the esketamine REMS enrolment."""
