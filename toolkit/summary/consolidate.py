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


def each_return(spec: FormSpec, values: Sequence[dict[str, Any]]) -> list[Figures]:
    """Each return's figures as the consolidated table counts them: its inputs, and every
    total computed from them (a total left blank, or typed wrong, shows its parts' sum), so
    that adding up returns gives the consolidated figures."""
    return consolidate_groups(spec, values, [[i] for i in range(len(values))])


def consolidate_groups(
    spec: FormSpec, values: Sequence[dict[str, Any]], groups: Sequence[Sequence[int]]
) -> list[Figures]:
    """For each group of ``values`` (by positions): the sum of each input field (None where
    every return of the group left it blank), totals recomputed from the sums. All at once:
    the returns' figures become one matrix once, each group is a row of sums, and the
    totals of every group are computed together."""
    inputs = [
        k
        for k, f in spec.fields.items()
        if f.numeric and not f.computed and not k.startswith("meta.")
    ]
    # JSON figures are int, float or None: None becomes NaN, a column at a time
    matrix = np.array([[v.get(k) for v in values] for k in inputs], dtype="float64").reshape(
        len(inputs), len(values)
    )
    if all(len(members) == 1 for members in groups):  # each return on its own: no sums
        rows = matrix[:, [members[0] for members in groups]].T
    else:
        sums = []
        for members in groups:
            part = matrix[:, list(members)]
            blank = np.isnan(part).all(axis=1)
            sums.append(np.where(blank, np.nan, np.nansum(part, axis=1)))
        rows = np.array(sums, dtype="float64")
    sums_frame = pd.DataFrame(rows.reshape(len(groups), len(inputs)), columns=inputs)
    frame = RuleFrame(compute_totals(spec, sums_frame))
    keys = [k for k, f in spec.fields.items() if f.numeric and not k.startswith("meta.")]
    # sums of money in 万元 gather binary noise (317.0000000000001): no figure has more
    # than six decimals; rounded and made Python numbers a matrix at a time (10,000 returns
    # of 170 figures each are written to 明细)
    table = np.round(np.column_stack([frame.number(k) for k in keys]), 6).tolist()
    # a blank is NaN, the one value unequal to itself
    return [{k: (None if v != v else v) for k, v in zip(keys, row, strict=True)} for row in table]
