"""The consolidated figures: each return's figures as counted (its inputs, and each total
the sum of its parts, or as typed where it has no parts filled in: a row that gives only its
总计), added up field by field over the returns of a group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.forms.model import FormSpec
from toolkit.forms.pandas_rules import RuleFrame, counted_totals

Figures = dict[str, float | None]


def each_return(spec: FormSpec, values: Sequence[dict[str, Any]]) -> list[Figures]:
    """Each return's figures as the consolidated table counts them, so that adding up
    returns gives the consolidated figures."""
    keys, table = _counted(spec, values)
    return _figures(keys, table)


def totals_alone(spec: FormSpec, values: dict[str, Any]) -> bool:
    """Whether a return gives some total with all of its parts blank (a row that gives only
    its 总计): that total counts, so the consolidated parts add up to less than it."""
    return any(
        values.get(t.total) is not None and all(values.get(p) is None for p in t.parts)
        for t in spec.totals
    )


def consolidate_groups(
    spec: FormSpec, values: Sequence[dict[str, Any]], groups: Sequence[Sequence[int]]
) -> list[Figures]:
    """For each group of ``values`` (by positions): the sum of each figure as counted
    (None where every return of the group left it blank). All at once: the returns'
    figures are one matrix, each group a row of sums."""
    keys, table = _counted(spec, values)
    sums = []
    for members in groups:
        part = table[list(members)]
        blank = np.isnan(part).all(axis=0)
        sums.append(np.where(blank, np.nan, np.nansum(part, axis=0)))
    return _figures(keys, np.array(sums, dtype="float64").reshape(len(groups), len(keys)))


def _counted(spec: FormSpec, values: Sequence[dict[str, Any]]) -> tuple[list[str], np.ndarray]:
    """The numeric fields, and a matrix of each return's figures as counted (a row each)."""
    keys = [k for k, f in spec.fields.items() if f.numeric and not k.startswith("meta.")]
    # JSON figures are int, float or None: None becomes NaN, a column at a time
    matrix = np.array([[v.get(k) for v in values] for k in keys], dtype="float64")
    frame = pd.DataFrame(matrix.reshape(len(keys), len(values)).T, columns=keys)
    counted = RuleFrame(counted_totals(spec, frame))
    return keys, np.column_stack([counted.number(k) for k in keys]).reshape(len(values), -1)


def _figures(keys: list[str], table: np.ndarray) -> list[Figures]:
    """Rows of figures as dicts. Sums of money in 万元 gather binary noise
    (317.0000000000001): no figure has more than six decimals; rounded and made Python
    numbers a matrix at a time (10,000 returns of 170 figures each go to 明细)."""
    rows = np.round(table, 6).tolist()
    # a blank is NaN, the one value unequal to itself
    return [{k: (None if v != v else v) for k, v in zip(keys, row, strict=True)} for row in rows]
