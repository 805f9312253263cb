"""The installed package carries every module: a wheel built from pyproject.toml lists each
folder of toolkit/ (an editable install would hide a folder left out)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_code_folder_is_a_listed_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    folders = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "toolkit").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert folders <= listed, sorted(folders - listed)
