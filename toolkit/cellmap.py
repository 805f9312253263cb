"""The template's hidden map of where every field and check sits, as rows of its `_toolkit`
sheet: one row per sheet, its cells packed one per line ("key REF"). A reader pays per cell
(python-calamine: ~1 ms for the 1,500 cells of one row per field), so 500 entries take a
dozen cells. Maps written one entry per row (key, sheet, ref) are still read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

META_SHEET = "_toolkit"  # the very hidden sheet holding the markers and the map
MARKER = "toolkit-template"
SECTIONS = ("fields", "checks")
_PACKED_LIMIT = 30_000  # characters per cell; a spreadsheet cell holds 32,767


def map_rows(section: str, cells: Mapping[str, tuple[str, str]]) -> list[list[str]]:
    """The rows of one section: its name and size, then each sheet with its cells packed."""
    rows = [[section, str(len(cells))]]
    by_sheet: dict[str, list[str]] = {}
    for key, (sheet, ref) in cells.items():
        by_sheet.setdefault(sheet, []).append(f"{key} {ref}")
    for sheet, lines in by_sheet.items():
        chunk: list[str] = []
        size = 0
        for line in lines:
            if chunk and size + len(line) + 1 > _PACKED_LIMIT:
                rows.append([sheet, "\n".join(chunk)])
                chunk, size = [], 0
            chunk.append(line)
            size += len(line) + 1
        rows.append([sheet, "\n".join(chunk)])
    return rows


def parse_rows(
    rows: Iterable[list[Any]],
) -> tuple[dict[str, str], dict[str, dict[str, tuple[str, str]]]]:
    """(markers, section -> key -> (sheet, ref)), as written; nothing is checked here."""
    markers: dict[str, str] = {}
    sections: dict[str, dict[str, tuple[str, str]]] = {name: {} for name in SECTIONS}
    section: str | None = None
    for row in rows:
        texts = [str(v) for v in row[:3]] + [""] * (3 - len(row[:3]))
        first = texts[0]
        if first in SECTIONS:
            section = first
            continue
        if not first:
            continue
        if section is None:
            markers[first] = texts[1]
        elif texts[2]:  # one entry per row: key, sheet, ref
            sections[section][first] = (texts[1], texts[2])
        else:  # a sheet and its cells, one "key REF" per line
            for line in texts[1].split("\n"):
                key, _, ref = line.rpartition(" ")
                if key:
                    sections[section][key] = (first, ref)
    return markers, sections
