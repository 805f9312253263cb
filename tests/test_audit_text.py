"""`toolkit audit` on reports whose tables were flattened into text, one cell per line: the
reference report gives back exactly its published figures with no finding, and broken copies
of it give the findings a reader of the report would expect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.published import lanjiang_2020_values
from tests.support import run_toolkit

HERE = Path(__file__).parent
OWN_FIXTURE = HERE.parent / "examples" / "兰江街道2020年报（网页文字）.txt"
REFERENCE = HERE.parent.parent / "shared" / "reference" / "lanjiang-2020-published-report.txt"


def audit(*paths: Path) -> tuple[int, list[dict]]:
    done = run_toolkit("audit", *map(str, paths), "--format", "json")
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)["results"]


def reference_text() -> str:
    if not REFERENCE.is_file():
        pytest.skip("../shared/reference is not here (a fresh clone alone)")
    return REFERENCE.read_text(encoding="utf-8")


def assert_published_figures(result: dict) -> None:
    expected = lanjiang_2020_values()
    assert result["form"] == "gov-2019"
    assert {k: result["values"].get(k) for k in expected} == expected
    numeric = {k for k in result["values"] if not k.startswith("meta.")}
    assert numeric == set(expected)  # every figure of the form, and only those
    assert "兰江街道" in result["meta"]["unit"]
    assert result["meta"]["year"] == 2020
    assert result["meta"]["date"] == "2021-01-26"


def test_the_reference_report_audits_to_its_published_figures(tmp_path: Path) -> None:
    path = tmp_path / "兰江街道.txt"
    path.write_text(reference_text(), encoding="utf-8")
    code, [result] = audit(path)
    assert_published_figures(result)
    assert result["findings"] == []
    assert (code, result["status"]) == (0, "ok")


def test_the_reference_report_without_its_tabs_reads_the_same(tmp_path: Path) -> None:
    # a copy that lost the tab-indented cells (and with them the empty cells)
    plain = "\n".join(line.strip() for line in reference_text().splitlines() if line.strip())
    path = tmp_path / "兰江街道.txt"
    path.write_text(plain, encoding="utf-8")
    code, [result] = audit(path)
    assert_published_figures(result)
    assert (code, result["findings"]) == (0, [])


def test_the_reference_report_in_gbk_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "兰江街道.txt"
    path.write_bytes(reference_text().encode("gb18030"))
    code, [result] = audit(path)
    assert_published_figures(result)
    assert code == 0


def test_our_own_flattened_fixture_audits_to_the_same_figures() -> None:
    code, [result] = audit(OWN_FIXTURE)
    assert_published_figures(result)
    assert result["meta"]["unit"] == "兰江街道办事处"
    assert (code, result["findings"]) == (0, [])


def _broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = OWN_FIXTURE.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path = tmp_path / "broken.txt"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_a_total_off_by_one_is_an_error_at_that_total(tmp_path: Path) -> None:
    # （七）总计's 总计 column says 3 where its parts add up to 2
    path = _broken(tmp_path, "（七）总计\n2\n0\n0\n0\n0\n0\n2", "（七）总计\n2\n0\n0\n0\n0\n0\n3")
    code, [result] = audit(path)
    assert code == 1
    at_total = [f for f in result["findings"] if "applications.handled_total.total" in f["fields"]]
    rules = {f["rule"] for f in at_total}
    # 3 ≠ 2 + 0 + … (A3), and ≠ 1 + 0 + … + 1 (A2): one cell, one verdict, said once; A1
    # fails only through this wrong total, reported at it
    assert rules == {"A3"} and len(at_total) == 1
    a3 = next(f for f in at_total if f["rule"] == "A3")
    assert (a3["expected"], a3["actual"]) == (2, 3)
    assert "第" in a3["message"] and "行" in a3["message"]  # the line to look at
    assert result["values"]["applications.handled_total.total"] == 3


def test_a_missing_row_is_named_and_nothing_else_is_invented(tmp_path: Path) -> None:
    path = _broken(tmp_path, "2.重复申请\n0\n0\n0\n0\n0\n0\n0\n", "")
    code, [result] = audit(path)
    missing = [f for f in result["findings"] if f["rule"] == "W2"]
    assert len(missing) == 1
    assert set(missing[0]["fields"]) == {
        f"applications.refused_2.{c}"
        for c in ("natural", "business", "research", "nonprofit", "legal", "other_org", "total")
    }
    assert "重复申请" in missing[0]["message"]
    assert result["values"]["applications.refused_2.total"] is None
    # the other rows are still read in their places
    assert result["values"]["applications.refused_3.total"] == 0
    assert result["values"]["applications.other.total"] == 1
    assert code == 0  # a warning: blank cells count as 0 and every rule still holds


def test_a_label_typo_leaves_that_row_unread_and_says_so(tmp_path: Path) -> None:
    path = _broken(tmp_path, "（一）予以公开", "（一）予于公开")
    code, [result] = audit(path)
    missing = [f for f in result["findings"] if f["rule"] == "W2"]
    assert missing and "applications.granted.natural" in missing[0]["fields"]
    assert result["values"]["applications.granted.natural"] is None
    # the row is unknown, not blank: no A2 is invented from its absence (the W2 says why
    # the 办理结果 could not be verified)
    assert {f["rule"] for f in result["findings"]} == {"W2"}
    assert code == 0


def test_a_row_that_lost_a_cell_is_not_guessed(tmp_path: Path) -> None:
    # one blank cell of 一、本年新收 dropped out when the page was copied: 6 numbers for 7
    path = _broken(
        tmp_path,
        "一、本年新收到政府信息公开申请数量\n2\n0\n0\n0\n0\n0\n2",
        "一、本年新收到政府信息公开申请数量\n2\n0\n0\n0\n0\n2",
    )
    code, [result] = audit(path)
    unplaced = [f for f in result["findings"] if f["rule"] == "T1"]
    assert len(unplaced) == 1
    assert unplaced[0]["severity"] == "warning"
    assert "本年新收" in unplaced[0]["message"] and "6" in unplaced[0]["message"]
    assert all(result["values"][f"applications.new.{c}"] is None for c in ("natural", "total"))
    # no rule is judged on the unread row: no A1/A3 invented from our blanks
    assert not [
        f
        for f in result["findings"]
        if "applications.new.total" in f["fields"] and f["rule"] != "T1"
    ]
    assert code == 0


def test_a_text_that_is_no_report_is_unreadable_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "通知.txt"
    path.write_text("关于做好2025年度政府信息公开工作年度报告编制工作的通知\n各单位：……\n", "utf-8")
    code, [result] = audit(path)
    assert (code, result["status"], result["findings"][0]["rule"]) == (2, "unreadable", "F2")
