"""Compile a rule expression to an Excel formula.

Only functions that Excel 2010, WPS and LibreOffice all have: SUM, SUMPRODUCT, N, LEN, TRIM,
CLEAN, SUBSTITUTE, VALUE, ISNUMBER, ISERROR, IFERROR, ROUND, ABS, IF, AND, OR, NOT, YEAR, TODAY.
No dynamic arrays, nothing that needs ``_xlfn.``. The meaning is the one ``pandas_rules.py``
implements:

* a field read as a number is wrapped in N(): text counts as 0 instead of spreading #VALUE!;
* a year field also reads text naming a number ("2025", "2025年度"), as ``check`` does;
* a cell is blank when it shows nothing: empty, or only spaces (ASCII, full-width U+3000,
  no-break U+00A0) and control characters (line breaks, tabs: what CLEAN removes);
* every comparison, and the test for a whole number, allows a difference of EPSILON, so
  0.1 + 0.2 equals 0.3 on both sides (spreadsheets compare to about 15 digits, numpy exactly);
* a rule that reads a cell holding an error value (#DIV/0!, #REF!…) fails: SUM over the
  rule's cells propagates any error, and IF(ISERROR(…)) turns it into FALSE.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from xlsxwriter.utility import xl_rowcol_to_cell

from toolkit.forms.expr import Arith, Call, Compare, Expr, Logic, Neg, Not, Num, Ref

# A located cell: (sheet name, zero-based row, zero-based column).
Cell = tuple[str, int, int]
Locate = Callable[[str], Cell]

# Every comparison allows this difference, so that 0.1 + 0.2 equals 0.3 on both sides.
EPSILON = 0.000001
FULL_WIDTH_SPACE = "\u3000"
NO_BREAK_SPACE = "\u00a0"  # written as itself: CHAR(160) depends on the Windows code page
# what a 报告年度 typed as text may carry after its number ("2025年度"), as check reads it
YEAR_SUFFIXES = ("年度", "年")


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def address(cell: Cell, host: str, absolute: bool = True) -> str:
    sheet, row, col = cell
    ref = xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)
    return ref if sheet == host else f"{quote_sheet(sheet)}!{ref}"


def ranges(cells: list[Cell], host: str) -> list[str]:
    """Compress cells into runs along a column or a row, in the order given."""
    out: list[str] = []
    run: list[Cell] = []

    def flush() -> None:
        if not run:
            return
        first, last = run[0], run[-1]
        if first == last:
            out.append(address(first, host))
        else:
            start = address(first, host)
            end = xl_rowcol_to_cell(last[1], last[2], row_abs=True, col_abs=True)
            out.append(f"{start}:{end}")
        run.clear()

    for cell in cells:
        if run:
            last = run[-1]
            vertical = cell[0] == last[0] and cell[2] == last[2] and cell[1] == last[1] + 1
            horizontal = cell[0] == last[0] and cell[1] == last[1] and cell[2] == last[2] + 1
            direction = "v" if vertical else "h" if horizontal else None
            if len(run) > 1:
                established = "v" if run[1][1] == run[0][1] + 1 else "h"
                if direction != established:
                    direction = None
            if direction is None:
                flush()
        run.append(cell)
    flush()
    return out


class ExcelCompiler:
    """Turns expressions into formula text for cells on ``host`` sheet.

    ``years`` are the keys of year fields (``FormSpec.year_keys``): their text is read too.
    """

    def __init__(self, locate: Locate, host: str, years: Collection[str] = ()) -> None:
        self.locate = locate
        self.host = host
        self.years = frozenset(years)

    def formula(self, check: Expr, when: Expr | None = None) -> str:
        """``=`` + a formula that is TRUE when the rule holds (or does not apply)."""
        body = self.boolean(check)
        if when is not None:
            body = f"OR(NOT({self.boolean(when)}),{body})"
        keys = dict.fromkeys(k for e in (when, check) if e is not None for k in e.refs())
        cells = [self.locate(k) for k in keys]
        if not cells:
            return "=" + body
        return f"=IF(ISERROR(SUM({','.join(ranges(cells, self.host))})),FALSE,{body})"

    def raw(self, expr: Expr) -> str:
        if not isinstance(expr, Ref):
            raise TypeError("a field reference is needed")
        return address(self.locate(expr.key), self.host)

    def number(self, expr: Expr) -> str:
        if isinstance(expr, Num):
            value = expr.value
            return str(int(value)) if value == int(value) else repr(value)
        if isinstance(expr, Ref):
            if expr.key in self.years:
                return f"IFERROR({_year(self.raw(expr))},0)"
            return f"N({self.raw(expr)})"
        if isinstance(expr, Neg):
            return f"-({self.number(expr.operand)})"
        if isinstance(expr, Arith):
            left = self.number(expr.left)
            right = self.number(expr.right)
            if expr.op == "-" and isinstance(expr.right, Arith):
                right = f"({right})"
            if expr.op == "*":
                left = f"({left})" if isinstance(expr.left, Arith) else left
                right = f"({right})" if isinstance(expr.right, Arith) else right
            return f"{left}{expr.op}{right}"
        if isinstance(expr, Call):
            if expr.name == "this_year":
                return "YEAR(TODAY())"
            if expr.name == "sum":
                refs = [a for a in expr.args if isinstance(a, Ref)]
                others = [self.number(a) for a in expr.args if not isinstance(a, Ref)]
                parts = ranges([self.locate(r.key) for r in refs], self.host) + others
                return f"SUM({','.join(parts)})"
        raise TypeError(f"not a number: {expr!r}")

    def boolean(self, expr: Expr) -> str:
        if isinstance(expr, Logic):
            name = "AND" if expr.op == "and" else "OR"
            return f"{name}({','.join(self.boolean(o) for o in expr.operands)})"
        if isinstance(expr, Not):
            return f"NOT({self.boolean(expr.operand)})"
        if isinstance(expr, Compare):
            return _tolerant(expr.op, self.number(expr.left), self.number(expr.right))
        if isinstance(expr, Call):
            name = expr.name
            if name == "blank":
                return f"{_length(self.raw(expr.args[0]))}=0"
            if name == "filled":
                return f"{_length(self.raw(expr.args[0]))}>0"
            if name == "is_number":
                arg = expr.args[0]
                if isinstance(arg, Ref) and arg.key in self.years:
                    return f"ISNUMBER({_year(self.raw(arg))})"
                return f"ISNUMBER({self.raw(arg)})"
            if name == "whole":
                value = self.number(expr.args[0])
                return f"ABS({value}-ROUND({value},0))<={EPSILON:.6f}"
            if name in ("all_blank", "any_filled"):
                cells = [self.locate(a.key) for a in expr.args if isinstance(a, Ref)]
                test = "=0" if name == "all_blank" else ">0"
                lengths = "+".join(f"SUMPRODUCT({_length(r)})" for r in ranges(cells, self.host))
                return f"{lengths}{test}"
        raise TypeError(f"not a condition: {expr!r}")


def _cleaned(ref: str) -> str:
    """A cell's (or each cell of a range's) text without the characters that show nothing but
    TRIM keeps: full-width and no-break spaces, line breaks and tabs (CLEAN)."""
    return f'CLEAN(SUBSTITUTE(SUBSTITUTE({ref},"{FULL_WIDTH_SPACE}",""),"{NO_BREAK_SPACE}",""))'


def _length(ref: str) -> str:
    """How many characters a cell shows: 0 is blank, as ``check`` reads a cell."""
    return f"LEN(TRIM({_cleaned(ref)}))"


def _year(ref: str) -> str:
    """A year cell's number: the number typed, else its text read as one once what shows
    nothing and 年/年度 are dropped (an error where the text names none: the caller decides)."""
    text = _cleaned(ref)
    for suffix in YEAR_SUFFIXES:
        text = f'SUBSTITUTE({text},"{suffix}","")'
    return f"IF(ISNUMBER({ref}),{ref},VALUE(TRIM({text})))"


def _tolerant(op: str, left: str, right: str) -> str:
    """A comparison that allows a difference of EPSILON, written as plainly as it can be."""
    if right == "0":
        diff = left
    else:
        diff = f"{left}-({right})" if _has_sum_at_top(right) else f"{left}-{right}"
    eps = f"{EPSILON:.6f}"  # plain decimal: every spreadsheet parses it
    return {
        "==": f"ABS({diff})<={eps}",
        "!=": f"ABS({diff})>{eps}",
        "<=": f"{diff}<={eps}",
        "<": f"{diff}<-{eps}",
        ">=": f"{diff}>=-{eps}",
        ">": f"{diff}>{eps}",
    }[op]


def _has_sum_at_top(text: str) -> bool:
    """Whether ``text`` has a + or - outside parentheses (so it needs them after a minus)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > 0:
            return True
    return text.startswith("-")
