"""Package data (JSON Schemas, the project registry, SQL files), read one way: ``importlib.resources``.

The repository keeps the design card's top-level folders (``extract/``, ``transform/``, ``load/``,
``schemas/``); ``pyproject.toml`` installs them as ``prseed.extract`` and so on, with every ``.sql``,
``.json`` and ``.toml`` file as package data. Reading through ``importlib.resources`` works the same in a
wheel, an editable install and a zip, where paths relative to ``__file__`` do not.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def data_file(package: str, *parts: str) -> Traversable:
    """Return one data file of a package.

    Args:
        package: dotted package name, e.g. ``"prseed.schemas"``.
        parts: path parts below it, e.g. ``("snapshot", "manifest.schema.json")``.
    """
    return resources.files(package).joinpath(*parts)


def read_text(package: str, *parts: str) -> str:
    """Return the UTF-8 text of one data file (``FileNotFoundError`` if the package lacks it)."""
    return data_file(package, *parts).read_text(encoding="utf-8")


def sql_files(package: str) -> list[Traversable]:
    """Return the ``*.sql`` files of a package's ``sql/`` folder, in name order."""
    found = [f for f in data_file(package, "sql").iterdir() if f.name.endswith(".sql")]
    return sorted(found, key=lambda f: f.name)
