"""The values a freshly written workbook shows, so formula cells carry true cached results.

xlsxwriter stores 0 for a formula unless told its value; mail previews and phones show that
stored value. We compute it with the same compiled rules that check a return.
"""

from __future__ import annotations

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
    """What the cells show: the inputs as given, and every total as a spreadsheet computes it;
    and which rules hold. RuleFrame reads the inputs as a spreadsheet would (text in a number
    cell is not a number, a date is its serial number)."""
    raw = {key: inputs.get(key) for key in spec.fields}
    frame = compute_totals(spec, pd.DataFrame([raw], dtype=object))
    holds = evaluate(spec, RuleFrame(frame), rules).iloc[0].to_dict()
    values = dict(raw)
    for key, fld in spec.fields.items():
        if fld.computed:
            values[key] = float(frame[key].iloc[0])
    return WrittenState(values, {k: bool(v) for k, v in holds.items()})
