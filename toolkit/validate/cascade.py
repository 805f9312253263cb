"""Findings another finding of the same return already explains: each mistake is reported
once, where the unit can correct it.

* **A wrong total read by other rules.** A total typed over with the wrong number (本年新收
  总计 typed as 999) is reported at its own cell by its total rule (A3). A1 of the 总计
  column then fails too, at 结转下年度 总计, a cell that is right. In a return where a total
  rule failed, a finding is dropped when its rule holds once the totals it reads that are
  reported wrong, or are formulas, are taken as the sums of their parts (what a wrong total
  becomes when corrected, and what a formula total then shows), except its own total where
  that is the unit's figure.
* **A formula total repeating its part.** A part typed wrong makes the formula total over it
  fail the same rule (N1 at a SUM over -1, A1 of the 总计 column): correcting the part
  clears it, and in a template the unit cannot even edit that cell. Such an error is
  dropped when the same rule is reported at one of its parts and every total the rule reads
  adds up its parts (else it checks something the parts' findings do not: a row giving
  only its 总计). A total the unit typed is kept: it is a figure to correct too.
* **An error value read** (``without_error_echoes``, over the findings of every frame). A
  cell holding #N/A is reported at itself (N1); the other rules reading it, or a formula
  total over it, fail without judging anything and are dropped.
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

from toolkit.forms.excel import EPSILON
from toolkit.forms.expr import LAST_PREFIX
from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import RuleFrame, compile_rules, counted_totals
from toolkit.validate.finding import Finding, comparison


@dataclass(frozen=True)
class Formulas:
    """Which totals of which returns follow their parts (bool, a column per total): a
    template's formula, which we compute, or a formula of the file's own that adds them up.
    Any other total is the unit's figure, or a formula that may sum the wrong cells."""

    follow: pd.DataFrame

    def at(self, key: str, position: int) -> bool:
        return key in self.follow.columns and bool(self.follow[key].iloc[position])


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
    kept = _without_repeats_at_totals(spec, frame, kept, rules, formulas)
    return _one_per_cell(kept, rules)


def without_error_echoes(
    spec: FormSpec,
    frame: RuleFrame,
    findings: list[Finding],
    rules: dict[str, Rule],
    formulas: Formulas,
) -> list[Finding]:
    """A cell holding an error value (#N/A) is reported at itself (N1). Every other rule
    reading it, or a formula total over it (which a spreadsheet shows as the error too),
    fails as a check formula would, but judges nothing: the value is unknown until the cell
    is corrected. Such findings are dropped where each error cell they read is reported."""
    if frame.errors is None or not frame.errors.to_numpy().any():
        return findings
    declared = spec.declared_parts
    reported = {(f.position, f.at) for f in findings if f.rule == "N1"}
    unknown: dict[int, dict[str, set[str]]] = {}  # position: key -> the error cells under it

    def under(position: int, key: str) -> set[str]:
        known = unknown.setdefault(position, {})
        if key not in known:
            known[key] = set()  # (a cycle reads as nothing more)
            found = {key} if frame.error(key)[position] else set()
            if not found and formulas.at(key, position):
                for part in (p for parts in declared.get(key, ()) for p in parts):
                    found |= under(position, part)
            known[key] = found
        return known[key]

    kept = []
    for finding in findings:
        position = finding.position
        if finding.rule == "N1" and frame.error(finding.at)[position]:
            kept.append(finding)  # the error value, said at its cell
            continue
        cells = set().union(*(under(position, k) for k in rules[finding.instance].fields))
        if cells and all((position, k) in reported for k in cells):
            continue
        kept.append(finding)
    return kept


def _without_wrong_totals(
    spec: FormSpec,
    frame: RuleFrame,
    findings: list[Finding],
    rules: dict[str, Rule],
    formulas: Formulas,
) -> list[Finding]:
    wrong: dict[int, set[str]] = defaultdict(set)  # the totals each return has reported
    for finding in findings:
        total = rules[finding.instance].total
        if total is not None:
            wrong[finding.position].add(total.total)
    if not wrong:
        return findings
    totals = spec.computed_keys
    suspects: dict[tuple[str, frozenset[str]], list[Finding]] = defaultdict(list)
    for finding in findings:
        position = finding.position
        if position not in wrong:
            continue
        rule = rules[finding.instance]
        # taken as their sums: the totals reported wrong, and those that follow their parts
        # (a formula over a reported total shows it too)
        taken = {
            k for k in set(rule.fields) & totals if k in wrong[position] or formulas.at(k, position)
        }
        own = rule.total.total if rule.total is not None else None
        if own is not None and not formulas.at(own, position):
            taken.discard(own)  # the unit's figure (or formula) is what this finding is about
        if taken:
            suspects[finding.instance, frozenset(taken)].append(finding)
    if not suspects:
        return findings
    positions = sorted(wrong)
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
    picked = frame.take([positions[r] for r in rows])
    columns = sorted(taken)
    picked.values[columns] = corrected.iloc[rows][columns].to_numpy()
    for mask in (picked.invalid, picked.errors):
        for key in (k for k in columns if mask is not None and k in mask.columns):
            mask[key] = False  # a corrected total holds a number
    compiled = compile_rules(spec, [rule])[rule.instance]
    return np.asarray(compiled(picked), dtype=bool)


def _without_repeats_at_totals(
    spec: FormSpec,
    frame: RuleFrame,
    findings: list[Finding],
    rules: dict[str, Rule],
    formulas: Formulas,
) -> list[Finding]:
    declared = spec.declared_parts
    reported = {(f.position, f.rule, f.at) for f in findings}
    said: set[int] = set()
    for finding in findings:
        # an error follows its part through a sum (a balance, a count's sign), and so does
        # a warning comparing figures (Y1: this year's 上年结转 against last year's 结转);
        # one about the cells themselves (W7: a row's parts left blank) does not. A total
        # the unit typed is a figure to correct too, even one that adds up a wrong part.
        at, position = finding.at, finding.position
        balance = comparison(rules[finding.instance].check) is not None
        if (finding.severity != "error" and not balance) or not formulas.at(at, position):
            continue
        if not any((position, finding.rule, p) in reported for ps in declared[at] for p in ps):
            continue
        # implied by the same rule over the parts only when every total it reads adds up
        # its parts (a row giving only its 总计 would be checked by this finding alone)
        # (last year's too: its 结转 总计 typed apart from its parts is no repeat)
        read = [k for k in rules[finding.instance].fields if _unprefixed(k) in declared]
        if all(_adds_up(frame, k, _declared(declared, k), position) for k in read):
            said.add(id(finding))
    return [f for f in findings if id(f) not in said]


def _unprefixed(key: str) -> str:
    return key.removeprefix(LAST_PREFIX)  # last year's fields, in a frame beside this year's


def _declared(
    declared: dict[str, tuple[tuple[str, ...], ...]], key: str
) -> tuple[tuple[str, ...], ...]:
    """The declarations of ``key``'s parts, last year's parts for a last year's total."""
    prefix = LAST_PREFIX if key.startswith(LAST_PREFIX) else ""
    return tuple(tuple(prefix + p for p in parts) for parts in declared[_unprefixed(key)])


def _adds_up(
    frame: RuleFrame, total: str, declarations: tuple[tuple[str, ...], ...], position: int
) -> bool:
    """Whether the return's ``total`` is the sum of the parts of one of its declarations as
    they stand (blank counting as 0)."""
    value = float(frame.value(total)[position])
    return any(
        abs(value - sum(float(frame.value(p)[position]) for p in parts)) <= EPSILON
        for parts in declarations
    )


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
