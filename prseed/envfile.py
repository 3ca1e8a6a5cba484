"""Minimal ``.env`` support: KEY=VALUE lines, never overriding the real environment."""

from __future__ import annotations

import os
from pathlib import Path


def load_dotenv(path: Path = Path(".env")) -> list[str]:
    """Load ``KEY=VALUE`` lines from a .env file into ``os.environ``.

    Existing environment variables win. Blank lines, ``#`` comments and an ``export`` prefix
    are allowed; values may be single- or double-quoted.

    Returns:
        The names of the variables that were set (never their values).
    """
    if not path.is_file():
        return []
    loaded = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key and key not in os.environ:
            os.environ[key] = value
            loaded.append(key)
    return loaded
