"""The chair's API: sessions and their entries (`sessions`), billing codes and superbills
(`billing`)."""
