"""Saved mails as clerks have them: Chinese attachment names in every encoding mail clients
use, forwarded mails, hostile names; only workbooks are taken, and names are never paths."""

from __future__ import annotations

import base64
import datetime as dt
from email.message import EmailMessage
from pathlib import Path

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
