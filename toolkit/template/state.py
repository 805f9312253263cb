"""The values a freshly written workbook shows, so formula cells carry true cached results.

xlsxwriter stores 0 for a formula unless told its value; mail previews and phones show that
stored value. We compute it with the same compiled rules that check a return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import RuleFrame, compute_totals, evaluate


@dataclass
class WrittenState:
    values: dict[str, Any]  # every field, totals computed; None = blank
    holds: dict[str, bool]  # rule instance -> holds


def written_state(spec: FormSpec, inputs: Mapping[str, Any], rules: list[Rule]) -> WrittenState:
    row: dict[str, Any] = {}
    invalid: dict[str, bool] = {}
    for key, fld in spec.fields.items():
        value = inputs.get(key)
        if fld.numeric:
            number = (
                value if isinstance(value, int | float) and not isinstance(value, bool) else None
            )
            row[key] = float(number) if number is not None else float("nan")
            invalid[key] = value is not None and number is None
        elif fld.kind == "date" and isinstance(value, dt.date):
            row[key] = value  # stays a date: the cell is written as one
        else:
            row[key] = None if value is None else str(value)
    frame = pd.DataFrame([row])
    for key, fld in spec.fields.items():
        if fld.numeric:
            frame[key] = frame[key].astype("float64")
    frame = compute_totals(spec, frame)
    holds = evaluate(spec, RuleFrame(frame, pd.DataFrame([invalid])), rules).iloc[0].to_dict()
    values = {
        key: (None if pd.isna(v) else v) if spec.fields[key].numeric else v
        for key, v in frame.iloc[0].to_dict().items()
    }
    return WrittenState(values, {k: bool(v) for k, v in holds.items()})
