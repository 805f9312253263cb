"""Findings that a wrong total reported elsewhere in the same return already explains.

A total typed over with the wrong number (本年新收 总计 typed as 999) is reported at its own
cell by its total rule (A3). Every other rule that reads it then fails too: A1 of the 总计
column is reported at 结转下年度 总计, a cell that is right, and sends the unit to change a
correct figure. In a return where a total rule failed, a finding is dropped when its rule
holds once every total it reads is taken as the sum of its parts (what a wrong total becomes
when the unit corrects it, and what a formula total then shows), except its own total where
the unit typed it. The wrong total's own finding stays: correcting it clears the others, so
nothing the unit must do goes unsaid.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import RuleFrame, compile_rules, counted_totals
from toolkit.validate.finding import Finding


def without_cascades(
    spec: FormSpec,
    frame: RuleFrame,
    findings: list[Finding],
    rules: dict[str, Rule],
    typed: RuleFrame,
) -> list[Finding]:
    """``findings`` (of ``frame``'s returns, by rule instance in ``rules``) minus those a
    wrong total reported in the same return explains; ``typed``: the returns as typed (a
    formula or a blank total is blank there)."""
    failed = {f.position for f in findings if rules[f.instance].total is not None}
    if not failed:
        return findings
    totals = {t.total for t in spec.totals}
    suspects: dict[tuple[str, frozenset[str]], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.position not in failed:
            continue
        rule = rules[finding.instance]
        taken = set(rule.fields) & totals
        own = rule.total.total if rule.total is not None else None
        if own is not None and not typed.blank(own)[finding.position]:
            taken.discard(own)  # the figure the unit typed is what this finding is about
        if taken:
            suspects[finding.instance, frozenset(taken)].append(finding)
    if not suspects:
        return findings
    positions = sorted(failed)
    corrected = counted_totals(spec, frame.values.iloc[positions])
    row_of = {position: i for i, position in enumerate(positions)}
    explained: set[int] = set()
    for (instance, taken), group in suspects.items():
        rows = [row_of[f.position] for f in group]
        holds = _holds(spec, rules[instance], frame, corrected, positions, rows, taken)
        explained.update(id(f) for f, held in zip(group, holds, strict=True) if held)
    return _keep_a_cause(findings, explained)


def _holds(
    spec: FormSpec,
    rule: Rule,
    frame: RuleFrame,
    corrected: pd.DataFrame,
    positions: list[int],
    rows: list[int],
    taken: frozenset[str],
) -> np.ndarray:
    """Whether ``rule`` holds for those returns with the totals ``taken`` as their sums."""
    at = [positions[r] for r in rows]
    values = frame.values.iloc[at].reset_index(drop=True)
    columns = sorted(taken)
    values[columns] = corrected.iloc[rows][columns].to_numpy()
    masks = []
    for mask in (frame.invalid, frame.errors):
        if mask is None:
            masks.append(None)
            continue
        picked = mask.iloc[at].reset_index(drop=True).copy()
        for key in columns:
            if key in picked.columns:
                picked[key] = False  # a corrected total holds a number
        masks.append(picked)
    compiled = compile_rules(spec, [rule])[rule.instance]
    return np.asarray(compiled(RuleFrame(values, invalid=masks[0], errors=masks[1])), dtype=bool)


def _keep_a_cause(findings: list[Finding], explained: set[int]) -> list[Finding]:
    """The findings not explained; a return whose every error would go keeps them all (a
    safeguard: some wrong total always stays to say what to correct)."""
    kept_errors = {f.position for f in findings if f.severity == "error" and id(f) not in explained}
    return [
        f
        for f in findings
        if id(f) not in explained or (f.severity == "error" and f.position not in kept_errors)
    ]
