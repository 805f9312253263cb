"""Charts of a form's figures for the summary, declared in the spec:

    [[charts]]
    title = "申请办理结果"
    type = "pie"                       # pie | column | bar | top_units
    series = [{ label = "予以公开", fields = ["applications.granted.total"] }, …]

A series adds up its fields (patterns such as ``applications.withheld_*.total`` expand as in
rules). ``top_units`` ranks the units by one field: ``field = "applications.new.total"``,
``count = 10``.
"""

from __future__ import annotations

from typing import Any

from toolkit.forms.expr import ExprError, expand_pattern
from toolkit.forms.model import Chart, ChartSeries
from toolkit.forms.validate import SpecError, check_keys, get_str, join, wrong_type

CHART_TYPES = ("pie", "column", "bar", "top_units")
_CHART_KEYS = {"title", "type", "series", "field", "count"}
_SERIES_KEYS = {"label", "fields"}


def build_chart(raw: Any, where: str, keys: list[str], sets: dict[str, tuple[str, ...]]) -> Chart:
    check_keys(raw, _CHART_KEYS, where)
    title = get_str(raw, "title", where)
    kind = raw.get("type", "column")
    if kind not in CHART_TYPES:
        raise SpecError(join(where, "type"), "spec.problem.bad_chart_type", value=kind)

    def expand(pattern: Any, at: str) -> list[str]:
        if not isinstance(pattern, str):
            raise wrong_type(at, "field_key")
        try:
            return expand_pattern(pattern, keys, sets)
        except ExprError as exc:
            raise SpecError(at, exc.problem, **exc.params) from None

    if kind == "top_units":
        field = expand(raw.get("field"), join(where, "field"))
        count = raw.get("count", 10)
        if len(field) != 1 or not isinstance(count, int) or not 1 <= count <= 50:
            raise wrong_type(join(where, "count"), "number")
        return Chart(title, kind, field=field[0], count=count)
    items = raw.get("series")
    if not isinstance(items, list) or not items:
        raise SpecError(join(where, "series"), "spec.problem.missing_key", key="series")
    series = []
    for i, item in enumerate(items):
        at = f"{join(where, 'series')}[{i}]"
        check_keys(item, _SERIES_KEYS, at)
        patterns = item.get("fields")
        if not isinstance(patterns, list) or not patterns:
            raise SpecError(join(at, "fields"), "spec.problem.missing_key", key="fields")
        fields = [
            k for j, p in enumerate(patterns) for k in expand(p, f"{join(at, 'fields')}[{j}]")
        ]
        series.append(ChartSeries(get_str(item, "label", at), tuple(dict.fromkeys(fields))))
    return Chart(title, kind, tuple(series))
