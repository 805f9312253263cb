"""Saved mails as clerks have them: Chinese attachment names in every encoding mail clients
use, forwarded mails, hostile names; only workbooks are taken, and names are never paths."""

from __future__ import annotations

import base64
import datetime as dt
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.support import mail_of
from toolkit.inbox.mail import MAX_ATTACHMENTS, MailProblem, display_name, read_mail

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = (ROOT / "examples" / "凤山街道2025年报.xlsx").read_bytes()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def mail(*attachments: tuple[str, bytes], sender: str = "凤山街道 <FS@example.cn>") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "gkb@example.gov.cn"
    message["Subject"] = "凤山街道2025年度政府信息公开工作年度报告"
    message["Date"] = "Tue, 20 Jan 2026 09:30:00 +0800"
    message.set_content("请查收。")
    for name, data in attachments:
        maintype, subtype = XLSX.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def test_sender_date_subject_and_a_chinese_attachment_name_rfc2231() -> None:
    found = read_mail(mail(("凤山街道2025年报.xlsx", WORKBOOK)))
    assert found.sender == "fs@example.cn" and found.sender_name == "凤山街道"
    assert found.subject == "凤山街道2025年度政府信息公开工作年度报告"
    assert found.date == dt.datetime(2026, 1, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    [attachment] = found.attachments
    assert attachment.name == "凤山街道2025年报.xlsx" and attachment.data == WORKBOOK


def test_gbk_names_encoded_words_and_raw_bytes() -> None:
    encoded = base64.b64encode("兰江街道年报.xls".encode("gbk")).decode()
    body = base64.b64encode(WORKBOOK).decode()
    raw = (
        "From: =?GBK?B?"
        + base64.b64encode("兰江街道".encode("gbk")).decode()
        + "?= <lj@example.cn>\r\n"
        "Subject: =?GB2312?B?" + base64.b64encode("年报".encode("gb2312")).decode() + "?=\r\n"
        "Date: Mon, 19 Jan 2026 08:00:00 +0800\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=gbk\r\n\r\nhi\r\n"
        f'--b\r\nContent-Type: application/vnd.ms-excel; name="=?GBK?B?{encoded}?="\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="=?GBK?B?{encoded}?="\r\n\r\n{body}\r\n'
        "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
    ).encode("ascii")
    raw += 'Content-Disposition: attachment; filename="凤山街道.xlsx"\r\n\r\n'.encode("gbk")
    raw += f"{body}\r\n--b--\r\n".encode("ascii")
    found = read_mail(raw)
    assert found.sender_name == "兰江街道" and found.subject == "年报"
    assert [a.name for a in found.attachments] == ["兰江街道年报.xls", "凤山街道.xlsx"]
    assert all(a.data == WORKBOOK for a in found.attachments)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/x.xlsx", "x.xlsx"),
        ("C:\\Windows\\x.xlsx", "x.xlsx"),
        ("/abs/path/年报.xlsx", "年报.xlsx"),
        ("..", ""),
        ("a\x00b\x07.xlsx", "ab.xlsx"),
    ],
)
def test_an_attachment_name_is_only_ever_a_name(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


def test_only_workbooks_are_taken_and_forwarded_mails_are_opened() -> None:
    inner = EmailMessage()
    inner["From"] = "ft@example.cn"
    inner["Subject"] = "转发"
    inner.set_content("见附件")
    inner.add_attachment(
        WORKBOOK, maintype="application", subtype="octet-stream", filename="里面的年报.xlsx"
    )
    outer = EmailMessage()
    outer["From"] = "clerk@example.cn"
    outer.set_content("转给您")
    outer.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="说明.pdf")
    outer.add_attachment(inner)
    found = read_mail(bytes(outer))
    assert [a.name for a in found.attachments] == ["里面的年报.xlsx"]


def test_a_workbook_attached_without_a_name_is_read_under_one_of_ours() -> None:
    """A web mail or a script attaching a workbook with no file name, or a name that is
    only dots: its type, or for application/octet-stream its first bytes, say it is a
    workbook, so it is read (before, the mail was said to hold no workbook, and the unit
    stood as not sent); the unnamed are numbered on their own. The body and an image sent
    without names are no attachments."""
    message = EmailMessage()
    message["From"] = "fs@example.cn"
    message.set_content("请查收")
    message.add_attachment(WORKBOOK, maintype="application", subtype=XLSX.split("/")[1],
                           filename="年报.xlsx")  # fmt: skip
    message.add_attachment(WORKBOOK, maintype="application", subtype=XLSX.split("/")[1])
    message.add_attachment(WORKBOOK, maintype="application", subtype="vnd.ms-excel", filename="..")
    message.add_attachment(WORKBOOK, maintype="application", subtype="octet-stream")
    message.add_attachment(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png")
    found = read_mail(bytes(message))
    assert [(a.name, a.data) for a in found.attachments] == [
        ("年报.xlsx", WORKBOOK),
        ("未命名附件1.xlsx", WORKBOOK),
        ("未命名附件2.xls", WORKBOOK),
        ("未命名附件3.xlsx", WORKBOOK),
    ]


def test_a_forwarded_mails_attachment_keeps_its_own_sender_and_date() -> None:
    """A mail forwarded as an attachment brings the return with the unit's own From and
    Date; the forwarder's are the outer mail's, and an attachment of the outer mail has
    none of its own."""
    inner = mail_of("兰江街道 <LJ@example.cn>", "Sat, 10 Jan 2026 09:00:00 +0800",
                    ("兰江.xlsx", WORKBOOK))  # fmt: skip
    undated = mail_of(None, None, ("无头.xlsx", WORKBOOK))  # no headers of its own
    outer = mail_of("colleague@example.gov.cn", "Sun, 25 Jan 2026 18:00:00 +0800",
                    ("外层.xlsx", WORKBOOK), inner, undated, body="转给您")  # fmt: skip
    found = read_mail(bytes(outer))
    by_name = {a.name: a for a in found.attachments}
    assert found.sender == "colleague@example.gov.cn"
    assert by_name["外层.xlsx"].sender is None and by_name["外层.xlsx"].sent is None
    assert not by_name["外层.xlsx"].forwarded
    forwarded = by_name["兰江.xlsx"]
    assert forwarded.forwarded and forwarded.sender == "lj@example.cn"
    assert forwarded.sent == dt.datetime(2026, 1, 10, 1, 0, tzinfo=dt.UTC)
    undated_one = by_name["无头.xlsx"]  # undated: not dated by the forward
    assert undated_one.forwarded and undated_one.sender is None and undated_one.sent is None


def test_limits_on_attachments_and_not_a_mail() -> None:
    many = mail(*[(f"{i}.xlsx", b"x") for i in range(MAX_ATTACHMENTS + 3)])
    found = read_mail(many)
    assert len(found.attachments) == MAX_ATTACHMENTS and len(found.skipped) == 3
    with pytest.raises(MailProblem):
        read_mail(b"\x00\x01 not a mail at all")


def cut(data: bytes, at: int) -> bytes:
    """A saved mail ending after ``at`` bytes, as a download or save interrupted leaves it."""
    return data[:at]


XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)  # an OLE file: whole sectors


@pytest.mark.parametrize(
    ("where", "cut_off"),
    [
        ("in the top headers", lambda raw: raw.index(b"Subject")),
        ("in the body", lambda raw: raw.index("请查收".encode())),
        ("in the attachment's headers", lambda raw: raw.index(b"Content-Disposition: att") + 9),
    ],
)
def test_a_mail_cut_off_before_its_attachment_is_said_truncated(where: str, cut_off: Any) -> None:
    """A mail whose download or saving stopped before its attachment was said to hold no
    workbook (the unit then stood as not sent): it is a mail cut short (a part whose type
    says workbook, cut before its name, is said cut off, under a name of ours)."""
    raw = mail(("凤山街道2025年报.xlsx", WORKBOOK))
    found = read_mail(cut(raw, cut_off(raw)))
    assert found.truncated and not found.attachments, where
    assert all(why.message_id == "inbox.mail_truncated" for _, why in found.skipped)


@pytest.mark.parametrize(("name", "data"), [("凤山街道.xlsx", WORKBOOK), ("兰江街道.xls", XLS)])
@pytest.mark.parametrize("lines", [False, True])
def test_an_attachment_cut_off_is_not_read_but_one_before_the_cut_is(
    name: str, data: bytes, lines: bool
) -> None:
    """The attachment the mail ends in is cut off (its base64 stops mid-group, or, cut at a
    line's end, its zip or OLE file does not end as one does): said truncated, not read as
    a damaged file of the unit's; a whole attachment before it is read."""
    raw = mail(("完整的.xlsx", WORKBOOK), (name, data))
    at = raw.rindex(b"\n", 0, len(raw) - 300) + 1 if lines else len(raw) - 301
    found = read_mail(cut(raw, at))
    assert [(a.name, a.data) for a in found.attachments] == [("完整的.xlsx", WORKBOOK)]
    assert [(skipped, why.message_id) for skipped, why in found.skipped] == [
        (name, "inbox.mail_truncated")
    ]
    assert found.truncated


def test_a_whole_mail_is_not_truncated_whatever_it_holds() -> None:
    """Without attachments, with a PDF only, or ending just before its last boundary's
    final dashes: whole, and its workbook read."""
    plain = EmailMessage()
    plain["From"] = "fs@example.cn"
    plain.set_content("年报下周报送")
    assert not read_mail(bytes(plain)).truncated
    assert not read_mail(mail(("说明.pdf", b"%PDF-1.4"))).truncated
    raw = mail(("凤山街道.xlsx", WORKBOOK))
    assert not read_mail(raw).truncated
    [attachment] = read_mail(raw.rstrip()[:-2]).attachments  # no closing "--": still whole
    assert attachment.data == WORKBOOK


def test_a_mail_nested_thousands_deep_is_said_too_complex_not_an_internal_error() -> None:
    """The standard library's parser recurses once per nested part: a crafted mail of 3,000
    multipart levels ran it out of stack, which ended as "程序内部错误"."""
    depth = 3_000
    head = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    data = b"From: a@b.cn\r\nSubject: x\r\nMIME-Version: 1.0\r\n" + head + b"text\r\n"
    with pytest.raises(MailProblem) as problem:
        read_mail(data)
    assert problem.value.message_id == "inbox.mail_too_complex"


def test_a_mail_cut_inside_a_chinese_attachment_name_is_cut_short_not_a_crash() -> None:
    """Python writes a Chinese name as filename*0*=utf-8''…: a mail cut right after
    "filename*" made the parser raise IndexError, which ended the whole run as an internal
    error. Every cut inside that header is a mail cut short."""
    raw = mail(("市民政局2025年报.xlsx", WORKBOOK))
    start = raw.index(b"Content-Disposition: attachment")
    for at in range(start, raw.index(b"\n\n", start) if b"\n\n" in raw[start:] else start + 120):
        found = read_mail(cut(raw, at))
        assert found.truncated and not found.attachments, at


def test_a_mail_cut_after_an_attachment_says_what_came_before_the_cut(tmp_path: Path) -> None:
    """Cut in the second attachment's headers (before its name), the mail lost it without a
    word: the first is read, and the mail is said incomplete after it, for the clerk."""
    from toolkit.inbox.collect import collect

    raw = mail(("凤山街道年报.xlsx", WORKBOOK), ("兰江街道年报.xlsx", WORKBOOK))
    second = raw.rindex(b"Content-Type: application/vnd.openxmlformats")
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "两个附件.eml").write_bytes(cut(raw, second + 10))
    (tmp_path / "work").mkdir()
    found = collect(inbox, tmp_path / "work")
    assert [r.name for r in found.received] == ["凤山街道年报.xlsx"]
    [problem] = found.problems
    assert problem.message.message_id == "inbox.mail_truncated_after"
    assert "凤山街道年报.xlsx" in problem.message.render() and problem.clerks_to_mend
