"""What `toolkit check` says about one file: the shape of CHECK-JSON.md (toolkit-check/1)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from toolkit.check.values import Prepared
from toolkit.read.numbers import spreadsheet_digits
from toolkit.read.returns import ReadReturn

SCHEMA = "toolkit-check/1"
META_KEYS = ("unit", "year", "preparer", "phone", "head", "date")


def json_number(value: Any) -> int | float | None:
    """A number for JSON: whole numbers as integers, blank or non-numbers as null."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if math.isnan(value) or math.isinf(value):
        return None
    return int(value) if float(value).is_integer() else spreadsheet_digits(value)


@dataclass
class CheckFinding:
    rule: str
    severity: str  # "error" | "warning"
    message: str
    sheet: str | None = None
    cell: str | None = None
    fields: list[str] = field(default_factory=list)
    expected: float | None = None
    actual: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "sheet": self.sheet,
            "cell": self.cell,
            "fields": list(self.fields),
            "expected": json_number(self.expected),
            "actual": json_number(self.actual),
        }


@dataclass
class FileResult:
    file: str  # the path as given
    sha256: str | None
    form: str | None = None
    meta: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(META_KEYS))
    values: dict[str, Any] = field(default_factory=dict)
    findings: list[CheckFinding] = field(default_factory=list)
    unreadable: bool = False
    why_unreadable: str | None = None  # the message id saying why (read.encrypted, …)
    read: ReadReturn | None = None  # what was read, for --annotate
    # each part's values made ready for the rules, where the file was read (in parallel)
    prepared: list[Prepared] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.unreadable:
            return "unreadable"
        if any(f.severity == "error" for f in self.findings):
            return "errors"
        return "warnings" if self.findings else "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "status": self.status,
            "form": self.form,
            "meta": dict(self.meta),
            "values": dict(self.values),
            "findings": [f.to_json() for f in self.findings],
        }


def exit_code(results: list[FileResult]) -> int:
    """2 when any file is unreadable, else 1 when any has errors, else 0."""
    statuses = {r.status for r in results}
    if "unreadable" in statuses:
        return 2
    return 1 if "errors" in statuses else 0
