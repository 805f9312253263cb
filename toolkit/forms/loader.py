"""Load a form spec (TOML) into typed objects, rejecting a malformed one precisely.

Every problem raises ``UserError("spec.invalid", file=…, where=…, problem=…)``: the file, the
key path inside it (``tables[2].blocks[0].rows[3]``) or the line for a syntax error, and what
is wrong, in the user's language.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from pathlib import Path
from typing import Any

from toolkit.errors import UserError
from toolkit.forms.expr import (
    LAST_PREFIX,
    Arith,
    Call,
    Compare,
    Expr,
    ExprError,
    Logic,
    Num,
    Ref,
    cartesian,
    expand_keys,
    expand_pattern,
    parse,
    substitute,
    type_of,
)
from toolkit.forms.layout import Grid, LayoutError
from toolkit.forms.model import KINDS, Field, FormSpec, LabelCell, Rule, Table, Total
from toolkit.messages import Message
from toolkit.paths import builtin_dir

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_TOP_KEYS = {
    "id",
    "version",
    "name",
    "basis",
    "include",
    "sheets",
    "sets",
    "tables",
    "totals",
    "rules",
    "messages",
}
_FRAGMENT_KEYS = {"sets", "tables", "totals", "rules", "messages"}
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
}
_FIELD_KEYS = {"key", "label", "kind", "unit", "required", "variants"}
_BLOCK_KEYS = {"header", "columns", "rows"}
_COLUMN_KEYS = {"key", "cols", "kind", "unit", "variants"}
_ROW_KEYS = {"key", "labels", "fields", "kind", "unit"}
_CELL_KEYS = {"text", "rows", "cols", "variants"}
_TOTAL_KEYS = {"rule", "for_each", "total", "parts", "when"}
_RULE_KEYS = {"id", "severity", "message", "for_each", "assert", "when", "at", "in_template"}


class SpecError(Exception):
    """Internal: a problem at a place; turned into UserError with the file name."""

    def __init__(self, where: str, problem: str, **params: object) -> None:
        super().__init__(problem)
        self.where = where
        self.problem = problem
        self.params = params


def load_spec(path: Path) -> FormSpec:
    """Read and check one form spec file."""
    current = path
    try:
        doc = _read_toml(path)
        _check_keys(doc, _TOP_KEYS, "")
        doc = _merge_includes(doc, path)
        current = path
        return _build(doc, path)
    except SpecError as exc:
        file = exc.params.pop("file", None) or current
        problem = Message(exc.problem, exc.params)
        raise UserError(
            "spec.invalid",
            file=str(file),
            where=exc.where,
            where_sep=": " if exc.where else "",
            problem=problem,
        ) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise UserError("spec.not_found", file=str(path)) from None
    except OSError as exc:
        raise UserError("spec.unreadable", file=str(path), detail=str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = Message("spec.at_line", {"line": line.group(1)}) if line else ""
        raise UserError(
            "spec.invalid",
            file=str(path),
            where=where,
            where_sep=": " if where else "",
            problem=Message("spec.problem.toml_syntax", {"detail": str(exc)}),
        ) from None
    except UnicodeDecodeError:
        raise UserError(
            "spec.invalid",
            file=str(path),
            where="",
            where_sep="",
            problem=Message("spec.problem.not_utf8"),
        ) from None


def _merge_includes(doc: dict[str, Any], path: Path) -> dict[str, Any]:
    """Prepend the tables, totals and rules of included fragments; merge their sets."""
    includes = doc.get("include", [])
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise SpecError("include", "spec.problem.wrong_type", expected="list of file names")
    merged: dict[str, Any] = {"tables": [], "totals": [], "rules": [], "sets": {}, "messages": {}}
    for name in includes:
        if Path(name).name != name:
            raise SpecError("include", "spec.problem.include_name", name=name)
        candidates = [path.parent / name, builtin_dir() / name]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise SpecError("include", "spec.problem.include_missing", name=name)
        fragment = _read_toml(found)
        try:
            _check_keys(fragment, _FRAGMENT_KEYS, "")
        except SpecError as exc:
            exc.params["file"] = found
            raise
        _merge_into(merged, fragment, found)
    _merge_into(merged, doc, path)
    out = dict(doc)
    out.update(merged)
    return out


def _merge_into(merged: dict[str, Any], doc: dict[str, Any], origin: Path) -> None:
    for section in ("tables", "totals", "rules"):
        items = doc.get(section, [])
        if not isinstance(items, list):
            raise SpecError(
                section, "spec.problem.wrong_type", expected="array of tables", file=origin
            )
        merged[section].extend((origin, i, item) for i, item in enumerate(items))
    for name, members in (doc.get("sets") or {}).items():
        if name in merged["sets"] and merged["sets"][name] != members:
            raise SpecError(f"sets.{name}", "spec.problem.set_conflict", name=name, file=origin)
        merged["sets"][name] = members
    for lang, table in (doc.get("messages") or {}).items():
        merged["messages"].setdefault(lang, {}).update(table or {})


# ---------------------------------------------------------------- small validators


def _check_keys(obj: Any, allowed: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise SpecError(where or "/", "spec.problem.wrong_type", expected="table")
    for key in obj:
        if key not in allowed:
            raise SpecError(
                _join(where, key),
                "spec.problem.unknown_key",
                key=key,
                allowed=", ".join(sorted(allowed)),
            )


def _join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _str(
    obj: dict[str, Any], key: str, where: str, required: bool = True, default: str = ""
) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise SpecError(_join(where, key), "spec.problem.missing_key", key=key)
        return default
    if not isinstance(value, str) or (required and not value.strip()):
        raise SpecError(_join(where, key), "spec.problem.wrong_type", expected="text")
    return value


def _int(obj: dict[str, Any], key: str, where: str, default: int) -> int:
    value = obj.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SpecError(_join(where, key), "spec.problem.wrong_type", expected="whole number ≥ 1")
    return value


def _strings(obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(_join(where, key), "spec.problem.wrong_type", expected="list of text")
    return tuple(value)


def _kind(obj: dict[str, Any], where: str, default: str) -> str:
    kind = obj.get("kind", default)
    if kind not in KINDS:
        raise SpecError(
            _join(where, "kind"), "spec.problem.bad_kind", kind=kind, allowed=", ".join(KINDS)
        )
    return kind


# ---------------------------------------------------------------- building


def _build(doc: dict[str, Any], path: Path) -> FormSpec:
    form_id = _str(doc, "id", "")
    if not _ID.match(form_id):
        raise SpecError("id", "spec.problem.bad_id", value=form_id)
    sheets = _strings(doc, "sheets", "")
    if not sheets:
        raise SpecError("sheets", "spec.problem.missing_key", key="sheets")
    for i, sheet in enumerate(sheets):
        if (
            not sheet.strip()
            or len(sheet) > 31
            or _SHEET_BAD.search(sheet)
            or sheet.startswith("_")
        ):
            raise SpecError(f"sheets[{i}]", "spec.problem.bad_sheet", sheet=sheet)
    if len(set(sheets)) != len(sheets):
        raise SpecError("sheets", "spec.problem.duplicate", what=", ".join(sheets))
    sets = _build_sets(doc.get("sets", {}))

    tables: list[Table] = []
    for origin, index, raw in doc["tables"]:
        where = f"tables[{index}]"
        try:
            table = _build_table(raw, where, sets)
        except SpecError as exc:
            exc.params.setdefault("file", origin)
            raise
        except LayoutError as exc:
            raise SpecError(exc.where, exc.problem, file=origin, **exc.params) from None
        if table.sheet not in sheets:
            raise SpecError(
                _join(where, "sheet"), "spec.problem.unknown_sheet", sheet=table.sheet, file=origin
            )
        if any(t.key == table.key for t in tables):
            raise SpecError(
                _join(where, "key"), "spec.problem.duplicate", what=table.key, file=origin
            )
        tables.append(table)
    tables.sort(key=lambda t: sheets.index(t.sheet))

    fields: dict[str, Field] = {}
    for table in tables:
        for fld in table.fields:
            if fld.key in fields:
                raise SpecError(f"tables[{table.key}]", "spec.problem.duplicate", what=fld.key)
            fields[fld.key] = fld
    for table in tables:
        if table.layout == "grid":
            sets[f"{table.key}.rows"] = table.row_keys
            sets[f"{table.key}.columns"] = table.column_keys
    for kind in KINDS:
        sets[f"kind:{kind}"] = tuple(k for k, f in fields.items() if f.kind == kind)

    context = _Context(fields, sets, doc.get("messages", {}))
    totals: list[Total] = []
    rules: list[Rule] = []
    for origin, index, raw in doc["totals"]:
        try:
            new_totals, new_rules = _build_totals(raw, f"totals[{index}]", context)
        except SpecError as exc:
            exc.params.setdefault("file", origin)
            raise
        totals.extend(new_totals)
        rules.extend(new_rules)
    computed = {t.total for t in totals}
    for key in computed:
        fields[key] = _replace(fields[key], computed=True)
    for origin, index, raw in doc["rules"]:
        try:
            rules.extend(_build_rules(raw, f"rules[{index}]", context))
        except SpecError as exc:
            exc.params.setdefault("file", origin)
            raise
    tables = [_replace(t, fields=tuple(fields[f.key] for f in t.fields)) for t in tables]
    return FormSpec(
        id=form_id,
        version=_str(doc, "version", ""),
        name=_str(doc, "name", ""),
        basis=_str(doc, "basis", "", required=False),
        path=path,
        sheets=sheets,
        tables=tuple(tables),
        fields=fields,
        totals=tuple(totals),
        rules=_number_instances(rules),
        sets=sets,
        messages={lang: dict(m) for lang, m in doc.get("messages", {}).items()},
    )


def _replace(obj: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(obj, **changes)


def _build_sets(raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise SpecError("sets", "spec.problem.wrong_type", expected="table")
    sets: dict[str, tuple[str, ...]] = {}
    for name, members in raw.items():
        if (
            not isinstance(members, list)
            or not members
            or not all(isinstance(m, str) and _KEY.match(m) for m in members)
        ):
            raise SpecError(f"sets.{name}", "spec.problem.wrong_type", expected="list of keys")
        sets[name] = tuple(members)
    return sets


def _build_table(raw: Any, where: str, sets: dict[str, tuple[str, ...]]) -> Table:
    _check_keys(raw, _TABLE_KEYS, where)
    key = _str(raw, "key", where)
    if not _KEY.match(key):
        raise SpecError(_join(where, "key"), "spec.problem.bad_key", key=key)
    layout = raw.get("layout", "grid")
    if layout not in ("grid", "fields"):
        raise SpecError(_join(where, "layout"), "spec.problem.bad_layout", value=layout)
    common = {
        "key": key,
        "sheet": _str(raw, "sheet", where),
        "title": _str(raw, "title", where),
        "name": _str(raw, "name", where, required=False) or _str(raw, "title", where),
        "title_variants": _strings(raw, "title_variants", where),
    }
    if layout == "fields":
        return _build_field_list(raw, where, common)
    widths = raw.get("label_widths", [])
    if not isinstance(widths, list) or not all(isinstance(w, int | float) for w in widths):
        raise SpecError(
            _join(where, "label_widths"), "spec.problem.wrong_type", expected="list of numbers"
        )
    value_width = raw.get("value_width", 12)
    if not isinstance(value_width, int | float) or value_width <= 0:
        raise SpecError(_join(where, "value_width"), "spec.problem.wrong_type", expected="number")
    return _build_grid(
        raw, where, common, tuple(float(w) for w in widths), float(value_width), sets
    )


def _build_field_list(raw: dict[str, Any], where: str, common: dict[str, Any]) -> Table:
    items = raw.get("fields")
    if not isinstance(items, list) or not items:
        raise SpecError(_join(where, "fields"), "spec.problem.missing_key", key="fields")
    fields: list[Field] = []
    labels: list[LabelCell] = []
    for i, item in enumerate(items):
        fwhere = f"{where}.fields[{i}]"
        _check_keys(item, _FIELD_KEYS, fwhere)
        fkey = _str(item, "key", fwhere)
        if not _KEY.match(fkey):
            raise SpecError(_join(fwhere, "key"), "spec.problem.bad_key", key=fkey)
        if any(f.key == f"{common['key']}.{fkey}" for f in fields):
            raise SpecError(
                _join(fwhere, "key"), "spec.problem.duplicate", what=f"{common['key']}.{fkey}"
            )
        label = _str(item, "label", fwhere)
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise SpecError(
                _join(fwhere, "required"), "spec.problem.wrong_type", expected="true/false"
            )
        variants = _strings(item, "variants", fwhere)
        labels.append(LabelCell(label, i, 0, variants=variants))
        fields.append(
            Field(
                key=f"{common['key']}.{fkey}",
                table=common["key"],
                kind=_kind(item, fwhere, "text"),
                label=label,
                row=i,
                col=1,
                unit=_str(item, "unit", fwhere, required=False) or None,
                required=required,
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
    _check_keys(raw, _CELL_KEYS, where)
    return (
        _str(raw, "text", where),
        _int(raw, "rows", where, 1),
        _int(raw, "cols", where, 1),
        _strings(raw, "variants", where),
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
        raise SpecError(_join(where, "blocks"), "spec.problem.missing_key", key="blocks")
    key = common["key"]
    width = 0
    grid: Grid | None = None
    labels: list[LabelCell] = []
    fields: list[Field] = []
    row_keys: dict[str, None] = {}
    column_keys: dict[str, None] = {}
    header_rows = 0
    label_columns = len(label_widths)
    top = 0
    for b, block in enumerate(blocks):
        bwhere = f"{where}.blocks[{b}]"
        _check_keys(block, _BLOCK_KEYS, bwhere)
        header = block.get("header", [])
        if not isinstance(header, list) or not all(isinstance(r, list) for r in header):
            raise SpecError(
                _join(bwhere, "header"), "spec.problem.wrong_type", expected="list of rows"
            )
        if grid is None:
            first = (
                [_cell(c, f"{bwhere}.header[0][{i}]") for i, c in enumerate(header[0])]
                if header
                else []
            )
            width = sum(c[2] for c in first)
            if width == 0:
                raise SpecError(_join(bwhere, "header"), "spec.problem.missing_key", key="header")
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
            raise SpecError(_join(bwhere, "rows"), "spec.problem.missing_key", key="rows")
        for r, rawrow in enumerate(rows):
            rwhere = f"{bwhere}.rows[{r}]"
            _check_keys(rawrow, _ROW_KEYS, rwhere)
            row = top + r
            row_key = _str(rawrow, "key", rwhere, required=False)
            if row_key:
                if not _KEY.match(row_key):
                    raise SpecError(_join(rwhere, "key"), "spec.problem.bad_key", key=row_key)
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
    if label_columns and len(label_widths) != label_columns:
        raise SpecError(
            _join(where, "label_widths"),
            "spec.problem.wrong_type",
            expected="one width per label column",
        )
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
        raise SpecError(_join(where, "columns"), "spec.problem.wrong_type", expected="list")
    out = []
    for i, col in enumerate(raw):
        cwhere = f"{where}.columns[{i}]"
        _check_keys(col, _COLUMN_KEYS, cwhere)
        ckey = _str(col, "key", cwhere)
        if not _KEY.match(ckey):
            raise SpecError(_join(cwhere, "key"), "spec.problem.bad_key", key=ckey)
        out.append(
            (
                ckey,
                _int(col, "cols", cwhere, 1),
                _kind(col, cwhere, "count"),
                _str(col, "unit", cwhere, required=False) or None,
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
        _kind(raw, where, "count")
    unit_override = _str(raw, "unit", where, required=False) or None
    explicit = raw.get("fields")
    if explicit is None:
        if not row_key or not columns:
            raise SpecError(where, "spec.problem.row_without_fields")
        return [
            (f"{row_key}.{c[0]}", c[1], kind_override or c[2], unit_override or c[3])
            for c in columns
        ]
    if not isinstance(explicit, list) or not all(isinstance(f, str) for f in explicit):
        raise SpecError(_join(where, "fields"), "spec.problem.wrong_type", expected="list of keys")
    try:
        keys = [k for pattern in explicit for k in cartesian(pattern, sets)]
    except ExprError as exc:
        raise SpecError(_join(where, "fields"), exc.problem, **exc.params) from None
    for k in keys:
        if not all(_KEY.match(part) for part in k.split(".")):
            raise SpecError(_join(where, "fields"), "spec.problem.bad_key", key=k)
    if columns and len(columns) == len(keys):
        return [
            (k, c[1], kind_override or c[2], unit_override or c[3])
            for k, c in zip(keys, columns, strict=True)
        ]
    return [(k, 1, kind_override or "count", unit_override) for k in keys]


# ---------------------------------------------------------------- totals and rules


class _Context:
    def __init__(
        self,
        fields: dict[str, Field],
        sets: dict[str, tuple[str, ...]],
        messages: dict[str, dict[str, str]],
    ) -> None:
        self.fields = fields
        self.keys = list(fields)
        self.sets = sets
        self.messages = messages

    def is_field(self, key: str) -> bool:
        bare = key[len(LAST_PREFIX) :] if key.startswith(LAST_PREFIX) else key
        return bare in self.fields

    def kind_of(self, key: str) -> str:
        bare = key[len(LAST_PREFIX) :] if key.startswith(LAST_PREFIX) else key
        return self.fields[bare].kind

    def bindings(self, raw: Any, where: str) -> list[dict[str, str]]:
        if raw is None:
            return [{}]
        if not isinstance(raw, dict) or not raw:
            raise SpecError(
                _join(where, "for_each"),
                "spec.problem.wrong_type",
                expected="table of variable = set name",
            )
        names = list(raw)
        members = []
        for name in names:
            set_name = raw[name]
            if not isinstance(set_name, str) or set_name not in self.sets:
                raise SpecError(
                    _join(where, f"for_each.{name}"), "spec.problem.unknown_set", name=set_name
                )
            members.append(self.sets[set_name])
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*members)]

    def expression(self, text: Any, binding: dict[str, str], where: str, want: str) -> Expr:
        if not isinstance(text, str) or not text.strip():
            raise SpecError(where, "spec.problem.wrong_type", expected="expression")
        try:
            expanded = expand_keys(substitute(text, binding), self.keys, self.sets)
            expr = parse(expanded, self.is_field)
            got = type_of(expr, self.kind_of)
        except ExprError as exc:
            raise SpecError(where, exc.problem, **exc.params) from None
        if (want == "bool") != (got == "bool"):
            raise SpecError(where, "spec.problem.not_boolean", expr=text)
        return expr

    def key(self, text: Any, binding: dict[str, str], where: str) -> str:
        if not isinstance(text, str):
            raise SpecError(where, "spec.problem.wrong_type", expected="field key")
        key = substitute(text, binding)
        if key not in self.fields:
            raise SpecError(where, "spec.problem.unknown_field", key=key)
        return key

    def has_message(self, message: str) -> bool:
        from toolkit.messages import has_message

        return any(message in m for m in self.messages.values()) or has_message(
            f"rule.{message}", "zh"
        )


def _severity(raw: dict[str, Any], where: str) -> str:
    severity = raw.get("severity", "error")
    if severity not in ("error", "warning"):
        raise SpecError(_join(where, "severity"), "spec.problem.bad_severity", value=severity)
    return severity


def _build_totals(raw: Any, where: str, ctx: _Context) -> tuple[list[Total], list[Rule]]:
    _check_keys(raw, _TOTAL_KEYS, where)
    rule_id = _str(raw, "rule", where)
    parts_raw = raw.get("parts")
    if (
        not isinstance(parts_raw, list)
        or not parts_raw
        or not all(isinstance(p, str) for p in parts_raw)
    ):
        raise SpecError(_join(where, "parts"), "spec.problem.wrong_type", expected="list of keys")
    if not ctx.has_message(rule_id):
        raise SpecError(_join(where, "rule"), "spec.problem.no_message", message=rule_id)
    totals: list[Total] = []
    rules: list[Rule] = []
    for binding in ctx.bindings(raw.get("for_each"), where):
        total = ctx.key(raw.get("total"), binding, _join(where, "total"))
        if ctx.fields[total].kind not in ("count", "money", "change"):
            raise SpecError(_join(where, "total"), "spec.problem.not_numeric", expr=total)
        parts: list[str] = []
        try:
            for pattern in parts_raw:
                parts.extend(expand_pattern(substitute(pattern, binding), ctx.keys, ctx.sets))
        except ExprError as exc:
            raise SpecError(_join(where, "parts"), exc.problem, **exc.params) from None
        parts = [p for p in dict.fromkeys(parts) if p != total]
        if not parts:
            raise SpecError(
                _join(where, "parts"), "spec.problem.pattern_empty", pattern=", ".join(parts_raw)
            )
        when = (
            ctx.expression(raw["when"], binding, _join(where, "when"), "bool")
            if "when" in raw
            else None
        )
        item = Total(rule_id, total, tuple(parts), when)
        totals.append(item)
        check = Compare("==", Ref(total), Call("sum", tuple(Ref(p) for p in parts)))
        params = tuple(binding.items())
        rules.append(
            Rule(rule_id, "error", rule_id, check, total, when, params, True, where, total=item)
        )
        blank_check = Logic(
            "or", (Call("filled", (Ref(total),)), Call("all_blank", tuple(Ref(p) for p in parts)))
        )
        rules.append(
            Rule("W6", "warning", "W6", blank_check, total, None, params, False, where, total=item)
        )
    return totals, rules


def _build_rules(raw: Any, where: str, ctx: _Context) -> list[Rule]:
    _check_keys(raw, _RULE_KEYS, where)
    rule_id = _str(raw, "id", where)
    severity = _severity(raw, where)
    message = _str(raw, "message", where, required=False) or rule_id
    if not ctx.has_message(message):
        raise SpecError(_join(where, "message"), "spec.problem.no_message", message=message)
    in_template = raw.get("in_template", True)
    if not isinstance(in_template, bool):
        raise SpecError(
            _join(where, "in_template"), "spec.problem.wrong_type", expected="true/false"
        )
    rules = []
    for binding in ctx.bindings(raw.get("for_each"), where):
        check = ctx.expression(raw.get("assert"), binding, _join(where, "assert"), "bool")
        when = (
            ctx.expression(raw["when"], binding, _join(where, "when"), "bool")
            if "when" in raw
            else None
        )
        at = ctx.key(raw.get("at"), binding, _join(where, "at"))
        rule = Rule(
            rule_id, severity, message, check, at, when, tuple(binding.items()), in_template, where
        )
        if rule.uses_last_year:
            rule = _replace(rule, in_template=False)
        rules.append(rule)
    return rules


def _number_instances(rules: list[Rule]) -> tuple[Rule, ...]:
    """Give each rule instance a stable, unique id: ``A1@applications.carried_out.natural``."""
    seen: dict[str, int] = {}
    out = []
    for rule in rules:
        base = f"{rule.id}@{rule.at}"
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base}#{seen[base]}"
        out.append(_replace(rule, instance=name))
    return tuple(out)


__all__ = ["Arith", "Num", "builtin_dir", "load_spec"]
