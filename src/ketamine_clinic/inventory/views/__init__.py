"""The ledger's screens: the vault and its containers, movements, counts and reports."""
