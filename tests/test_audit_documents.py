"""`toolkit audit` on published reports with real tables: a page saved from a government
website (GBK, a layout table around everything, navigation, the official merges, labels
broken by <br> and spaces), the same page saved as one file (MHTML), and broken copies."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.libreoffice import convert
from tests.published import lanjiang_2020_page, lanjiang_2020_values
from tests.support import run_toolkit


def audit(path: Path) -> tuple[int, dict]:
    done = run_toolkit("audit", str(path), "--format", "json")
    assert "Traceback" not in done.stderr
    [result] = json.loads(done.stdout)["results"]
    return done.returncode, result


def save(tmp_path: Path, page: str, name: str = "兰江街道.html") -> Path:
    path = tmp_path / name
    path.write_bytes(page.encode("gb18030"))
    return path


def test_a_saved_government_page_audits_to_its_published_figures(tmp_path: Path) -> None:
    code, result = audit(save(tmp_path, lanjiang_2020_page()))
    expected = lanjiang_2020_values()
    assert {k: result["values"].get(k) for k in expected} == expected
    assert result["form"] == "gov-2019"
    assert (result["meta"]["unit"], result["meta"]["year"]) == ("余姚市兰江街道", 2020)
    assert result["meta"]["date"] == "2021-01-26"
    assert (code, result["findings"]) == (0, [])


def test_the_page_saved_as_one_file_reads_the_same(tmp_path: Path) -> None:
    message = EmailMessage()
    message["MIME-Version"] = "1.0"
    message["Subject"] = "兰江街道2020年度报告"
    message.set_type("multipart/related")
    html = EmailMessage()
    html.set_content(lanjiang_2020_page().encode("gb18030"), "text", "html", cte="base64")
    html.set_param("charset", "gb2312")
    message.attach(html)
    path = tmp_path / "兰江街道.mht"
    path.write_bytes(message.as_bytes())
    code, result = audit(path)
    expected = lanjiang_2020_values()
    assert {k: result["values"].get(k) for k in expected} == expected
    assert (code, result["findings"]) == (0, [])


def test_a_total_off_by_one_on_the_page_is_an_error_at_its_cell(tmp_path: Path) -> None:
    values = lanjiang_2020_values()
    values["applications.handled_total.total"] = 3
    code, result = audit(save(tmp_path, lanjiang_2020_page(values)))
    assert code == 1
    a3 = [f for f in result["findings"] if f["rule"] == "A3"]
    assert len(a3) == 1
    assert a3[0]["fields"][0] == "applications.handled_total.total"
    assert (a3[0]["expected"], a3[0]["actual"]) == (2, 3)
    assert a3[0]["sheet"] == "表3" and a3[0]["cell"]  # the 3rd table of the page, its cell


def test_a_label_typo_on_the_page_is_named(tmp_path: Path) -> None:
    page = lanjiang_2020_page().replace("（一）予以公开", "（一）予于公开")
    code, result = audit(save(tmp_path, page))
    [missing] = result["findings"]
    assert missing["rule"] == "W2" and "予以公开" in missing["message"]
    assert "applications.granted.total" in missing["fields"]
    assert result["values"]["applications.granted.natural"] is None
    assert code == 0  # nothing is judged on a row that is not there


def test_a_missing_table_is_a_w2_not_a_crash(tmp_path: Path) -> None:
    page = lanjiang_2020_page()
    start = page.index("<p>（二）政府信息公开行政复议")
    end = page.index("<p>六、存在的问题")
    code, result = audit(save(tmp_path, page[:start] + page[end:]))
    missing = [f for f in result["findings"] if f["rule"] == "W2"]
    assert missing and "复议诉讼" in missing[0]["message"]
    assert result["values"]["review.appeal.total"] is None
    assert code == 0


def test_hostile_pages_are_unreadable_with_exit_2(tmp_path: Path) -> None:
    huge = save(tmp_path, '<table><tr><td colspan="1000000000">x</td></tr></table>', "a.html")
    code, result = audit(huge)
    assert (code, result["findings"][0]["rule"]) == (2, "F1")
    assert "异常" in result["findings"][0]["message"]
    word97 = tmp_path / "b.doc"
    word97.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600)
    code, result = audit(word97)
    assert (code, result["status"]) == (2, "unreadable")


@pytest.mark.libreoffice
def test_the_page_converted_to_word_by_libreoffice_reads_the_same(
    writer: str, tmp_path: Path
) -> None:
    """Units paste or convert their web page into Word: another program's .docx, with the
    page's layout table around the report's tables."""
    page = save(tmp_path, lanjiang_2020_page())
    made = convert([page], tmp_path / "word", "docx:MS Word 2007 XML", soffice=writer)[page]
    code, result = audit(made)
    expected = lanjiang_2020_values()
    assert {k: result["values"].get(k) for k in expected} == expected
    assert (code, result["findings"]) == (0, [])
    assert result["meta"]["date"] == "2021-01-26"


def test_a_small_table_nested_in_a_cell_is_that_cells_content(tmp_path: Path) -> None:
    """A CMS editor left the 勾稽关系 note inside a one-cell table of its own: the
    申请情况 table around it is still the report's table, not page layout."""
    note = "（本列数据的勾稽关系为：第一项加第二项之和，<br>等于第三项加第四项之和）"
    page = lanjiang_2020_page().replace(note, f"<table><tr><td>{note}</td></tr></table>")
    assert page.count("<table") == lanjiang_2020_page().count("<table") + 1
    code, result = audit(save(tmp_path, page))
    expected = lanjiang_2020_values()
    assert {k: result["values"].get(k) for k in expected} == expected
    assert (code, result["findings"]) == (0, [])


def test_a_page_is_dated_only_under_its_signature(tmp_path: Path) -> None:
    """A date line elsewhere on the page (under the title: when it was put online) is not the
    day the report was signed: a page whose signature has no date has none."""
    signed = '<p style="text-align:right">2021年1月26日</p>'
    page = lanjiang_2020_page()
    assert signed in page
    opening = '<div class="content"><p>'
    assert opening in page  # where the report's text begins, under the page's header
    moved = page.replace(signed, "").replace(opening, opening + "2021年3月1日</p><p>", 1)
    _, result = audit(save(tmp_path, moved))
    assert result["meta"]["date"] is None
