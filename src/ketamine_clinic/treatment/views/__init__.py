"""The treatment screens: courses and orders, protocols, PK plans."""
