"""The consolidated figures: the inputs of the included returns added up field by field,
and every total computed from those sums, as the template computes it (so a return that
left a 总计 blank still counts in it)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.forms.model import FormSpec
from toolkit.forms.pandas_rules import compute_totals


def consolidate(spec: FormSpec, values: list[dict[str, Any]]) -> dict[str, float | None]:
    """Sum of each input field over ``values`` (None where every return left it blank),
    totals recomputed from the sums."""
    inputs = [
        k
        for k, f in spec.fields.items()
        if f.numeric and not f.computed and not k.startswith("meta.")
    ]
    frame = pd.DataFrame(
        [{k: v.get(k) for k in inputs} for v in values], columns=inputs, dtype="float64"
    )
    sums = {k: (None if frame[k].isna().all() else float(frame[k].sum())) for k in inputs}
    row = pd.DataFrame([sums], dtype=object)
    totals = compute_totals(spec, row)
    out: dict[str, float | None] = {}
    for key, item in spec.fields.items():
        if not item.numeric or key.startswith("meta."):
            continue
        value = totals[key].iloc[0] if key in totals.columns else None
        out[key] = None if value is None or pd.isna(value) else float(value)
    return out
