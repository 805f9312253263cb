"""LibreOffice really recalculates: the test engine behind the formula tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

import tests.libreoffice as lo
from tests.libreoffice import convert, recalculate

pytestmark = pytest.mark.libreoffice


def _write_book(path: Path, a1: float, a2: float = 3) -> Path:
    """A1, A2 inputs; A3 =A1+A2 cached as 0; A4 a string formula cached as "x"."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表1")
    ws.write_number("A1", a1)
    ws.write_number("A2", a2)
    ws.write_formula("A3", "=A1+A2", None, 0)
    ws.write_formula("A4", '=IF(A1>1,"✓","✗")', None, "x")
    wb.close()
    return path


def _column_a(path: Path) -> list[object]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("表1")
    return [row[0] for row in sheet.to_python(skip_empty_area=False)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def count_soffice_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count soffice processes started by tests.libreoffice."""
    calls: list[int] = []
    real_run = lo._run

    def counting_run(cmd: list[str], timeout: float) -> tuple[str, str, int]:
        calls.append(len(cmd))
        return real_run(cmd, timeout)

    monkeypatch.setattr(lo, "_run", counting_run)
    return calls


def test_recalculate_replaces_cached_values(soffice: str, tmp_path: Path) -> None:
    book = _write_book(tmp_path / "in" / "年度报告 测试.xlsx", 2)
    assert _column_a(book) == [2.0, 3.0, 0.0, "x"]  # the stale cached values xlsxwriter wrote
    before = _digest(book)

    result = recalculate([book], tmp_path / "out")

    assert list(result) == [book]
    assert result[book] == tmp_path / "out" / "年度报告 测试.xlsx"
    assert _column_a(result[book]) == [2.0, 3.0, 5.0, "✓"]
    assert _digest(book) == before


def test_twenty_files_in_one_soffice_call(
    soffice: str, tmp_path: Path, count_soffice_runs: list[int]
) -> None:
    books: list[Path] = []
    for i in range(10):
        # Same file names in two folders must not clash.
        books.append(_write_book(tmp_path / "甲" / f"单位{i:02d}.xlsx", i))
        books.append(_write_book(tmp_path / "乙" / f"单位{i:02d}.xlsx", 100 + i))

    result = recalculate(books, tmp_path / "out")

    assert len(count_soffice_runs) == 1
    assert list(result) == books
    assert len(set(result.values())) == 20
    for book in books:
        a1 = _column_a(book)[0]
        assert isinstance(a1, float)
        assert _column_a(result[book]) == [a1, 3.0, a1 + 3, "✓" if a1 > 1 else "✗"]


def test_chunks_and_never_overwrites_inputs(
    soffice: str, tmp_path: Path, count_soffice_runs: list[int]
) -> None:
    books = [_write_book(tmp_path / f"b{i}.xlsx", i + 10) for i in range(3)]
    digests = [_digest(b) for b in books]

    # out_dir is the input folder: outputs get a suffix instead of replacing the inputs.
    result = convert(books, tmp_path, "xlsx", chunk_size=2)

    assert len(count_soffice_runs) == 2
    assert [result[b].name for b in books] == ["b0-2.xlsx", "b1-2.xlsx", "b2-2.xlsx"]
    assert [_digest(b) for b in books] == digests
    assert [_column_a(result[b])[2] for b in books] == [13.0, 14.0, 15.0]


def test_unreadable_input_raises_with_soffice_output(soffice: str, tmp_path: Path) -> None:
    good = _write_book(tmp_path / "good.xlsx", 2)
    bad = tmp_path / "损坏.xlsx"
    bad.write_bytes(b"this is not a zip file")

    with pytest.raises(RuntimeError) as excinfo:
        recalculate([good, bad], tmp_path / "out")

    message = str(excinfo.value)
    assert str(bad) in message
    assert str(good) not in message
    assert "stderr" in message


def test_convert_to_pdf(soffice: str, tmp_path: Path) -> None:
    book = _write_book(tmp_path / "报告.xlsx", 2)

    result = convert([book], tmp_path / "pdf", "pdf")

    assert result[book].suffix == ".pdf"
    assert result[book].read_bytes().startswith(b"%PDF")
