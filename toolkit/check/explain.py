"""Sentences that explain a finding with the return's own numbers: what the figure should
be, how it is computed, and what the table shows:
「总计应为 2（自然人 2 + 商业企业 0），表中为 3。」
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal

from toolkit.forms.expr import Arith, Call, Expr, Num, Ref
from toolkit.forms.model import Field, FormSpec, Rule
from toolkit.messages import render
from toolkit.read.layout import row_anchor
from toolkit.validate.finding import comparison

Lookup = Callable[[str], float | None]  # field key -> the number the rules used, None = blank
Display = Callable[[str], str]  # field key -> how to quote the cell in a sentence
_ENUMERATED = re.compile(r"^\d")
_MAX_TERMS = 3  # longer sums show only their non-zero terms


def number_text(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return render("check.blank")
    if abs(value) >= 1e15:  # far beyond any return: no 300-digit integers in a message
        return f"{value:.6g}"
    if float(value).is_integer():
        return f"{int(value)}"
    # every digit typed (1.2345678 万元 breaks N1 by its seventh decimal) to the 15 a
    # spreadsheet keeps, without a sum's binary noise (0.1 + 0.2) nor an exponent (0.000001)
    # (a difference of two such numbers carries noise past their digits: 12 decimals at most)
    text = format(Decimal(format(round(float(value), 12), ".15g")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Labels:
    """Short labels of a form's fields, as a person finds them on the sheet."""

    def __init__(self, spec: FormSpec) -> None:
        self.spec = spec
        # a rule's labels, asked again for each return it fails on
        self._of: dict[tuple[str, tuple[str, ...]], str] = {}
        self._paths: dict[str, dict[str, set[tuple[str, ...]]]] = {}  # table -> its headings

    def field(self, key: str) -> Field:
        return self.spec.fields[key.removeprefix("last.")]

    def row_label(self, item: Field) -> str:
        table = self.spec.table(item.table)
        if table.layout == "fields":
            return item.label
        leaf, _ = row_anchor(table, item.row)
        if leaf is None:
            return ""
        text = leaf.text
        if _ENUMERATED.match(text):
            parents = [
                c
                for c in table.labels
                if c.role == "row"
                and c.rows > 1
                and c.row <= item.row < c.row + c.rows
                and c.col < leaf.col
            ]
            if parents:
                text = f"{max(parents, key=lambda c: c.col).text} {text}"
        return text

    def column_label(self, item: Field) -> str:
        return (
            " ".join(item.col_labels[-2:])
            if len(item.col_labels) > 2
            else (item.col_labels[-1] if item.col_labels else "")
        )

    def leaf_column(self, item: Field) -> str:
        return item.col_labels[-1] if item.col_labels else ""

    def of(self, key: str, keys: list[str]) -> str:
        """The label of ``key`` that tells it apart from the other ``keys`` of a rule."""
        asked = (key, tuple(keys))
        known = self._of.get(asked)
        if known is None:
            known = self._of[asked] = self._label_among(key, keys)
        return known

    def _label_among(self, key: str, keys: list[str]) -> str:
        item = self.field(key)
        items = [self.field(k) for k in keys]
        same_row = all(i.table == item.table and i.row == item.row for i in items)
        same_col = all(i.table == item.table and i.col == item.col for i in items)
        if item.table and self.spec.table(item.table).layout == "fields":
            text = item.label
        elif same_row and item.col_labels:
            text = self.leaf_column(item)
        elif same_col or not item.col_labels:
            text = self.row_label(item) or self.column_label(item)
        else:
            text = "·".join(t for t in (self.row_label(item), self.column_label(item)) if t)
        if key.startswith("last."):
            return render("check.last_year", label=text)
        return text

    def full(self, key: str) -> str:
        """The label that names the field on its own (a header of 明细, an example in a
        message): a column whose heading its table repeats under another (结果维持 of
        行政复议 and of 行政诉讼) is named by its whole heading."""
        item = self.field(key)
        column = self.column_label(item)
        if len(self._column_paths(item.table).get(self.leaf_column(item), ())) > 1:
            column = " ".join(item.col_labels)
        parts = [self.row_label(item), column]
        return "·".join(p for p in parts if p) or item.label

    def _column_paths(self, table: str) -> dict[str, set[tuple[str, ...]]]:
        """A table's column headings by their last line: leaf -> the whole headings."""
        paths = self._paths.get(table)
        if paths is None:
            paths = self._paths[table] = {}
            for item in self.spec.fields.values():
                if item.table == table and item.col_labels:
                    paths.setdefault(item.col_labels[-1], set()).add(tuple(item.col_labels))
        return paths


_NOTE = re.compile(r"（[^（）]*）$")  # a note the official label ends with
_BRIEF = 14  # characters of a label kept in a long sum


def _brief(label: str) -> str:
    """A label as a long sum quotes it: without the note it ends with ((二)部分公开's
    （区分处理的，只计这一情形，不计其他情形）), and cut short (its enumerator says which)."""
    text = _NOTE.sub("", label) or label
    head, _, leaf = text.rpartition(" ")
    leaf = leaf if len(leaf) <= _BRIEF else leaf[: _BRIEF - 1] + "…"
    return f"{head} {leaf}" if head else leaf


def _terms(expr: Expr) -> list[tuple[int, Expr]] | None:
    """A side of a comparison as signed terms (+1/-1), when it is a plain sum."""
    if isinstance(expr, Arith) and expr.op in "+-":
        left, right = _terms(expr.left), _terms(expr.right)
        if left is None or right is None:
            return None
        sign = -1 if expr.op == "-" else 1
        return left + [(sign * s, e) for s, e in right]
    if isinstance(expr, Call) and expr.name == "sum":
        return [(1, a) for a in expr.args]
    if isinstance(expr, (Ref, Num)):
        return [(1, expr)]
    return None


class Explainer:
    def __init__(self, spec: FormSpec) -> None:
        self.labels = Labels(spec)

    def sum_text(
        self, terms: list[tuple[int, Expr]], keys: list[str], value: Lookup, display: Display
    ) -> str:
        shown: list[str] = []
        hidden = 0
        for sign, term in terms:
            if isinstance(term, Num):
                piece = number_text(term.value)
            else:
                assert isinstance(term, Ref)
                number = value(term.key)
                if len(terms) > _MAX_TERMS and not number:
                    hidden += 1
                    continue
                label = self.labels.of(term.key, keys)
                piece = f"{_brief(label) if len(terms) > _MAX_TERMS else label} {display(term.key)}"
            shown.append(("− " if sign < 0 else "+ ") + piece)
        text = " ".join(shown).removeprefix("+ ")
        if hidden:
            rest = render("check.rest_zero")
            text = f"{text}{rest}" if text else render("check.all_zero")
        return text

    def explain(
        self, rule: Rule, value: Lookup, shown: Lookup, display: Display | None = None
    ) -> str | None:
        """The computed sentence for a failed rule, or None when the rule's own sentence
        says it all (N1, M1, W2 …)."""
        compare = comparison(rule.check)
        if compare is None:
            return None
        keys = list(rule.fields)
        display = display or (lambda key: number_text(value(key)))
        if rule.total is not None and rule.id != "W6":
            parts = _terms(compare.right) or []
            return render(
                "check.total",
                # named apart from its parts: 总计 beside a row's parts, （七）总计 or
                # 从事…人员数 above a column's
                total=self.labels.of(rule.total.total, keys),
                expected=number_text(_evaluate(compare.right, value)),
                parts=self.sum_text(parts, keys, value, display),
                actual=number_text(shown(rule.total.total)),
            )
        left, right = _terms(compare.left), _terms(compare.right)
        if left is None or right is None or compare.op not in _OPS:
            return None
        # "corrected == 0": the rule's own sentence says it better; a sum held against a
        # bound (P1: 上一年项目数量 + 本年增/减 >= 0) says what it comes to, as below
        if all(isinstance(term, Num) for _, term in right) and len(left) < 2:
            return None
        if compare.op == "==":
            # a balance: which of its figures is wrong is not known, the cell marked is only
            # where it is shown (fixing that one to balance would hide a mistyped other)
            gap = _evaluate(compare.left, value) - _evaluate(compare.right, value)
            return render(
                "check.balance",
                left=self.side_text(compare.left, left, keys, value, display),
                right=self.side_text(compare.right, right, keys, value, display),
                gap=number_text(abs(gap)),
            )
        return render(
            "check.compare",
            left=self.side_text(compare.left, left, keys, value, display),
            op=render(f"check.op.{_OPS[compare.op]}"),
            right=self.side_text(compare.right, right, keys, value, display),
        )

    def side_text(
        self,
        expr: Expr,
        terms: list[tuple[int, Expr]],
        keys: list[str],
        value: Lookup,
        display: Display,
    ) -> str:
        text = self.sum_text(terms, keys, value, display)
        if len(terms) == 1:
            return text
        return f"{text} = {number_text(_evaluate(expr, value))}"


_OPS = {"==": "eq", ">=": "ge", "<=": "le", ">": "gt", "<": "lt", "!=": "ne"}


def _evaluate(expr: Expr, value: Lookup) -> float:
    terms = _terms(expr) or []
    total = 0.0
    for sign, term in terms:
        if isinstance(term, Num):
            total += sign * term.value
        elif isinstance(term, Ref):
            total += sign * (value(term.key) or 0.0)
    return total
