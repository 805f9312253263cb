"""What a hand-made workbook's own formulas show, computed from its own cells.

A total typed as `=SUM(D9:H9)` shows what that formula gives, whatever result the file
saved last (stale after an edit, or absent when a script wrote the file). The formulas
people write in report tables are sums: `SUM` of cells and ranges (or `SUBTOTAL(9, …)`, what
AutoSum writes in a filtered list), `+ - * /`, numbers, parentheses, `ROUND()` and `N()`, on
the same or another sheet. Those are evaluated here, as a
spreadsheet would (SUM skips text; arithmetic reads a blank as 0 and numeric text as its
number; other text is #VALUE!). Anything else is not guessed at: the caller falls back.
Tokens come from openpyxl's formula tokenizer.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import range_boundaries

MAX_DEPTH = 30  # formulas referring to formulas; deeper means a cycle or a contrived file
MAX_CELLS = 10_000  # cells one SUM may read


class Unsupported(Exception):
    """A formula outside the subset, or one that refers to itself."""


class ErrorValue(Exception):
    """The formula's result is an error value (#VALUE!, #DIV/0!)."""


Cell = tuple[str, int, int]  # sheet, row, col (0-based)
ValueOf = Callable[[str, int, int], Any]
FormulaOf = Callable[[Cell], str | None]


class Evaluator:
    """Evaluates the formulas of one workbook: ``formula_of((sheet, row, col))`` is a cell's
    formula text (None for a plain value, read only where a formula looks); ``value_of``
    gives a cell's stored content."""

    def __init__(
        self,
        formula_of: FormulaOf,
        value_of: ValueOf,
        row_hidden: Callable[[str, int], bool] | None = None,
    ) -> None:
        self.formula_of = formula_of
        self.value_of = value_of
        # whether a sheet's row (0-based) is hidden: a filter's hidden rows are left out of
        # SUBTOTAL, a hand's are not, and which is which is not told here
        self.row_hidden = row_hidden or (lambda sheet, row: False)
        self.memo: dict[Cell, Any] = {}
        self.active: set[Cell] = set()

    def cell(self, cell: Cell) -> Any:
        """A cell's value as a spreadsheet shows it after recalculation."""
        if cell in self.memo:
            return self.memo[cell]
        text = self.formula_of(cell)
        if text is None:  # a plain value: kept too, as totals across and down share cells
            value = self.memo[cell] = self.value_of(*cell)
            return value
        if cell in self.active or len(self.active) >= MAX_DEPTH:
            raise Unsupported("cycle")
        self.active.add(cell)
        try:
            value = _Parser(self, cell[0], text).parse()
        finally:
            self.active.discard(cell)
        self.memo[cell] = value
        return value


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[Token, ...]:
    """A formula's tokens without spaces; kept per text, as returns of one layout repeat
    their formulas (the tokens are only read)."""
    try:
        tokens = Tokenizer(text if text.startswith("=") else "=" + text).items
    except Exception as exc:  # the tokenizer rejects malformed text
        raise Unsupported(str(exc)) from None
    for before, space, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if space.type == Token.WSPACE and _ends_operand(before) and _starts_operand(after):
            raise Unsupported("the intersection operator")  # a space between two ranges
    return tuple(t for t in tokens if t.type != Token.WSPACE)


def _ends_operand(token: Token) -> bool:
    return token.type == Token.OPERAND or token.subtype == Token.CLOSE


def _starts_operand(token: Token) -> bool:
    return token.type == Token.OPERAND or token.subtype == Token.OPEN


class _Parser:
    def __init__(self, evaluator: Evaluator, sheet: str, text: str) -> None:
        self.evaluator = evaluator
        self.sheet = sheet
        self.tokens = _tokens(text)
        self.at = 0

    def parse(self) -> float:
        value = self.expression()
        if self.at != len(self.tokens):
            raise Unsupported("trailing tokens")
        return value

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise Unsupported("unexpected end")
        self.at += 1
        return token

    def expression(self) -> float:
        value = self.term()
        while (
            (token := self.peek()) is not None and token.type == Token.OP_IN and token.value in "+-"
        ):
            self.at += 1
            right = self.term()
            value = value + right if token.value == "+" else value - right
        return value

    def term(self) -> float:
        value = self.factor()
        while (
            (token := self.peek()) is not None and token.type == Token.OP_IN and token.value in "*/"
        ):
            self.at += 1
            right = self.factor()
            if token.value == "/":
                if right == 0:
                    raise ErrorValue("#DIV/0!")
                value /= right
            else:
                value *= right
        return value

    def factor(self) -> float:
        token = self.take()
        if token.type == Token.OP_PRE and token.value in "+-":
            value = self.factor()
            return -value if token.value == "-" else value
        if token.type == Token.OPERAND and token.subtype == Token.NUMBER:
            return float(token.value)
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            cells = self.cells(token.value)
            if len(cells) != 1:
                raise Unsupported("a range outside SUM")
            return _arithmetic(self.evaluator.cell(cells[0]))
        if token.type == Token.PAREN and token.subtype == Token.OPEN:
            value = self.expression()
            closing = self.take()
            if closing.type != Token.PAREN:
                raise Unsupported("parenthesis")
            return value
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            name = token.value[:-1].upper().removeprefix("_XLFN.")
            if name == "SUM":
                return self.sum_arguments()
            if name == "SUBTOTAL":
                return self.subtotal_arguments()
            if name == "ROUND":
                return self.round_arguments()
            if name == "N":
                value = self.n_argument()
                return value
        raise Unsupported(f"token {token.value!r}")

    def subtotal_arguments(self) -> float:
        """SUBTOTAL(9, …), what AutoSum writes in a filtered list: SUM, leaving out cells that
        are SUBTOTALs themselves. Rows a filter hides are left out too, rows hidden by hand
        are not (and 109 leaves out both): over a hidden row it is not evaluated."""
        kind = self.take()
        separator = self.take()
        if (
            kind.type != Token.OPERAND
            or kind.subtype != Token.NUMBER
            or float(kind.value) != 9
            or separator.type != Token.SEP
        ):
            raise Unsupported("SUBTOTAL other than 9 (SUM)")
        evaluator = self.evaluator

        def skipped(cell: Cell) -> bool:
            if evaluator.row_hidden(cell[0], cell[1]):
                raise Unsupported("SUBTOTAL over a hidden row")
            return _is_subtotal(evaluator.formula_of(cell))

        return self.sum_arguments(skip=skipped)

    def round_arguments(self) -> float:
        """ROUND(x, digits), half away from zero as spreadsheets round, on the 15 significant
        digits they keep (ROUND(2.675, 2) is 2.68; 23.205 + 0.99 is 24.195, not the
        24.194999999999997 of binary floats)."""
        value = self.expression()
        separator = self.take()
        if separator.type != Token.SEP:
            raise Unsupported("ROUND without its digits")
        digits = self.expression()
        closing = self.take()
        if closing.type != Token.FUNC or closing.subtype != Token.CLOSE:
            raise Unsupported("ROUND of more than two arguments")
        if not digits.is_integer() or abs(digits) > 15:
            raise Unsupported("ROUND to a fraction of a digit")
        try:
            shown = Decimal(format(value, ".15g"))
            rounded = shown.quantize(Decimal(1).scaleb(-int(digits)), ROUND_HALF_UP)
        except InvalidOperation:  # infinite, or more digits than a spreadsheet keeps
            raise Unsupported("ROUND of a number this large") from None
        return float(rounded)

    def sum_arguments(self, skip: Callable[[Cell], bool] | None = None) -> float:
        """SUM's arguments to its closing parenthesis; ``skip(cell)`` leaves out cells of a
        range."""
        total = 0.0
        while True:
            token = self.peek()
            if token is None:
                raise Unsupported("unclosed SUM")
            if token.type == Token.FUNC and token.subtype == Token.CLOSE:
                self.at += 1
                return total
            if token.type == Token.SEP and token.subtype == Token.ARG:
                self.at += 1
                continue
            if token.type == Token.OPERAND and token.subtype == Token.RANGE:
                self.at += 1
                for cell in self.cells(token.value):
                    if skip is not None and skip(cell):
                        continue
                    value = self.evaluator.cell(cell)
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        total += value  # SUM skips text, blanks and booleans in ranges
                continue
            total += self.expression()

    def n_argument(self) -> float:
        token = self.take()
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            raise Unsupported("N() of an expression")
        cells = self.cells(token.value)
        closing = self.take()
        if len(cells) != 1 or closing.type != Token.FUNC:
            raise Unsupported("N() of a range")
        value = self.evaluator.cell(cells[0])
        return (
            float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
        )

    def cells(self, reference: str) -> list[Cell]:
        sheet = self.sheet
        if "!" in reference:
            sheet, reference = reference.rsplit("!", 1)
            sheet = sheet.strip("'").replace("''", "'")
        try:
            min_col, min_row, max_col, max_row = range_boundaries(reference.replace("$", ""))
        except (ValueError, TypeError):
            raise Unsupported(f"reference {reference!r}") from None
        if None in (min_col, min_row, max_col, max_row):
            raise Unsupported("whole rows or columns")
        # A11:A1 is A1:A11 to a spreadsheet
        min_row, max_row = sorted((min_row, max_row))
        min_col, max_col = sorted((min_col, max_col))
        if (max_row - min_row + 1) * (max_col - min_col + 1) > MAX_CELLS:
            raise Unsupported("range too large")
        return [
            (sheet, r - 1, c - 1)
            for r in range(min_row, max_row + 1)
            for c in range(min_col, max_col + 1)
        ]


def _is_subtotal(formula: str | None) -> bool:
    return formula is not None and "SUBTOTAL(" in formula.upper()


def _arithmetic(value: Any) -> float:
    """A referenced value in + - * /: blank is 0, numeric text its number, other text #VALUE!."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise ErrorValue("#VALUE!") from None
