"""Compile a rule expression to a vectorised pandas function, one row per return.

The same expression tree as ``excel.py``, with the same meaning, cell for cell:

* a blank cell (empty, or only spaces of any of three widths, line breaks and tabs: what
  shows nothing) counts as 0 in arithmetic;
* a year field also reads text naming a number ("2025", "2025年度"), as VALUE() does;
* a date, time or duration is the number a spreadsheet stores for it (days since 1899-12-30);
* any other content that is not a number (text, a boolean) also counts as 0, and is neither
  blank nor a number, as N() and ISNUMBER() see it;
* every comparison, and the test for a whole number, allows a difference of EPSILON;
* a rule that reads a cell holding an error value fails.

Each compiled rule maps a ``RuleFrame`` to a boolean array: True where the rule holds.
The frame comes in and goes out as pandas; in between, columns are numpy arrays, because
per-operation pandas overhead (~40 µs) would dominate for one return and cost nothing extra
to avoid for ten thousand.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from toolkit.forms.excel import EPSILON, FULL_WIDTH_SPACE, NO_BREAK_SPACE, YEAR_SUFFIXES
from toolkit.forms.expr import Arith, Call, Compare, Expr, Logic, Neg, Not, Num, Ref
from toolkit.forms.model import FormSpec, Rule

Array = np.ndarray
Compiled = Callable[["RuleFrame"], Array]
# What shows nothing, as the template's formula drops it: TRIM's space, the two SUBSTITUTEd
# spaces, and the control characters CLEAN removes (codes 0-31: line breaks, tabs).
_DROPPED = FULL_WIDTH_SPACE + NO_BREAK_SPACE + "".join(map(chr, range(32)))
_SPACES = " " + _DROPPED
_DROP = str.maketrans("", "", _DROPPED)
# the text VALUE() surely reads as a number in every spreadsheet
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
ONLY_NUMBERS = {"floating", "integer", "mixed-integer-float", "empty"}


@dataclass
class _Cells:
    numbers: Array  # float; NaN where the cell holds no number
    blank: Array  # bool
    errors: Array  # bool: the cell holds an error value


@dataclass
class RuleFrame:
    """Cell contents of many returns: one row each, one column per field key (and
    ``last.<key>``). Numbers, None/NaN for empty cells, strings or other objects as found.

    ``invalid`` (optional, bool, same columns) marks cells a reader found unreadable although
    it stored them as NaN; ``errors`` marks cells holding an error value (#DIV/0!…).
    """

    values: pd.DataFrame
    invalid: pd.DataFrame | None = None
    errors: pd.DataFrame | None = None
    _cache: dict[str, _Cells] = field(default_factory=dict)
    _years: dict[str, Array] = field(default_factory=dict)

    @property
    def index(self) -> pd.Index:
        return self.values.index

    @property
    def size(self) -> int:
        return len(self.values.index)

    def take(self, positions: list[int]) -> RuleFrame:
        """The returns at ``positions`` (one may repeat), as a frame of their own, each
        with its masks."""
        masks = [
            None if mask is None else mask.iloc[positions].reset_index(drop=True)
            for mask in (self.invalid, self.errors)
        ]
        values = self.values.iloc[positions].reset_index(drop=True)
        return RuleFrame(values, invalid=masks[0], errors=masks[1])

    def cells(self, key: str) -> _Cells:
        cached = self._cache.get(key)
        if cached is None:
            cached = self._classify(key)
            self._cache[key] = cached
        return cached

    def _classify(self, key: str) -> _Cells:
        n = self.size
        if key not in self.values.columns:
            numbers, blank = np.full(n, np.nan), np.ones(n, dtype=bool)
        else:
            column = self.values[key]
            if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
                numbers = column.to_numpy(dtype="float64", na_value=np.nan)
                blank = np.isnan(numbers)
            elif pd.api.types.infer_dtype(column, skipna=True) in ONLY_NUMBERS:
                # an object column holding nothing but numbers and blanks: stay vectorised
                numbers = pd.to_numeric(column).to_numpy(dtype="float64", na_value=np.nan)
                blank = np.isnan(numbers)
            else:
                numbers, blank = _classify_objects(column.to_numpy(dtype=object))
        errors = self._mask(self.errors, key)
        unreadable = self._mask(self.invalid, key) | errors
        return _Cells(np.where(unreadable, np.nan, numbers), blank & ~unreadable, errors)

    def _mask(self, frame: pd.DataFrame | None, key: str) -> Array:
        if frame is not None and key in frame.columns:
            return frame[key].fillna(False).to_numpy(dtype=bool)
        return np.zeros(self.size, dtype=bool)

    def number(self, key: str) -> Array:
        """Numeric values, NaN where the cell holds no number."""
        return self.cells(key).numbers

    def value(self, key: str) -> Array:
        """The value arithmetic uses: the number, else 0."""
        return np.nan_to_num(self.cells(key).numbers, nan=0.0)

    def blank(self, key: str) -> Array:
        return self.cells(key).blank

    def year(self, key: str) -> Array:
        """A year field's numbers: also text naming one ("2025年度"); NaN where none."""
        cached = self._years.get(key)
        if cached is None:
            cells = self.cells(key)
            cached = cells.numbers
            if key in self.values.columns:
                readable = ~(cells.errors | self._mask(self.invalid, key))
                items = self.values[key].to_numpy(dtype=object)
                texts = [i for i, item in enumerate(items) if isinstance(item, str) and readable[i]]
                if texts:
                    cached = cached.copy()
                    for i in texts:
                        cached[i] = year_in_text(items[i])
            self._years[key] = cached
        return cached

    def error(self, key: str) -> Array:
        return self.cells(key).errors


_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of spreadsheet dates (1900 system)


def serial_number(value: dt.date | dt.time | dt.timedelta) -> float:
    """The number a spreadsheet keeps for a date, time or duration (days since 1899-12-30)."""
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, dt.time):
        return (
            value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        ) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400


def _classify_objects(items: Array) -> tuple[Array, Array]:
    numbers = np.full(len(items), np.nan)
    blank = np.zeros(len(items), dtype=bool)
    for i, item in enumerate(items):
        if item is None or item is pd.NA or (isinstance(item, float) and math.isnan(item)):
            blank[i] = True
        elif isinstance(item, bool | np.bool_):
            continue  # not a number: spreadsheets disagree on booleans, so they are text here
        elif isinstance(item, Real):
            numbers[i] = float(item)
        elif isinstance(item, dt.date | dt.time | dt.timedelta):
            numbers[i] = serial_number(item)  # a spreadsheet stores a date as a number
        elif isinstance(item, str) and not item.strip(_SPACES):
            blank[i] = True
    return numbers, blank


def year_in_text(text: str) -> float:
    """The number a year typed as text names, as the template's formula reads it: what shows
    nothing and 年/年度 dropped, the rest a plain number; NaN when it is none."""
    kept = text.translate(_DROP)
    for suffix in YEAR_SUFFIXES:
        kept = kept.replace(suffix, "")
    kept = kept.strip(" ")
    return float(kept) if _PLAIN_NUMBER.fullmatch(kept) else math.nan


class PandasCompiler:
    """``years`` are the keys of year fields (``FormSpec.year_keys``): their text is read too."""

    def __init__(self, years: Collection[str] = ()) -> None:
        self.years = frozenset(years)

    def rule(self, check: Expr, when: Expr | None = None) -> Compiled:
        test = self.boolean(check)
        applies = self.boolean(when) if when is not None else None
        keys = list(dict.fromkeys(k for e in (when, check) if e is not None for k in e.refs()))

        def holds(fr: RuleFrame) -> Array:
            result = test(fr) if applies is None else ~applies(fr) | test(fr)
            for key in keys:
                result = result & ~fr.error(key)
            return result

        return holds

    def number(self, expr: Expr) -> Compiled:
        if isinstance(expr, Num):
            value = expr.value
            return lambda fr: np.full(fr.size, value)
        if isinstance(expr, Ref):
            key = expr.key
            if key in self.years:
                return lambda fr: np.nan_to_num(fr.year(key), nan=0.0)
            return lambda fr: fr.value(key)
        if isinstance(expr, Neg):
            inner = self.number(expr.operand)
            return lambda fr: -inner(fr)
        if isinstance(expr, Arith):
            left, right = self.number(expr.left), self.number(expr.right)
            op = {"+": operator.add, "-": operator.sub, "*": operator.mul}[expr.op]
            return lambda fr: op(left(fr), right(fr))
        if isinstance(expr, Call):
            if expr.name == "this_year":
                return lambda fr: np.full(fr.size, float(dt.date.today().year))
            if expr.name == "sum":
                parts = [self.number(a) for a in expr.args]
                return lambda fr: _total(p(fr) for p in parts)
        raise TypeError(f"not a number: {expr!r}")

    def boolean(self, expr: Expr) -> Compiled:
        if isinstance(expr, Logic):
            parts = [self.boolean(o) for o in expr.operands]
            combine = operator.and_ if expr.op == "and" else operator.or_

            def logic(fr: RuleFrame) -> Array:
                result = parts[0](fr)
                for part in parts[1:]:
                    result = combine(result, part(fr))
                return result

            return logic
        if isinstance(expr, Not):
            inner = self.boolean(expr.operand)
            return lambda fr: ~inner(fr)
        if isinstance(expr, Compare):
            return _compare(expr.op, self.number(expr.left), self.number(expr.right))
        if isinstance(expr, Call):
            name = expr.name
            keys = [a.key for a in expr.args if isinstance(a, Ref)]
            if name in ("blank", "all_blank"):
                return lambda fr: _all(fr.blank(k) for k in keys)
            if name in ("filled", "any_filled"):
                return lambda fr: ~_all(fr.blank(k) for k in keys)
            if name == "is_number":
                key = keys[0]
                if key in self.years:
                    return lambda fr: ~np.isnan(fr.year(key))
                return lambda fr: ~np.isnan(fr.number(key))
            if name == "whole":
                inner = self.number(expr.args[0])

                def whole(fr: RuleFrame) -> Array:
                    value = inner(fr)
                    return np.abs(value - np.round(value)) <= EPSILON

                return whole
        raise TypeError(f"not a condition: {expr!r}")


def _total(series: Iterable[Array]) -> Array:
    items = iter(series)
    result = next(items)
    for item in items:
        result = result + item
    return result


def _all(series: Iterable[Array]) -> Array:
    items = iter(series)
    result = next(items)
    for item in items:
        result = result & item
    return result


def _compare(op: str, left: Compiled, right: Compiled) -> Compiled:
    def tolerant(fr: RuleFrame) -> Array:
        diff = left(fr) - right(fr)
        if op == "==":
            return np.abs(diff) <= EPSILON
        if op == "!=":
            return np.abs(diff) > EPSILON
        if op == "<=":
            return diff <= EPSILON
        if op == "<":
            return diff < -EPSILON
        if op == ">=":
            return diff >= -EPSILON
        return diff > EPSILON

    return tolerant


def compile_rules(spec: FormSpec, rules: Iterable[Rule] | None = None) -> dict[str, Compiled]:
    """Compiled checks by rule instance id."""
    compiler = PandasCompiler(spec.year_keys)
    return {r.instance: compiler.rule(r.check, r.when) for r in (rules or spec.rules)}


def evaluate(spec: FormSpec, frame: RuleFrame, rules: Iterable[Rule] | None = None) -> pd.DataFrame:
    """A boolean frame: one row per return, one column per rule instance, True = holds."""
    compiled = compile_rules(spec, rules)
    data = {name: np.asarray(fn(frame), dtype=bool) for name, fn in compiled.items()}
    return pd.DataFrame(data, index=frame.index)


def _total_sums(spec: FormSpec) -> dict[str, tuple[tuple[str, ...], Compiled]]:
    """Each computed field: its parts and the compiled SUM of them. A cell that is a total
    twice (row and column) takes its first declaration, as its template formula does."""
    return {key: ways[0] for key, ways in _total_ways(spec).items()}


def compute_totals(
    spec: FormSpec, values: pd.DataFrame, formulas: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Totals as a spreadsheet computes them from the inputs (SUM of the parts, blank = 0).

    ``formulas`` (bool, one column per total) says which total cells of which returns hold a
    formula; only those are computed, a typed total stays as typed. Without it every total is
    computed (a freshly written template). Totals may be parts of other totals (（七）总计 of
    the 总计 column), so passes repeat until nothing changes.
    """
    out = values.copy()
    sums = {key: summed for key, (_, summed) in _total_sums(spec).items()}
    everywhere = np.ones(len(out.index), dtype=bool)
    masks = {
        key: (
            formulas[key].fillna(False).to_numpy(dtype=bool)
            if formulas is not None and key in formulas.columns
            else (everywhere if formulas is None else ~everywhere)
        )
        for key in sums
    }
    for _ in range(len(sums) + 1):
        frame = RuleFrame(out)
        updates = {}
        for key, fn in sums.items():
            mask = masks[key]
            if not mask.any():
                continue
            computed = fn(frame)
            if key in out.columns and np.array_equal(
                computed[mask], frame.number(key)[mask], equal_nan=True
            ):
                continue
            if mask.all():
                updates[key] = computed
            else:
                column = out[key] if key in out.columns else pd.Series(np.nan, index=out.index)
                if column.dtype != np.float64:
                    column = column.astype(object)  # typed text stays as typed
                # a column of numbers stays one: the rules and reports then read it whole
                updates[key] = column.where(~mask, pd.Series(computed, index=out.index))
        if not updates:
            break
        out = out.assign(**updates)
    return out


Settle = Callable[[pd.DataFrame, "RuleFrame", str, tuple[str, ...], Compiled], Any]


def _settled(spec: FormSpec, values: pd.DataFrame, step: Settle) -> pd.DataFrame:
    """``values`` with each total's column as ``step`` gives it (None: unchanged), pass
    after pass until nothing changes: totals of totals follow their parts."""
    out = values.copy()
    sums = _total_sums(spec)
    for _ in range(len(sums) + 1):
        frame = RuleFrame(out)
        updates = {}
        for key, (parts, summed) in sums.items():
            column = step(out, frame, key, parts, summed)
            if column is not None:
                updates[key] = column
        if not updates:
            break
        out = out.assign(**updates)
    return out


def counted_totals(spec: FormSpec, values: pd.DataFrame) -> pd.DataFrame:
    """Totals as a consolidated table counts a return: the sum of its parts wherever a part
    has a number (a blank or mistyped total gives way to its parts), else the total as
    typed (a row that gives only its 总计, W7). A cell that is a total twice (（七）总计 of
    the 总计 column: its row's applicants, and the rows above it) is the sum of the first
    whose parts have a number: its rows, where every applicant of the row is blank."""
    ways = _total_ways(spec)

    def step(
        out: pd.DataFrame, frame: RuleFrame, key: str, parts: tuple[str, ...], summed: Compiled
    ) -> Any:
        current = frame.number(key)
        counted, open_ = current, np.ones(len(current), dtype=bool)
        for way_parts, way_sum in ways[key]:
            use = open_ & ~_all(frame.blank(p) for p in way_parts)
            if use.any():
                counted = np.where(use, way_sum(frame), counted)
                open_ &= ~use
        return None if np.array_equal(counted, current, equal_nan=True) else counted

    return _settled(spec, values, step)


def _total_ways(spec: FormSpec) -> dict[str, list[tuple[tuple[str, ...], Compiled]]]:
    """Each computed field: every declaration of it (parts, compiled SUM), in spec order."""
    compiler = PandasCompiler()
    ways: dict[str, list[tuple[tuple[str, ...], Compiled]]] = {}
    for total in spec.totals:
        summed = compiler.number(Call("sum", tuple(Ref(p) for p in total.parts)))
        ways.setdefault(total.total, []).append((total.parts, summed))
    return ways


def fill_blank_totals(spec: FormSpec, values: pd.DataFrame) -> pd.DataFrame:
    """W6: a total left blank while one of its parts has a number is taken as their sum.

    Real published reports leave 总计 cells blank; the other rules then see the sum. Typed
    totals are kept as they are (a wrong one is what A2/A3/R1 report).
    """

    def step(
        out: pd.DataFrame, frame: RuleFrame, key: str, parts: tuple[str, ...], summed: Compiled
    ) -> Any:
        fill = frame.blank(key) & ~_all(frame.blank(p) for p in parts)
        if not fill.any():
            return None
        column = (
            out[key].astype(object)
            if key in out.columns
            else pd.Series(None, index=out.index, dtype=object)
        )
        return column.where(~fill, summed(frame))

    return _settled(spec, values, step)
