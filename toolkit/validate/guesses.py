"""A count typed as a number N1 refuses, and the findings it sets off.

-1 typed for 1, or 2.5 for 2 or 3, is reported at its cell (N1). Every sum reading it then
fails as well: the balance of its column (A1) at 结转下年度, a cell that is right; a formula
total over it; the row total of a 2.5. Those say nothing the N1 does not, and send the unit
to correct figures that are right.

For each return with such a number typed by the unit, each reading it may stand for (1; 2
or 3; a signed change keeps its sign, money only loses a minus) is judged as the return is
(the same rules, the same dropping of cascades, the same localising), and the reading that
leaves the fewest findings is taken as what the unit meant. The return is then judged with
the cell taken so: its other findings, and the numbers they quote, are those under that
reading, and the N1 says which number was taken. A second mistake the guess cannot explain
is still said; one the guess happens to hide shows at the next check, once the unit has
corrected the cell.
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


def likely_readings(
    spec: FormSpec,
    frame: RuleFrame,
    findings: list[Finding],
    rules: dict[str, Rule],
    formulas: Formulas,
    judged: list[Rule],
) -> dict[int, dict[str, float]]:
    """Position -> each count N1 refuses in that return (one the unit typed, not a total
    computed over it) -> the number it is taken for: of the readings it may stand for, the
    one under which the return's findings (``judged`` rules, cascades dropped, parts
    localised) are fewest."""
    guessed: list[tuple[int, dict[str, float]]] = []  # (position, cells as taken)
    for position, meant in _readings(spec, frame, findings).items():
        keys = sorted(meant)
        if len(keys) <= MAX_GUESSED:
            for values in product(*(meant[k] for k in keys)):
                guessed.append((position, dict(zip(keys, values, strict=True))))
    if not guessed:
        return {}
    # every reading of every such return judged in one frame, a row each
    at = [position for position, _ in guessed]
    follows = Formulas(formulas.follow.iloc[at].reset_index(drop=True))
    taken = {row: cells for row, (_, cells) in enumerate(guessed)}
    readings = with_readings(spec, frame.take(at), taken, follows)
    found = check_frame(spec, readings, judged)
    found = without_cascades(spec, readings, found, rules, follows)
    found = localised(spec, readings, found, rules, follows, {r: set(t) for r, t in taken.items()})
    left: dict[int, int] = defaultdict(int)
    for finding in found:
        left[finding.position] += 1
    best: dict[int, tuple[int, dict[str, float]]] = {}
    for row, (position, taken) in enumerate(guessed):
        if position not in best or left[row] < best[position][0]:
            best[position] = (left[row], taken)
    return {position: taken for position, (_, taken) in best.items()}


def with_readings(
    spec: FormSpec, frame: RuleFrame, readings: dict[int, dict[str, float]], formulas: Formulas
) -> RuleFrame:
    """``frame`` with the cells of ``readings`` (position -> key -> number) taken as those
    numbers, and the totals over them that follow their parts computed again (in those
    returns only: the others' rows and column types are left as they are)."""
    rows = sorted(readings)
    values = frame.values.copy()
    index = values.index[rows]
    for position in rows:
        for key, value in readings[position].items():
            values.at[values.index[position], key] = value
    follow = formulas.follow.iloc[rows].set_axis(index)
    changed = compute_totals(spec, values.loc[index], formulas=follow)
    for key in follow.columns:
        if key in changed.columns:
            values.loc[index, key] = changed[key].to_numpy()
    return RuleFrame(values, invalid=frame.invalid, errors=frame.errors)


def _readings(
    spec: FormSpec, frame: RuleFrame, findings: list[Finding]
) -> dict[int, dict[str, tuple[float, ...]]]:
    """Position -> each cell the unit typed that N1 refuses and that holds a number -> what
    it may stand for."""
    found: dict[int, dict[str, tuple[float, ...]]] = defaultdict(dict)
    computed = spec.computed_keys
    for finding in findings:
        if finding.rule != "N1" or finding.at in computed:
            continue  # a total holds what its parts, or the sum taken for it (W6), make it
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
