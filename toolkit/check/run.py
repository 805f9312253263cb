"""Check returns: read each file, then validate all returns of one form together.

Reading is per file; validation is per form, over one stacked frame of every return of that
form (one pandera run for one file or for thousands — `summary` takes the same path).
Findings come back to their file, sheet and cell with the numbers that explain them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import operator
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.check.explain import Explainer, Labels, number_text
from toolkit.check.findings import (
    Entry,
    drop_superseded,
    finding_order,
    reader_findings,
    rule_finding,
)
from toolkit.check.isolation import read_all
from toolkit.check.pipeline import check_files
from toolkit.check.reading import read_file
from toolkit.check.result import META_KEYS, FileResult, json_number
from toolkit.check.values import Prepared, prepare
from toolkit.forms.excel import EPSILON
from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import (
    ONLY_NUMBERS,
    RuleFrame,
    compute_totals,
    fill_blank_totals,
)
from toolkit.read.meta import typed_day
from toolkit.read.returns import Part
from toolkit.text import MAX_NAME_LENGTH, clean_name
from toolkit.validate import check_frame
from toolkit.validate.cascade import Formulas, without_cascades, without_error_echoes
from toolkit.validate.finding import Finding
from toolkit.validate.guesses import likely_readings, with_readings
from toolkit.validate.localise import localised

log = logging.getLogger(__name__)
__all__ = ["LastYear", "check_files", "read_last_year", "validate"]
# Rules judged on the file as typed (a formula is not a figure the unit entered: W2 "a whole
# table left blank"), on the file as a spreadsheet shows it (W6 "a total left blank"); every
# other rule sees blank totals filled with the sum of their parts.
_AS_TYPED = frozenset({"W2"})
_AS_SHOWN = frozenset({"W6"})


@dataclass
class LastYear:
    """Last year's return: its figures become ``last.<key>`` for Y1–Y3."""

    spec: FormSpec
    values: dict[str, Any]

    @property
    def year(self) -> int | None:
        return json_number(self.values.get("meta.year"))  # type: ignore[return-value]


def read_last_year(name: str, forms: list[FormSpec], isolate: bool = True) -> LastYear | FileResult:
    """Last year's figures as the rules see them, or the unreadable result explaining why."""
    if isolate:
        [result] = read_all([name], forms)
    else:
        result = read_file(name, forms)
    if result.read is None or result.read.main is None:
        return result
    part = result.read.main
    prepared = prepare(part)
    filled = _frames(part.spec, [(part, prepared)]).filled
    return LastYear(part.spec, filled.iloc[0].to_dict())


# ---------------------------------------------------------------------------- validation


def validate(results: list[FileResult], last_year: LastYear | None = None) -> None:
    groups: dict[str, list[Entry]] = defaultdict(list)
    specs: dict[str, FormSpec] = {}
    for result in results:
        if result.read is None:
            continue
        main = result.read.main
        result.form = result.read.primary.spec.id
        head: Prepared | None = None
        ready = result.prepared if len(result.prepared) == len(result.read.parts) else None
        for i, part in enumerate(result.read.parts):
            prepared = ready[i] if ready is not None else prepare(part)
            merged = main is not None and part is not main
            if head is None:
                head = prepared
            elif merged:  # the supplement's header fields are the main form's
                for key in ("meta." + k for k in META_KEYS):
                    if key in part.spec.fields:
                        prepared.values[key] = head.values.get(key)
            specs[part.spec.id] = part.spec
            groups[part.spec.id].append(Entry(result, part, prepared, merged))
        result.meta = _meta(head.values if head else {})
    for spec_id, entries in groups.items():
        _validate_group(specs[spec_id], entries, last_year)
    for result in results:
        if len(result.findings) > 1:
            result.findings.sort(key=finding_order(result))


@dataclass
class _Frames:
    """One form's returns, a row each: ``typed``, a total holding a formula is blank (no
    figure the unit entered); ``shown``, a formula our reader could not evaluate is
    recomputed from the return's own inputs; ``filled``, a blank total takes the sum of its
    parts (W6), and the formulas over it follow. The masks: ``errors``, cells holding an
    error value (a column per field); ``follow``, totals (a column each) that follow their
    parts: a template's formula, which we compute, or a formula of the file's own that adds
    them up."""

    typed: pd.DataFrame
    shown: pd.DataFrame
    filled: pd.DataFrame
    errors: pd.DataFrame
    follow: pd.DataFrame


def _frames(spec: FormSpec, items: list[tuple[Part, Prepared]]) -> _Frames:
    keys = list(spec.fields)
    # every prepared part holds every field of its form: a row of them is one C call
    row_of = operator.itemgetter(*keys) if len(keys) > 1 else (lambda v: (v[keys[0]],))
    rows = [row_of(p.values) for _, p in items]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in keys]
    values = pd.DataFrame(
        {k: _column(list(column)) for k, column in zip(keys, columns, strict=True)},
        index=pd.RangeIndex(len(items)),
    )
    errors = pd.DataFrame(_marks(keys, [part.errors for part, _ in items]), columns=keys)
    computed = [k for k in keys if spec.fields[k].computed]
    formulas = pd.DataFrame(
        _marks(computed, [part.formulas for part, _ in items]), columns=computed
    )
    for key in computed:
        if formulas[key].any():  # a cached result is no evidence
            values[key] = values[key].where(~formulas[key], None)
    shown = compute_totals(spec, values, formulas=formulas)
    evaluated = pd.DataFrame(
        _marks(computed, [part.evaluated for part, _ in items]), columns=computed
    )
    typed = values.copy() if evaluated.to_numpy().any() else values
    for key in computed:
        if evaluated[key].any():
            typed[key] = typed[key].where(~evaluated[key], None)
    marked = _marks(keys, [prepared.marked for _, prepared in items])
    if marked.any():
        # "—" typed in a cell is the unit's answer (none), not a cell left blank: W2
        # asks whether a table was forgotten
        typed = typed.copy() if typed is values else typed
        for column in np.flatnonzero(marked.any(axis=0)):
            key = keys[column]
            typed[key] = typed[key].where(~marked[:, column], 0.0)
    # a formula of the file's own that adds up its parts follows them like a template's
    follows = formulas | (evaluated & _sums_its_parts(spec, shown, evaluated))
    filled = fill_blank_totals(spec, shown)
    if follows.to_numpy().any() and not filled.equals(shown):
        # a blank total taken as its sum (W6) is taken so by the formulas over it too
        filled = compute_totals(spec, filled, formulas=follows)
    return _Frames(typed, shown, filled, errors, follows)


def _sums_its_parts(spec: FormSpec, shown: pd.DataFrame, evaluated: pd.DataFrame) -> pd.DataFrame:
    """Where each evaluated total shows the sum of its parts (bool, a column per total)."""
    if not evaluated.to_numpy().any():
        return evaluated
    summed, as_shown = RuleFrame(compute_totals(spec, shown, formulas=evaluated)), RuleFrame(shown)
    return pd.DataFrame(
        {key: np.abs(summed.value(key) - as_shown.value(key)) <= EPSILON for key in evaluated},
        index=evaluated.index,
    )


_PLAIN_NUMBER = frozenset({float, type(None)})


def _column(items: list[Any]) -> np.ndarray:
    """A frame column: float64 when every cell is a plain number or blank (the rules then
    read it without looking at each cell again), else the objects as found."""
    kinds = set(map(type, items))
    if kinds <= _PLAIN_NUMBER:
        return np.array([np.nan if item is None else item for item in items], dtype="float64")
    column = np.empty(len(items), dtype=object)
    column[:] = items
    return column


def _marks(keys: list[str], marked: list[set[str]]) -> np.ndarray:
    """A boolean matrix, one row per return: True where the key is in that return's set."""
    out = np.zeros((len(marked), len(keys)), dtype=bool)
    position = {k: i for i, k in enumerate(keys)}
    for row, keys_marked in enumerate(marked):
        for key in keys_marked:
            if key in position:
                out[row, position[key]] = True
    return out


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


def _validate_group(spec: FormSpec, entries: list[Entry], last_year: LastYear | None) -> None:
    frames = _frames(spec, [(e.part, e.prepared) for e in entries])
    typed, shown, filled, errors = frames.typed, frames.shown, frames.filled, frames.errors
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
        follow = Formulas(frames.follow.iloc[sub].reset_index(drop=True))
        found_by_frame = [(frame, check_frame(spec, frame, chosen)) for frame, chosen in judged]
        # a count typed -1 or 2.5: the return judged again with it taken for what it likely
        # stands for; its N1 is said as it is, saying so (nothing else explains it away)
        found = found_by_frame[2][1]
        readings: dict[int, dict[str, float]] = {}
        pinned: list[Finding] = []
        if any(f.rule == "N1" for f in found):
            sums = _as_sums(spec, follow, shown_frame, filled_frame)
            readings = likely_readings(spec, filled_frame, found, by_instance, sums, judged[2][1])
        if readings:
            pinned = [f for f in found if f.rule == "N1" and f.at in readings.get(f.position, {})]
            for finding in pinned:
                finding.params["read_as"] = number_text(readings[finding.position][finding.at])
            filled_frame = with_readings(spec, filled_frame, readings, sums)
            # judged again: those returns only, their findings put back at their rows
            rows = sorted(readings)
            again = [
                dataclasses.replace(f, position=rows[f.position], row=rows[f.position])
                for f in check_frame(spec, filled_frame.take(rows), judged[2][1])
            ]
            kept = [f for f in found if f.position not in readings]
            found_by_frame[2] = (filled_frame, kept + again)
        # an error value's N1 is found on the filled frame; the rules of every frame that
        # read it (W2 as typed, W6 as shown) are its echoes
        every = [f for _, found in found_by_frame for f in found]
        kept = without_error_echoes(spec, filled_frame, every, by_instance, follow)
        echoes = {id(f) for f in every} - {id(f) for f in kept}
        for frame, found in found_by_frame:
            found = [f for f in found if id(f) not in echoes]
            if frame is filled_frame:  # where totals rules judge typed totals
                found = without_cascades(spec, frame, found, by_instance, follow)
                read_as = {position: set(cells) for position, cells in readings.items()}
                found = pinned + localised(spec, frame, found, by_instance, follow, read_as)
            for finding in found:
                entry = entries[positions[finding.position]]
                rule = by_instance[finding.instance]
                entry.findings.append(
                    rule_finding(
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
    keys = [k for k, f in spec.fields.items() if f.numeric and not k.startswith("meta.")]
    rows = json_rows(RuleFrame(shown), keys)
    for entry, row in zip(entries, rows, strict=True):
        entry.result.values.update(zip(keys, row, strict=True))
        entry.result.findings.extend(reader_findings(spec, labels, entry))
        entry.result.findings.extend(drop_superseded(spec, entry))


def _as_sums(spec: FormSpec, follow: Formulas, shown: RuleFrame, filled: RuleFrame) -> Formulas:
    """The totals that are the sums of their parts, for a count typed -1 or 2.5 to be read
    otherwise through them: those that follow them, those left blank and taken as their sum
    (W6), and those the unit gave as the sum of its parts as typed (a published report
    prints its formula totals as figures: 4.5 over a 2.5 reads as 4 with it)."""
    taken = follow.follow.copy()
    declared = spec.declared_parts
    for key in taken.columns:
        # under each of its declarations (（七）总计 of the 总计 column sums a row and a
        # column, and is computed again from the row)
        total = filled.number(key)
        adds_up = np.ones(len(total), dtype=bool)
        for parts in declared.get(key, ()):
            summed = np.sum([filled.value(p) for p in parts], axis=0)
            adds_up &= np.abs(total - summed) <= EPSILON  # NaN (blank) compares False
        taken[key] = taken[key].to_numpy() | (shown.blank(key) & ~filled.blank(key)) | adds_up
    return Formulas(taken)


def json_rows(frame: RuleFrame, keys: list[str]) -> list[list[int | float | None]]:
    """Each return's numbers for JSON, as ``json_number`` gives them, converted a column at a
    time: whole numbers as int, others rounded, blank and non-numbers None."""
    if not keys:
        return [[] for _ in range(frame.size)]
    numbers = np.column_stack([frame.number(k) for k in keys])
    out = numbers.astype(object)
    finite = np.isfinite(numbers)
    whole = finite & (numbers == np.round(numbers)) & (np.abs(numbers) < 2**53)
    out[~finite] = None
    out[whole] = numbers[whole].astype(np.int64).astype(object)
    for at in zip(*np.nonzero(finite & ~whole), strict=True):
        out[at] = json_number(float(numbers[at]))  # fractions and huge numbers: one by one
    for col, key in enumerate(keys):
        # a column holding objects (text, dates…): the rules read a date as its serial
        # number, JSON gives only real numbers
        column = frame.values[key] if key in frame.values.columns else None
        if (
            column is not None
            and column.dtype == object
            and pd.api.types.infer_dtype(column, skipna=True) not in ONLY_NUMBERS
        ):
            out[:, col] = [json_number(_plain(v)) for v in column]
    return out.tolist()


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _meta(values: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for name in META_KEYS:
        value = _plain(values.get(f"meta.{name}"))
        day = typed_day(value) if name == "date" else None
        if name == "year":
            meta[name] = json_number(value)
        elif day is not None:  # 2026年1月8日 and a date cell alike: 2026-01-08
            meta[name] = day.isoformat()
        elif isinstance(value, (dt.date, dt.datetime)):
            meta[name] = value.isoformat()[:10]
        elif isinstance(value, float):
            meta[name] = str(json_number(value))
        elif value is None or (isinstance(value, str) and not value.strip()):
            meta[name] = None
        else:
            # shown on terminals and written into reports: no control characters (terminal
            # escapes), no megabyte names (found by the fuzz run)
            meta[name] = clean_name(str(value))[:MAX_NAME_LENGTH] or None
    return meta
