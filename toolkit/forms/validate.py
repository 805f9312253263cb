"""Small checks shared by the spec loader's parts: one exception, typed getters, key paths."""

from __future__ import annotations

import re
from typing import Any

from toolkit.forms.model import KINDS
from toolkit.messages import Message

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KEY_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*$")


class SpecError(Exception):
    """Internal: a problem at a place; turned into UserError with the file name."""

    def __init__(self, where: str, problem: str, **params: object) -> None:
        super().__init__(problem)
        self.where = where
        self.problem = problem
        self.params = params


def wrong_type(where: str, expected: str, **params: object) -> SpecError:
    """A value of the wrong type; ``expected`` names a ``spec.expect.*`` message."""
    return SpecError(
        where, "spec.problem.wrong_type", expected=Message(f"spec.expect.{expected}"), **params
    )


def check_keys(obj: Any, allowed: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise wrong_type(where or "/", "table")
    for key in obj:
        if key not in allowed:
            raise SpecError(
                join(where, key),
                "spec.problem.unknown_key",
                key=key,
                allowed=", ".join(sorted(allowed)),
            )


def join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def get_str(
    obj: dict[str, Any], key: str, where: str, required: bool = True, default: str = ""
) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise SpecError(join(where, key), "spec.problem.missing_key", key=key)
        return default
    if not isinstance(value, str) or (required and not value.strip()):
        raise wrong_type(join(where, key), "text")
    return value


def get_int(obj: dict[str, Any], key: str, where: str, default: int) -> int:
    value = obj.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise wrong_type(
            join(where, key),
            "positive_whole",
        )
    return value


def get_strings(obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise wrong_type(join(where, key), "texts")
    return tuple(value)


def get_kind(obj: dict[str, Any], where: str, default: str) -> str:
    kind = obj.get("kind", default)
    if kind not in KINDS:
        raise SpecError(
            join(where, "kind"), "spec.problem.bad_kind", kind=kind, allowed=", ".join(KINDS)
        )
    return kind


def get_key(obj: dict[str, Any], where: str, required: bool = True) -> str:
    """A key segment (``natural``, ``withheld_1``): lower-case letters, digits, underscores."""
    key = get_str(obj, "key", where, required=required)
    if key and not KEY_PATTERN.match(key):
        raise SpecError(join(where, "key"), "spec.problem.bad_key", key=key)
    return key
