"""Find a form's tables in a workbook laid out by hand, by their labels, not by addresses.

Units copy last year's Word tables into Excel: tables start anywhere, on one sheet or
several, with title rows, notes and blank rows in between, labels merged, split by line
breaks or worded slightly differently. For every value of the form this finds

* its row, by the row's own label (the most specific one: "1.属于国家秘密", not
  "（三）不予公开"), or by a parent and that label written into one cell; repeated labels
  are taken in the order of the form;
* its column, by the column's lowest header label in the nearest header band above that
  row and right of its label; a header repeated within the band ("结果维持" ×3) is taken by
  its place, left to right, as in the form;

and reads the cell where they cross. A header spanning several columns gives the first
filled cell under it. A table whose values are mostly not found counts as not found.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from toolkit.forms.model import Field, FormSpec, LabelCell, Table
from toolkit.read.grid import Grid, Sheet, Span
from toolkit.read.labels import MIN_UNNUMBERED, forms_of, normalise, unnumbered
from toolkit.read.numbers import read_number
from toolkit.read.versions import (
    Copy,
    Figures,
    answered,
    copies,
    copy_below,
    copy_columns,
    figures,
    named_alike,
    newest_versions,
    sheet_holds_figures,
    this_years_copy,
    titled_as_breakdown,
)

FOUND_SHARE = 0.4  # a table counts as found when this share of its values is located
_DATA_ROW_LOOKAHEAD = 3  # blank rows tolerated between a header and a label-less data row
_FIELD_VALUE_REACH = 8  # columns to the right of a "label: value" label
_REACH = 20  # rows below a label-less row's first header where its other headers may be
_FIGURES_BELOW = 6  # rows under a label-less row's headers where its figures are
# grid.memo: (it, id(table)) -> {sheet passed over: (why, sheet read)}, found by headers
_REPLACED = "replaced"
# grid.memo: (it, id(table)) -> {copy passed over: (copy read, the copies)}, by headers
_COPIES = "copies"


@dataclass
class Located:
    """Where one form's values sit in a workbook."""

    spec: FormSpec
    cells: dict[str, Span] = field(default_factory=dict)  # field key -> value cell
    inline: dict[str, str] = field(default_factory=dict)  # "label：value" cells: key -> value
    found_tables: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)  # in tables that were found
    share: float = 0.0  # located values / values of the form's grid tables
    passed_over: list[Passed] = field(default_factory=list)  # copies of a table not read
    retyped: list[Retyped] = field(default_factory=list)  # row labels found as retyped


_RETYPED_REACH = 3  # rows beyond the first or last label found where a retyped one may be
_SHORT_LABEL = 6  # characters: a shorter label with one changed is another word


@dataclass
class Retyped:
    """A row label found as retyped (not in any of its wordings): read, and said."""

    table: str
    row: int  # the row of the table's grid
    at: Span
    typed: str  # as the unit typed it
    label: str  # as the form words it
    keys: list[str] = field(default_factory=list)  # the fields read from its row


# why a whole sheet's copy of a table was not read: by its name, blank, or nothing telling
SHEETS_PASSED = ("replaced", "blank", "undecided")


@dataclass(frozen=True)
class Passed:
    """A copy of a table not read for another (``why``: hidden, a heading or its figures
    telling, a sheet the other's replaces): where each starts (its first row label)."""

    table: str
    why: Literal[
        "hidden",
        "heading",
        "header_copy",
        "replaced",
        "blank",
        "undecided",
        "undecided_copy",
    ]
    at: Span
    read: Span
    copies: dict[Span, Copy] | None = None  # what the lines over the copies say (heading)


def locate(spec: FormSpec, grid: Grid) -> Located:
    located = Located(spec)
    labels = form_labels(spec)
    wanted = found = 0
    for table in spec.tables:
        if table.layout == "fields":
            if table.key != "text":  # narrative sections are prose, not label-value pairs
                located.cells.update(_locate_field_list(table, grid, located.inline))
            continue
        read_as, (cells, passed, retyped) = table, _locate_grid_table(table, grid, labels)
        # the table as units retype it (复议诉讼 as three rows), where its own layout is not
        # found, or found blank and that one holds figures
        enough = FOUND_SHARE * len(table.fields)
        if table.alternates and (len(cells) < enough or not _hold_figures(grid, cells)):
            for alternate in table.alternates:
                other = _locate_grid_table(alternate, grid, labels, answered_first=True)
                if len(other[0]) >= enough and _hold_figures(grid, other[0]):
                    read_as, (cells, passed, retyped) = alternate, other
                    break
        # which form a workbook is, and whether it holds a table, is decided by the labels
        # as worded: a retyped one is only read where the table is
        as_worded = len(cells) - sum(len(r.keys) for r in retyped)
        wanted += len(table.fields)
        found += as_worded
        if as_worded >= FOUND_SHARE * len(table.fields):
            located.found_tables.append(table.key)
            located.passed_over.extend(passed)
            located.retyped.extend(retyped)
            said = {p.at.sheet for p in passed if p.why in SHEETS_PASSED}
            for sheet, (why, home) in grid.memo.get((_REPLACED, id(read_as)), {}).items():
                if sheet not in said:  # a table without row labels, found by its headers
                    at, read = Span(sheet, 0, 0, 0, 0), Span(home, 0, 0, 0, 0)
                    located.passed_over.append(Passed(table.key, why, at, read))
            for other, (read, told) in grid.memo.get((_COPIES, id(read_as)), {}).items():
                located.passed_over.append(Passed(table.key, "header_copy", other, read, told))
            located.cells.update(cells)
            located.missing_fields.extend(f.key for f in table.fields if f.key not in cells)
        else:
            located.missing_tables.append(table.key)
    located.share = found / wanted if wanted else 0.0
    return located


def _hold_figures(grid: Grid, cells: dict[str, Span]) -> bool:
    """Whether any of the located ``cells`` holds something (a figure, a "—")."""
    return any(grid.sheet(s.sheet).value(s.top, s.left) is not None for s in cells.values())


def share_at_most(spec: FormSpec, grid: Grid) -> float:
    """An upper bound of ``locate(spec, grid).share``, from a few index lookups: a value in
    a labelled row is located only where one of the row label's wordings is in the grid."""
    wanted = possible = 0
    for table in spec.tables:
        if table.layout == "fields":
            continue
        wanted += len(table.fields)
        for plan in row_plans(table).values():
            if (
                plan.own is None
                or any(text in grid.index for text in plan.wordings)
                or any(grid.find_unnumbered(text) for text in plan.unnumbered)
            ):
                possible += len(plan.fields)
    return possible / wanted if wanted else 0.0


# ---------------------------------------------------------------------------- grid tables


def row_anchor(table: Table, row: int) -> tuple[LabelCell | None, list[LabelCell]]:
    """The label that names grid row ``row`` itself, and the labels spanning it from above."""
    own = [c for c in table.labels if c.role == "row" and c.row == row and c.rows == 1]
    parents = [
        c for c in table.labels if c.role == "row" and c.row <= row < c.row + c.rows and c.rows > 1
    ]
    if not own:
        return None, parents
    return max(own, key=lambda c: (len(normalise(c.text)), c.col)), parents


def _column_leaf(table: Table, item: Field) -> LabelCell | None:
    """The lowest header label above the field's column (nearest block header)."""
    above = [
        c
        for c in table.labels
        if c.role == "header" and c.col <= item.col < c.col + c.cols and c.row + c.rows <= item.row
    ]
    return max(above, key=lambda c: c.row + c.rows) if above else None


@dataclass(frozen=True)
class _RowPlan:
    """What the spec says about one grid row, worked out once per table (not per file)."""

    own: LabelCell | None
    wordings: tuple[str, ...]  # the row label's wordings, also prefixed by a parent label
    # the row label's wordings without their numbers, looked for when none of ``wordings`` is
    unnumbered: tuple[str, ...]
    fields: tuple[Field, ...]
    leaves: dict[str, LabelCell | None]  # field key -> its column's lowest header
    ordinals: dict[str, int]  # field key -> its place among same-worded headers of the row
    under: dict[str, int]  # a header wording -> how many of the row's fields are under it


_PLANS: dict[int, tuple[Table, dict[int, _RowPlan]]] = {}
_LABELS: dict[int, tuple[FormSpec, frozenset[str]]] = {}


def form_labels(spec: FormSpec) -> frozenset[str]:
    """Every wording of every label of the form's tables, normalised; cached by spec."""
    cached = _LABELS.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    found = frozenset(
        text
        for table in spec.tables
        for layout in (table, *table.alternates)
        for c in layout.labels
        for text in forms_of(c.text, c.variants)
    )
    _LABELS[id(spec)] = (spec, found)
    return found


def row_plans(table: Table) -> dict[int, _RowPlan]:
    """Grid row -> its plan; cached by table (the table is kept, so its id stays unique)."""
    cached = _PLANS.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    by_row: dict[int, list[Field]] = defaultdict(list)
    for item in table.fields:
        by_row[item.row].append(item)
    plans: dict[int, _RowPlan] = {}
    for row, items in sorted(by_row.items()):
        own, parents = row_anchor(table, row)
        wordings: dict[str, None] = {}
        if own is not None:
            for text in forms_of(own.text, own.variants):
                wordings.setdefault(text, None)
                for parent in parents:
                    for prefix in forms_of(parent.text, parent.variants):
                        wordings.setdefault(prefix + text, None)
        leaves = {item.key: _column_leaf(table, item) for item in items}
        ordinals: dict[str, int] = {}
        seen: Counter[str] = Counter()
        for item in sorted(items, key=lambda f: f.col):
            leaf = leaves[item.key]
            if leaf is not None:
                ordinals[item.key] = seen[leaf.text]
                seen[leaf.text] += 1
        plain = {
            unnumbered(text): None
            for text in (forms_of(own.text, own.variants) if own is not None else ())
            if len(unnumbered(text)) >= MIN_UNNUMBERED
        }
        plans[row] = _RowPlan(
            own, tuple(wordings), tuple(plain), tuple(items), leaves, ordinals, dict(seen)
        )
    _PLANS[id(table)] = (table, plans)
    return plans


def _locate_grid_table(
    table: Table, grid: Grid, labels: frozenset[str], answered_first: bool = False
) -> tuple[dict[str, Span], list[Passed], list[Retyped]]:
    """``labels``: every wording of the form's labels (no heading over a copy of a table);
    ``answered_first``: of sheets holding the table, one whose copy holds figures is read
    before any other (another layout of a table whose own is blank: its row labels, 行政复议,
    are the blank table's headers)."""
    plans = row_plans(table)
    row_spans, passed, candidates = _find_rows(table.key, plans, grid, labels, answered_first)
    first_label = min((s.top for s in row_spans.values()), default=None)
    labelled = sum(1 for plan in plans.values() if plan.own is not None)
    retyped = []
    if row_spans and len(row_spans) < labelled and len(row_spans) >= FOUND_SHARE * labelled:
        retyped = _retyped_rows(table.key, plans, row_spans, grid, labels)
    row_spans.update((r.row, r.at) for r in retyped)
    continued: dict[int, Span] = {}
    if row_spans and len(row_spans) < labelled:  # the rest on another sheet (cut in two)
        continued = _continued(candidates, row_spans, grid)
        row_spans.update(continued)
    cells: dict[str, Span] = {}
    for row, plan in plans.items():
        anchor_span = row_spans.get(row)
        if plan.own is not None and anchor_span is None:
            continue
        found = _locate_row_values(table, plan, anchor_span, grid, first_label, labels)
        cells.update(found)
        for label in retyped:
            if label.row == row:
                label.keys.extend(found)
    if continued:
        cells.update(_in_columns_read(plans, row_spans, cells, grid))
    return cells, passed, retyped


def _in_columns_read(
    plans: dict[int, _RowPlan], rows: dict[int, Span], cells: dict[str, Span], grid: Grid
) -> dict[str, Span]:
    """The cells of a table cut in two over sheets, on the sheet of its part without the
    column headers (printed once, over the other part): each in the column its column key
    (natural, total…) is read from in the other part, right of the row's label."""
    columns: dict[str, int] = {}
    for key, span in cells.items():
        columns.setdefault(key.rpartition(".")[2], span.left)
    with_headers = {span.sheet for span in cells.values()}
    found: dict[str, Span] = {}
    for row, anchor in rows.items():
        fields = plans[row].fields
        if anchor.sheet in with_headers:
            continue
        sheet = grid.sheet(anchor.sheet)
        for item in fields:
            col = columns.get(item.key.rpartition(".")[2])
            if col is not None and col > anchor.right:
                found[item.key] = sheet.value_cell(anchor.top, col)
    return found


def _retyped_rows(
    table: str,
    plans: dict[int, _RowPlan],
    chosen: dict[int, Span],
    grid: Grid,
    labels: frozenset[str],
) -> list[Retyped]:
    """Row labels found as retyped, not as worded (没有现成的信息… for 没有现成信息…, 事物 for
    事务): for each row not found, the texts between the labels found of the rows before and
    after it, within their columns, that are no label of the form and differ from the row's
    label by a character or so (_close_enough); each text goes to the row it is closest to,
    each row to its closest text."""
    found = sorted(chosen)
    taken = set(chosen.values())
    options: list[tuple[int, float, int, Span, str]] = []  # (differences, -likeness, row, …)
    for row, plan in plans.items():
        if plan.own is None or row in chosen:
            continue
        before = [r for r in found if r < row]
        after = [r for r in found if r > row]
        above = chosen[before[-1]] if before else None
        below = chosen[after[0]] if after else None
        near = [s for s in (above, below) if s is not None]
        if not near or len({s.sheet for s in near}) > 1:
            continue
        top = above.bottom + 1 if above is not None else max(0, near[0].top - _RETYPED_REACH)
        bottom = below.top if below is not None else near[0].bottom + 1 + _RETYPED_REACH
        missing = sum(
            1
            for r, other in plans.items()
            if other.own is not None
            and r not in chosen
            and (not before or r > before[-1])
            and (not after or r < after[0])
        )
        if bottom - top > _RETYPED_REACH * (missing + 1):  # not where a row or two went
            continue
        # the columns of the table's labels found on that sheet (一、 spans them all, （七）
        # only the last two): a row's label may start left of its neighbours'
        mine = [s for s in chosen.values() if s.sheet == near[0].sheet]
        columns = range(min(s.left for s in mine), max(s.right for s in mine) + 1)
        sheet = grid.sheet(near[0].sheet)
        for span, typed, differences, likeness in _alike(
            plan, sheet, range(top, bottom), columns, labels
        ):
            if span not in taken:
                options.append((differences, -likeness, row, span, typed))
    retyped: list[Retyped] = []
    rows_done: set[int] = set()
    for _, _, row, span, typed in sorted(options, key=lambda o: o[:3]):
        if row in rows_done or span in taken:
            continue
        retyped.append(Retyped(table, row, span, typed, plans[row].own.text))  # type: ignore[union-attr]
        rows_done.add(row)
        taken.add(span)
    return sorted(retyped, key=lambda r: r.row)


def _close_enough(typed: str, label: str) -> tuple[int, float] | None:
    """(characters changed, added or left out; difflib's ratio) of a label typed against
    the form's, when it is at most one in ten of the shorter (at least one; in a label of
    under _SHORT_LABEL characters, only one added or left out): 予以公开的 for 予以公开,
    事物 for 事务; not 政务抖音 for 政务微博, another channel. None otherwise."""
    shorter = min(len(typed), len(label))
    allowed = max(1, shorter // 10)
    if abs(len(typed) - len(label)) > allowed:
        return None
    if shorter < _SHORT_LABEL and len(typed) == len(label):  # 行政处分 is no 行政处罚
        return None
    matcher = SequenceMatcher(None, typed, label, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    differences = max(len(typed), len(label)) - matched
    if differences > allowed:
        return None
    return differences, matcher.ratio()


def _alike(
    plan: _RowPlan, sheet: Sheet, rows: range, columns: range, labels: frozenset[str]
) -> list[tuple[Span, str, int, float]]:
    """The cells in ``rows`` and ``columns`` whose text is close enough to the row's label
    (none of the form's labels, nor a cell inside a merge but its first): each with its text
    as typed, its characters changed and its likeness."""
    wanted = [unnumbered(w) for w in plan.wordings if len(unnumbered(w)) >= MIN_UNNUMBERED]
    found = []
    for row in rows:
        cells = sheet.rows[row] if row < sheet.height else ()
        for col in columns:
            value = cells[col] if col < len(cells) else None
            if not isinstance(value, str) or not value.strip():
                continue
            text = normalise(value)
            plain = unnumbered(text)
            if text in labels or len(plain) < MIN_UNNUMBERED:
                continue
            span = sheet.span(row, col)
            if (span.top, span.left) != (row, col):
                continue
            close = [c for w in wanted if (c := _close_enough(plain, w)) is not None]
            if close:
                differences, likeness = min(close, key=lambda c: (c[0], -c[1]))
                found.append((span, value.strip(), differences, likeness))
    return found


def _find_rows(
    table: str,
    plans: dict[int, _RowPlan],
    grid: Grid,
    labels: frozenset[str],
    answered_first: bool = False,
) -> tuple[dict[int, Span], list[Passed], dict[int, list[Span]]]:
    """Each labelled grid row -> the span of its label in the workbook; the copies of the
    table passed over for another; and every span of each row's label (on every sheet)."""
    candidates: dict[int, list[Span]] = {}
    order = _reading_order(grid)
    for row, plan in plans.items():
        if plan.own is None:
            continue
        spans = {span for text in plan.wordings for span in grid.find(text)}
        if not spans:  # renumbered, or its number left off
            spans = {span for text in plan.unnumbered for span in grid.find_unnumbered(text)}
        candidates[row] = sorted(spans, key=order)
    chosen, passed = _choose_rows(table, candidates, grid, labels, answered_first)
    return chosen, passed, candidates


def _continued(
    candidates: dict[int, list[Span]], chosen: dict[int, Span], grid: Grid
) -> dict[int, Span]:
    """The rows a table read in part (``chosen``) continues with on another sheet: a table
    cut in two to fit the page (申请情况（一）, 申请情况（二）). A sheet continues it when it
    holds, of the table's rows, only a run of two or more of those missing, all of them
    from the row after the last read to the table's end, or from its start to the row before
    the first read (a 填表说明 quoting a label, or a few rows elsewhere, continue nothing)."""
    home = next(iter(chosen.values())).sheet
    rows = sorted(candidates)
    read = [i for i, row in enumerate(rows) if row in chosen]
    ends = (rows[read[-1] + 1 :], rows[: read[0]])  # what the table lacks after, before
    for sheet in (s.name for s in grid.sheets):
        if sheet == home or sheet in grid.versions:  # a version is a copy, not the rest
            continue
        found = _row_chain(candidates, sheet)
        if len(found) >= 2 and list(found) in [list(end) for end in ends if end]:
            return found
    return {}


def _choose_rows(
    table: str,
    candidates: dict[int, list[Span]],
    grid: Grid,
    labels: frozenset[str],
    answered_first: bool = False,
) -> tuple[dict[int, Span], list[Passed]]:
    """The rows of the copy of a table read, of those on every sheet (``candidates``: each
    labelled grid row -> the spans of its label); and the copies passed over for another."""
    # the table sits where most of its row labels are (the first such sheet), on a sheet
    # no other replaces where one holding it does
    votes = Counter(sheet for spans in candidates.values() for sheet in {s.sheet for s in spans})
    if not votes:
        return {}, []

    def filled(sheet: str) -> bool:
        spans = _row_chain(candidates, sheet).values()
        left = min(s.left for s in spans)
        return answered(grid, sheet, (s.top for s in spans), left, None)

    def differs(a: str, b: str) -> bool:  # two sheets' copies: the figures beside each label
        first = _held(grid, a, _row_chain(candidates, a))
        second = _held(grid, b, _row_chain(candidates, b))
        return any(first[row] != second[row] for row in first.keys() & second.keys())

    enough = FOUND_SHARE * len(candidates)
    home, replaced = _home(votes, enough, grid, filled, differs, labels, answered_first)
    chosen = _row_chain(candidates, home)
    passed = [
        Passed(table, why, _copy_starts(candidates, sheet)[0], _first(chosen))
        for sheet, why in replaced
    ]
    if _all_hidden(grid, chosen.values()):  # last year's table kept out of sight
        shown = _row_chain(candidates, home, grid)
        if not _all_hidden(grid, shown.values()):
            return shown, [*passed, Passed(table, "hidden", _first(chosen), _first(shown))]
        return chosen, passed
    starts = _copy_starts(candidates, home)
    rows = _copy_rows(candidates, home, starts) if len(starts) > 1 else {}
    found = copies(grid, home, rows, labels)
    start = this_years_copy(found)
    if start is None:  # nothing tells them apart: the first is read, said where they differ
        if found and found[starts[0]].filled:

            def copy_held(start: Span) -> dict[int, tuple]:
                chain = _row_chain(candidates, home, within=_bounds(start, starts))
                return _held(grid, home, chain, copy_columns(start, starts)[1])

            first = copy_held(starts[0])
            passed += [
                Passed(table, "undecided_copy", other, starts[0], found)
                for other in starts[1:]
                if any(first[k] != v for k, v in copy_held(other).items() if k in first)
            ]
        if found:  # the first copy's rows only (a row retyped in it is not the next copy's)
            own = _row_chain(candidates, home, within=_bounds(starts[0], starts))
            chosen = own if len(own) >= _OWN_ROWS * len(chosen) else chosen
        return chosen, passed
    chosen = _row_chain(candidates, home, within=_bounds(start, starts))
    passed += [Passed(table, "heading", other, start, found) for other in starts if other != start]
    return chosen, passed


# a first "copy" holding fewer of the rows found is no copy (a label met once more above)
_OWN_ROWS = 0.8
Within = tuple[int, int, int | None, int | None]  # top row, first column, column after, row after


def _bounds(start: Span, starts: list[Span]) -> Within:
    """The rows and columns of the copy of a table starting at ``start``: from its first row
    label to the next copy below it, from its first column to the next copy beside it."""
    return (start.top, *copy_columns(start, starts), copy_below(start, starts))


SheetPassed = Literal["replaced", "blank", "undecided"]


def _home(
    votes: Counter[str],
    enough: float,
    grid: Grid,
    filled: Callable[[str], bool],
    differs: Callable[[str, str], bool],
    labels: frozenset[str],
    answered_first: bool = False,
) -> tuple[str, list[tuple[str, SheetPassed]]]:
    """The sheet a table is read from, of those holding its labels (``votes``: how many on
    each; ``enough`` to hold it): the first holding most of them, of those no other one
    replaces by its name (年报 beside 年报（修改）), among those whose copy holds figures
    (``filled``; a 年报（正式） being filled in, its other tables still blank, replaces only
    what it holds; a blank 年报 beside a filled-in copy of it, 年报 (2)); and the others
    holding it: each version replaced or blank, and each copy holding other figures
    (``differs``) that nothing tells from the one read."""
    sheets = {s.name: i for i, s in enumerate(grid.sheets)}
    holding = [s for s, n in votes.items() if n >= enough] or list(votes)
    holding.sort(key=sheets.__getitem__)  # reading order, whatever order they were met in
    newest, with_figures, answered_on = holding, holding, []
    if len(holding) > 1:
        answered_on = [s for s in holding if filled(s)]
        if grid.versions or answered_first:
            with_figures = answered_on or holding
        else:  # a sheet left blank as received gives way only to a filled-in copy of it
            # (年报 (2)), not to another sheet holding the table (下属单位); a table left
            # blank on a sheet holding figures is an answer (nothing to report)
            with_figures = [
                s
                for s in holding
                if s in answered_on
                or sheet_holds_figures(grid, s, labels)
                or not any(named_alike(s, t) for t in answered_on)
            ]
        newest = newest_versions(with_figures, grid.versions) or with_figures
    # of as many labels, a version's sheet over one of no version (附表 beside 年报（修改）)
    home = min(newest, key=lambda s: (-votes[s], s not in grid.versions, sheets[s]))
    passed: list[tuple[str, SheetPassed]] = [
        (s, "replaced" if s in with_figures else "blank")
        for s in holding
        if s not in newest and (s in grid.versions or s not in with_figures)
    ]
    passed += [
        (s, "undecided")
        for s in newest
        if s != home
        and s in answered_on
        and named_alike(s, home)
        and not titled_as_breakdown(grid, s)
        and differs(home, s)
    ]
    return home, passed


def _copy_rows(
    candidates: dict[int, list[Span]], home: str, starts: list[Span]
) -> dict[Span, list[int]]:
    """Each copy of a table on ``home`` (by where it starts) -> the rows of its row labels,
    above the next copy below it."""
    rows = {}
    for start in starts:
        below = copy_below(start, starts)
        chain = _row_chain(candidates, home, within=_bounds(start, starts))
        rows[start] = [s.top for s in chain.values() if below is None or s.top < below]
    return rows


def _held(
    grid: Grid, sheet: str, chain: dict[int, Span], right: int | None = None
) -> dict[int, tuple]:
    """What a copy of a table holds beside each of its row labels (``chain``: row -> the
    label's span), up to column ``right``."""
    rows = figures(grid, sheet, [(s.top, s.right + 1) for s in chain.values()], right)
    return dict(zip(chain, rows, strict=True))


def _first(chain: dict[int, Span]) -> Span:
    """Where a copy of a table starts: its first row label."""
    return chain[min(chain)]


def _copy_starts(candidates: dict[int, list[Span]], home: str) -> list[Span]:
    """Where each copy of a table starts on ``home``: the spans of its first row found
    there (one span: one copy)."""
    for row in sorted(candidates):
        starts = [s for s in candidates[row] if s.sheet == home]
        if starts:
            return sorted(starts, key=lambda s: (s.top, s.left))
    return []


def _row_chain(
    candidates: dict[int, list[Span]],
    home: str,
    grid: Grid | None = None,
    within: Within | None = None,
) -> dict[int, Span]:
    """Each row's label on ``home``, each below the one before where it can be; with
    ``grid``, shown labels only (a row the unit deleted from this year's table is not taken
    from last year's hidden copy); ``within`` (top row, first column, column after the
    last, row after the last, None for no end): one copy's labels only, where copies sit one
    above or beside another."""
    chosen: dict[int, Span] = {}
    last_top = -1
    for row in sorted(candidates):
        spans = [s for s in candidates[row] if s.sheet == home]
        if within is not None:
            top, left, right, bottom = within
            spans = [
                s
                for s in spans
                if s.top >= top
                and s.left >= left
                and (right is None or s.left < right)
                and (bottom is None or s.top < bottom)
            ]
        if grid is not None:
            spans = [s for s in spans if grid.shows(s)]
        after = [s for s in spans if s.top > last_top]
        pick = (after or spans or [None])[0]
        if pick is not None:
            chosen[row] = pick
            last_top = pick.top
    return chosen


def _all_hidden(grid: Grid, spans: Iterable[Span]) -> bool:
    """Whether every one of ``spans`` (one copy of a table's labels) is hidden: a copy
    hidden as a whole is last year's kept out of sight; one with a few rows or columns
    hidden is this year's, tidied (what it has nothing to report in)."""
    found = False
    for span in spans:
        if grid.shows(span):
            return False
        found = True
    return found


def _reading_order(grid: Grid):
    order = {s.name: i for i, s in enumerate(grid.sheets)}
    return lambda s: (order[s.sheet], s.top, s.left)


def _locate_row_values(
    table: Table,
    plan: _RowPlan,
    anchor: Span | None,
    grid: Grid,
    first_label: int | None,
    labels: frozenset[str],
) -> dict[str, Span]:
    headers = _pick_headers(table, plan, anchor, grid, labels, shown=False)
    if headers and _all_hidden(grid, headers.values()):  # last year's columns, hidden
        shown = _pick_headers(table, plan, anchor, grid, labels, shown=True)
        if shown and not _all_hidden(grid, shown.values()):
            headers = shown
    if not headers:
        return {}
    if anchor is not None:
        # a header far above the row's others, and above its table's first row label's
        # header rows, is another table's (复议诉讼's 总计 over a 申请 table without its
        # own); one of a band repeated after a page break is the table's own
        nearest = max(h.bottom for h in headers.values())
        depth = max(table.header_rows, 1)
        top = nearest if first_label is None else first_label
        headers = {
            k: h
            for k, h in headers.items()
            if h.bottom > nearest - depth or h.bottom >= top - depth
        }
        sheet_name = anchor.sheet
        rows = dict.fromkeys(headers, anchor.top)
    else:
        sheet_name = next(iter(headers.values())).sheet
        rows = _data_rows(grid, sheet_name, headers)
        # a group's figures (review.appeal.*) lie on one row: a header whose figures lie
        # on another is another table's (the 总计 of a 复议诉讼 retyped below this one,
        # which has none)
        groups: dict[str, Counter[int]] = defaultdict(Counter)
        for key, row in rows.items():
            groups[key.rpartition(".")[0]][row] += 1
        headers = {
            k: h
            for k, h in headers.items()
            if rows[k] == groups[k.rpartition(".")[0]].most_common(1)[0][0]
        }
    sheet = grid.sheet(sheet_name)
    cells: dict[str, Span] = {}
    for key, header in headers.items():
        if header.sheet != sheet_name:
            continue
        columns = range(header.left, header.right + 1)
        filled = [c for c in columns if sheet.value(rows[key], c) is not None]
        cells[key] = sheet.value_cell(rows[key], filled[0] if filled else header.left)
    return cells


def _data_rows(grid: Grid, sheet_name: str, headers: dict[str, Span]) -> dict[str, int]:
    """For a row without a label: headers whose bottoms touch form one header band (a table
    split in two, 复议 above 诉讼, gives two); each band's figures are in the row below it."""
    rows: dict[str, int] = {}
    band: list[str] = []
    for key in sorted(headers, key=lambda k: headers[k].bottom):
        if band and headers[key].bottom > max(headers[k].bottom for k in band) + 1:
            row = _first_data_row(grid, sheet_name, [headers[k] for k in band])
            rows.update(dict.fromkeys(band, row))
            band = []
        band.append(key)
    row = _first_data_row(grid, sheet_name, [headers[k] for k in band])
    rows.update(dict.fromkeys(band, row))
    return rows


def _pick_headers(
    table: Table,
    plan: _RowPlan,
    anchor: Span | None,
    grid: Grid,
    labels: frozenset[str],
    shown: bool,
) -> dict[str, Span]:
    """Each field's column header; ``shown``: hidden headers passed over where shown ones
    of their wording are enough."""
    leaves = plan.leaves
    row = [leaves[i.key] for i in plan.fields]
    home = anchor or _band_base(id(table), row, grid, labels, shown)
    headers: dict[str, Span] = {}
    bands: dict[LabelCell, list[Span]] = {}  # fields under one wording share its band
    for item in plan.fields:
        leaf = leaves[item.key]
        if leaf is None or home is None:
            continue
        spans = bands.get(leaf)
        if spans is None:
            under = plan.under[leaf.text]
            spans = bands[leaf] = _header_band(
                table, leaf, home, anchor is not None, grid, under, shown
            )
        k = plan.ordinals[item.key]
        if k < len(spans):
            headers[item.key] = spans[k]
    return headers


def _band_base(
    table: int,
    leaves: list[LabelCell | None],
    grid: Grid,
    labels: frozenset[str],
    shown: bool = False,
) -> Span | None:
    """For a row without a label: the first header of the row's wordings on the sheet that
    holds most of them (another table may use the same wording, e.g. 总计), of those no
    other replaces by its name; of several copies there (last year's 复议诉讼 above this
    year's), the one the lines over them name (versions.py). What was passed over is kept
    in the grid's memo, for ``locate`` to say (``table``: the id of the row's table)."""
    spans = [
        s
        for leaf in leaves
        if leaf is not None
        for t in forms_of(leaf.text, leaf.variants)
        for s in grid.find(t)
    ]
    if not spans:
        return None
    counts = Counter(s.sheet for s in spans)

    def first_header(sheet: str) -> Span:
        heads = _first_headers(leaves, grid, sheet) or [s for s in spans if s.sheet == sheet]
        return min(heads, key=lambda s: (s.top, s.left))

    def filled(sheet: str) -> bool:  # the figures under the row's first header
        first = first_header(sheet)
        below = range(first.bottom + 1, first.bottom + 1 + _FIGURES_BELOW)
        return answered(grid, sheet, below, first.left, None)

    def differs(a: str, b: str) -> bool:
        return _under(grid, first_header(a)) != _under(grid, first_header(b))

    enough = FOUND_SHARE * max(counts.values())
    home, replaced = _home(counts, enough, grid, filled, differs, labels)
    if replaced:
        said = grid.memo.setdefault((_REPLACED, table), {})
        said.update((sheet, (why, home)) for sheet, why in replaced)
    choices = _first_headers(leaves, grid, home) or [s for s in spans if s.sheet == home]
    if shown:
        choices = [s for s in choices if grid.shows(s)] or choices
    first = min(choices, key=_reading_order(grid))
    # a copy a header row: the first header ending on each (复议's 结果维持, not 诉讼's; it
    # may be merged over the row above)
    ends = {s.bottom for s in choices}
    leftmost = {min((s for s in choices if s.bottom == end), key=lambda s: s.left) for end in ends}
    starts = sorted(leftmost, key=lambda s: (s.top, s.left))
    if len(starts) < 2:
        return first
    rows = {}
    for start in starts:
        below = copy_below(start, starts) or start.bottom + 1 + _FIGURES_BELOW
        rows[start] = list(range(start.bottom + 1, min(below, start.bottom + 1 + _FIGURES_BELOW)))
    found = copies(grid, home, rows, labels)
    start = this_years_copy(found)
    if start is None:  # (these "copies" may be 复议's and 诉讼's headers: nothing is said)
        return first
    said = grid.memo.setdefault((_COPIES, table), {})
    said.update((other, (start, found)) for other in starts if other != start)
    return start


def _under(grid: Grid, header: Span) -> Figures:
    """The figures under a label-less row's first header."""
    rows = range(header.bottom + 1, header.bottom + 1 + _FIGURES_BELOW)
    return figures(grid, header.sheet, [(row, header.left) for row in rows], None)


def _first_headers(leaves: list[LabelCell | None], grid: Grid, sheet: str) -> list[Span]:
    """The headers on ``sheet`` worded as a label-less row's first field's (结果维持 of 复议,
    not the 总计 of a 申请 table above it)."""
    first = leaves[0] if leaves else None
    return [
        s
        for t in (forms_of(first.text, first.variants) if first else ())
        for s in grid.find(t)
        if s.sheet == sheet
    ]


def _header_band(
    table: Table, leaf: LabelCell, home: Span, labelled: bool, grid: Grid, under: int, shown: bool
) -> list[Span]:
    """The spans of ``leaf``'s wording in the header band nearest above the row label
    ``home``, right of it, left to right; for a row without a label, the headers from
    ``home`` (the row's first header) rightwards and a little downwards, band by band (a
    table placed beside another, or split in two, keeps its own headers in order). Of more
    in the band than the ``under`` the row needs, the official wording's when they are
    enough (a local 合计 column beside 复议诉讼's three 总计 is no total of theirs);
    ``shown``: hidden ones passed over where shown ones are enough."""
    spans = [s for s in _spans_of(leaf, grid) if s.sheet == home.sheet]
    band = _band(table, spans, home, labelled, grid, under if shown else 0)
    if leaf.variants and len(band) > under:
        official = set(_spans_of(leaf, grid, official=True))
        named = [s for s in band if s in official]
        band = named if len(named) >= under else band
    return band


def _band(
    table: Table, spans: list[Span], home: Span, labelled: bool, grid: Grid, needed: int
) -> list[Span]:
    depth = max(table.header_rows, 1)
    if labelled:
        spans = [s for s in spans if s.bottom < home.top and s.left > home.right]
        spans = _shown(grid, spans, needed)
        if not spans:
            return []
        nearest = max(s.bottom for s in spans)
        band = [s for s in spans if s.bottom > nearest - depth]
        return sorted(set(band), key=lambda s: (s.left, s.top))
    band = [
        s
        for s in spans
        if s.left >= home.left and s.top > home.top - depth and s.bottom <= home.bottom + _REACH
    ]
    return sorted(set(_shown(grid, band, needed)), key=lambda s: (s.bottom, s.left))


def _shown(grid: Grid, spans: list[Span], needed: int) -> list[Span]:
    """Of more headers of one wording than the row has fields under it (``needed``; 0:
    hidden ones are not asked about), the shown ones when they are enough."""
    if not needed or len(spans) <= needed:
        return spans
    shown = [s for s in spans if grid.shows(s)]
    return shown if len(shown) >= needed else spans


def _spans_of(label: LabelCell, grid: Grid, official: bool = False) -> list[Span]:
    """Every span holding one of the label's wordings, or its official one (kept per grid:
    each header is asked about once per row under it)."""
    found = grid.memo.get((label, official))
    if found is None:
        wordings = forms_of(label.text, () if official else label.variants)
        found = grid.memo[(label, official)] = [s for t in wordings for s in grid.find(t)]
    return found


def _first_data_row(grid: Grid, sheet_name: str, headers: list[Span]) -> int:
    """Below the header band, the first row with a figure under the headers (a blank row
    or two between header and figures is common), else the row right below. Text under the
    headers (a note, the next heading) ends the search: figures are never below it; a units
    row (件) does not."""
    sheet = grid.sheet(sheet_name)
    below = max(h.bottom for h in headers) + 1
    for row in range(below, below + _DATA_ROW_LOOKAHEAD):
        contents = [sheet.value(row, c) for h in headers for c in range(h.left, h.right + 1)]
        readings = [read_number(v).value for v in contents if v is not None]
        if any(isinstance(v, float) for v in readings):
            return row
        if readings and not all(_is_unit_word(v) for v in contents if v is not None):
            break
    return below


_UNIT_WORDS = frozenset({"件", "个", "次", "条", "项", "人", "元", "万元", "单位:件"})


def _is_unit_word(value: Any) -> bool:
    """A cell of a units row under the headers ("件", "（件）"): the figures come below it."""
    return isinstance(value, str) and normalise(value).strip("()") in _UNIT_WORDS


# ---------------------------------------------------------------------------- label: value


def _locate_field_list(table: Table, grid: Grid, inline: dict[str, str]) -> dict[str, Span]:
    """ "填报单位 | 兰江街道": the value is the first filled cell right of the label, unless
    the next label comes first (a blank 填报单位 never takes "填报人" as the unit);
    "填报单位：兰江街道" in one cell: the text after the colon (kept in ``inline``)."""
    labels = {form for item in table.fields for form in forms_of(item.label, item.variants)}
    cells: dict[str, Span] = {}
    for item in table.fields:
        for text in forms_of(item.label, item.variants):
            spans = grid.find(text) or grid.find(text + ":")
            if spans:
                cells[item.key] = _value_right_of(grid, _newest(grid, spans), labels)
                break
            if grid.inline.get(text):
                at = {span: value for span, value in grid.inline[text]}
                span = _newest(grid, list(at))
                cells[item.key] = span
                inline[item.key] = at[span]
                break
    return cells


def _newest(grid: Grid, spans: list[Span]) -> Span:
    """The first of ``spans`` on a sheet no other of theirs replaces by its name (填报单位
    corrected on 年报（修改）)."""
    if not grid.versions:
        return spans[0]
    newest = set(newest_versions(list(dict.fromkeys(s.sheet for s in spans)), grid.versions))
    return next(s for s in spans if s.sheet in newest)


def _value_right_of(grid: Grid, label: Span, labels: set[str]) -> Span:
    sheet = grid.sheet(label.sheet)
    for col in range(label.right + 1, label.right + 1 + _FIELD_VALUE_REACH):
        value = sheet.value(label.top, col)
        if value is None:
            continue
        if isinstance(value, str) and normalise(value).rstrip(":") in labels:
            break  # the next label: this one was left blank
        return sheet.value_cell(label.top, col)
    return sheet.value_cell(label.top, label.right + 1)


def read_values(grid: Grid, cells: dict[str, Span]) -> dict[str, Any]:
    return {key: grid.sheet(s.sheet).value(s.top, s.left) for key, s in cells.items()}
