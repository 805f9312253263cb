"""The sentences saying which copies of a form's tables were not read, and which were: a
unit whose first sheet, or top table, is not the one checked should be told why; and which
row labels were read though retyped.

Rendered where the file is read, in the language of the run (the tables' names come from
the form spec, which translates them).
"""

from __future__ import annotations

from toolkit.messages import Message, render
from toolkit.read.grid import Span, a1
from toolkit.read.layout import SHEETS_PASSED, Located, Passed
from toolkit.read.versions import Copy


def copies_passed(found: list[Located]) -> list[Message]:
    """What each located form passed over: a copy hidden as a whole or told apart by the
    line over it, one sentence each; the tables of a sheet another version of it replaces,
    or still blank where the other holds figures, one sentence a sheet."""
    notes: list[Message] = []
    replaced: dict[tuple[str, str, str], list[str]] = {}
    undecided: dict[tuple[str, str, str], list[str]] = {}  # (sheet, table, read) -> not read
    for located in found:
        for label in located.retyped:
            params = {
                "sheet": label.at.sheet,
                "cell": _cell(label.at),
                "typed": label.typed,
                "label": located.spec.text(label.label),
                "table": located.spec.text(located.spec.table(label.table).name),
            }
            notes.append(Message("read.passed.retyped", params))
        for passed in located.passed_over:
            table = located.spec.text(located.spec.table(passed.table).name)
            if passed.why in SHEETS_PASSED:
                place = (passed.why, passed.at.sheet, passed.read.sheet)
                replaced.setdefault(place, []).append(table)
            elif passed.why == "hidden":
                params = {"sheet": passed.at.sheet, "cell": _cell(passed.at), "table": table}
                notes.append(Message("read.passed.hidden_copy", params))
            elif passed.why == "undecided_copy":  # one sentence for the copies not read
                place = (passed.read.sheet, table, _cell(passed.read))
                if place not in undecided:
                    undecided[place] = []
                    # "cell": where the marked copy comments it, the first copy not read
                    params = {
                        "sheet": place[0],
                        "table": table,
                        "read_cell": place[2],
                        "cell": _cell(passed.at),
                    }
                    notes.append(Message("read.passed.undecided_copy", params))
                undecided[place].append(_cell(passed.at))
            else:  # told apart by the lines over them: by its row labels, or its headers
                key = "other_copy" if passed.why == "heading" else "other_copy_by_headers"
                notes.append(_other_copy(passed, table, key))
    joiner = render("check.list_joiner")
    for note in notes:
        if note.message_id == "read.passed.undecided_copy":
            params = note.params
            cells = undecided[(params["sheet"], params["table"], params["read_cell"])]
            params["cells"] = joiner.join(cells)
    # sheets passed over for one reason, for one sheet read, and their tables: one sentence
    sheets: dict[tuple[str, str, str], list[str]] = {}
    for (why, sheet, by), tables in replaced.items():
        sheets.setdefault((why, by, joiner.join(tables)), []).append(sheet)
    for (why, by, tables), names in sheets.items():
        quoted = joiner.join(render("read.passed.sheet", sheet=name) for name in names)
        params = {"sheets": quoted, "sheet_by": by, "tables": tables}
        notes.append(Message(f"read.passed.{why}", params))
    return notes


def _other_copy(passed: Passed, table: str, key: str) -> Message:
    copies = passed.copies or {}
    return Message(
        f"read.passed.{key}",
        {
            "sheet": passed.at.sheet,
            "cell": _cell(passed.at),
            "table": table,
            "why": _described(copies.get(passed.at)),
            "read_cell": _cell(passed.read),
            "read_why": _described(copies.get(passed.read)),
        },
    )


def _described(copy: Copy | None) -> str:
    if copy is None or not copy.filled:
        return render("read.passed.no_figures")
    if copy.heading:
        return render("read.passed.headed", heading=copy.heading)
    return render("read.passed.no_heading")


def _cell(span: Span) -> str:
    return a1(span.top, span.left)
