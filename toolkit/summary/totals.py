"""Each form's consolidated figures, computed once a run for 汇总表, 图表, 明细 and the JSON:
the counted returns of each form as one matrix, and their sums over the returns added up,
in all and per roster group."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from toolkit.forms.model import FormSpec, Table
from toolkit.summary.consolidate import Counted, Figures, count_returns
from toolkit.summary.run import Return, Summary


def consolidated(
    summary: Summary, specs: dict[str, FormSpec], include_errors: bool
) -> tuple[dict[str, FormCount], list[FormTotals]]:
    """Each form's counted returns and its totals; kept on ``summary`` (the workbook and
    the JSON both ask)."""
    key = (include_errors, tuple(sorted(specs)))
    found = summary.consolidated.get(key)
    if found is None:
        counts = count_forms(summary, specs, include_errors)
        found = summary.consolidated[key] = (counts, form_totals(summary, counts, include_errors))
    return found


@dataclass
class FormCount:
    """A form's counted returns (each that holds its table) and their figures, counted
    once (a row of ``counted`` each, in the order of ``pool``)."""

    spec: FormSpec
    pool: list[Return]
    counted: Counted

    def rows(self) -> dict[int, int]:
        """Each return's row, by the return's id."""
        return {id(item): i for i, item in enumerate(self.pool)}


def count_forms(
    summary: Summary, specs: dict[str, FormSpec], include_errors: bool
) -> dict[str, FormCount]:
    """Each form's counted returns, counted all at once; when the returns with errors are
    added up, without the figures N1 refuses (a -1 typed for a count is no count)."""
    pools: dict[str, list[Return]] = {}
    for item in summary.counted:
        read = item.result.read
        for part in read.parts if read is not None else []:
            if part.spec.id in specs:
                pools.setdefault(part.spec.id, []).append(item)
    return {
        form_id: FormCount(
            specs[form_id],
            pool,
            count_returns(specs[form_id], [r.result.values for r in pool], include_errors),
        )
        for form_id, pool in pools.items()
    }


@dataclass
class FormTotals:
    """One form's included returns and their sums: all of them ("") and per roster group;
    ``alone``: those giving some total with its parts blank; ``refused``: those with a
    figure N1 refuses, left out."""

    spec: FormSpec
    members: list[Return]
    groups: dict[str | None, tuple[list[Return], Figures]]  # None: the units of no group
    alone: set[int]  # ids of members
    refused: set[int]  # ids of members


def roster_order(item: Return) -> int:
    """A return's place in roster order (a unit's returns as they came; none first)."""
    return item.match.unit.row if item.match.unit else 0


def form_totals(
    summary: Summary, counts: dict[str, FormCount], include_errors: bool
) -> list[FormTotals]:
    """The consolidated figures of each form, computed once for 汇总表 and 图表."""
    # a return counts for its own form, and for each supplementary table it holds that no
    # newer return of its unit replaces
    chosen = [(r, r.counted_forms) for r in summary.in_totals(include_errors)]
    form_ids = sorted({f for _, forms in chosen for f in forms if f in counts})
    held = {f: sum(f in forms for _, forms in chosen) for f in form_ids}
    mains = [f for f in form_ids if counts[f].spec.role == "main"]
    # the year's form (most units sent it) shows every roster group, one none of whose
    # units is added up too (its page says who was left out, and why)
    sent = Counter(r.result.form for r in summary.counted)
    primary = max(mains, key=lambda f: (sent[f], held[f]), default=None)
    roster_groups = list(dict.fromkeys(u.group for u in summary.roster if u.group))
    out = []
    for form_id in form_ids:
        count = counts[form_id]
        # in roster order: its groups, and the units named, come as the roster lists them
        members = sorted((r for r, forms in chosen if form_id in forms), key=roster_order)
        row_of = count.rows()
        positions: dict[str | None, list[int]] = {"": [row_of[id(r)] for r in members]}
        if form_id == primary:
            positions.update((group, []) for group in roster_groups)
        ungrouped = []
        for member in members:
            group = member.match.unit.group if member.match.unit else None
            if group:
                positions.setdefault(group, []).append(row_of[id(member)])
            else:
                ungrouped.append(row_of[id(member)])
        if ungrouped and len(positions) > 1:  # the groups' tables then add up to the whole
            positions[None] = ungrouped
        sums = count.counted.sums(list(positions.values()))
        groups = {
            name: ([count.pool[i] for i in at], figures)
            for (name, at), figures in zip(positions.items(), sums, strict=True)
        }
        alone, refused = (
            {id(count.pool[i]) for i in flags.nonzero()[0]}
            for flags in (count.counted.alone, count.counted.refused)
        )
        out.append(FormTotals(count.spec, members, groups, alone, refused))
    return out


def table_given(table: Table, figures: Figures) -> bool:
    """Whether a block's units gave any figure of ``table``: a figure none of them gave is
    then 0 (a sum of blanks); where none gave any of it (no unit in the block; 信息处理费
    stated by none) it stays blank."""
    return any(figures.get(f.key) is not None for f in table.fields if f.numeric)


def as_shown(spec: FormSpec, figures: Figures) -> Figures:
    """A block's figures as 汇总表 shows them: 0 where its units gave the table but none
    gave that figure, None where none gave the table at all."""
    shown: Figures = {}
    for table in spec.tables:
        if table.key == "meta":
            continue
        given = table_given(table, figures)
        for item in table.fields:
            if item.numeric and item.key in figures:
                value = figures[item.key]
                shown[item.key] = 0 if value is None and given else value
    return shown
