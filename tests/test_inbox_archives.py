"""Workbooks packed into a .zip — saved into the inbox or attached to a mail — are returns;
archives we cannot open and files that are no return are named, never passed over in
silence. Names inside an archive are only shown: nothing is written outside the work folder.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support import run_toolkit as toolkit
from toolkit import limits
from toolkit.inbox.collect import Inbox, collect

ROOT = Path(__file__).resolve().parent.parent
REPORT = (ROOT / "examples" / "凤山街道2025年报.xlsx").read_bytes()


def packed(entries: dict[str, bytes], gbk: bool = False, encrypted: bool = False) -> bytes:
    """A zip archive; ``gbk``: non-ASCII names written as Chinese Windows writes them (GBK
    bytes, no UTF-8 flag), which zipfile cannot write itself: ASCII stand-ins of the same
    length are written, then their bytes replaced. ``encrypted``: its first entry flagged
    as encrypted."""
    stand_ins: dict[bytes, bytes] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (name, data) in enumerate(entries.items()):
            written = name
            if gbk and not name.isascii():
                raw = name.encode("gbk")
                written = (f"S{i:02d}" + "_" * len(raw))[: len(raw)]
                stand_ins[written.encode("ascii")] = raw
            archive.writestr(written, data)
    data = buffer.getvalue()
    for stand_in, raw in stand_ins.items():
        data = data.replace(stand_in, raw)
    if encrypted:  # zipfile writes no encrypted entry: the flag is set in both headers
        marked = bytearray(data)
        for signature, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = marked.find(signature)
            marked[start + at] |= 0x1
        data = bytes(marked)
    return data


def mail_with(path: Path, name: str, data: bytes) -> Path:
    message = EmailMessage()
    message["From"] = "兰江街道 <lj@example.cn>"
    message["Date"] = "Tue, 20 Jan 2026 09:30:00 +0800"
    message.set_content("年报和补充表在压缩包里")
    message.add_attachment(data, maintype="application", subtype="zip", filename=name)
    path.write_bytes(bytes(message))
    return path


def folders(root: Path) -> tuple[Path, Path]:
    """An inbox folder and the work folder attachments are copied into."""
    inbox, work = root / "收件箱", root / "work"
    inbox.mkdir()
    work.mkdir()
    return inbox, work


def collect_within(
    inbox: Path, work: Path, monkeypatch: pytest.MonkeyPatch, **settings: str
) -> Inbox:
    """``collect`` with the limits of ``settings`` (environment variables), then the
    defaults again."""
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    limits.current.cache_clear()
    try:
        return collect(inbox, work)
    finally:
        for name in settings:
            monkeypatch.delenv(name)
        limits.current.cache_clear()


def test_workbooks_in_a_zip_are_returns_and_nothing_escapes(tmp_path: Path) -> None:
    inbox, work = folders(tmp_path)
    (inbox / "兰江街道.zip").write_bytes(
        packed(
            {
                "兰江街道年报.xlsx": REPORT,
                "../../逃出去.xlsx": REPORT,
                "说明.docx": b"PK",
                "__MACOSX/._兰江街道年报.xlsx": b"\x00\x05",
            },
            gbk=True,
        )
    )
    found = collect(inbox, work)
    assert [r.name for r in found.received] == ["兰江街道年报.xlsx", "逃出去.xlsx"]
    assert [r.origin for r in found.received] == [
        f"{inbox / '兰江街道.zip'} › 兰江街道年报.xlsx",
        f"{inbox / '兰江街道.zip'} › 逃出去.xlsx",
    ]
    assert all(r.path.parent == work and r.path.read_bytes() == REPORT for r in found.received)
    assert found.received[0].modified is not None  # the archive's own time
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work", "收件箱"]
    assert found.problems == [] and found.skipped == []


def test_a_zip_attached_to_a_mail_carries_the_mails_sender_and_date(tmp_path: Path) -> None:
    inbox, work = folders(tmp_path)
    mail_with(inbox / "来信.eml", "年报.zip", packed({"兰江年报.xlsx": REPORT}))
    [received] = collect(inbox, work).received
    assert received.origin == f"{inbox / '来信.eml'} › 年报.zip › 兰江年报.xlsx"
    assert received.sender == "lj@example.cn" and received.sent is not None


def test_what_cannot_be_read_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, work = folders(tmp_path)
    (inbox / "阳明.rar").write_bytes(b"Rar!\x1a\x07\x00")
    (inbox / "说明.pdf").write_bytes(b"%PDF-1.4")
    (inbox / "兰江来信.MSG").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # Outlook's
    (inbox / "Thumbs.db").write_bytes(b"\x00")
    (inbox / ".DS_Store").write_bytes(b"\x00")
    (inbox / "坏的.zip").write_bytes(b"PK\x03\x04 not really")
    (inbox / "加密.zip").write_bytes(packed({"年报.xlsx": REPORT}, encrypted=True))
    (inbox / "只有文档.zip").write_bytes(packed({"年报.docx": b"PK"}))
    (inbox / "太多.zip").write_bytes(packed({f"{i}.xlsx": REPORT for i in range(4)}))
    (inbox / "太大.zip").write_bytes(packed({"年报.xlsx": REPORT}) + b"\x00" * 1_100_000)
    found = collect_within(
        inbox, work, monkeypatch, TOOLKIT_MAX_ZIP_ENTRIES="3", TOOLKIT_MAX_FILE_MB="1"
    )
    assert found.received == []
    problems = {Path(u.origin).name: u.message.message_id for u in found.problems}
    assert problems == {
        "坏的.zip": "inbox.archive_corrupt",
        "加密.zip › 年报.xlsx": "inbox.archive_entry_skipped",
        "太多.zip": "inbox.archive_too_many_entries",
        "太大.zip": "inbox.archive_file_too_large",  # not even read
        "阳明.rar": "inbox.archive_unsupported",  # a return no reader opens, as in a mail
        # a unit's mail no reader here opens: not read (exit 2), named for whose it is
        "兰江来信.MSG": "inbox.outlook_mail",
    }
    assert next(u for u in found.problems if u.name == "兰江来信.MSG").clerks_to_mend
    # each limit is said with the figures and the setting that raises it
    said = {Path(u.origin).name: u.message.render() for u in found.problems}
    assert (
        "有 4 个文件，超过 3 个" in said["太多.zip"]
        and "TOOLKIT_MAX_ZIP_ENTRIES" in said["太多.zip"]
    )
    assert "超过单个文件 1 MB" in said["太大.zip"] and "TOOLKIT_MAX_FILE_MB" in said["太大.zip"]
    skipped = {Path(u.origin).name: u.message for u in found.skipped}
    assert {name: m.message_id for name, m in skipped.items()} == {
        "说明.pdf": "inbox.not_a_return",
        "只有文档.zip": "inbox.archive_no_workbook",
    }
    assert "年报.docx" in skipped["只有文档.zip"].render()
    assert list(work.iterdir()) == []


def test_an_archive_inside_an_archive_is_named_not_dropped(tmp_path: Path) -> None:
    """A zip holding a return and another zip (a unit's return packed twice): the return
    is read, and the inner archive is said, with the mail's sender, for the clerk to unpack
    (before, it vanished and its unit stood as not sent)."""
    inbox, work = folders(tmp_path)
    inner = packed({"嵌套单位年报.xlsx": REPORT})
    mail_with(inbox / "来信.eml", "两层.zip", packed({"外层.xlsx": REPORT, "里层/内.zip": inner}))
    found = collect(inbox, work)
    assert [r.name for r in found.received] == ["外层.xlsx"]
    [nested] = found.problems
    assert nested.origin == f"{inbox / '来信.eml'} › 两层.zip › 内.zip"
    assert nested.message.message_id == "inbox.nested_archive" and nested.clerks_to_mend
    assert (nested.name, nested.sender) == ("内.zip", "lj@example.cn")


@pytest.mark.parametrize("mails", [3, 20])  # read here, and by forked workers
def test_what_a_run_copies_out_of_mails_is_limited_in_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mails: int
) -> None:
    """Each archive is within its limits, but a mail of many of them (or many such mails)
    could fill the disk: past TOOLKIT_MAX_INBOX_COPIES_MB in all, the rest are said, not
    copied — the same count whether the mails are read here or by workers."""
    inbox, work = folders(tmp_path)
    for i in range(mails):
        mail_with(inbox / f"{i:02d}.eml", f"{i}.zip", packed({f"年报{i}.xlsx": REPORT}))
    fit = 2
    found = collect_within(
        inbox, work, monkeypatch, TOOLKIT_MAX_INBOX_COPIES_MB=str((fit * len(REPORT) + 1) / 2**20)
    )
    assert len(found.received) == fit and len(list(work.iterdir())) == fit
    assert [u.message.message_id for u in found.problems] == ["inbox.copies_over_limit"] * (
        mails - fit
    )
    assert "TOOLKIT_MAX_INBOX_COPIES_MB" in found.problems[0].message.render()


_PARENT = os.getpid()


def _dies_after_copying(workdir: Path, index: int, path: Path) -> object:
    """A mail reader that, forked, dies after reading its sixth mail (its copies counted)."""
    from toolkit.inbox.collect import Inbox, _from_mail

    part = Inbox(prefix=f"m{index:06d}-")
    _from_mail(path, workdir, part)
    if os.getpid() != _PARENT and index == 5:
        os._exit(1)
    return part


def test_the_copy_limit_is_counted_once_when_a_mail_reader_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forked mail reader that dies has every mail read again here: what the workers had
    copied is not counted a second time against the run's limit (before, most mails were
    then refused as over it)."""
    from toolkit.inbox import collect as collecting

    inbox, work = folders(tmp_path)
    for i in range(20):
        mail_with(inbox / f"{i:02d}.eml", f"{i}.zip", packed({f"年报{i}.xlsx": REPORT}))
    monkeypatch.setattr(collecting, "_mail_part", _dies_after_copying)
    found = collect_within(
        inbox, work, monkeypatch, TOOLKIT_MAX_INBOX_COPIES_MB=str((25 * len(REPORT)) / 2**20)
    )
    assert len(found.received) == 20 and found.problems == []


def test_a_workbook_in_a_zip_past_a_limit_is_said_with_that_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry over the size of one file, and the workbooks past the count one archive is
    read for, are each said with their own limit (not as "encrypted, too large or
    damaged")."""
    from toolkit.inbox import archive

    inbox, work = folders(tmp_path)
    (inbox / "大.zip").write_bytes(packed({"年报.xlsx": b"\x00" * 30_000}))
    (inbox / "多.zip").write_bytes(packed({f"{i}.xlsx": b"PK" for i in range(3)}))
    monkeypatch.setattr(archive, "MAX_ATTACHMENTS", 2)
    found = collect_within(
        inbox,
        work,
        monkeypatch,
        TOOLKIT_MAX_FILE_MB=str(20_000 / 2**20),
        TOOLKIT_MAX_COMPRESSION_RATIO="100000",
    )
    said = {Path(u.origin).name: u.message for u in found.problems}
    assert said["大.zip › 年报.xlsx"].message_id == "inbox.attachment_too_large"
    assert "TOOLKIT_MAX_FILE_MB" in said["大.zip › 年报.xlsx"].render()
    assert said["多.zip › 2.xlsx"].message_id == "inbox.archive_too_many_workbooks"
    assert "超过 2 个" in said["多.zip › 2.xlsx"].render()


def test_a_rar_attached_to_a_mail_is_named(tmp_path: Path) -> None:
    inbox, work = folders(tmp_path)
    message = EmailMessage()
    message["From"] = "u@example.cn"
    message.set_content("见附件")
    message.add_attachment(
        REPORT, maintype="application", subtype="octet-stream", filename="年报.xlsx"
    )
    message.add_attachment(b"Rar!", maintype="application", subtype="x-rar", filename="补充表.rar")
    (inbox / "信.eml").write_bytes(bytes(message))
    found = collect(inbox, work)
    assert [r.name for r in found.received] == ["年报.xlsx"]
    assert [(Path(u.origin).name, u.message.message_id) for u in found.problems] == [
        ("信.eml › 补充表.rar", "inbox.archive_unsupported")
    ]
    # a mail with only a RAR is said once, as that: not also as a mail without a workbook
    only = EmailMessage()
    only["From"] = "u@example.cn"
    only.set_content("见附件")
    only.add_attachment(b"Rar!", maintype="application", subtype="x-rar", filename="年报.rar")
    (inbox / "信.eml").write_bytes(bytes(only))
    again = collect(inbox, tmp_path / "work2")
    assert [(Path(u.origin).name, u.message.message_id) for u in again.problems] == [
        ("信.eml › 年报.rar", "inbox.archive_unsupported")
    ]
    assert again.skipped == []


def test_summary_reads_a_zipped_return(tmp_path: Path) -> None:
    """End to end: the unit's return inside a zip counts for it, named by the archive."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "凤山.zip").write_bytes(packed({"凤山街道2025年报.xlsx": REPORT}, gbk=True))
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称\n凤山街道办事处\n", encoding="utf-8")
    done = toolkit("summary", "收件箱", "-r", str(roster), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [unit] = json.loads(done.stdout)["units"]
    assert unit["status"] == "ok"
    assert unit["file"] == "收件箱/凤山.zip › 凤山街道2025年报.xlsx"
