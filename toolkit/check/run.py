"""Check returns: read each file, then validate all returns of one form together.

Reading is per file; validation is per form, over one stacked frame of every return of that
form (one pandera run for one file or for thousands — `summary` takes the same path).
Findings come back to their file, sheet and cell with the numbers that explain them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils.cell import coordinate_to_tuple

from toolkit.check.explain import Explainer, Labels, number_text
from toolkit.check.isolation import IsolatedReader
from toolkit.check.result import META_KEYS, CheckFinding, FileResult, json_number
from toolkit.check.values import Prepared, prepare
from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import RuleFrame, compute_totals, fill_blank_totals
from toolkit.messages import render
from toolkit.read.returns import Part, read_return
from toolkit.read.sniff import FileProblem
from toolkit.validate import Finding, check_frame

log = logging.getLogger(__name__)
# Rules judged on the file as typed (a formula is not a figure the unit entered: W2 "a whole
# table left blank"), on the file as a spreadsheet shows it (W6 "a total left blank"); every
# other rule sees blank totals filled with the sum of their parts.
_AS_TYPED = frozenset({"W2"})
_AS_SHOWN = frozenset({"W6"})


@dataclass
class _Entry:
    """One part of one file, waiting for its form's validation."""

    result: FileResult
    part: Part
    prepared: Prepared
    merged: bool  # a supplement checked alongside a main form: its header is the main's
    findings: list[CheckFinding] = field(default_factory=list)


@dataclass
class LastYear:
    """Last year's return: its figures become ``last.<key>`` for Y1–Y3."""

    spec: FormSpec
    values: dict[str, Any]

    @property
    def year(self) -> int | None:
        return json_number(self.values.get("meta.year"))  # type: ignore[return-value]


def sha256_of(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


def read_file(name: str, forms: list[FormSpec], form: FormSpec | None = None) -> FileResult:
    """One file as given on the command line; never raises for a bad file."""
    path = Path(name)
    result = FileResult(name, sha256_of(path) if path.is_file() else None)
    try:
        result.read = read_return(path, forms, form)
    except FileProblem as problem:
        return _unreadable(result, problem.code, problem.message_id, problem.params)
    except Exception:  # a malformed file can trip any reader library: it is unreadable
        log.debug("reading %s failed", name, exc_info=True)
        return _unreadable(result, "F1", "read.corrupt", {"path": name})
    if result.read.sniffed.macros:
        result.findings.append(CheckFinding("F4", "warning", render("check.macros")))
    return result


def _unreadable(result: FileResult, code: str, message_id: str, params: dict) -> FileResult:
    result.unreadable = True
    result.findings.append(CheckFinding(code, "error", render(message_id, **params)))
    return result


def check_files(
    names: list[str],
    forms: list[FormSpec],
    form: FormSpec | None = None,
    last_year: LastYear | None = None,
    isolate: bool = True,
) -> list[FileResult]:
    """Read every file (each in a worker process unless ``isolate`` is False), then validate
    all of them together."""
    if isolate:
        with IsolatedReader(forms, form) as reader:
            results = [reader.read(name) for name in names]
    else:
        results = [read_file(name, forms, form) for name in names]
    validate(results, last_year)
    return results


def read_last_year(name: str, forms: list[FormSpec], isolate: bool = True) -> LastYear | FileResult:
    """Last year's figures as the rules see them, or the unreadable result explaining why."""
    if isolate:
        with IsolatedReader(forms) as reader:
            result = reader.read(name)
    else:
        result = read_file(name, forms)
    if result.read is None or result.read.main is None:
        return result
    part = result.read.main
    prepared = prepare(part)
    _, _, filled, _ = _frames(part.spec, [(part, prepared)])
    return LastYear(part.spec, filled.iloc[0].to_dict())


# ---------------------------------------------------------------------------- validation


def validate(results: list[FileResult], last_year: LastYear | None = None) -> None:
    groups: dict[str, list[_Entry]] = defaultdict(list)
    specs: dict[str, FormSpec] = {}
    for result in results:
        if result.read is None:
            continue
        main = result.read.main
        result.form = result.read.primary.spec.id
        head: Prepared | None = None
        for part in result.read.parts:
            prepared = prepare(part)
            merged = main is not None and part is not main
            if head is None:
                head = prepared
            elif merged:  # the supplement's header fields are the main form's
                for key in ("meta." + k for k in META_KEYS):
                    if key in part.spec.fields:
                        prepared.values[key] = head.values.get(key)
            specs[part.spec.id] = part.spec
            groups[part.spec.id].append(_Entry(result, part, prepared, merged))
        result.meta = _meta(head.values if head else {})
    for spec_id, entries in groups.items():
        _validate_group(specs[spec_id], entries, last_year)
    for result in results:
        result.findings.sort(key=_finding_order(result))


def _frames(
    spec: FormSpec, items: list[tuple[Part, Prepared]]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(as typed, as shown, totals filled, error mask): as typed, a formula is blank; as
    shown, a total written as a formula is recomputed from the return's own inputs; filled,
    a blank total takes the sum of its parts (W6)."""
    keys = list(spec.fields)
    values = pd.DataFrame([{k: p.values.get(k) for k in keys} for _, p in items], dtype=object)
    errors = pd.DataFrame([{k: k in part.errors for k in keys} for part, _ in items])
    computed = [k for k in keys if spec.fields[k].computed]
    formulas = pd.DataFrame(
        [{k: k in part.formulas for k in computed} for part, _ in items], dtype=bool
    )
    for key in computed:
        values[key] = values[key].where(~formulas[key], None)  # a cached result is no evidence
    shown = compute_totals(spec, values, formulas=formulas)
    return values, shown, fill_blank_totals(spec, shown), errors


def _with_last_year(frame: pd.DataFrame, last_year: LastYear) -> pd.DataFrame:
    extra = pd.DataFrame(
        {
            f"last.{key}": [last_year.values.get(key)] * len(frame.index)
            for key in last_year.spec.fields
        },
        index=frame.index,
        dtype=object,
    )
    return pd.concat([frame, extra], axis=1)


def _rules_for(spec: FormSpec, last_year: LastYear | None, merged: bool) -> list[Rule]:
    chosen = []
    for rule in spec.rules:
        if rule.uses_last_year:
            if last_year is None:
                continue
            wanted = [k.removeprefix("last.") for k in rule.fields if k.startswith("last.")]
            if any(k not in last_year.spec.fields for k in wanted):
                continue
        if merged and all(k.startswith("meta.") for k in rule.fields):
            continue  # the main form already checks the header
        chosen.append(rule)
    return chosen


def _validate_group(spec: FormSpec, entries: list[_Entry], last_year: LastYear | None) -> None:
    typed, shown, filled, errors = _frames(spec, [(e.part, e.prepared) for e in entries])
    if last_year is not None:
        shown, filled = _with_last_year(shown, last_year), _with_last_year(filled, last_year)
    labels = Labels(spec)
    explainer = Explainer(spec)
    for merged in (False, True):
        positions = [i for i, e in enumerate(entries) if e.merged == merged]
        if not positions:
            continue
        rules = _rules_for(spec, last_year, merged)
        sub = np.array(positions)
        error_mask = errors.iloc[sub].reset_index(drop=True)

        typed_frame, shown_frame, filled_frame = (
            RuleFrame(values.iloc[sub].reset_index(drop=True), errors=error_mask)
            for values in (typed, shown, filled)
        )
        by_instance = {r.instance: r for r in rules}
        judged = (
            (typed_frame, [r for r in rules if r.id in _AS_TYPED]),
            (shown_frame, [r for r in rules if r.id in _AS_SHOWN]),
            (filled_frame, [r for r in rules if r.id not in _AS_TYPED | _AS_SHOWN]),
        )
        for frame, chosen in judged:
            for finding in check_frame(spec, frame, chosen):
                entry = entries[positions[finding.position]]
                rule = by_instance[finding.instance]
                entry.findings.append(
                    _rule_finding(
                        spec,
                        explainer,
                        entry,
                        rule,
                        finding,
                        filled_frame,
                        shown_frame,
                        finding.position,
                    )
                )
    for i, entry in enumerate(entries):
        entry.result.values.update(_json_values(spec, shown.iloc[i]))
        entry.result.findings.extend(_reader_findings(spec, labels, entry))
        entry.result.findings.extend(_drop_superseded(spec, entry))


def _drop_superseded(spec: FormSpec, entry: _Entry) -> list[CheckFinding]:
    """Rule findings, minus those a reader finding already says better: W2 for a table that
    was not found at all, W6 at a total that is not in the file."""
    missing_tables = set(entry.part.missing_tables)
    missing_fields = set(entry.part.missing_fields)
    kept = []
    for finding in entry.findings:
        at = finding.fields[0] if finding.fields else ""
        table = spec.fields[at].table if at in spec.fields else ""
        if finding.rule == "W2" and table in missing_tables:
            continue
        if finding.rule == "W6" and at in missing_fields:
            continue
        kept.append(finding)
    return kept


def _lookup(frame: RuleFrame, position: int) -> Callable[[str], float | None]:
    def value(key: str) -> float | None:
        number = frame.number(key)[position]
        return None if np.isnan(number) else float(number)

    return value


def _rule_finding(
    spec: FormSpec,
    explainer: Explainer,
    entry: _Entry,
    rule: Rule,
    finding: Finding,
    filled: RuleFrame,
    shown: RuleFrame,
    position: int,
) -> CheckFinding:
    value, as_shown = _lookup(filled, position), _lookup(shown, position)

    def display(key: str) -> str:
        """A figure as a number; a cell holding something else (text, TRUE) quoted."""
        number = value(key)
        raw = entry.prepared.values.get(key)
        if number is None and raw is not None and not key.startswith("last."):
            return f"「{_short(raw)}」"
        return number_text(number)

    text = explainer.explain(rule, value, as_shown, display)
    if text is None:
        text = spec.rule_text(rule.message).format(**dict(rule.params))
        raw = entry.part.values.get(rule.at)
        if rule.at in entry.part.errors:
            text = f"{text}。{render('check.error_value')}" if rule.id == "N1" else text
        elif raw is not None:
            number = isinstance(raw, (int, float)) and not isinstance(raw, bool)
            shown_text = number_text(as_shown(rule.at)) if number else _short(raw)
            text = render("check.shown_value", text=text, value=shown_text)
    expected, actual = finding.expected, finding.actual
    if rule.id == "W6":
        expected, actual = value(rule.at), None
    fields = [rule.at, *(k for k in rule.fields if k != rule.at)]
    return _located(spec, entry.part, rule.id, rule.severity, text, fields, expected, actual)


def _located(
    spec: FormSpec,
    part: Part,
    rule_id: str,
    severity: str,
    text: str,
    fields: list[str],
    expected: float | None,
    actual: float | None,
) -> CheckFinding:
    """A finding placed at the first of its fields that the file has a cell for."""
    sheet = cell = None
    table = spec.table(spec.fields[fields[0].removeprefix("last.")].table).name
    for key in fields:
        if key in part.cells:
            sheet, cell = part.cells[key]
            table = spec.table(spec.fields[key].table).name
            break
    place = "check.at_cell" if cell else "check.at_table"
    message = render(place, table=table, cell=cell or "", text=text)
    return CheckFinding(rule_id, severity, message, sheet, cell, fields, expected, actual)


def _short(raw: Any) -> str:
    text = str(raw).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def _reader_findings(spec: FormSpec, labels: Labels, entry: _Entry) -> list[CheckFinding]:
    part = entry.part
    found: list[CheckFinding] = []
    for key, (raw, reading) in entry.prepared.as_text.items():
        if reading.as_date:
            text = render("check.as_date", raw=_short(raw), value=number_text(reading.value))
        elif reading.converted_unit:
            text = render(
                "check.as_text_unit",
                raw=_short(raw),
                written=reading.converted_unit,
                value=number_text(reading.value),
                unit=spec.fields[key].unit or "",
            )
        else:
            text = render("check.as_text", raw=_short(raw), value=number_text(reading.value))
        found.append(_located(spec, part, "W5", "warning", text, [key], None, reading.value))
    for table_key in part.missing_tables:
        table = spec.table(table_key)
        found.append(
            CheckFinding(
                "W2",
                "warning",
                render("check.table_missing", table=table.name),
                fields=[f.key for f in table.fields],
            )
        )
    by_table: dict[str, list[str]] = defaultdict(list)
    for key in part.missing_fields:
        by_table[spec.fields[key].table].append(key)
    for table_key, keys in by_table.items():
        table = spec.table(table_key)
        examples = "、".join(f"「{labels.full(k)}」" for k in keys[:3])
        text = render("check.fields_missing", table=table.name, count=len(keys), examples=examples)
        found.append(CheckFinding("W2", "warning", text, fields=keys))
    return found


def _json_values(spec: FormSpec, row: pd.Series) -> dict[str, Any]:
    out = {}
    for key, item in spec.fields.items():
        if not item.numeric or key.startswith("meta."):
            continue
        out[key] = json_number(_plain(row.get(key)))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _meta(values: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for name in META_KEYS:
        value = _plain(values.get(f"meta.{name}"))
        if name == "year":
            meta[name] = json_number(value)
        elif isinstance(value, (dt.date, dt.datetime)):
            meta[name] = value.isoformat()[:10]
        elif isinstance(value, float):
            meta[name] = str(json_number(value))
        elif value is None or (isinstance(value, str) and not value.strip()):
            meta[name] = None
        else:
            meta[name] = str(value).strip()
    return meta


def _finding_order(result: FileResult) -> Callable[[CheckFinding], tuple]:
    sheets: list[str] = []
    if result.read is not None:
        for part in result.read.parts:
            for sheet, _ in part.cells.values():
                if sheet not in sheets:
                    sheets.append(sheet)

    def key(finding: CheckFinding) -> tuple:
        row, col = coordinate_to_tuple(finding.cell) if finding.cell else (0, 0)
        sheet = sheets.index(finding.sheet) if finding.sheet in sheets else -1
        file_level = finding.rule.startswith("F")
        return (finding.severity != "error", not file_level, sheet, row, col)

    return key
