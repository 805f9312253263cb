"""The rule expression language: parsing, pattern expansion and type checking.

A rule is written once, over field keys, in a small Python-like language:

    applications.new.{col} + applications.carried_in.{col} == applications.handled_total.{col}
    blank({f}) or (is_number({f}) and whole({f}) and {f} >= 0)
    any_filled(applications.{row}.{applicant})

Before parsing, ``{var}`` is replaced by a loop variable's value; a ``{set}`` naming a set and
a ``*`` inside one segment of a key expand to every matching field, comma-separated, so they
belong inside ``sum()``, ``all_blank()`` or ``any_filled()``. ``last.<key>`` is last year's
value of a field. The parsed tree is compiled by ``excel.py`` and ``pandas_rules.py``.
"""

from __future__ import annotations

import ast
import fnmatch
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

LAST_PREFIX = "last."

# name -> (min args, max args or None, argument kind, result type)
FUNCTIONS: dict[str, tuple[int, int | None, str, str]] = {
    "sum": (1, None, "num", "num"),
    "blank": (1, 1, "ref", "bool"),
    "filled": (1, 1, "ref", "bool"),
    "all_blank": (1, None, "ref", "bool"),
    "any_filled": (1, None, "ref", "bool"),
    "is_number": (1, 1, "ref", "bool"),
    "whole": (1, 1, "num", "bool"),
    "this_year": (0, 0, "none", "num"),
}
COMPARE_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
ARITH_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}


class ExprError(ValueError):
    """A rule expression that cannot be understood; ``problem`` is a message id."""

    def __init__(self, problem: str, **params: object) -> None:
        super().__init__(problem)
        self.problem = problem
        self.params = params


class Expr:
    """Base of expression nodes."""

    def children(self) -> Sequence[Expr]:
        return ()

    def refs(self) -> Iterator[str]:
        for child in self.children():
            yield from child.refs()


@dataclass(frozen=True)
class Ref(Expr):
    key: str

    def refs(self) -> Iterator[str]:
        yield self.key


@dataclass(frozen=True)
class Num(Expr):
    value: float


@dataclass(frozen=True)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr

    def children(self) -> Sequence[Expr]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr

    def children(self) -> Sequence[Expr]:
        return (self.operand,)


@dataclass(frozen=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr

    def children(self) -> Sequence[Expr]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Logic(Expr):
    op: str  # "and" | "or"
    operands: tuple[Expr, ...]

    def children(self) -> Sequence[Expr]:
        return self.operands


@dataclass(frozen=True)
class Not(Expr):
    operand: Expr

    def children(self) -> Sequence[Expr]:
        return (self.operand,)


@dataclass(frozen=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]

    def children(self) -> Sequence[Expr]:
        return self.args


# ---------------------------------------------------------------- expansion before parsing

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# A dotted key, possibly with {set} placeholders and * wildcards inside its segments.
_KEY_TOKEN = re.compile(r"(?<![\w.{}*])(?:[A-Za-z_{*][\w{}*]*)(?:\.[\w{}*]+)+")


def substitute(text: str, bindings: dict[str, str]) -> str:
    """Replace ``{var}`` by a loop variable's value; other placeholders are left for sets."""
    return _PLACEHOLDER.sub(lambda m: bindings.get(m.group(1), m.group(0)), text)


def expand_pattern(
    pattern: str, keys: Sequence[str], sets: dict[str, tuple[str, ...]]
) -> list[str]:
    """Every field key matching ``pattern`` (``{set}`` and ``*`` segments), in set/spec order."""
    last = pattern.startswith(LAST_PREFIX)
    body = pattern[len(LAST_PREFIX) :] if last else pattern
    candidates = [body]
    for name in dict.fromkeys(_PLACEHOLDER.findall(body)):
        if name not in sets:
            raise ExprError("spec.problem.unknown_set", name=name)
        candidates = [
            c.replace("{" + name + "}", member) for c in candidates for member in sets[name]
        ]
    found: list[str] = []
    split = _split_keys(keys)
    for candidate in candidates:
        if "*" in candidate:
            segments = [(s, any(c in s for c in "*?[")) for s in candidate.split(".")]
            for key, parts in split.get(len(segments), ()):
                if all(
                    p == s or (wild and fnmatch.fnmatchcase(p, s))
                    for p, (s, wild) in zip(parts, segments, strict=True)
                ):
                    found.append(key)
        elif candidate in split.get(-1, {}):
            found.append(candidate)
        else:
            raise ExprError("spec.problem.unknown_field", key=candidate)
    if not found:
        raise ExprError("spec.problem.pattern_empty", pattern=pattern)
    unique = list(dict.fromkeys(found))
    return [LAST_PREFIX + k for k in unique] if last else unique


_SPLIT: dict[int, tuple[tuple[str, ...], dict[int, Any]]] = {}


def _split_keys(keys: Sequence[str]) -> dict[int, Any]:
    """The keys by their number of segments, split (-1: all of them, for lookups); kept for
    the spec being built, whose patterns ask hundreds of times."""
    known = _SPLIT.get(id(keys))
    if known is not None and known[0] == tuple(keys):
        return known[1]
    by_count: dict[int, Any] = {-1: dict.fromkeys(keys)}
    for key in keys:
        parts = key.split(".")
        by_count.setdefault(len(parts), []).append((key, parts))
    _SPLIT.clear()  # one spec at a time
    _SPLIT[id(keys)] = (tuple(keys), by_count)
    return by_count


def expand_keys(text: str, keys: Sequence[str], sets: dict[str, tuple[str, ...]]) -> str:
    """Replace every key pattern in ``text`` by the comma-separated keys it matches."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if "{" in token or "*" in token:
            return ", ".join(expand_pattern(token, keys, sets))
        return token

    return _KEY_TOKEN.sub(replace, text)


def cartesian(pattern: str, sets: dict[str, tuple[str, ...]]) -> list[str]:
    """Expand ``{set}`` placeholders of a key pattern into every combination, in order."""
    names = list(dict.fromkeys(_PLACEHOLDER.findall(pattern)))
    for name in names:
        if name not in sets:
            raise ExprError("spec.problem.unknown_set", name=name)
    out = []
    for combo in itertools.product(*(sets[n] for n in names)):
        text = pattern
        for name, member in zip(names, combo, strict=True):
            text = text.replace("{" + name + "}", member)
        out.append(text)
    return out


# ---------------------------------------------------------------- parsing


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def parse(text: str, is_field: Callable[[str], bool]) -> Expr:
    """Parse an already expanded expression; ``is_field`` validates each key."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError("spec.problem.syntax", expr=text, detail=exc.msg) from None
    expr = _convert(tree.body, text, is_field)
    return expr


def _convert(node: ast.expr, text: str, is_field: Callable[[str], bool]) -> Expr:
    def conv(n: ast.expr) -> Expr:
        return _convert(n, text, is_field)

    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            raise ExprError("spec.problem.unsupported", expr=text, what=repr(node.value))
        return Num(float(node.value))
    if isinstance(node, ast.Attribute | ast.Name):
        key = _dotted(node)
        if key is None or "." not in key:
            raise ExprError("spec.problem.unknown_name", expr=text, name=key or "?")
        if not is_field(key):
            raise ExprError("spec.problem.unknown_field", key=key)
        return Ref(key)
    if isinstance(node, ast.BinOp) and type(node.op) in ARITH_OPS:
        return Arith(ARITH_OPS[type(node.op)], conv(node.left), conv(node.right))
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub):
            return Neg(conv(node.operand))
        if isinstance(node.op, ast.Not):
            return Not(conv(node.operand))
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        return Logic(op, tuple(conv(v) for v in node.values))
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise ExprError("spec.problem.chained_compare", expr=text)
        if type(node.ops[0]) not in COMPARE_OPS:
            raise ExprError("spec.problem.unsupported", expr=text, what=type(node.ops[0]).__name__)
        return Compare(COMPARE_OPS[type(node.ops[0])], conv(node.left), conv(node.comparators[0]))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        name = node.func.id
        if name not in FUNCTIONS:
            raise ExprError("spec.problem.unknown_function", expr=text, name=name)
        low, high, _, _ = FUNCTIONS[name]
        if len(node.args) < low or (high is not None and len(node.args) > high):
            raise ExprError("spec.problem.arg_count", expr=text, name=name)
        return Call(name, tuple(conv(a) for a in node.args))
    if isinstance(node, ast.Tuple):
        raise ExprError("spec.problem.several_fields", expr=text)
    raise ExprError("spec.problem.unsupported", expr=text, what=ast.dump(node)[:40])


# ---------------------------------------------------------------- types


def type_of(expr: Expr, kind_of: Callable[[str], str]) -> str:
    """'num', 'money' (a number with decimals), 'bool' or 'text'; raises on misuse."""
    if isinstance(expr, Num):
        return "num" if expr.value == int(expr.value) else "money"
    if isinstance(expr, Ref):
        kind = kind_of(expr.key)
        if kind == "money":
            return "money"
        return "num" if kind in ("count", "change", "year") else "text"
    if isinstance(expr, Arith | Neg):
        kinds = [type_of(c, kind_of) for c in expr.children()]
        if any(k not in ("num", "money") for k in kinds):
            raise ExprError("spec.problem.not_numeric", expr=_show(expr))
        return "money" if "money" in kinds else "num"
    if isinstance(expr, Compare):
        kinds = [type_of(c, kind_of) for c in expr.children()]
        if any(k not in ("num", "money") for k in kinds):
            raise ExprError("spec.problem.not_numeric", expr=_show(expr))
        return "bool"
    if isinstance(expr, Logic | Not):
        if any(type_of(c, kind_of) != "bool" for c in expr.children()):
            raise ExprError("spec.problem.not_boolean", expr=_show(expr))
        return "bool"
    if isinstance(expr, Call):
        _, _, arg_kind, result = FUNCTIONS[expr.name]
        for arg in expr.args:
            if arg_kind == "ref" and not isinstance(arg, Ref):
                raise ExprError("spec.problem.needs_field", expr=_show(expr), name=expr.name)
            if arg_kind == "num" and type_of(arg, kind_of) not in ("num", "money"):
                raise ExprError("spec.problem.not_numeric", expr=_show(expr))
        if result == "num" and expr.name == "sum":
            kinds = [type_of(a, kind_of) for a in expr.args]
            return "money" if "money" in kinds else "num"
        return result
    raise TypeError(expr)


def _show(expr: Expr) -> str:
    return ", ".join(expr.refs()) or type(expr).__name__
