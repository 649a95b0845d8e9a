"""The treatment API: the dose calculator, courses and orders, protocols, titration, PK."""
