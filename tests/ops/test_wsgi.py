"""The app server's entry point loads the whole app, then sets it aside from the collector."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import gc, sys
import ketamine_clinic.server.wsgi
views = ("ketamine_clinic.patients.views", "ketamine_clinic.treatment_sessions.api.sessions")
print(gc.get_freeze_count(), all(name in sys.modules for name in views))
"""


def test_every_view_is_loaded_and_frozen_before_the_first_request(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "KC_SECRET_KEY": "wsgi-test-" + "abcdefghij" * 5,
        "KC_DATA_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    answer = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert answer.returncode == 0, answer.stderr
    frozen, views = answer.stdout.split()
    # The app is well over 100,000 objects; a full collection would walk them every time.
    assert int(frozen) > 100_000
    assert views == "True"
