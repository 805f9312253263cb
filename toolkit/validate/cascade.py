"""Findings another finding of the same return already explains: each mistake is reported
once, where the unit can correct it.

* **A wrong total read by other rules.** A total typed over with the wrong number (本年新收
  总计 typed as 999) is reported at its own cell by its total rule (A3). A1 of the 总计
  column then fails too, at 结转下年度 总计, a cell that is right. In a return where a total
  rule failed, a finding is dropped when its rule holds once every total it reads is taken
  as the sum of its parts (what a wrong total becomes when corrected, and what a formula
  total then shows), except its own total where that is the unit's figure.
* **A formula total repeating its part.** A part typed wrong makes the formula total over it
  fail the same rule (N1 at a SUM over -1, A1 of the 总计 column in a template): the unit
  cannot edit that cell, and correcting the part clears it. A finding at a formula total is
  dropped when the same rule is reported at one of its parts.
* **One cell, one verdict.** A total that is a total twice (（七）总计 of the 总计 column)
  fails both of its rules with the same figures; the second says nothing new.

What stays always holds a cause: a typed total, a formula of the unit's own, a part, or a
blank total (W6, judged apart) that is taken as its sum. Correcting it clears the rest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import RuleFrame, compile_rules, counted_totals
from toolkit.validate.finding import Finding


@dataclass(frozen=True)
class Formulas:
    """Which totals of which returns hold a formula (bool, a column per total): ``ours``,
    a template's, which we compute as the sum of its parts; ``evaluated``, one the file's
    own, whose result we took (it may sum the wrong cells)."""

    ours: pd.DataFrame
    evaluated: pd.DataFrame

    def ours_at(self, key: str, position: int) -> bool:
        return key in self.ours.columns and bool(self.ours[key].iloc[position])

    def any_at(self, key: str, position: int) -> bool:
        return self.ours_at(key, position) or (
            key in self.evaluated.columns and bool(self.evaluated[key].iloc[position])
        )


def without_cascades(
    spec: FormSpec,
    frame: RuleFrame,
    findings: list[Finding],
    rules: dict[str, Rule],
    formulas: Formulas,
) -> list[Finding]:
    """``findings`` (of ``frame``'s returns, by rule instance in ``rules``) minus those
    another finding of the same return explains."""
    kept = _without_wrong_totals(spec, frame, findings, rules, formulas)
    kept = _without_formula_repeats(spec, kept, formulas)
    return _one_per_cell(kept, rules)


def _without_wrong_totals(
    spec: FormSpec,
    frame: RuleFrame,
    findings: list[Finding],
    rules: dict[str, Rule],
    formulas: Formulas,
) -> list[Finding]:
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
        if own is not None and not formulas.ours_at(own, finding.position):
            taken.discard(own)  # the unit's figure (or formula) is what this finding is about
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
    return [f for f in findings if id(f) not in explained]


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


def _without_formula_repeats(
    spec: FormSpec, findings: list[Finding], formulas: Formulas
) -> list[Finding]:
    parts: dict[str, set[str]] = defaultdict(set)
    for total in spec.totals:
        parts[total.total].update(total.parts)
    reported = {(f.position, f.rule, f.at) for f in findings}
    return [
        f
        for f in findings
        if not (
            f.at in parts
            and formulas.any_at(f.at, f.position)
            and any((f.position, f.rule, part) in reported for part in parts[f.at])
        )
    ]


def _one_per_cell(findings: list[Finding], rules: dict[str, Rule]) -> list[Finding]:
    seen: set[tuple] = set()
    kept = []
    for finding in findings:
        if rules[finding.instance].total is not None:
            said = (finding.position, finding.at, finding.expected, finding.actual)
            if said in seen:
                continue
            seen.add(said)
        kept.append(finding)
    return kept
