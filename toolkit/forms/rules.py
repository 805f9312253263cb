"""Totals and rules of a form spec: loops expanded, expressions parsed and typed."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from toolkit.forms.expr import (
    LAST_PREFIX,
    Call,
    Compare,
    Expr,
    ExprError,
    Logic,
    Ref,
    expand_keys,
    expand_pattern,
    parse,
    substitute,
    type_of,
)
from toolkit.forms.model import Field, Rule, Total
from toolkit.forms.validate import SpecError, check_keys, get_str, join, wrong_type

_TOTAL_KEYS = {"rule", "for_each", "total", "parts", "when"}
_RULE_KEYS = {"id", "severity", "message", "for_each", "assert", "when", "at", "in_template"}


class RuleContext:
    def __init__(
        self,
        fields: dict[str, Field],
        sets: dict[str, tuple[str, ...]],
        messages: dict[str, dict[str, str]],
    ) -> None:
        self.fields = fields
        self.keys = list(fields)
        self.sets = sets
        self.messages = messages
        self.totals_seen: set[str] = set()

    def is_field(self, key: str) -> bool:
        bare = key[len(LAST_PREFIX) :] if key.startswith(LAST_PREFIX) else key
        return bare in self.fields

    def kind_of(self, key: str) -> str:
        bare = key[len(LAST_PREFIX) :] if key.startswith(LAST_PREFIX) else key
        return self.fields[bare].kind

    def bindings(self, raw: Any, where: str) -> list[dict[str, str]]:
        if raw is None:
            return [{}]
        if not isinstance(raw, dict) or not raw:
            raise wrong_type(
                join(where, "for_each"),
                "for_each",
            )
        names = list(raw)
        members = []
        for name in names:
            set_name = raw[name]
            if not isinstance(set_name, str) or set_name not in self.sets:
                raise SpecError(
                    join(where, f"for_each.{name}"), "spec.problem.unknown_set", name=set_name
                )
            members.append(self.sets[set_name])
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*members)]

    def expression(self, text: Any, binding: dict[str, str], where: str, want: str) -> Expr:
        if not isinstance(text, str) or not text.strip():
            raise wrong_type(where, "expression")
        try:
            expanded = expand_keys(substitute(text, binding), self.keys, self.sets)
            expr = parse(expanded, self.is_field)
            got = type_of(expr, self.kind_of)
        except ExprError as exc:
            raise SpecError(where, exc.problem, **exc.params) from None
        if (want == "bool") != (got == "bool"):
            raise SpecError(where, "spec.problem.not_boolean", expr=text)
        return expr

    def key(self, text: Any, binding: dict[str, str], where: str) -> str:
        if not isinstance(text, str):
            raise wrong_type(where, "field_key")
        key = substitute(text, binding)
        if key not in self.fields:
            raise SpecError(where, "spec.problem.unknown_field", key=key)
        return key

    def has_message(self, message: str) -> bool:
        from toolkit.messages import has_message

        return any(message in m for m in self.messages.values()) or has_message(
            f"rule.{message}", "zh"
        )


def _severity(raw: dict[str, Any], where: str) -> str:
    severity = raw.get("severity", "error")
    if severity not in ("error", "warning"):
        raise SpecError(join(where, "severity"), "spec.problem.bad_severity", value=severity)
    return severity


def build_totals(raw: Any, where: str, ctx: RuleContext) -> tuple[list[Total], list[Rule]]:
    check_keys(raw, _TOTAL_KEYS, where)
    rule_id = get_str(raw, "rule", where)
    parts_raw = raw.get("parts")
    if (
        not isinstance(parts_raw, list)
        or not parts_raw
        or not all(isinstance(p, str) for p in parts_raw)
    ):
        raise wrong_type(join(where, "parts"), "keys")
    if not ctx.has_message(rule_id):
        raise SpecError(join(where, "rule"), "spec.problem.no_message", message=rule_id)
    totals: list[Total] = []
    rules: list[Rule] = []
    for binding in ctx.bindings(raw.get("for_each"), where):
        total = ctx.key(raw.get("total"), binding, join(where, "total"))
        if ctx.fields[total].kind not in ("count", "money", "change"):
            raise SpecError(join(where, "total"), "spec.problem.not_numeric", expr=total)
        parts: list[str] = []
        try:
            for pattern in parts_raw:
                parts.extend(expand_pattern(substitute(pattern, binding), ctx.keys, ctx.sets))
        except ExprError as exc:
            raise SpecError(join(where, "parts"), exc.problem, **exc.params) from None
        parts = [p for p in dict.fromkeys(parts) if p != total]
        if not parts:
            raise SpecError(
                join(where, "parts"), "spec.problem.pattern_empty", pattern=", ".join(parts_raw)
            )
        when = (
            ctx.expression(raw["when"], binding, join(where, "when"), "bool")
            if "when" in raw
            else None
        )
        item = Total(rule_id, total, tuple(parts), when)
        totals.append(item)
        check = Compare("==", Ref(total), Call("sum", tuple(Ref(p) for p in parts)))
        params = tuple(binding.items())
        rules.append(
            Rule(rule_id, "error", rule_id, check, total, when, params, True, where, total=item)
        )
        if total in ctx.totals_seen:
            continue  # a cell that is a total twice (row and column) gets one W6
        ctx.totals_seen.add(total)
        blank_check = Logic(
            "or", (Call("filled", (Ref(total),)), Call("all_blank", tuple(Ref(p) for p in parts)))
        )
        rules.append(
            Rule("W6", "warning", "W6", blank_check, total, None, params, False, where, total=item)
        )
    return totals, rules


def build_rules(raw: Any, where: str, ctx: RuleContext) -> list[Rule]:
    check_keys(raw, _RULE_KEYS, where)
    rule_id = get_str(raw, "id", where)
    severity = _severity(raw, where)
    message = get_str(raw, "message", where, required=False) or rule_id
    if not ctx.has_message(message):
        raise SpecError(join(where, "message"), "spec.problem.no_message", message=message)
    in_template = raw.get("in_template", True)
    if not isinstance(in_template, bool):
        raise wrong_type(
            join(where, "in_template"),
            "boolean",
        )
    rules = []
    for binding in ctx.bindings(raw.get("for_each"), where):
        check = ctx.expression(raw.get("assert"), binding, join(where, "assert"), "bool")
        when = (
            ctx.expression(raw["when"], binding, join(where, "when"), "bool")
            if "when" in raw
            else None
        )
        at = ctx.key(raw.get("at"), binding, join(where, "at"))
        rule = Rule(
            rule_id, severity, message, check, at, when, tuple(binding.items()), in_template, where
        )
        if rule.uses_last_year:
            rule = replace(rule, in_template=False)
        rules.append(rule)
    return rules


def number_instances(rules: list[Rule]) -> tuple[Rule, ...]:
    """Give each rule instance a stable, unique id: ``A1@applications.carried_out.natural``."""
    seen: dict[str, int] = {}
    out = []
    for rule in rules:
        base = f"{rule.id}@{rule.at}"
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base}#{seen[base]}"
        out.append(replace(rule, instance=name))
    return tuple(out)
