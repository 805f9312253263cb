"""The consolidated figures: the inputs of the included returns added up field by field,
and every total computed from those sums, as the template computes it (so a return that
left a 总计 blank still counts in it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.forms.model import FormSpec
from toolkit.forms.pandas_rules import RuleFrame, compute_totals

Figures = dict[str, float | None]


def consolidate(spec: FormSpec, values: list[dict[str, Any]]) -> Figures:
    """Sum of each input field over ``values`` (None where every return left it blank),
    totals recomputed from the sums."""
    return consolidate_groups(spec, [values])[0]


def consolidate_groups(spec: FormSpec, groups: Sequence[Sequence[dict[str, Any]]]) -> list[Figures]:
    """``consolidate`` for several groups of returns at once: one frame, one row per group,
    whose totals are computed together."""
    inputs = [
        k
        for k, f in spec.fields.items()
        if f.numeric and not f.computed and not k.startswith("meta.")
    ]
    rows = []
    for group in groups:
        matrix = np.array(
            [[_number(v.get(k)) for k in inputs] for v in group], dtype="float64"
        ).reshape(len(group), len(inputs))
        blank = np.isnan(matrix).all(axis=0)
        rows.append(np.where(blank, np.nan, np.nansum(matrix, axis=0)))
    sums = pd.DataFrame(
        np.array(rows, dtype="float64").reshape(len(groups), len(inputs)), columns=inputs
    )
    frame = RuleFrame(compute_totals(spec, sums))
    keys = [k for k, f in spec.fields.items() if f.numeric and not k.startswith("meta.")]
    columns = {k: frame.number(k) for k in keys}
    return [
        {k: (None if np.isnan(columns[k][i]) else float(columns[k][i])) for k in keys}
        for i in range(len(groups))
    ]


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return np.nan
    return float(value)
