"""Unit tests of the rule expression language and its two compilers (Excel formulas, pandas)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from toolkit.forms.excel import EPSILON, ExcelCompiler, ranges
from toolkit.forms.expr import (
    Arith,
    Call,
    Compare,
    Expr,
    ExprError,
    Logic,
    Neg,
    Not,
    Num,
    Ref,
    cartesian,
    expand_keys,
    expand_pattern,
    parse,
    substitute,
    type_of,
)
from toolkit.forms.loader import load_spec
from toolkit.forms.model import FormSpec
from toolkit.forms.pandas_rules import (
    PandasCompiler,
    RuleFrame,
    compile_rules,
    compute_totals,
    evaluate,
)
from toolkit.forms.registry import load_form
from toolkit.template.plan import plan_workbook
from toolkit.template.writer import template_rules

# A tiny form: rows r1..r5 and their total row `all` (a total of totals in `all.total`), then
# a block with two money fields and a signed change; meta.* (text, year) from _header.toml.
TINY = """\
id = "tiny"
version = "1"
name = "小表"
include = ["_header.toml"]
sheets = ["封面", "申请情况"]

[sets]
body = ["r1", "r2", "r3", "r4", "r5"]
sums = ["r1", "r2", "r3", "r4", "r5", "all"]
parts = ["a", "b"]
cols = ["a", "b", "total"]

[[tables]]
key = "t"
sheet = "申请情况"
title = "测试表"
label_widths = [12]

  [[tables.blocks]]
  header = [["项目", "甲", "乙", "合计"]]
  columns = [{ key = "a" }, { key = "b" }, { key = "total" }]
  rows = [
    { key = "r1", labels = ["一"] },
    { key = "r2", labels = ["二"] },
    { key = "r3", labels = ["三"] },
    { key = "r4", labels = ["四"] },
    { key = "r5", labels = ["五"] },
    { key = "all", labels = ["总计"] },
  ]

  [[tables.blocks]]
  header = [["项目", "金额", "预算", "增减"]]
  columns = [
    { key = "amount", kind = "money", unit = "万元" },
    { key = "budget", kind = "money", unit = "万元" },
    { key = "change", kind = "change" },
  ]
  rows = [{ key = "m", labels = ["经费"] }]

[[totals]]
rule = "T1"
for_each = { row = "sums" }
total = "t.{row}.total"
parts = ["t.{row}.{parts}"]

[[totals]]
rule = "T2"
for_each = { col = "cols" }
total = "t.all.{col}"
parts = ["t.r*.{col}"]

[[rules]]
id = "T3"
severity = "error"
assert = "t.r1.a <= t.r2.a"
at = "t.r1.a"

[[rules]]
id = "T4"
severity = "warning"
when = "filled(t.m.budget)"
assert = "t.m.amount <= t.m.budget"
at = "t.m.amount"

[[rules]]
id = "T5"
severity = "warning"
assert = "t.m.change + t.r1.a >= 0"
at = "t.m.change"

[messages.zh]
T1 = "合计 = 甲 + 乙"
T2 = "总计 = 各行之和"
T3 = "第一行不大于第二行"
T4 = "金额不超过预算"
T5 = "增减不使数目为负"
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> FormSpec:
    path = tmp_path_factory.mktemp("tiny") / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return load_spec(path)


def expr_of(spec: FormSpec, text: str) -> Expr:
    """Expand, parse and type-check an expression over ``spec`` as the loader does."""
    expanded = expand_keys(text, list(spec.fields), spec.sets)
    expr = parse(expanded, lambda k: k.removeprefix("last.") in spec.fields)
    type_of(expr, spec.kind_of)
    return expr


# ---------------------------------------------------------------- expr: expansion

KEYS = ["a.x.p", "a.x.q", "a.y.p", "a.y.q", "a.xy.p", "b.x.p"]
SETS = {"rows": ("x", "y"), "swapped": ("y", "x"), "cols": ("p", "q")}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("a.x.p", ["a.x.p"]),
        ("a.{rows}.p", ["a.x.p", "a.y.p"]),
        ("a.{swapped}.p", ["a.y.p", "a.x.p"]),  # set order, not spec order
        ("a.{rows}.{cols}", ["a.x.p", "a.x.q", "a.y.p", "a.y.q"]),
        ("a.*.p", ["a.x.p", "a.y.p", "a.xy.p"]),  # spec order; not b.x.p
        ("a.x*.p", ["a.x.p", "a.xy.p"]),
        ("*.x.p", ["a.x.p", "b.x.p"]),
        ("a.x.*", ["a.x.p", "a.x.q"]),
        ("a.{rows}.*", ["a.x.p", "a.x.q", "a.y.p", "a.y.q"]),
        ("last.a.{rows}.p", ["last.a.x.p", "last.a.y.p"]),
        ("last.a.*.q", ["last.a.x.q", "last.a.y.q"]),
    ],
)
def test_expand_pattern(pattern: str, expected: list[str]) -> None:
    assert expand_pattern(pattern, KEYS, SETS) == expected


def test_star_stays_within_one_segment() -> None:
    # `a.*` has two segments; every key has three, so nothing matches
    for pattern in ("a.*", "*.p", "a.*.*.p"):
        with pytest.raises(ExprError) as info:
            expand_pattern(pattern, KEYS, SETS)
        assert info.value.problem == "spec.problem.pattern_empty"
        assert info.value.params == {"pattern": pattern}


def test_expand_pattern_errors() -> None:
    with pytest.raises(ExprError) as info:
        expand_pattern("a.{nope}.p", KEYS, SETS)
    assert (info.value.problem, info.value.params) == ("spec.problem.unknown_set", {"name": "nope"})
    with pytest.raises(ExprError) as info:
        expand_pattern("a.{rows}.r", KEYS, SETS)
    assert info.value.problem == "spec.problem.unknown_field"
    assert info.value.params == {"key": "a.x.r"}


def test_expand_pattern_removes_duplicates() -> None:
    sets = {"twice": ("x", "x", "y")}
    assert expand_pattern("a.{twice}.p", KEYS, sets) == ["a.x.p", "a.y.p"]


def test_substitute_leaves_set_placeholders() -> None:
    assert substitute("t.{row}.{cols}", {"row": "r1"}) == "t.r1.{cols}"
    assert substitute("no placeholders", {"row": "r1"}) == "no placeholders"


def test_expand_keys() -> None:
    text = "sum(a.{rows}.p) == a.x.q and any_filled(a.x*.p) and a.y.q >= 0.5"
    assert expand_keys(text, KEYS, SETS) == (
        "sum(a.x.p, a.y.p) == a.x.q and any_filled(a.x.p, a.xy.p) and a.y.q >= 0.5"
    )
    assert expand_keys("last.a.{rows}.q", KEYS, SETS) == "last.a.x.q, last.a.y.q"


def test_cartesian() -> None:
    assert cartesian("t.{rows}.{cols}", SETS) == ["t.x.p", "t.x.q", "t.y.p", "t.y.q"]
    assert cartesian("t.{rows}.{rows}", SETS) == ["t.x.x", "t.y.y"]  # one variable, one value
    assert cartesian("t.plain", SETS) == ["t.plain"]
    assert cartesian("t.*.{cols}", SETS) == ["t.*.p", "t.*.q"]  # no field lookup here
    with pytest.raises(ExprError) as info:
        cartesian("t.{nope}", SETS)
    assert info.value.problem == "spec.problem.unknown_set"


# ---------------------------------------------------------------- expr: parsing and types


def _is_field(key: str) -> bool:
    return key.removeprefix("last.") in KEYS


def test_parse_tree() -> None:
    expr = parse("a.x.p + 2 * a.y.p - 1 >= -a.x.q", _is_field)
    assert expr == Compare(
        ">=",
        Arith(
            "-",
            Arith("+", Ref("a.x.p"), Arith("*", Num(2.0), Ref("a.y.p"))),
            Num(1.0),
        ),
        Neg(Ref("a.x.q")),
    )
    logic = parse("not (blank(a.x.p) or a.x.p == 0) and filled(last.a.x.p)", _is_field)
    assert logic == Logic(
        "and",
        (
            Not(Logic("or", (Call("blank", (Ref("a.x.p"),)), Compare("==", Ref("a.x.p"), Num(0))))),
            Call("filled", (Ref("last.a.x.p"),)),
        ),
    )
    assert list(logic.refs()) == ["a.x.p", "a.x.p", "last.a.x.p"]
    assert parse("this_year()", _is_field) == Call("this_year", ())


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a.x.p +", "spec.problem.syntax"),
        ("a.x.p >= (", "spec.problem.syntax"),
        ("0 <= a.x.p <= a.y.p", "spec.problem.chained_compare"),
        ("max(a.x.p, a.y.p) > 0", "spec.problem.unknown_function"),
        ("blank(a.x.p, a.y.p)", "spec.problem.arg_count"),
        ("this_year(1) > 0", "spec.problem.arg_count"),
        ("sum() > 0", "spec.problem.arg_count"),
        ("total > 0", "spec.problem.unknown_name"),
        ("a.z.p > 0", "spec.problem.unknown_field"),
        ("a.x.p, a.y.p", "spec.problem.several_fields"),
        ("a.x.p / 2 > 0", "spec.problem.unsupported"),
        ("a.x.p == True", "spec.problem.unsupported"),
        ("a.x.p == 'x'", "spec.problem.unsupported"),
        ("sum(a.x.p, start=1) > 0", "spec.problem.unsupported"),
    ],
)
def test_parse_errors(text: str, problem: str) -> None:
    with pytest.raises(ExprError) as info:
        parse(text, _is_field)
    assert info.value.problem == problem


def test_types() -> None:
    kinds = {"a.x.p": "count", "a.x.q": "money", "a.y.p": "text", "a.y.q": "change"}

    def kind_of(key: str) -> str:
        return kinds[key.removeprefix("last.")]

    def typed(text: str) -> str:
        return type_of(parse(text, _is_field), kind_of)

    assert typed("a.x.p + a.y.q") == "num"
    assert typed("a.x.p + a.x.q") == "money"
    assert typed("sum(a.x.p, a.x.q)") == "money"
    assert typed("a.x.p + 0.5") == "money"
    assert typed("a.x.p >= last.a.x.p") == "bool"
    assert typed("blank(a.y.p)") == "bool"
    assert typed("this_year()") == "num"
    for text, problem in [
        ("a.y.p + 1 > 0", "spec.problem.not_numeric"),
        ("a.y.p == 0", "spec.problem.not_numeric"),
        ("sum(a.y.p) > 0", "spec.problem.not_numeric"),
        ("whole(a.y.p)", "spec.problem.not_numeric"),
        ("a.x.p and a.x.q > 0", "spec.problem.not_boolean"),
        ("not a.x.p", "spec.problem.not_boolean"),
        ("blank(1)", "spec.problem.needs_field"),
        ("any_filled(a.x.p + 1)", "spec.problem.needs_field"),
    ]:
        with pytest.raises(ExprError) as info:
            typed(text)
        assert info.value.problem == problem, text


# ---------------------------------------------------------------- Excel


def _locate(spec: FormSpec):
    """Field grid (row, col) shifted by (3, 2): t.r1.a (grid 1, 1) is $D$5."""

    def locate(key: str) -> tuple[str, int, int]:
        fld = spec.fields[key]
        return spec.table(fld.table).sheet, 3 + fld.row, 2 + fld.col

    return locate


def _formula(spec: FormSpec, check: str, when: str | None = None, host: str = "申请情况") -> str:
    compiler = ExcelCompiler(_locate(spec), host, spec.year_keys)
    return compiler.formula(expr_of(spec, check), expr_of(spec, when) if when is not None else None)


def test_tiny_geometry(tiny: FormSpec) -> None:
    locate = _locate(tiny)
    assert locate("t.r1.a") == ("申请情况", 4, 3)
    assert locate("t.all.a") == ("申请情况", 9, 3)
    assert locate("t.m.amount") == ("申请情况", 11, 3)
    assert locate("meta.year") == ("封面", 4, 3)


E = "0.000001"  # the tolerance as written into formulas: a plain decimal


def V(ref: str) -> str:
    """What a cell shows, as the blank tests read it: its text without full-width and no-break
    spaces and control characters (line breaks, tabs), trimmed."""
    return f'TRIM(CLEAN(SUBSTITUTE(SUBSTITUTE({ref},"\u3000",""),"\u00a0","")))'


def Y(ref: str) -> str:
    """A year cell's number as the formulas read it: the number, else its text without what
    shows nothing and 年/年度, through VALUE (an error where it names no number)."""
    text = f'CLEAN(SUBSTITUTE(SUBSTITUTE({ref},"\u3000",""),"\u00a0",""))'
    return (
        f'IF(ISNUMBER({ref}),{ref},VALUE(TRIM(SUBSTITUTE(SUBSTITUTE({text},"年度",""),"年",""))))'
    )


UNIT = "'封面'!$D$4"  # meta.unit seen from another sheet


def G(cells: str, body: str) -> str:
    """A rule formula: FALSE when any cell it reads holds an error value, else its test."""
    return f"=IF(ISERROR(SUM({cells})),FALSE,{body})"


@pytest.mark.parametrize(
    ("check", "formula"),
    [
        ("t.r1.a >= 0", G("$D$5", f"N($D$5)>=-{E}")),
        ("t.r1.a + t.r2.a == t.all.a", G("$D$5:$D$6,$D$10", f"ABS(N($D$5)+N($D$6)-N($D$10))<={E}")),
        ("t.r1.a != t.r1.b", G("$D$5:$E$5", f"ABS(N($D$5)-N($E$5))>{E}")),
        ("t.r1.a < t.r1.b", G("$D$5:$E$5", f"N($D$5)-N($E$5)<-{E}")),
        ("t.r1.a > 2 * t.r1.b", G("$D$5:$E$5", f"N($D$5)-2*N($E$5)>{E}")),
        ("(t.r1.a + 1) * 2 <= t.r1.b", G("$D$5:$E$5", f"(N($D$5)+1)*2-N($E$5)<={E}")),
        (
            "t.all.a - (t.r1.a + t.r2.a) == 0",
            G("$D$10,$D$5:$D$6", f"ABS(N($D$10)-(N($D$5)+N($D$6)))<={E}"),
        ),
        ("-t.r1.a <= 0", G("$D$5", f"-(N($D$5))<={E}")),
        ("t.r1.a <= -t.r1.b", G("$D$5:$E$5", f"N($D$5)-(-(N($E$5)))<={E}")),
        ("t.all.a == sum(t.r*.a)", G("$D$10,$D$5:$D$9", f"ABS(N($D$10)-SUM($D$5:$D$9))<={E}")),
        ("t.all.a == sum(t.{body}.a)", G("$D$10,$D$5:$D$9", f"ABS(N($D$10)-SUM($D$5:$D$9))<={E}")),
        (
            "t.r1.total == sum(t.r1.{parts})",
            G("$F$5,$D$5:$E$5", f"ABS(N($F$5)-SUM($D$5:$E$5))<={E}"),
        ),
        ("sum(t.r1.a, t.r3.a, t.r4.a) == 0", G("$D$5,$D$7:$D$8", f"ABS(SUM($D$5,$D$7:$D$8))<={E}")),
        ("sum(t.r1.a, t.r1.b, t.r2.a) == 0", G("$D$5:$E$5,$D$6", f"ABS(SUM($D$5:$E$5,$D$6))<={E}")),
        ("sum(t.r1.a, 1) >= 1", G("$D$5", f"SUM($D$5,1)-1>=-{E}")),
        (
            "all_blank(t.r*.a)",
            G("$D$5:$D$9", f"SUMPRODUCT(LEN({V('$D$5:$D$9')}))=0"),
        ),
        (
            "any_filled(t.*.a)",
            G("$D$5:$D$10", f"SUMPRODUCT(LEN({V('$D$5:$D$10')}))>0"),
        ),
        (
            "any_filled(t.r1.{cols})",
            G("$D$5:$F$5", f"SUMPRODUCT(LEN({V('$D$5:$F$5')}))>0"),
        ),
        ("blank(t.r1.a)", G("$D$5", f"LEN({V('$D$5')})=0")),
        ("filled(meta.unit)", G("'封面'!$D$4", f"LEN({V(UNIT)})>0")),
        ("is_number(t.r1.a)", G("$D$5", "ISNUMBER($D$5)")),
        ("whole(t.r1.a)", G("$D$5", f"ABS(N($D$5)-ROUND(N($D$5),0))<={E}")),
        (
            "whole(t.r1.a + t.r1.b)",
            G("$D$5:$E$5", f"ABS(N($D$5)+N($E$5)-ROUND(N($D$5)+N($E$5),0))<={E}"),
        ),
        (
            "blank(t.r1.a) or (is_number(t.r1.a) and whole(t.r1.a) and t.r1.a >= 0)",
            G(
                "$D$5",
                f"OR(LEN({V('$D$5')})=0,"
                f"AND(ISNUMBER($D$5),ABS(N($D$5)-ROUND(N($D$5),0))<={E},N($D$5)>=-{E}))",
            ),
        ),
        (
            "not (t.r1.a == 0 and t.r2.a != 0)",
            G("$D$5:$D$6", f"NOT(AND(ABS(N($D$5))<={E},ABS(N($D$6))>{E}))"),
        ),
        ("t.m.amount == t.m.budget", G("$D$12:$E$12", f"ABS(N($D$12)-N($E$12))<={E}")),
        ("t.m.amount != t.m.budget", G("$D$12:$E$12", f"ABS(N($D$12)-N($E$12))>{E}")),
        ("t.m.amount <= t.m.budget", G("$D$12:$E$12", f"N($D$12)-N($E$12)<={E}")),
        ("t.m.amount < t.m.budget", G("$D$12:$E$12", f"N($D$12)-N($E$12)<-{E}")),
        ("t.m.amount >= 0", G("$D$12", f"N($D$12)>=-{E}")),
        ("t.m.amount > 0", G("$D$12", f"N($D$12)>{E}")),
        (
            "t.m.amount == sum(t.r1.a, t.m.budget)",
            G("$D$12,$D$5,$E$12", f"ABS(N($D$12)-SUM($D$5,$E$12))<={E}"),
        ),
        ("t.r1.a >= 0.5", G("$D$5", f"N($D$5)-0.5>=-{E}")),
        ("t.m.change + t.r1.a >= 0", G("$F$12,$D$5", f"N($F$12)+N($D$5)>=-{E}")),
    ],
)
def test_excel_formula(tiny: FormSpec, check: str, formula: str) -> None:
    assert _formula(tiny, check) == formula


def test_excel_epsilon_literal() -> None:
    assert float(E) == EPSILON


def test_excel_when(tiny: FormSpec) -> None:
    blank_budget = f"LEN({V('$E$12')})>0"
    assert _formula(tiny, "t.m.amount <= t.m.budget", when="filled(t.m.budget)") == G(
        "$E$12,$D$12", f"OR(NOT({blank_budget}),N($D$12)-N($E$12)<={E})"
    )
    assert _formula(tiny, "t.r1.total == sum(t.r1.{parts})", when="any_filled(t.r1.{parts})") == G(
        "$D$5:$F$5",
        f"OR(NOT(SUMPRODUCT(LEN({V('$D$5:$E$5')}))>0),ABS(N($F$5)-SUM($D$5:$E$5))<={E})",
    )


def test_excel_cross_sheet(tiny: FormSpec) -> None:
    q = "'申请情况'!"
    assert _formula(tiny, "t.r1.a >= 0", host="封面") == G(f"{q}$D$5", f"N({q}$D$5)>=-{E}")
    assert _formula(tiny, "t.all.a == sum(t.r*.a)", host="封面") == G(
        f"{q}$D$10,{q}$D$5:$D$9", f"ABS(N({q}$D$10)-SUM({q}$D$5:$D$9))<={E}"
    )
    assert _formula(tiny, "all_blank(t.r*.a)", host="封面") == G(
        f"{q}$D$5:$D$9", f"SUMPRODUCT(LEN({V(f'{q}$D$5:$D$9')}))=0"
    )
    assert _formula(tiny, "blank(meta.unit)") == G("'封面'!$D$4", f"LEN({V(UNIT)})=0")
    assert _formula(tiny, "blank(meta.unit)", host="封面") == G("$D$4", f"LEN({V('$D$4')})=0")


def test_excel_this_year(tiny: FormSpec) -> None:
    year = f"IFERROR({Y('$D$5')},0)"
    assert _formula(tiny, "meta.year <= this_year()", host="封面") == G(
        "$D$5", f"{year}-YEAR(TODAY())<={E}"
    )
    assert _formula(tiny, "filled(meta.unit) and meta.year >= 1990", host="封面") == G(
        "$D$4:$D$5", f"AND(LEN({V('$D$4')})>0,{year}-1990>=-{E})"
    )


def test_excel_reads_a_year_typed_as_text(tiny: FormSpec) -> None:
    """A year field is read through VALUE() when it holds text ("2025", "2025年度"), as
    check reads it; the other number fields stay N(): text there is no number (N1)."""
    assert _formula(tiny, "is_number(meta.year)", host="封面") == G(
        "$D$5", f"ISNUMBER({Y('$D$5')})"
    )
    assert _formula(tiny, "whole(meta.year)", host="封面") == G(
        "$D$5", f"ABS(IFERROR({Y('$D$5')},0)-ROUND(IFERROR({Y('$D$5')},0),0))<={E}"
    )
    assert _formula(tiny, "is_number(t.r1.a)") == G("$D$5", "ISNUMBER($D$5)")
    # without the year keys (a caller that compiles totals only) a year is a plain number
    plain = ExcelCompiler(_locate(tiny), "封面").formula(expr_of(tiny, "meta.year >= 1990"))
    assert plain == G("$D$5", f"N($D$5)-1990>=-{E}")


def test_excel_sheet_name_quoting() -> None:
    assert ranges([("It's", 0, 0), ("It's", 1, 0)], "other") == ["'It''s'!$A$1:$A$2"]
    assert ranges([("s", 0, 0), ("s", 0, 1), ("s", 0, 2), ("s", 1, 2)], "s") == [
        "$A$1:$C$1",
        "$C$2",
    ]
    # a run keeps one direction: down, then right, starts a new range
    assert ranges([("s", 0, 0), ("s", 1, 0), ("s", 1, 1)], "s") == ["$A$1:$A$2", "$B$2"]
    assert ranges([("s", 1, 0), ("s", 0, 0)], "s") == ["$A$2", "$A$1"]


ALLOWED_FUNCTIONS = {
    "IF",
    "ISERROR",
    "SUMPRODUCT",
    "TRIM",
    "SUBSTITUTE",
    "CLEAN",
    "VALUE",
    "IFERROR",
    "SUM",
    "N",
    "LEN",
    "COUNTA",
    "ISNUMBER",
    "ROUND",
    "ABS",
    "AND",
    "OR",
    "NOT",
    "YEAR",
    "TODAY",
}
_FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")


@pytest.mark.parametrize("form_id", ["gov-2021", "gov-2019", "supp-stats"])
def test_builtin_template_formulas_use_only_portable_functions(form_id: str) -> None:
    spec = load_form(form_id)
    rules = template_rules(spec)
    assert rules
    plan = plan_workbook(spec, rules)
    used: set[str] = set()
    for rule in rules:
        host = plan.cells[rule.at].sheet
        formula = ExcelCompiler(plan.locate, host, spec.year_keys).formula(rule.check, rule.when)
        assert formula.startswith("="), rule.instance
        assert "_xlfn" not in formula.lower(), rule.instance
        assert "last." not in formula, rule.instance
        names = set(_FUNCTION.findall(formula))
        assert names <= ALLOWED_FUNCTIONS, (rule.instance, formula)
        assert formula.count("(") == formula.count(")"), rule.instance
        used |= names
    assert {"SUM", "N", "LEN", "ISNUMBER", "ROUND", "YEAR", "TODAY"} <= used
    if form_id != "supp-stats":
        assert {"SUMPRODUCT", "NOT", "OR", "AND", "ISERROR"} <= used


def test_template_rules_exclude_last_year_and_file_only_rules() -> None:
    spec = load_form("gov-2021")
    rules = template_rules(spec)
    assert not any(r.uses_last_year for r in rules)
    assert {r.id for r in rules}.isdisjoint({"Y1", "Y2", "W2", "W6"})
    assert {r.id for r in spec.rules} - {r.id for r in rules} == {"Y1", "Y2", "W2", "W6"}


# ---------------------------------------------------------------- pandas


def _check(spec: FormSpec, check: str, frame: RuleFrame, when: str | None = None) -> list[bool]:
    compiler = PandasCompiler(spec.year_keys)
    fn = compiler.rule(expr_of(spec, check), expr_of(spec, when) if when else None)
    result = fn(frame)
    assert isinstance(result, np.ndarray) and result.dtype == bool
    assert len(result) == len(frame.index)  # one verdict per return, in frame order
    return [bool(v) for v in result]


def test_blank_counts_as_zero(tiny: FormSpec) -> None:
    frame = RuleFrame(pd.DataFrame({"t.r1.a": [np.nan], "t.r2.a": [2.0], "t.all.a": [2.0]}))
    assert _check(tiny, "t.r1.a + t.r2.a == t.all.a", frame) == [True]
    assert _check(tiny, "t.r1.a == 0", frame) == [True]
    assert _check(tiny, "blank(t.r1.a)", frame) == [True]
    assert _check(tiny, "filled(t.r1.a)", frame) == [False]
    assert _check(tiny, "is_number(t.r1.a)", frame) == [False]
    # a column that is missing altogether is blank too
    assert _check(tiny, "blank(t.r5.b) and t.r5.b == 0", frame) == [True]
    assert _check(tiny, "all_blank(t.r*.b)", frame) == [True]
    assert _check(tiny, "sum(t.r*.a) == 2", frame) == [True]


def test_invalid_text_cell_is_not_blank_and_not_a_number(tiny: FormSpec) -> None:
    values = pd.DataFrame({"t.r1.a": [np.nan, np.nan, 3.0], "t.r2.a": [1.0, 1.0, 1.0]})
    invalid = pd.DataFrame({"t.r1.a": [True, False, False]})
    frame = RuleFrame(values, invalid)
    assert _check(tiny, "blank(t.r1.a)", frame) == [False, True, False]
    assert _check(tiny, "filled(t.r1.a)", frame) == [True, False, True]
    assert _check(tiny, "any_filled(t.r1.a, t.r3.a)", frame) == [True, False, True]
    assert _check(tiny, "is_number(t.r1.a)", frame) == [False, False, True]
    # counts as 0 in arithmetic, as N() does in Excel
    assert _check(tiny, "t.r1.a + t.r2.a == 1", frame) == [True, True, False]
    # so N1 fails on it: filled, not a number
    n1 = "blank(t.r1.a) or (is_number(t.r1.a) and whole(t.r1.a) and t.r1.a >= 0)"
    assert _check(tiny, n1, frame) == [False, True, True]


def test_text_fields_blank_when_none_or_whitespace(tiny: FormSpec) -> None:
    shows_nothing = [None, np.nan, "", "   ", "\u3000", "\n", "\xa0", "\t\r\n", " \xa0\n\u3000"]
    units = [*shows_nothing, "兰江街道", " 0 ", "\u2003"]
    frame = RuleFrame(pd.DataFrame({"meta.unit": pd.Series(units, dtype="object")}))
    # spaces of three widths, line breaks and tabs are blank, as check reads them; an em
    # space is content (the formula's CLEAN and SUBSTITUTEs leave it), a known difference
    n = len(shows_nothing)
    assert _check(tiny, "blank(meta.unit)", frame) == [True] * n + [False] * 3
    assert _check(tiny, "filled(meta.unit)", frame) == [False] * n + [True] * 3
    # a text field never reads as a number
    assert _check(tiny, "is_number(meta.unit)", frame) == [False] * len(units)


def test_a_year_typed_as_text_is_the_year(tiny: FormSpec) -> None:
    years = ["2025", " 2025 ", "2025年度", "2025 年", "2025\xa0", "\n2025", 2025.0, "2025.0"]
    others = ["abc", "２０２５", "20 25", "", "\xa0", None, "2025年度（修改）"]
    column = pd.Series([*years, *others], dtype="object")
    frame = RuleFrame(pd.DataFrame({"meta.year": column, "t.r1.a": column}))
    m1 = "is_number(meta.year) and whole(meta.year) and meta.year >= 1990"
    assert _check(tiny, m1, frame) == [True] * len(years) + [False] * len(others)
    assert _check(tiny, "meta.year == 2025", frame) == [True] * len(years) + [False] * len(others)
    # a number field reads no text: "2025" there is no number (N1), by design
    assert _check(tiny, "is_number(t.r1.a)", frame) == [False] * 5 + [False, True, False] + [
        False
    ] * len(others)


def test_whole_and_negative_change(tiny: FormSpec) -> None:
    frame = RuleFrame(pd.DataFrame({"t.m.change": [-3.0, 2.5, np.nan, 0.0]}))
    n1 = "blank(t.m.change) or (is_number(t.m.change) and whole(t.m.change))"
    assert _check(tiny, n1, frame) == [True, False, True, True]
    assert _check(tiny, "t.m.change + t.r1.a >= 0", frame) == [False, True, True, True]


def test_money_tolerance(tiny: FormSpec) -> None:
    frame = RuleFrame(
        pd.DataFrame(
            {
                "t.m.amount": [0.1 + 0.2, 0.3, 0.30001, 0.3, np.nan],
                "t.m.budget": [0.3, 0.1 + 0.2, 0.3, 0.31, np.nan],
            }
        )
    )
    assert 0.1 + 0.2 != 0.3  # the reason for the tolerance
    assert _check(tiny, "t.m.amount == t.m.budget", frame) == [True, True, False, False, True]
    assert _check(tiny, "t.m.amount != t.m.budget", frame) == [False, False, True, True, False]
    assert _check(tiny, "t.m.amount <= t.m.budget", frame) == [True, True, False, True, True]
    assert _check(tiny, "t.m.amount < t.m.budget", frame) == [False, False, False, True, False]
    assert _check(tiny, "t.m.amount >= t.m.budget", frame) == [True, True, True, False, True]
    assert _check(tiny, "t.m.amount > t.m.budget", frame) == [False, False, True, False, False]
    assert _check(tiny, "t.m.amount == 0.3", frame) == [True, True, False, True, False]


def test_when_guards(tiny: FormSpec) -> None:
    frame = RuleFrame(
        pd.DataFrame({"t.m.amount": [5.0, 5.0, 1.0], "t.m.budget": [np.nan, 4.0, 4.0]})
    )
    assert _check(tiny, "t.m.amount <= t.m.budget", frame, when="filled(t.m.budget)") == [
        True,
        False,
        True,
    ]


def test_vectorised_over_many_returns(tiny: FormSpec) -> None:
    values = pd.DataFrame(
        {
            "t.r1.a": [1.0, 3.0, np.nan, 2.0, np.nan],
            "t.r2.a": [2.0, 1.0, 0.0, np.nan, np.nan],
            "t.m.amount": [1.0, 1.0, 2.5, 0.1 + 0.2, 7.0],
            "t.m.budget": [1.0, 0.5, 2.0, 0.3, np.nan],
            "t.m.change": [0.0, -1.0, -4.0, np.nan, 3.0],
        },
        index=["甲", "乙", "丙", "丁", "戊"],
    )
    frame = RuleFrame(values)
    verdicts = evaluate(tiny, frame, [r for r in tiny.rules if r.id in ("T3", "T4", "T5")])
    assert list(verdicts.index) == ["甲", "乙", "丙", "丁", "戊"]
    assert list(verdicts.columns) == ["T3@t.r1.a", "T4@t.m.amount", "T5@t.m.change"]
    assert all(dtype == np.dtype(bool) for dtype in verdicts.dtypes)
    assert verdicts["T3@t.r1.a"].tolist() == [True, False, True, False, True]
    assert verdicts["T4@t.m.amount"].tolist() == [True, False, False, True, True]
    assert verdicts["T5@t.m.change"].tolist() == [True, True, False, True, True]

    compiled = compile_rules(tiny)
    assert set(compiled) == {r.instance for r in tiny.rules}
    series = compiled["T3@t.r1.a"](frame)
    assert series.tolist() == [True, False, True, False, True]


def test_total_rules_and_w6(tiny: FormSpec) -> None:
    values = pd.DataFrame(
        {
            "t.r1.a": [1.0, 1.0, np.nan, 1.0],
            "t.r1.b": [2.0, 2.0, np.nan, np.nan],
            "t.r1.total": [3.0, 4.0, np.nan, np.nan],
        }
    )
    verdicts = evaluate(tiny, RuleFrame(values))
    assert verdicts["T1@t.r1.total"].tolist() == [True, False, True, False]
    # W6: a blank total with numbers in its parts
    assert verdicts["W6@t.r1.total"].tolist() == [True, True, True, False]


def test_compute_totals_tiny(tiny: FormSpec) -> None:
    values = pd.DataFrame(
        {
            "t.r1.a": [1.0, np.nan],
            "t.r1.b": [2.0, np.nan],
            "t.r2.a": [3.0, np.nan],
            "t.r5.b": [4.0, 1.0],
            "t.r1.total": [99.0, 99.0],  # typed over: recomputed
        }
    )
    out = compute_totals(tiny, values)
    assert out["t.r1.total"].tolist() == [3.0, 0.0]
    assert out["t.r5.total"].tolist() == [4.0, 1.0]
    assert out["t.all.a"].tolist() == [4.0, 0.0]
    assert out["t.all.b"].tolist() == [6.0, 1.0]
    assert out["t.all.total"].tolist() == [10.0, 1.0]  # a total of totals
    assert out["t.r1.a"].isna().tolist() == [False, True]  # inputs untouched
    assert values["t.r1.total"].tolist() == [99.0, 99.0]  # no mutation of the input


def test_compute_totals_gov_2021_total_of_totals() -> None:
    spec = load_form("gov-2021")
    values = pd.DataFrame(
        {
            "applications.granted.natural": [1.0, 2.0],
            "applications.granted.business": [np.nan, 1.0],
            "applications.withheld_3.legal": [np.nan, 4.0],
            "applications.other_2.research": [1.0, np.nan],
            "applications.new.natural": [2.0, 7.0],
            "review.appeal.upheld": [1.0, np.nan],
            "review.appeal.pending": [2.0, np.nan],
        }
    )
    out = compute_totals(spec, values)
    assert out["applications.handled_total.natural"].tolist() == [1.0, 2.0]
    assert out["applications.handled_total.business"].tolist() == [0.0, 1.0]
    assert out["applications.handled_total.legal"].tolist() == [0.0, 4.0]
    assert out["applications.handled_total.research"].tolist() == [1.0, 0.0]
    assert out["applications.granted.total"].tolist() == [1.0, 3.0]
    assert out["applications.new.total"].tolist() == [2.0, 7.0]
    assert out["applications.handled_total.total"].tolist() == [2.0, 7.0]
    assert out["review.appeal.total"].tolist() == [3.0, 0.0]
    verdicts = evaluate(spec, RuleFrame(out))
    for rule in spec.rules:
        if rule.id in ("A2", "A3", "R1"):
            assert verdicts[rule.instance].all(), rule.instance


APPLICANTS = ("natural", "business", "research", "nonprofit", "legal", "other_org", "total")


def _reference_2021(spec: FormSpec) -> dict[str, float | str | None]:
    """The reference report's application figures, in gov-2021 rows; every other cell 0."""
    values: dict[str, float | str | None] = {
        key: 0.0
        for key, fld in spec.fields.items()
        if key.startswith(("applications.", "review.", "active."))
    }
    for row, value in [
        ("new", 2.0),
        ("granted", 1.0),
        ("other_3", 1.0),
        ("handled_total", 2.0),
        ("carried_out", 0.0),
    ]:
        values[f"applications.{row}.natural"] = value
        values[f"applications.{row}.total"] = value
    values["meta.unit"] = "兰江街道办事处"
    values["meta.year"] = 2021.0
    return values


def test_evaluate_gov_2021_reference_figures() -> None:
    spec = load_form("gov-2021")
    good = _reference_2021(spec)
    broken_a1 = {**good, "applications.carried_out.business": 1.0}
    broken_a3 = {**good, "applications.granted.total": 2.0}
    broken_r1 = {**good, "review.suit_after.corrected": 1.0}
    frame = RuleFrame(pd.DataFrame([good, broken_a1, broken_a3, broken_r1]))
    verdicts = evaluate(spec, frame)
    assert set(verdicts.columns) == {r.instance for r in spec.rules}
    by_id: dict[str, list[str]] = {}
    for rule in spec.rules:
        by_id.setdefault(rule.id, []).append(rule.instance)
    checked = [i for rid in ("A1", "A2", "A3", "R1", "N1", "M1", "M2") for i in by_id[rid]]
    assert len(checked) > 60
    good_row = verdicts.iloc[0]
    assert good_row[checked].all(), [i for i in checked if not good_row[i]]
    # every rule holds for the good return (no last year: Y rules do not apply)
    assert good_row.all(), [i for i in verdicts.columns if not good_row[i]]
    # the computed totals agree with the hand-made ones
    computed = compute_totals(spec, pd.DataFrame([good]))
    for total in spec.totals:
        assert computed[total.total].iloc[0] == good[total.total], total.total

    def failing(row: int) -> set[str]:
        return {i for i in verdicts.columns if not verdicts.iloc[row][i]}

    assert failing(1) == {
        "A1@applications.carried_out.business",
        "A3@applications.carried_out.total",  # the row total was not raised with it
    }
    assert failing(2) == {
        "A3@applications.granted.total",
        "A2@applications.handled_total.total",
    }
    assert failing(3) == {"R1@review.suit_after.total", "W3@review.suit_after.corrected"}


def test_blank_totals_are_filled_from_their_parts_and_typed_totals_kept() -> None:
    from toolkit.forms.pandas_rules import fill_blank_totals
    from toolkit.forms.registry import load_form

    spec = load_form("gov-2021")
    values = pd.DataFrame(
        [
            # a published report that gives the parts but leaves every 总计 blank
            {
                "applications.new.natural": 2.0,
                "applications.granted.natural": 1.0,
                "applications.other_3.natural": 1.0,
            },
            # a typed (wrong) total stays what it is, for A3 to report
            {"applications.new.natural": 2.0, "applications.new.total": 5.0},
            # nothing given: nothing made up
            {},
        ],
        dtype=object,
    )
    filled = fill_blank_totals(spec, values)
    frame = RuleFrame(filled)
    totals = frame.number("applications.new.total")
    assert totals[:2].tolist() == [2.0, 5.0] and np.isnan(totals[2])
    # totals of totals: （七）总计 of the 总计 column
    assert frame.number("applications.handled_total.natural")[0] == 2.0
    assert frame.number("applications.handled_total.total")[0] == 2.0
    assert np.isnan(frame.number("applications.handled_total.total")[1])
    verdicts = evaluate(spec, RuleFrame(values))
    assert not verdicts.loc[0, "W6@applications.new.total"]
    assert verdicts.loc[1, "W6@applications.new.total"]
    after = evaluate(spec, frame)
    assert after.loc[0, "A1@applications.carried_out.natural"]
    assert not after.loc[1, "A3@applications.new.total"]


def test_w2_counts_every_cell_typed_into_a_table_totals_included() -> None:
    """FORMS.md: W2 is "every cell blank". Check judges it on the return as typed (a formula
    is not a figure the unit entered), so a table with only its 总计 column is not blank."""
    from toolkit.forms.registry import load_form

    for form in ("gov-2021", "gov-2019"):
        spec = load_form(form)
        typed = pd.DataFrame([{"meta.unit": "兰江街道"}], dtype=object)
        verdicts = evaluate(spec, RuleFrame(typed))
        assert not verdicts.loc[0, "W2@applications.new.natural"]
        assert not verdicts.loc[0, "W2@review.appeal.upheld"]
        only_totals = typed.assign(
            **{"applications.new.total": 3.0, "review.suit_after.total": 0.0}
        )
        verdicts = evaluate(spec, RuleFrame(only_totals))
        assert verdicts.loc[0, "W2@applications.new.natural"]
        assert verdicts.loc[0, "W2@review.appeal.upheld"]
