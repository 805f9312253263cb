"""Helpers shared by the template tests: build templates, fill them, read them back."""

from __future__ import annotations

import html
import io
import os
import re
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from python_calamine import CalamineWorkbook

from toolkit.cellmap import parse_rows
from toolkit.errors import UserError
from toolkit.forms.model import FormSpec
from toolkit.forms.pandas_rules import RuleFrame, evaluate
from toolkit.forms.registry import load_form
from toolkit.template.writer import META_SHEET, TemplateOptions, template_rules, write_template


def assert_user_error(error: UserError, message_id: str, *fragments: str) -> None:
    """``error`` has ``message_id`` and renders in both languages, mentioning ``fragments``."""
    assert error.message_id == message_id
    for lang in ("zh", "en"):
        text = error.render(lang)
        assert text != message_id, f"{message_id} missing in {lang}"
        assert "{" not in text, f"unfilled parameter in {lang}: {text}"
        for fragment in fragments:
            assert fragment in text, f"{fragment!r} not in {lang} message {text!r}"


YEARS = {"gov-2021": 2025, "gov-2019": 2020, "supp-stats": 2025}


def build_template(
    form: str | FormSpec, path: Path, unit: str | None = "测试街道", year: int | None = None
) -> FormSpec:
    spec = load_form(form) if isinstance(form, str) else form
    write_template(spec, path, TemplateOptions(year=year or YEARS.get(spec.id, 2025), unit=unit))
    return spec


def read_map(path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """The field map and the check map the template stores in its hidden sheet."""
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)
    _, sections = parse_rows(rows)
    return sections["fields"], sections["checks"]


def cell_index(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return int(digits) - 1, col - 1


def read_sheets(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {
        name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names
    }


def value_at(sheets: dict[str, list[list[Any]]], sheet: str, ref: str) -> Any:
    row, col = cell_index(ref)
    rows = sheets[sheet]
    if row >= len(rows) or col >= len(rows[row]):
        return ""
    return rows[row][col]


def fill_workbook(template: Path, target: Path, values: dict[str, Any]) -> None:
    """Type values into a template with openpyxl, as a user (or a script) would."""
    fields, _ = read_map(template)
    wb = openpyxl.load_workbook(template)
    for key, value in values.items():
        sheet, ref = fields[key]
        wb[sheet][ref].value = value
    wb.save(target)


def error_cells(path: Path) -> set[tuple[str, str]]:
    """Cells holding an error value (#DIV/0!…): calamine reads them as '', the XML says t="e"."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        targets = {}
        for rel in re.findall(r"<Relationship [^>]*>", rels):
            ident = re.search(r'Id="([^"]+)"', rel)
            target = re.search(r'Target="([^"]+)"', rel)
            if ident and target:
                targets[ident.group(1)] = target.group(1)
        found = set()
        for sheet in re.findall(r"<sheet [^>]*>", workbook):
            name = html.unescape(re.search(r'name="([^"]+)"', sheet).group(1))
            rel = re.search(r'r:id="([^"]+)"', sheet).group(1)
            part = "xl/" + targets[rel].removeprefix("/xl/").removeprefix("xl/")
            xml = archive.read(part).decode("utf-8")
            for ref in re.findall(r'<c r="([A-Z]+[0-9]+)"[^>]*t="e"', xml):
                found.add((name, ref))
        return found


def frame_from_cells(
    spec: FormSpec,
    sheets: dict[str, list[list[Any]]],
    fields: dict[str, tuple[str, str]],
    errors: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
    typed: dict[str, Any] | None = None,
) -> RuleFrame:
    """The cells as found ('' read as empty), and which of them hold an error value.

    ``typed`` values replace what was read back for the cells they name (not formulas): a
    workbook saved by LibreOffice keeps 15 significant digits, so what it judged and what it
    wrote can differ in the last digits.
    """
    values: dict[str, Any] = {}
    flagged: dict[str, bool] = {}
    for key in spec.fields:
        raw = value_at(sheets, *fields[key])
        values[key] = None if raw == "" else raw
        if (
            typed
            and key in typed
            and not (isinstance(typed[key], str) and typed[key].startswith("="))
        ):
            values[key] = typed[key]
        flagged[key] = fields[key] in errors
    return RuleFrame(pd.DataFrame([values], dtype=object), errors=pd.DataFrame([flagged]))


def pandas_verdicts(spec: FormSpec, frame: RuleFrame) -> dict[str, bool]:
    result = evaluate(spec, frame, template_rules(spec))
    return {k: bool(v) for k, v in result.iloc[0].items()}


def excel_verdicts(
    sheets: dict[str, list[list[Any]]], checks: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    return {instance: value_at(sheets, sheet, ref) for instance, (sheet, ref) in checks.items()}


def run_toolkit(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed command as a user runs it, in a fresh process (``env`` added to ours)."""
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env={**os.environ, **env} if env else None,
    )


def mail_of(
    sender: str | None,
    date: str | None,
    *attachments: tuple[str, bytes] | EmailMessage,
    body: str = "请查收",
) -> EmailMessage:
    """A mail from ``sender`` dated ``date`` (None: without the header) carrying workbooks
    as (name, bytes), and mails forwarded as attachments."""
    message = EmailMessage()
    if sender is not None:
        message["From"] = sender
    if date is not None:
        message["Date"] = date
    message["Subject"] = "年报"
    message.set_content(body)
    for attachment in attachments:
        if isinstance(attachment, EmailMessage):
            message.add_attachment(attachment)
        else:
            name, data = attachment
            message.add_attachment(data, "application", "octet-stream", filename=name)
    return message


def saved_mail(
    path: Path, date: str, name: str, data: bytes, sender: str = "单位 <unit@example.cn>"
) -> Path:
    """A mail as a clerk saves it (.eml): one workbook attachment named ``name``."""
    path.write_bytes(bytes(mail_of(sender, date, (name, data))))
    return path


def laid_out_by_hand(path: Path) -> bytes:
    """The filled template at ``path`` without its field map, as a unit that copied the
    tables into a workbook of its own sends it: read by its labels."""
    workbook = openpyxl.load_workbook(path)
    del workbook[META_SHEET]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
