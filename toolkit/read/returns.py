"""Read one mailed file as a return: what it is (sniff), which forms it holds, and every
value with the cell it came from.

Two ways in: a workbook made from our template carries a hidden field map (exact cells,
fast); any other workbook is searched for the forms' tables by their labels. The main form
(a national format) is the one whose tables are best found; a supplementary table found in
the same file is read as a second part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.cellmap import META_SHEET
from toolkit.files import SUMMARY_MARKER, package_carries_marker
from toolkit.forms.model import FormSpec
from toolkit.messages import Message
from toolkit.read.cell_formulas import FORMULA_KINDS, FormulaSheet, formula_sheets
from toolkit.read.formulas import Cell, ErrorValue, Evaluator, Unsupported
from toolkit.read.grid import Grid, Hidden, Sheet, Span, a1, index_sheet, load_grid, zero_based
from toolkit.read.labels import compact
from toolkit.read.layout import Located, locate, read_values, share_at_most
from toolkit.read.meta import Found, from_signature, from_title, sheet_years, signature_date
from toolkit.read.numbers import read_number
from toolkit.read.passed import copies_passed
from toolkit.read.sniff import DOCUMENT_KINDS, FileProblem, Sniffed, sniff
from toolkit.read.source import source
from toolkit.read.template import TemplateReturn, read_template_return
from toolkit.read.versions import sheet_versions

MIN_MAIN_SHARE = 0.25  # of a main form's table values, to call a workbook that form


@dataclass
class Part:
    """One form's values as read from one file."""

    spec: FormSpec
    values: dict[str, Any]  # field key -> content as found (None when empty)
    cells: dict[str, tuple[str, str]]  # field key -> (sheet, A1 reference)
    errors: set[str] = field(default_factory=set)  # fields holding an error value
    formulas: set[str] = field(default_factory=set)  # fields holding a formula
    # fields whose value is what their formula computes from the file's own cells
    evaluated: set[str] = field(default_factory=set)
    missing_tables: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    from_template: bool = False
    # a published report's flattened text: field key -> line, and rows whose numbers could
    # not be placed (their fields are neither read nor judged)
    lines: dict[str, int] = field(default_factory=dict)
    unresolved: list[Any] = field(default_factory=list)
    # a cell the reader did not find counts as blank for the rules (a workbook); in a
    # published report it is unknown, and a rule over it is not judged (W2 names it)
    judge_missing: bool = True
    # what its reading has to say (a total whose formula is read as the file saved it)
    notes: list[Message] = field(default_factory=list)


@dataclass
class ReadReturn:
    path: Path
    sniffed: Sniffed
    main: Part | None
    supplements: list[Part] = field(default_factory=list)
    # what in the workbook was not read for another copy of it (a sheet of another year, a
    # draft, last year's table above this year's), or a title's year the 报告年度 cell
    # contradicts: said, since a unit may wonder
    passed_over: list[Message] = field(default_factory=list)

    @property
    def parts(self) -> list[Part]:
        return [p for p in (self.main, *self.supplements) if p is not None]

    @property
    def primary(self) -> Part:
        return self.parts[0]


def read_return(
    path: Path, forms: list[FormSpec], form: FormSpec | None = None, documents: bool = False
) -> ReadReturn:
    """The return at ``path``; ``form`` forces the form instead of detecting it;
    ``documents``: a published report (.docx, web page, text) is read too.

    Raises FileProblem (F1 cannot open, F2 no known form, F3 encrypted)."""
    sniffed = sniff(path, documents=documents)
    if sniffed.kind in ("xlsx", "xlsm") and _is_own_summary(path):
        raise FileProblem("F2", "read.own_summary", path=str(path))
    if sniffed.kind in DOCUMENT_KINDS:
        from toolkit.read.documents import read_document

        return read_document(path, sniffed, forms, form)
    by_id = {spec.id: spec for spec in forms}
    mapped = read_template_return(path, sniffed.kind, by_id.get)
    if mapped is not None and mapped.form in by_id and (form is None or form.id == mapped.form):
        part = Part(
            by_id[mapped.form],
            mapped.values,
            mapped.cells,
            set(mapped.errors),
            set(mapped.formulas),
            set(mapped.evaluated),
            from_template=True,
            notes=list(mapped.notes),
        )
        if part.spec.role == "main":
            beside = _supplements_beside(path, sniffed, mapped, forms)
            return ReadReturn(path, sniffed, part, beside, list(part.notes))
        return ReadReturn(path, sniffed, None, [part], list(part.notes))
    # our map sheet is skipped only when it is one (a user may name a sheet _toolkit)
    grid = load_grid(str(path), skip=frozenset({META_SHEET}) if mapped else frozenset())
    if sniffed.kind in FORMULA_KINDS:
        _ask_formulas(grid, path, sniffed.kind)
    passed: list[Message] = []
    grid = _newest_year(grid, forms, passed)
    grid.versions = sheet_versions([s.name for s in grid.sheets])
    read = read_by_labels(path, sniffed, grid, forms, form)
    read.passed_over[:0] = passed
    return read


def _supplements_beside(
    path: Path, sniffed: Sniffed, mapped: TemplateReturn, forms: list[FormSpec]
) -> list[Part]:
    """Supplementary tables on sheets a unit added to our template's workbook (the 补充统计
    sheet copied in beside the report), found by their labels as in any workbook."""
    ours = {sheet for sheet, _ in mapped.cells.values()} | {META_SHEET}
    if not any(sheet not in ours for sheet in mapped.sheets):
        return []
    grid = load_grid(str(path), skip=frozenset(ours))
    if sniffed.kind in FORMULA_KINDS:
        _ask_formulas(grid, path, sniffed.kind)
    return [_part(located, grid, sniffed, path) for located in _supplements(grid, forms)]


def _newest_year(grid: Grid, forms: list[FormSpec], passed: list[Message]) -> Grid:
    """A workbook holding last year's report beside this year's (the 2024年度 sheet left
    visible when the 2025年度 copy was added, before or after it): the sheets naming the
    newest year that holds figures (a blank 2026年度 sheet made ready holds none), with those
    naming none, when they hold every table of every form the whole workbook does; each
    sheet left out is said in ``passed``."""
    years = sheet_years(grid)
    named = sorted({year for year in years.values() if year is not None}, reverse=True)
    if len(named) < 2:
        return grid
    whole = _tables(grid, forms)
    for year in named:
        kept = _sub_grid(grid, [s for s in grid.sheets if years[s.name] in (None, year)])
        tables = _tables(kept, forms)
        if set(tables) >= set(whole) and any(tables.values()):
            passed.extend(  # the sheets holding a table, not a plan or a list of 2026
                Message("read.passed.other_year", {"sheet": s.name, "year": years[s.name]})
                for s in grid.sheets
                if years[s.name] not in (None, year) and _tables(_sub_grid(grid, [s]), forms)
            )
            return kept
    return grid


def _sub_grid(grid: Grid, sheets: list[Sheet]) -> Grid:
    kept = Grid(sheets)
    kept.hidden_of, kept.formula_at = grid.hidden_of, grid.formula_at
    for sheet in kept.sheets:
        index_sheet(kept, sheet)
    return kept


def _tables(grid: Grid, forms: list[FormSpec]) -> dict[tuple[str, str], bool]:
    """(form, table) found in ``grid`` -> whether it holds a figure other than 0 (a blank
    copy's formula totals show 0)."""
    found: dict[tuple[str, str], bool] = {}
    for spec in forms:
        located = locate(spec, grid)
        values = read_values(grid, located.cells)
        for table in located.found_tables:
            keys = [f.key for f in spec.table(table).fields]
            numbers = (read_number(values[k]).value for k in keys if k in values)
            found[(spec.id, table)] = any(isinstance(n, float) and n != 0 for n in numbers)
    return found


def _formula_sheets(grid: Grid, path: Path, kind: str) -> dict[str, FormulaSheet]:
    """The formula and error cells, and hidden rows and columns, of every sheet of ``grid``,
    read from the file once (the layout asks about hidden rows, the values about formulas)."""
    found = grid.memo.get(_formula_sheets)
    if found is None:
        found = grid.memo[_formula_sheets] = formula_sheets(
            path, kind, {s.name for s in grid.sheets}
        )
    return found


def _ask_formulas(grid: Grid, path: Path, kind: str) -> None:
    """Lets the layout ask ``grid`` about hidden rows and formula cells, read from the file
    once, when first asked."""
    grid.hidden_of = lambda sheet: _hidden(_formula_sheets(grid, path, kind), sheet)
    grid.formula_at = lambda sheet, row, col: _holds_formula(
        _formula_sheets(grid, path, kind), sheet, row, col
    )


def _hidden(sheets: dict[str, FormulaSheet], sheet: str) -> Hidden:
    found = sheets.get(sheet)
    if found is None:
        return frozenset(), frozenset()
    return found.hidden_rows(), found.hidden_columns()


def _holds_formula(sheets: dict[str, FormulaSheet], sheet: str, row: int, col: int) -> bool:
    found = sheets.get(sheet)
    return found is not None and found.cell(a1(row, col))[0] is not None


def _is_own_summary(path: Path) -> bool:
    """A summary workbook `toolkit summary` wrote (its official labels in 汇总表 would read
    as one unit's report): never a return, whatever it is named or wherever it was saved."""
    return package_carries_marker(source(path).archive(), SUMMARY_MARKER)


def read_by_labels(
    path: Path,
    sniffed: Sniffed,
    grid: Grid,
    forms: list[FormSpec],
    form: FormSpec | None,
    min_share: float = MIN_MAIN_SHARE,
) -> ReadReturn:
    """The forms found in ``grid`` by their labels; a main form needs ``min_share`` of its
    table values found (a published report names its tables, so any found one will do)."""
    forced: list[Message] = []
    if form is not None:
        located = locate(form, grid)
        if not located.found_tables:
            raise FileProblem("F2", "read.form_not_found", path=str(path), form=form.id)
        mains = [located] if form.role == "main" else []
        supplements = [] if form.role == "main" else [located]
        if form.role == "main":
            supplements = _supplements(grid, forms)
            forced = _other_form_fits_better(located, grid, forms, min_share)
    else:
        mains = _main_candidates(forms, grid, min_share)
        mains.sort(key=lambda c: c.share, reverse=True)
        supplements = _supplements(grid, forms)
    if not mains and not supplements:
        raise FileProblem("F2", "read.no_form", path=str(path))
    main = _part(mains[0], grid, sniffed, path) if mains else None
    parts = [_part(s, grid, sniffed, path) for s in supplements]
    head = main or parts[0]
    # a published report's date is read from its prose, under its signature (documents.py)
    passed = fill_meta(head, grid, dated=sniffed.kind not in DOCUMENT_KINDS)
    passed += copies_passed(mains[:1] + supplements)
    passed += [note for part in (main, *parts) if part is not None for note in part.notes]
    passed[:0] = forced
    return ReadReturn(path, sniffed, main, parts, passed)


def _main_candidates(forms: list[FormSpec], grid: Grid, min_share: float) -> list[Located]:
    """The main forms found in ``grid`` (tables found, ``min_share`` of their values), in
    the order of ``forms``; a form that cannot match as much of it as one already found is
    not searched for (the most promising first: a bound costs a few lookups, a search ~1 ms).
    """
    bounds = {i: share_at_most(spec, grid) for i, spec in enumerate(forms) if spec.role == "main"}
    found: dict[int, Located] = {}
    for i in sorted(bounds, key=lambda i: -bounds[i]):
        if bounds[i] < max((c.share for c in found.values()), default=-1.0):
            continue  # its share, at most its bound, is below one found: it cannot be first
        located = locate(forms[i], grid)
        if located.found_tables and located.share >= min_share:
            found[i] = located
    return [found[i] for i in sorted(found)]


def _other_form_fits_better(
    located: Located, grid: Grid, forms: list[FormSpec], min_share: float
) -> list[Message]:
    """A national form given by --form where another one's labels are found better (the
    2019 format forced on a 2021 return): said first, as its findings may be false."""
    others = [f for f in forms if f.role == "main" and f.id != located.spec.id]
    better = [c for c in _main_candidates(others, grid, min_share) if c.share > located.share]
    if not better:
        return []
    best = max(better, key=lambda c: c.share)
    params = {"form": located.spec.name, "found": best.spec.name}
    return [Message("read.passed.forced_form", params)]


def _supplements(grid: Grid, forms: list[FormSpec]) -> list[Located]:
    found = [locate(spec, grid) for spec in forms if spec.role == "supplement"]
    return [s for s in found if s.found_tables]


def _part(located: Located, grid: Grid, sniffed: Sniffed, path: Path) -> Part:
    cells = {key: (s.sheet, a1(s.top, s.left)) for key, s in located.cells.items()}
    part = Part(
        located.spec,
        {**read_values(grid, located.cells), **located.inline},
        cells,
        missing_tables=list(located.missing_tables),
        missing_fields=list(located.missing_fields),
    )
    if sniffed.kind in FORMULA_KINDS and cells:
        try:
            _own_formulas(part, grid, path, sniffed.kind)
        except Exception:  # the values are read; without formula texts totals are recomputed
            part.formulas.clear()
            part.evaluated.clear()
    return part


def _own_formulas(part: Part, grid: Grid, path: Path, kind: str) -> None:
    """Cells holding formulas show what their formulas compute from the file's own cells
    (never the result saved in the file); a formula outside the evaluated subset stays
    marked, so a total is recomputed from its parts instead."""
    names = {s.name for s in grid.sheets}
    sheets = _formula_sheets(grid, path, kind)

    def value_of(sheet: str, row: int, col: int) -> Any:
        if sheet not in names:
            raise Unsupported("another workbook or a missing sheet")
        return grid.sheet(sheet).value(row, col)

    def formula_of(cell: Cell) -> str | None:
        sheet, row, col = cell
        part_xml = sheets.get(sheet)  # a formula whose text is unknown ('') is a plain value
        return (part_xml.cell(a1(row, col))[0] or None) if part_xml is not None else None

    def row_hidden(sheet: str, row: int) -> bool:
        part_xml = sheets.get(sheet)
        return part_xml is not None and row in part_xml.hidden_rows()

    evaluator = Evaluator(formula_of, value_of, row_hidden)
    kept: dict[str, list[tuple[str, str]]] = {}  # sheet -> totals read as saved (ref, formula)
    for key, (sheet, ref) in part.cells.items():
        text, error = sheets[sheet].cell(ref)
        if error:
            part.errors.add(key)
        if text is None:
            continue
        if not text:  # some formula whose text is not known (an .xls keeps tokens)
            if _shows_saved(part, key):
                kept.setdefault(sheet, []).append((ref, ""))
            else:
                part.formulas.add(key)
            continue
        try:
            part.values[key] = evaluator.cell((sheet, *zero_based(ref)))
            part.evaluated.add(key)
            part.errors.discard(key)  # a saved error value may be stale too
        except ErrorValue:
            part.errors.add(key)
        except Unsupported:
            if _shows_saved(part, key):
                kept.setdefault(sheet, []).append((ref, text))
            else:
                part.formulas.add(key)
    for sheet, found in kept.items():  # one sentence a sheet: a table's totals are alike
        cells = "、".join(ref for ref, _ in found)
        params = {"sheet": sheet, "cell": found[0][0], "cells": cells}
        example = next((text for _, text in found if text), "")
        if example:
            params["formula"] = "=" + example
        message = "read.passed.formula_saved" if example else "read.passed.formula_saved_unknown"
        part.notes.append(Message(message, params))


def _shows_saved(part: Part, key: str) -> bool:
    """Whether a total holding a formula this reader does not compute (MAX, IF, a link to
    another workbook) is read as the number the file saved for it — what the unit saw,
    checked against its parts —; without one (a file no spreadsheet saved), it follows its
    parts like a template's."""
    saved = part.values.get(key)
    number = isinstance(saved, (int, float)) and not isinstance(saved, bool)
    return number and key in part.spec.computed_keys


def fill_meta(part: Part, grid: Grid, dated: bool = True) -> list[Message]:
    """Unit, year and date from the title or signature when no labelled cell gives them;
    a 报告年度 cell that names another year than the title is said (it is what is read)."""
    unit, year = from_title(grid)
    signature: list[Found | None] = []  # looked for once, when needed

    def signed_by() -> Found | None:
        if not signature:
            signature.append(from_signature(grid))
        return signature[0]

    if not part.values.get("meta.unit"):
        found = unit or signed_by()
        if found is not None:
            _set(part, "meta.unit", found.value, found.span)
    notes = []
    typed = part.values.get("meta.year")
    if typed in (None, "") and year is not None:
        _set(part, "meta.year", year.value, year.span)
    elif year is not None and _year_of(typed) not in (None, int(year.value)):
        # last year's workbook reused, one of the two not updated: which is right is the
        # unit's to say
        sheet, cell = part.cells.get("meta.year", ("", ""))
        params = {"title_year": int(year.value), "year": _year_of(typed), "cell": cell}
        notes.append(Message("read.passed.title_year", {**params, "sheet": sheet}))
    undated = dated and "meta.date" in part.spec.fields
    if undated and part.values.get("meta.date") in (None, ""):
        signed = signature_date(grid, signed_by)
        if signed is not None:
            _set(part, "meta.date", signed.value, signed.span)
    return notes


_TYPED_YEAR = re.compile(r"^((?:19|20)\d{2})(?!\d)")


def _year_of(typed: Any) -> int | None:
    """The year a 报告年度 cell names (2025, "2025", "2025年度"), or None."""
    if isinstance(typed, str):
        match = _TYPED_YEAR.match(compact(typed))
        return int(match.group(1)) if match else None
    number = read_number(typed).value
    if isinstance(number, float) and number.is_integer() and 1900 < number < 2100:
        return int(number)
    return None


def _set(part: Part, key: str, value: Any, span: Span) -> None:
    part.values[key] = value
    part.cells[key] = (span.sheet, a1(span.top, span.left))
