"""The app's settings loaded in a fresh process with a given environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GOOD_KEY = "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789"

BIN = Path(sys.executable).with_name("ketamine-clinic")


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KC_", "DATABASE_URL"))}
    base["KC_DATA_DIR"] = str(tmp_path)
    return subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        check=False,
        timeout=120,
    )
