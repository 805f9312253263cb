"""Tables of a form spec: field lists and grids, with their geometry checked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from toolkit.forms.expr import ExprError, cartesian
from toolkit.forms.layout import Grid, LayoutError
from toolkit.forms.model import Field, LabelCell, Table
from toolkit.forms.validate import (
    KEY_PATTERN,
    SpecError,
    check_keys,
    get_int,
    get_key,
    get_kind,
    get_str,
    get_strings,
    join,
    wrong_type,
)

DEFAULT_LABEL_WIDTH = 20.0

_TABLE_KEYS = {
    "key",
    "sheet",
    "title",
    "name",
    "layout",
    "fields",
    "blocks",
    "label_widths",
    "value_width",
    "title_variants",
    "alternates",
}
_ALTERNATE_KEYS = {"blocks"}
_FIELD_KEYS = {"key", "label", "kind", "unit", "variants"}
_BLOCK_KEYS = {"header", "columns", "rows"}
_COLUMN_KEYS = {"key", "cols", "kind", "unit"}
_ROW_KEYS = {"key", "labels", "fields", "kind", "unit"}
_CELL_KEYS = {"text", "rows", "cols", "variants"}


def build_table(raw: Any, where: str, sets: dict[str, tuple[str, ...]]) -> Table:
    check_keys(raw, _TABLE_KEYS, where)
    key = get_key(raw, where)
    layout = raw.get("layout", "grid")
    if layout not in ("grid", "fields"):
        raise SpecError(join(where, "layout"), "spec.problem.bad_layout", value=layout)
    common = {
        "key": key,
        "sheet": get_str(raw, "sheet", where),
        "title": get_str(raw, "title", where),
        "name": get_str(raw, "name", where, required=False) or get_str(raw, "title", where),
        "title_variants": get_strings(raw, "title_variants", where),
    }
    if layout == "fields":
        if "alternates" in raw:  # other layouts are of grids
            raise SpecError(join(where, "alternates"), "spec.problem.alternates_of_fields")
        return _build_field_list(raw, where, common)
    widths = raw.get("label_widths", [])
    if not isinstance(widths, list) or not all(isinstance(w, int | float) for w in widths):
        raise wrong_type(
            join(where, "label_widths"),
            "numbers",
        )
    value_width = raw.get("value_width", 12)
    if not isinstance(value_width, int | float) or value_width <= 0:
        raise wrong_type(
            join(where, "value_width"),
            "number",
        )
    table = _build_grid(
        raw, where, common, tuple(float(w) for w in widths), float(value_width), sets
    )
    return replace(table, alternates=_alternates(raw, where, table, sets))


def _alternates(
    raw: dict[str, Any], where: str, table: Table, sets: dict[str, tuple[str, ...]]
) -> tuple[Table, ...]:
    """Other layouts of ``table`` (its ``alternates``: each a list of blocks, as the table's
    own), for reading a table units retype otherwise; each holds only fields of the table."""
    items = raw.get("alternates", [])
    if not isinstance(items, list):
        raise wrong_type(join(where, "alternates"), "list")
    own = {f.key for f in table.fields}
    common = {
        "key": table.key,
        "sheet": table.sheet,
        "title": table.title,
        "name": table.name,
        "title_variants": table.title_variants,
    }
    found = []
    for i, item in enumerate(items):
        awhere = f"{join(where, 'alternates')}[{i}]"
        check_keys(item, _ALTERNATE_KEYS, awhere)
        alternate = _build_grid(item, awhere, common, (), table.value_width, sets)
        for item_field in alternate.fields:
            if item_field.key not in own:
                raise SpecError(awhere, "spec.problem.unknown_field", key=item_field.key)
        found.append(alternate)
    return tuple(found)


def _build_field_list(raw: dict[str, Any], where: str, common: dict[str, Any]) -> Table:
    items = raw.get("fields")
    if not isinstance(items, list) or not items:
        raise SpecError(join(where, "fields"), "spec.problem.missing_key", key="fields")
    fields: list[Field] = []
    labels: list[LabelCell] = []
    for i, item in enumerate(items):
        fwhere = f"{where}.fields[{i}]"
        check_keys(item, _FIELD_KEYS, fwhere)
        fkey = get_key(item, fwhere)
        if any(f.key == f"{common['key']}.{fkey}" for f in fields):
            raise SpecError(
                join(fwhere, "key"), "spec.problem.duplicate", what=f"{common['key']}.{fkey}"
            )
        label = get_str(item, "label", fwhere)
        variants = get_strings(item, "variants", fwhere)
        labels.append(LabelCell(label, i, 0, variants=variants))
        fields.append(
            Field(
                key=f"{common['key']}.{fkey}",
                table=common["key"],
                kind=get_kind(item, fwhere, "text"),
                label=label,
                row=i,
                col=1,
                unit=get_str(item, "unit", fwhere, required=False) or None,
                variants=variants,
                row_labels=(label,),
            )
        )
    return Table(
        layout="fields",
        width=2,
        height=len(items),
        labels=tuple(labels),
        fields=tuple(fields),
        label_columns=1,
        **common,
    )


def _cell(raw: Any, where: str) -> tuple[str, int, int, tuple[str, ...]]:
    if isinstance(raw, str):
        return raw, 1, 1, ()
    check_keys(raw, _CELL_KEYS, where)
    return (
        get_str(raw, "text", where),
        get_int(raw, "rows", where, 1),
        get_int(raw, "cols", where, 1),
        get_strings(raw, "variants", where),
    )


def _build_grid(
    raw: dict[str, Any],
    where: str,
    common: dict[str, Any],
    label_widths: tuple[float, ...],
    value_width: float,
    sets: dict[str, tuple[str, ...]],
) -> Table:
    blocks = raw.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        raise SpecError(join(where, "blocks"), "spec.problem.missing_key", key="blocks")
    key = common["key"]
    width = 0
    grid: Grid | None = None
    labels: list[LabelCell] = []
    fields: list[Field] = []
    row_keys: dict[str, None] = {}
    column_keys: dict[str, None] = {}
    header_rows = 0
    top = 0
    for b, block in enumerate(blocks):
        bwhere = f"{where}.blocks[{b}]"
        check_keys(block, _BLOCK_KEYS, bwhere)
        header = block.get("header", [])
        if not isinstance(header, list) or not all(isinstance(r, list) for r in header):
            raise wrong_type(
                join(bwhere, "header"),
                "rows",
            )
        if grid is None:
            first = (
                [_cell(c, f"{bwhere}.header[0][{i}]") for i, c in enumerate(header[0])]
                if header
                else []
            )
            width = sum(c[2] for c in first)
            if width == 0:
                raise SpecError(join(bwhere, "header"), "spec.problem.missing_key", key="header")
            grid = Grid(width)
        block_header: list[tuple[int, int, int, int, str]] = []
        for r, hrow in enumerate(header):
            row = top + r
            for i, rawcell in enumerate(hrow):
                cwhere = f"{bwhere}.header[{r}][{i}]"
                text, rows, cols, variants = _cell(rawcell, cwhere)
                col = grid.next_free(row, 0)
                grid.place(row, col, rows, cols, None, cwhere)
                role = "title" if cols == width and rows == 1 else "header"
                labels.append(LabelCell(text, row, col, rows, cols, variants, role))
                block_header.append((row, col, rows, cols, text))
            if grid.free_in_row(row):
                raise LayoutError(
                    "spec.problem.row_incomplete", f"{bwhere}.header[{r}]", width=width
                )
        if b == 0:
            header_rows = len(header)
        top += len(header)
        columns = _columns(block.get("columns", []), bwhere)
        for c in columns:
            column_keys.setdefault(c[0], None)
        rows = block.get("rows")
        if not isinstance(rows, list) or not rows:
            raise SpecError(join(bwhere, "rows"), "spec.problem.missing_key", key="rows")
        for r, rawrow in enumerate(rows):
            rwhere = f"{bwhere}.rows[{r}]"
            check_keys(rawrow, _ROW_KEYS, rwhere)
            row = top + r
            row_key = get_key(rawrow, rwhere, required=False)
            if row_key:
                row_keys.setdefault(row_key, None)
            own_labels: list[str] = []
            for i, rawcell in enumerate(rawrow.get("labels", [])):
                cwhere = f"{rwhere}.labels[{i}]"
                text, nrows, ncols, variants = _cell(rawcell, cwhere)
                col = grid.next_free(row, 0)
                grid.place(row, col, nrows, ncols, ("label", text), cwhere)
                labels.append(LabelCell(text, row, col, nrows, ncols, variants, "row"))
                own_labels.append(text)
            specs = _row_fields(rawrow, row_key, columns, rwhere, sets)
            for fkey, span, kind, unit in specs:
                if any(f.key == f"{key}.{fkey}" for f in fields):
                    raise SpecError(rwhere, "spec.problem.duplicate", what=f"{key}.{fkey}")
                col = grid.next_free(row, 0)
                grid.place(row, col, 1, span, ("field", fkey), rwhere)
                row_labels = tuple(
                    cell.payload[1]
                    for c in range(col)
                    if (cell := grid.covering(row, c)) is not None
                    and isinstance(cell.payload, tuple)
                    and cell.payload[0] == "label"
                    and cell.col == c
                )
                col_labels = tuple(
                    h[4] for h in block_header if h[1] <= col < h[1] + h[3] and h[3] < width
                )
                label = " / ".join((*row_labels[-1:], *col_labels[-2:])) or fkey
                fields.append(
                    Field(
                        key=f"{key}.{fkey}",
                        table=key,
                        kind=kind,
                        label=label,
                        row=row,
                        col=col,
                        cols=span,
                        unit=unit,
                        row_labels=row_labels,
                        col_labels=col_labels,
                    )
                )
            free = grid.free_in_row(row)
            if free and not (rawrow.get("fields") == [] and free < width):
                raise LayoutError("spec.problem.row_incomplete", rwhere, width=width)
            if rawrow.get("fields") == []:
                # A heading row: the rest of the row is one empty locked cell.
                col = grid.next_free(row, 0)
                if col < width:
                    grid.place(row, col, 1, width - col, None, rwhere)
        top += len(rows)
        for (r, _c), cell in grid.taken.items():
            if r >= top:
                raise LayoutError("spec.problem.span_outside", f"{bwhere}", row=cell.row + 1)
    # Label columns: those left of the first value cell (row labels, a unit column…).
    label_columns = min((f.col for f in fields), default=0)
    if "label_widths" not in raw:
        label_widths = (DEFAULT_LABEL_WIDTH,) * label_columns
    elif len(label_widths) != label_columns:
        raise wrong_type(join(where, "label_widths"), "label_widths")
    return Table(
        layout="grid",
        width=width,
        height=top,
        labels=tuple(labels),
        fields=tuple(fields),
        label_columns=label_columns,
        label_widths=label_widths,
        value_width=value_width,
        header_rows=header_rows,
        blocks=len(blocks),
        row_keys=tuple(row_keys),
        column_keys=tuple(column_keys),
        **common,
    )


def _columns(raw: Any, where: str) -> list[tuple[str, int, str, str | None]]:
    if not isinstance(raw, list):
        raise wrong_type(join(where, "columns"), "list")
    out = []
    for i, col in enumerate(raw):
        cwhere = f"{where}.columns[{i}]"
        check_keys(col, _COLUMN_KEYS, cwhere)
        ckey = get_key(col, cwhere)
        out.append(
            (
                ckey,
                get_int(col, "cols", cwhere, 1),
                get_kind(col, cwhere, "count"),
                get_str(col, "unit", cwhere, required=False) or None,
            )
        )
    return out


def _row_fields(
    raw: dict[str, Any],
    row_key: str,
    columns: list[tuple[str, int, str, str | None]],
    where: str,
    sets: dict[str, tuple[str, ...]],
) -> list[tuple[str, int, str, str | None]]:
    kind_override = raw.get("kind")
    if kind_override is not None:
        get_kind(raw, where, "count")
    unit_override = get_str(raw, "unit", where, required=False) or None
    explicit = raw.get("fields")
    if explicit is None:
        if not row_key or not columns:
            raise SpecError(where, "spec.problem.row_without_fields")
        return [
            (f"{row_key}.{c[0]}", c[1], kind_override or c[2], unit_override or c[3])
            for c in columns
        ]
    if not isinstance(explicit, list) or not all(isinstance(f, str) for f in explicit):
        raise wrong_type(join(where, "fields"), "keys")
    try:
        keys = [k for pattern in explicit for k in cartesian(pattern, sets)]
    except ExprError as exc:
        raise SpecError(join(where, "fields"), exc.problem, **exc.params) from None
    for k in keys:
        if not all(KEY_PATTERN.match(part) for part in k.split(".")):
            raise SpecError(join(where, "fields"), "spec.problem.bad_key", key=k)
    if columns and len(columns) == len(keys):
        return [
            (k, c[1], kind_override or c[2], unit_override or c[3])
            for k, c in zip(keys, columns, strict=True)
        ]
    return [(k, 1, kind_override or "count", unit_override) for k in keys]
