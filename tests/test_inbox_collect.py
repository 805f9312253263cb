"""The inbox walk: workbooks in nested folders and mails; attachments land in the work
folder under names we choose, whatever the mail calls them; our marked copies are skipped."""

from __future__ import annotations

import multiprocessing
import os
from email.message import EmailMessage
from pathlib import Path

import pytest

from toolkit.inbox.collect import Inbox, collect

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
    (inbox / "说明.docx").write_bytes(b"PK")
    saved_mail(inbox / "一月" / "二十日" / "来信.eml", "../../逃出去.xlsx", "C:\\凤山街道.xls")
    (inbox / "坏邮件.eml").write_bytes(b"")
    found = collect(inbox, work)
    origins = [r.origin for r in found.received]
    assert origins[0] == str(inbox / "兰江街道.xlsx")
    assert [r.name for r in found.received] == ["兰江街道.xlsx", "逃出去.xlsx", "凤山街道.xls"]
    copies = [r.path for r in found.received[1:]]
    assert all(p.parent == work for p in copies)  # nothing escapes the work folder
    # names we make up: the mail's place in the inbox, the attachment's in the mail
    assert sorted(p.name for p in work.iterdir()) == ["m000001-000001.xlsx", "m000001-000002.xls"]
    assert all(p.read_bytes() == WORKBOOK for p in copies)
    assert found.received[1].sender == "u@example.cn" and found.received[1].sent is not None
    assert found.received[0].modified is not None and found.received[0].sender is None
    assert [u.origin for u in found.problems] == [str(inbox / "坏邮件.eml")]
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
    [note] = found.skipped
    assert note.origin == str(inbox / "只有PDF.eml") and "年报.pdf" in note.message.render()
    assert note.sender == "u@example.cn"  # so that the unit that sent it can be told


def test_many_mails_read_in_parallel_give_what_one_process_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past PARALLEL_MAILS the mails are read by one process per core: the same returns,
    problems and notes in the same order, each attachment's bytes in a copy of its own."""
    import toolkit.inbox.collect as collecting

    inbox = tmp_path / "收件箱"
    (inbox / "子").mkdir(parents=True)
    for i in range(collecting.PARALLEL_MAILS + 4):
        saved_mail(inbox / ("子" if i % 3 else ".") / f"{i:02d}.eml", "年报.xlsx", f"附{i}.xlsx")
    (inbox / "05-坏.eml").write_bytes(b"")
    (inbox / "06-没有附件.eml").write_bytes(b"From: a@b.cn\r\nSubject: x\r\n\r\nbody\r\n")
    (inbox / "兰江.xlsx").write_bytes(WORKBOOK)

    def gathered(work: Path) -> tuple[list, list, list, list]:
        work.mkdir()
        found = collect(inbox, work)
        received = [(r.origin, r.name, r.sender, r.sent) for r in found.received]
        contents = [r.path.read_bytes() == WORKBOOK for r in found.received]
        assert len({r.path for r in found.received}) == len(found.received)  # none shared
        problems = [(u.origin, u.message.message_id) for u in found.problems]
        skipped = [(u.origin, u.message.message_id) for u in found.skipped]
        return received, contents, problems, skipped

    readers = tmp_path / "readers"  # a file per mail, named by the process that read it
    readers.mkdir()
    read_one = collecting._from_mail

    def noted(path: Path, workdir: Path, inbox: Inbox) -> None:
        (readers / f"{os.getpid()}-{path.name}").touch()
        read_one(path, workdir, inbox)

    monkeypatch.setattr(collecting, "_from_mail", noted)  # forked workers inherit it
    mails = collecting.PARALLEL_MAILS + 4
    parallel = gathered(tmp_path / "parallel")
    pids = {int(p.name.split("-")[0]) for p in readers.iterdir()}
    if collecting._usable_cores() > 1 and "fork" in multiprocessing.get_all_start_methods():
        assert os.getpid() not in pids and pids  # the workers read every one of them
    monkeypatch.setattr(collecting, "PARALLEL_MAILS", 10**9)
    assert gathered(tmp_path / "serial") == parallel
    received, contents, problems, skipped = parallel
    assert len(received) == 2 * mails + 1 and all(contents)
    assert problems == [(str(inbox / "05-坏.eml"), "inbox.not_a_mail")]
    assert skipped == [(str(inbox / "06-没有附件.eml"), "inbox.no_workbook")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX links and pipes")
def test_links_and_what_is_no_file_are_said_passed_over(tmp_path: Path) -> None:
    """A symbolic link (to a return, or a folder looping back) is not followed and a pipe
    is not opened; each is listed as passed over (they were left out unsaid)."""
    inbox, work = tmp_path / "收件箱", tmp_path / "work"
    (inbox / "子").mkdir(parents=True)
    work.mkdir()
    (inbox / "年报.xlsx").write_bytes(b"PK")
    (inbox / "链接.xlsx").symlink_to(inbox / "年报.xlsx")
    (inbox / "子" / "回环").symlink_to(inbox)
    os.mkfifo(inbox / "管道.xlsx")
    found = collect(inbox, work)
    assert [Path(r.origin).name for r in found.received] == ["年报.xlsx"]
    said = {Path(s.origin).name: s.message.message_id for s in found.skipped}
    assert said == {
        "链接.xlsx": "inbox.link",
        "回环": "inbox.link",
        "管道.xlsx": "inbox.not_a_file",
    }
