"""The inbox walk: workbooks in nested folders and mails; attachments land in the work
folder under names we choose, whatever the mail calls them; our marked copies are skipped."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from toolkit.inbox.collect import collect

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = (ROOT / "examples" / "凤山街道2025年报.xlsx").read_bytes()


def saved_mail(path: Path, *names: str) -> Path:
    message = EmailMessage()
    message["From"] = "单位 <u@example.cn>"
    message["Date"] = "Tue, 20 Jan 2026 09:30:00 +0800"
    message.set_content("见附件")
    for name in names:
        message.add_attachment(
            WORKBOOK, maintype="application", subtype="octet-stream", filename=name
        )
    path.write_bytes(bytes(message))
    return path


def test_files_and_mail_attachments_at_any_depth(tmp_path: Path) -> None:
    inbox, work = tmp_path / "收件箱", tmp_path / "work"
    (inbox / "一月" / "二十日").mkdir(parents=True)
    work.mkdir()
    (inbox / "兰江街道.xlsx").write_bytes(WORKBOOK)
    (inbox / "兰江街道.批注.xlsx").write_bytes(WORKBOOK)  # our own marked copy
    (inbox / "说明.docx").write_bytes(b"PK")
    saved_mail(inbox / "一月" / "二十日" / "来信.eml", "../../逃出去.xlsx", "C:\\凤山街道.xls")
    (inbox / "坏邮件.eml").write_bytes(b"")
    found = collect(inbox, work)
    origins = [r.origin for r in found.received]
    assert origins[0] == str(inbox / "兰江街道.xlsx")
    assert [r.name for r in found.received] == ["兰江街道.xlsx", "逃出去.xlsx", "凤山街道.xls"]
    copies = [r.path for r in found.received[1:]]
    assert all(p.parent == work for p in copies)  # nothing escapes the work folder
    assert sorted(p.name for p in work.iterdir()) == ["000001.xlsx", "000002.xls"]
    assert all(p.read_bytes() == WORKBOOK for p in copies)
    assert found.received[1].sender == "u@example.cn" and found.received[1].sent is not None
    assert found.received[0].modified is not None and found.received[0].sender is None
    assert [origin for origin, _ in found.problems] == [str(inbox / "坏邮件.eml")]
    assert not (tmp_path / "逃出去.xlsx").exists()


def test_a_mail_without_a_workbook_is_accounted_for(tmp_path: Path) -> None:
    inbox, work = tmp_path / "收件箱", tmp_path / "work"
    inbox.mkdir()
    work.mkdir()
    message = EmailMessage()
    message["From"] = "单位 <u@example.cn>"
    message.set_content("年报见附件")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="年报.pdf")
    (inbox / "只有PDF.eml").write_bytes(bytes(message))
    found = collect(inbox, work)
    assert found.received == [] and found.problems == []
    [(origin, note)] = found.skipped
    assert origin == str(inbox / "只有PDF.eml") and "年报.pdf" in note.render()
