"""Where the shipped data lives."""

from __future__ import annotations

from pathlib import Path


def builtin_dir() -> Path:
    """The shipped form specs and other data files (``workbook_templates/``)."""
    return Path(__file__).resolve().parent.parent / "workbook_templates"
