"""Compile a rule expression to a vectorised pandas function, one row per return.

The same expression tree as ``excel.py``, with the same meaning: a blank cell counts as 0 in
arithmetic; text where a number belongs counts as 0 too and is not blank (the ``invalid``
mask says which cells hold such text); money is compared with the same tolerance.
Each compiled rule maps a ``RuleFrame`` to a boolean array: True where the rule holds.
The frame comes in and goes out as pandas; in between, columns are numpy arrays, because
per-operation pandas overhead (~40 µs) would dominate for one return and cost nothing extra
to avoid for ten thousand.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.forms.excel import EPSILON
from toolkit.forms.expr import Arith, Call, Compare, Expr, Logic, Neg, Not, Num, Ref, is_money
from toolkit.forms.model import NUMERIC_KINDS, FormSpec, Rule

Array = np.ndarray
Compiled = Callable[["RuleFrame"], Array]
_OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass
class RuleFrame:
    """Values of many returns: one row each, one column per field key (``last.<key>`` too).

    Numeric fields hold floats (NaN = blank); text fields hold strings or None. ``invalid``
    (optional, same shape, bool) marks number cells that held unreadable text.
    """

    values: pd.DataFrame
    invalid: pd.DataFrame | None = None
    _numbers: dict[str, Array] = field(default_factory=dict)
    _blanks: dict[str, Array] = field(default_factory=dict)

    @property
    def index(self) -> pd.Index:
        return self.values.index

    @property
    def size(self) -> int:
        return len(self.values.index)

    def number(self, key: str) -> Array:
        """Numeric values, NaN where blank or unreadable (cached: rules share fields)."""
        cached = self._numbers.get(key)
        if cached is None:
            if key in self.values.columns:
                column = pd.to_numeric(self.values[key], errors="coerce")
                cached = column.to_numpy(dtype="float64", na_value=np.nan)
            else:
                cached = np.full(self.size, np.nan)
            self._numbers[key] = cached
        return cached

    def is_invalid(self, key: str) -> Array:
        if self.invalid is not None and key in self.invalid.columns:
            return self.invalid[key].fillna(False).to_numpy(dtype=bool)
        return np.zeros(self.size, dtype=bool)

    def blank(self, key: str, kind: str) -> Array:
        cached = self._blanks.get(key)
        if cached is None:
            if kind in NUMERIC_KINDS:
                cached = np.isnan(self.number(key)) & ~self.is_invalid(key)
            elif key in self.values.columns:
                col = self.values[key]
                text = col.astype("string").str.strip()
                cached = (col.isna() | (text == "")).fillna(True).to_numpy(dtype=bool)
            else:
                cached = np.ones(self.size, dtype=bool)
            self._blanks[key] = cached
        return cached


class PandasCompiler:
    def __init__(self, kind_of: Callable[[str], str]) -> None:
        self.kind_of = kind_of

    def rule(self, check: Expr, when: Expr | None = None) -> Compiled:
        test = self.boolean(check)
        if when is None:
            return test
        applies = self.boolean(when)
        return lambda fr: ~applies(fr) | test(fr)

    def number(self, expr: Expr) -> Compiled:
        if isinstance(expr, Num):
            value = expr.value
            return lambda fr: np.full(fr.size, value)
        if isinstance(expr, Ref):
            key = expr.key
            return lambda fr: np.nan_to_num(fr.number(key), nan=0.0)
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
            left, right = self.number(expr.left), self.number(expr.right)
            money = is_money(expr.left, self.kind_of) or is_money(expr.right, self.kind_of)
            return _compare(expr.op, left, right, money)
        if isinstance(expr, Call):
            name = expr.name
            keys = [a.key for a in expr.args if isinstance(a, Ref)]
            if name in ("blank", "all_blank"):
                return lambda fr: _all(fr.blank(k, self.kind_of(k)) for k in keys)
            if name in ("filled", "any_filled"):
                return lambda fr: ~_all(fr.blank(k, self.kind_of(k)) for k in keys)
            if name == "is_number":
                key = keys[0]
                if self.kind_of(key) not in NUMERIC_KINDS:
                    return lambda fr: np.zeros(fr.size, dtype=bool)
                return lambda fr: ~np.isnan(fr.number(key))
            if name == "whole":
                inner = self.number(expr.args[0])

                def whole(fr: RuleFrame) -> Array:
                    value = inner(fr)
                    return value == np.floor(value)

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


def _compare(op: str, left: Compiled, right: Compiled, money: bool) -> Compiled:
    if not money:
        fn = _OPS[op]
        return lambda fr: fn(left(fr), right(fr))

    def tolerant(fr: RuleFrame) -> Array:
        diff = left(fr) - right(fr)
        return {
            "==": np.abs(diff) <= EPSILON,
            "!=": np.abs(diff) > EPSILON,
            "<=": diff <= EPSILON,
            "<": diff < -EPSILON,
            ">=": diff >= -EPSILON,
            ">": diff > EPSILON,
        }[op]

    return tolerant


def kind_lookup(spec: FormSpec) -> Callable[[str], str]:
    def kind_of(key: str) -> str:
        bare = key.removeprefix("last.")
        return spec.fields[bare].kind

    return kind_of


def compile_rules(spec: FormSpec, rules: Iterable[Rule] | None = None) -> dict[str, Compiled]:
    """Compiled checks by rule instance id."""
    compiler = PandasCompiler(kind_lookup(spec))
    return {r.instance: compiler.rule(r.check, r.when) for r in (rules or spec.rules)}


def evaluate(spec: FormSpec, frame: RuleFrame, rules: Iterable[Rule] | None = None) -> pd.DataFrame:
    """A boolean frame: one row per return, one column per rule instance, True = holds."""
    compiled = compile_rules(spec, rules)
    data = {name: np.asarray(fn(frame), dtype=bool) for name, fn in compiled.items()}
    return pd.DataFrame(data, index=frame.index)


def compute_totals(spec: FormSpec, values: pd.DataFrame) -> pd.DataFrame:
    """Totals as a spreadsheet computes them from the inputs (SUM of the parts, blank = 0).

    Totals may be parts of other totals (（七）总计 of the 总计 column), so passes repeat
    until nothing changes.
    """
    out = values.copy()
    compiler = PandasCompiler(kind_lookup(spec))
    sums = {
        t.total: compiler.number(Call("sum", tuple(Ref(p) for p in t.parts)))
        for t in reversed(spec.totals)  # the first declaration of a total wins
    }
    for _ in range(len(sums) + 1):
        frame = RuleFrame(out)
        new = {key: fn(frame) for key, fn in sums.items()}
        changed = any(
            k not in out.columns or not np.array_equal(v, frame.number(k), equal_nan=True)
            for k, v in new.items()
        )
        out = out.assign(**new)
        if not changed:
            break
    return out
