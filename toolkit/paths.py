"""Where the shipped data lives."""

from __future__ import annotations

from pathlib import Path


def builtin_dir() -> Path:
    """The shipped form specs and other data files (``workbook_templates/``).

    In a source checkout (and an editable install) that is the folder at the top of the
    repository; an installed wheel carries it as the package ``toolkit.workbook_templates``.
    """
    checkout = Path(__file__).resolve().parent.parent / "workbook_templates"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / "workbook_templates"
