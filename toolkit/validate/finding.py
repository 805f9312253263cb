"""A finding: one rule instance failing for one return, with the numbers that explain it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from toolkit.forms.expr import Compare, Expr, Logic, Ref
from toolkit.forms.model import Rule
from toolkit.forms.pandas_rules import PandasCompiler, RuleFrame
from toolkit.read.numbers import spreadsheet_digits


@dataclass(frozen=True)
class Finding:
    """What is wrong, where (the field the rule points at) and by how much.

    The text comes from the catalogue at the edge (``rule.<message>``); the sheet and cell
    come from whoever knows where the return keeps ``at`` (the template map or the reader).
    """

    rule: str
    severity: str
    message: str
    instance: str
    at: str
    fields: tuple[str, ...]
    position: int  # which return: its row number in the frame
    row: Any  # and its index label
    expected: float | None = None
    actual: float | None = None
    params: dict[str, str] = field(default_factory=dict)
    # a part of the failing total that, typed as ``expected``, makes this rule and the rules
    # ``also`` named hold (validate/localise.py): the finding is said at it
    blamed: str | None = None
    also: tuple[str, ...] = ()


def comparison(expr: Expr) -> Compare | None:
    """The comparison a rule states, when it states exactly one (A1, A2, R1, W1…)."""
    if isinstance(expr, Compare):
        return expr
    if isinstance(expr, Logic) and expr.op == "and":
        found = [e for e in expr.operands if isinstance(e, Compare)]
        return found[0] if len(found) == 1 else None
    return None


def _number(value: float) -> float | None:
    if value is None or math.isnan(value):
        return None
    return float(int(value)) if float(value).is_integer() else spreadsheet_digits(value)


class Explainer:
    """The two sides of a failed comparison: ``actual`` (left) and ``expected`` (right)."""

    def __init__(self) -> None:
        self.compiler = PandasCompiler()

    def sides(self, rule: Rule, frame: RuleFrame) -> tuple[Any, Any] | None:
        compare = comparison(rule.check)
        if compare is None:
            return None
        return self._side(compare.left, frame), self._side(compare.right, frame)

    def _side(self, expr: Expr, frame: RuleFrame) -> Any:
        if isinstance(expr, Ref):
            return frame.number(expr.key)  # a blank cell is no number (null), not the 0 it adds
        return self.compiler.number(expr)(frame)

    def finding(
        self, rule: Rule, position: int, row: Any, sides: tuple[Any, Any] | None
    ) -> Finding:
        actual = expected = None
        if sides is not None:
            actual, expected = _number(sides[0][position]), _number(sides[1][position])
        return Finding(
            rule=rule.id,
            severity=rule.severity,
            message=rule.message,
            instance=rule.instance,
            at=rule.at,
            fields=rule.fields,
            position=position,
            row=row,
            expected=expected,
            actual=actual,
            params=dict(rule.params),
        )
