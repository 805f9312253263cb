"""The consolidated figures: each return's figures as counted (its inputs, and each total
the sum of its parts, or as typed where it has no parts filled in: a row that gives only its
总计), added up field by field over the returns of a group. A form's returns are counted
once, as one matrix, for 汇总表's sums and 明细's rows alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.forms.excel import EPSILON
from toolkit.forms.model import FormSpec
from toolkit.forms.pandas_rules import RuleFrame, counted_totals, evaluate

Figures = dict[str, float | None]


@dataclass
class Counted:
    """A form's returns as counted: its numeric fields, a row of figures per return, and
    per return whether it gives some total other than 0 with all of its parts blank (that
    total counts, so the consolidated parts add up to less than it), and whether some
    figure of it was left out as one N1 refuses."""

    keys: list[str]
    table: np.ndarray
    alone: np.ndarray
    refused: np.ndarray

    def figures(self) -> list[Figures]:
        """Each return's figures as the consolidated table counts them."""
        return _figures(self.keys, self.table)

    def sums(self, groups: Sequence[Sequence[int]]) -> list[Figures]:
        """For each group of returns (by rows): the sum of each figure (None where every
        return of the group left it blank), each group a row of sums."""
        sums = []
        for members in groups:
            part = self.table[list(members)]
            blank = np.isnan(part).all(axis=0)
            sums.append(np.where(blank, np.nan, np.nansum(part, axis=0)))
        table = np.array(sums, dtype="float64").reshape(len(groups), len(self.keys))
        return _figures(self.keys, table)


def count_returns(
    spec: FormSpec, values: Sequence[dict[str, Any]], valid_only: bool = False
) -> Counted:
    """The returns' figures (``values``: each return's) counted, all at once; with
    ``valid_only``, each figure N1 refuses as blank."""
    keys = [k for k, f in spec.fields.items() if f.numeric and not k.startswith("meta.")]
    # JSON figures are int, float or None: None becomes NaN, a column at a time
    matrix = np.array([[v.get(k) for v in values] for k in keys], dtype="float64")
    frame = pd.DataFrame(matrix.reshape(len(keys), len(values)).T, columns=keys)
    refused = np.zeros(len(values), dtype=bool)
    if valid_only:
        frame, refused = _without_refused(spec, frame)
    typed = RuleFrame(frame)
    alone = np.zeros(len(values), dtype=bool)
    for total in spec.totals:
        parts_blank = np.logical_and.reduce([typed.blank(p) for p in total.parts])
        # W7: a total of 0 over blank parts (a template's row left empty) adds nothing
        given = np.abs(typed.value(total.total)) > EPSILON
        alone |= given & parts_blank
    counted = RuleFrame(counted_totals(spec, frame))
    table = np.column_stack([counted.number(k) for k in keys]).reshape(len(values), -1)
    return Counted(keys, table, alone, refused)


def _without_refused(spec: FormSpec, frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` with each figure the form's N1 refuses blank, and per return whether it
    had one: a -1 or 2.5 typed for a count is no count to add up (a total over it then
    counts its other parts), while a gov-2019 change of -3 is one."""
    rules = [r for r in spec.rules if r.id == "N1"]
    holds = evaluate(spec, RuleFrame(frame), rules)
    out, refused = frame.copy(), np.zeros(len(frame.index), dtype=bool)
    for rule in rules:
        bad = ~holds[rule.instance].to_numpy()
        if bad.any():
            out.loc[bad, rule.at] = np.nan
            refused |= bad
    return out, refused


def _figures(keys: list[str], table: np.ndarray) -> list[Figures]:
    """Rows of figures as dicts. Sums of money in 万元 gather binary noise
    (317.0000000000001): no figure has more than six decimals; rounded and made Python
    numbers a matrix at a time (10,000 returns of 170 figures each go to 明细)."""
    rows = np.round(table, 6).tolist()
    # a blank is NaN, the one value unequal to itself
    return [{k: (None if v != v else v) for k, v in zip(keys, row, strict=True)} for row in rows]
