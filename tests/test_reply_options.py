"""The reply drafts' options as clerks type them: a deadline in the spellings a Chinese office
uses, refused when it cannot be the one meant; a sign-off of a few lines; a sender with its
name."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.errors import UserError
from toolkit.summary.reply_options import parse_deadline, reply_options

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2027-01-20", dt.date(2027, 1, 20)),
        ("2027/1/20", dt.date(2027, 1, 20)),
        ("2027.1.20", dt.date(2027, 1, 20)),
        ("2027年1月20日", dt.date(2027, 1, 20)),
        ("2027 年 01 月 20 日", dt.date(2027, 1, 20)),
        ("２０２７年１月２０日", dt.date(2027, 1, 20)),  # full-width, from an input method
        ("2027年1月20号", dt.date(2027, 1, 20)),
        ("2027年1月20日前", dt.date(2027, 1, 20)),
        ("2027—1—20", dt.date(2027, 1, 20)),  # an em dash
        ("20270120", dt.date(2027, 1, 20)),
        ("1月20日", dt.date(2027, 1, 20)),  # written in December: next January
        ("12月31日", dt.date(2026, 12, 31)),  # still to come this year
        ("2026-12-02", TODAY),  # today is not past
    ],
)
def test_a_deadline_is_read_as_typed(typed: str, meant: dt.date) -> None:
    assert parse_deadline(typed, TODAY) == meant


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2027115", "cli.deadline_invalid"),  # 1月15日 or 11月5日: no guess
        ("2027-02-30", "cli.deadline_invalid"),
        ("2027", "cli.deadline_invalid"),
        ("下周五", "cli.deadline_invalid"),
        ("2026-12-01", "cli.deadline_past"),
        ("20721015", "cli.deadline_far"),  # 2027-10-15 typed with a digit too many
    ],
)
def test_a_deadline_that_cannot_be_meant_is_refused(typed: str, said: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_deadline(typed, TODAY)
    assert refused.value.message_id == said


def test_a_sign_off_keeps_its_lines_and_a_sender_its_name() -> None:
    options = reply_options(None, "  公开办\n\n电话\t0574 ", "公开办 <gkb@x.gov.cn>", TODAY)
    assert options.sign == "公开办\n电话 0574"
    assert options.sender is not None and options.sender.endswith(" <gkb@x.gov.cn>")
    for sign in ("一\n二\n三\n四", "--force", "x" * 101):
        with pytest.raises(UserError):
            reply_options(None, sign, None, TODAY)
    for sender in ("公开办", ".a@x.cn", "a@-x.cn", "张三@例子.中国"):
        with pytest.raises(UserError):
            reply_options(None, None, sender, TODAY)
