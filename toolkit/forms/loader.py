"""Load a form spec (TOML) into typed objects, rejecting a malformed one precisely.

Every problem raises ``UserError("spec.invalid", file=…, where=…, problem=…)``: the file, the
key path inside it (``tables[2].blocks[0].rows[3]``) or the line for a syntax error, and what
is wrong, in the user's language.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from toolkit.errors import UserError
from toolkit.forms.charts import build_chart
from toolkit.forms.layout import LayoutError
from toolkit.forms.model import KINDS, ROLES, Field, FormSpec, Rule, Table, Total, remember
from toolkit.forms.outline import build_outline
from toolkit.forms.rules import RuleContext, build_rules, build_totals, number_instances
from toolkit.forms.tables import build_table
from toolkit.forms.validate import (
    ID_PATTERN,
    KEY_PATTERN,
    SpecError,
    check_keys,
    get_str,
    get_strings,
    join,
    wrong_type,
)
from toolkit.messages import Message
from toolkit.paths import builtin_dir

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_TOP_KEYS = {
    "id",
    "version",
    "name",
    "basis",
    "role",
    "include",
    "sheets",
    "sets",
    "tables",
    "totals",
    "rules",
    "charts",
    "messages",
    "report",
}
_FRAGMENT_KEYS = {"sets", "tables", "totals", "rules", "charts", "messages"}


def load_spec(path: Path) -> FormSpec:
    """Read and check one form spec file."""
    current = path
    try:
        doc = _read_toml(path)
        check_keys(doc, _TOP_KEYS, "")
        doc = _merge_includes(doc, path)
        current = path
        return remember(_build(doc, path))
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
        raise wrong_type("include", "file_names")
    merged: dict[str, Any] = {
        "tables": [],
        "totals": [],
        "rules": [],
        "charts": [],
        "sets": {},
        "messages": {},
    }
    for name in includes:
        if Path(name).name != name:
            raise SpecError("include", "spec.problem.include_name", name=name)
        candidates = [path.parent / name, builtin_dir() / name]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise SpecError("include", "spec.problem.include_missing", name=name)
        fragment = _read_toml(found)
        try:
            check_keys(fragment, _FRAGMENT_KEYS, "")
        except SpecError as exc:
            exc.params["file"] = found
            raise
        _merge_into(merged, fragment, found)
    _merge_into(merged, doc, path)
    out = dict(doc)
    out.update(merged)
    return out


def _merge_into(merged: dict[str, Any], doc: dict[str, Any], origin: Path) -> None:
    for section in ("tables", "totals", "rules", "charts"):
        items = doc.get(section, [])
        if not isinstance(items, list):
            raise wrong_type(section, "array_of_tables", file=origin)
        merged[section].extend((origin, i, item) for i, item in enumerate(items))
    for name, members in (doc.get("sets") or {}).items():
        if name in merged["sets"] and merged["sets"][name] != members:
            raise SpecError(f"sets.{name}", "spec.problem.set_conflict", name=name, file=origin)
        merged["sets"][name] = members
    for lang, table in (doc.get("messages") or {}).items():
        merged["messages"].setdefault(lang, {}).update(table or {})


# ---------------------------------------------------------------- building


def _build(doc: dict[str, Any], path: Path) -> FormSpec:
    form_id = get_str(doc, "id", "")
    if not ID_PATTERN.match(form_id):
        raise SpecError("id", "spec.problem.bad_id", value=form_id)
    role = doc.get("role", "supplement")
    if role not in ROLES:
        raise SpecError("role", "spec.problem.bad_role", value=role)
    sheets = get_strings(doc, "sheets", "")
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
            table = build_table(raw, where, sets)
        except SpecError as exc:
            exc.params.setdefault("file", origin)
            raise
        except LayoutError as exc:
            raise SpecError(exc.where, exc.problem, file=origin, **exc.params) from None
        if table.sheet not in sheets:
            raise SpecError(
                join(where, "sheet"), "spec.problem.unknown_sheet", sheet=table.sheet, file=origin
            )
        if any(t.key == table.key for t in tables):
            raise SpecError(
                join(where, "key"), "spec.problem.duplicate", what=table.key, file=origin
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

    context = RuleContext(fields, sets, doc.get("messages", {}))
    totals: list[Total] = []
    rules: list[Rule] = []
    for origin, index, raw in doc["totals"]:
        try:
            new_totals, new_rules = build_totals(raw, f"totals[{index}]", context)
        except SpecError as exc:
            exc.params.setdefault("file", origin)
            raise
        totals.extend(new_totals)
        rules.extend(new_rules)
    computed = {t.total for t in totals}
    for key in computed:
        fields[key] = replace(fields[key], computed=True)
    for origin, index, raw in doc["rules"]:
        try:
            rules.extend(build_rules(raw, f"rules[{index}]", context))
        except SpecError as exc:
            exc.params.setdefault("file", origin)
            raise
    tables = [replace(t, fields=tuple(fields[f.key] for f in t.fields)) for t in tables]
    charts = []
    for origin, index, raw in doc["charts"]:
        try:
            charts.append(build_chart(raw, f"charts[{index}]", list(fields), sets))
        except SpecError as exc:
            exc.params.setdefault("file", origin)
            raise
    report = None
    if "report" in doc:
        report = build_outline(doc["report"], fields, {t.key for t in tables})
    return FormSpec(
        id=form_id,
        version=get_str(doc, "version", ""),
        name=get_str(doc, "name", ""),
        basis=get_str(doc, "basis", "", required=False),
        role=role,
        path=path,
        sheets=sheets,
        tables=tuple(tables),
        fields=fields,
        totals=tuple(totals),
        rules=number_instances(rules),
        sets=sets,
        messages={lang: dict(m) for lang, m in doc.get("messages", {}).items()},
        charts=tuple(charts),
        report=report,
    )


def _build_sets(raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise wrong_type("sets", "table")
    sets: dict[str, tuple[str, ...]] = {}
    for name, members in raw.items():
        if (
            not isinstance(members, list)
            or not members
            or not all(isinstance(m, str) and KEY_PATTERN.match(m) for m in members)
        ):
            raise wrong_type(f"sets.{name}", "keys")
        sets[name] = tuple(members)
    return sets
