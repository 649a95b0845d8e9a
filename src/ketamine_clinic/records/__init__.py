"""What every clinical record shares, whichever app keeps it.

A record is never overwritten or deleted: each change is a new version (a history row from
django-simple-history), an edit names the version its author read so that of two concurrent
edits one conflicts instead of winning, a signature is given once, and a mistake is marked
entered in error with who, when and why. `models` holds the fields; `versioning` the writes.
The audit row each action writes beside them is `accounts.audit.record_access`.
"""
