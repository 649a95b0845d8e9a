"""The clinic as a whole: where staff land after logging in, the dashboard of what needs doing
today across every app (safety alerts, measurements due, REMS forms, the ledger), and the
commands that set a clinic up across apps (configure-clinic, create-user)."""
