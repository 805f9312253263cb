"""A count typed as a number N1 refuses, and the findings it sets off.

-1 typed for 1, or 2.5 for 2 or 3, is reported at its cell (N1). Every sum reading it then
fails as well: the balance of its column (A1) at 结转下年度, a cell that is right; a formula
total over it; the row total of a 2.5. Those say nothing the N1 does not, and send the unit
to correct figures that are right.

For each return with such a number, each reading it may stand for (1; 2 or 3; a signed
change keeps its sign, money only loses a minus) is judged as the return is (the same rules,
the same dropping of cascades, the same localising), and the reading that leaves the fewest
findings is taken as what the unit meant: the return's findings are those that still stand
under it, plus the N1s. A second mistake the guess cannot explain is still said; one the
guess happens to hide shows at the next check, once the unit has corrected the cell.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import product

import numpy as np

from toolkit.forms.model import FormSpec, Rule
from toolkit.forms.pandas_rules import RuleFrame, compute_totals
from toolkit.validate.cascade import Formulas, without_cascades
from toolkit.validate.finding import Finding
from toolkit.validate.localise import localised
from toolkit.validate.run import check_frame

MAX_GUESSED = 3  # cells guessed at together in one return (two readings each at most)


def settled_count_typos(
    spec: FormSpec,
    frame: RuleFrame,
    findings: list[Finding],
    rules: dict[str, Rule],
    formulas: Formulas,
    judged: list[Rule],
) -> list[Finding]:
    """``findings`` (of ``frame``'s returns, after cascades and localising) less, in each
    return with a count N1 refuses, those that do not stand under its likeliest reading.
    ``judged``: the rules ``findings`` came from."""
    guessed: list[tuple[int, dict[str, float]]] = []  # (position, cells as taken)
    for position, meant in _readings(spec, frame, findings).items():
        keys = sorted(meant)
        if len(keys) <= MAX_GUESSED:
            for values in product(*(meant[k] for k in keys)):
                guessed.append((position, dict(zip(keys, values, strict=True))))
    if not guessed:
        return findings
    # every reading of every such return judged in one frame, a row each
    at = [position for position, _ in guessed]
    values = frame.values.iloc[at].reset_index(drop=True).astype(object)
    for row, (_, taken) in enumerate(guessed):
        for key, value in taken.items():
            values.at[row, key] = value
    follow = formulas.follow.iloc[at].reset_index(drop=True)
    masks = [
        None if mask is None else mask.iloc[at].reset_index(drop=True)
        for mask in (frame.invalid, frame.errors)
    ]
    readings = RuleFrame(
        compute_totals(spec, values, formulas=follow), invalid=masks[0], errors=masks[1]
    )
    follows = Formulas(follow)
    found = check_frame(spec, readings, judged)
    found = without_cascades(spec, readings, found, rules, follows)
    found = localised(spec, readings, found, rules, follows)
    left: dict[int, set[str]] = defaultdict(set)
    for finding in found:
        left[finding.position].add(finding.instance)
    standing: dict[int, set[str]] = {}
    for row, position in enumerate(at):
        if position not in standing or len(left[row]) < len(standing[position]):
            standing[position] = left[row]
    return [
        f
        for f in findings
        if f.position not in standing or f.rule == "N1" or f.instance in standing[f.position]
    ]


def _readings(
    spec: FormSpec, frame: RuleFrame, findings: list[Finding]
) -> dict[int, dict[str, tuple[float, ...]]]:
    """Position -> each cell N1 refuses that holds a number -> what it may stand for."""
    found: dict[int, dict[str, tuple[float, ...]]] = defaultdict(dict)
    for finding in findings:
        if finding.rule != "N1":
            continue
        value = float(frame.number(finding.at)[finding.position])
        meant = _meant(value, spec.fields[finding.at].kind) if np.isfinite(value) else ()
        if meant:
            found[finding.position][finding.at] = meant
    return found


def _meant(value: float, kind: str) -> tuple[float, ...]:
    """What a number N1 refuses most likely stands for: -1 typed for 1; 2.5 for 2 or 3 (a
    signed change keeps its sign); money only loses a minus (its decimals are its own)."""
    if kind == "money":
        return (-value,) if value < 0 else ()
    if kind not in ("count", "change"):
        return ()
    base = value if kind == "change" else abs(value)
    if float(base).is_integer():
        return (base,) if base != value else ()
    return (float(np.floor(base)), float(np.ceil(base)))
