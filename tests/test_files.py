"""Tests for toolkit.files: safe file names, atomic writes and output checks."""

from __future__ import annotations

import os
import random
import string
import unicodedata
from pathlib import Path

import pytest
import xlsxwriter

from tests.support import assert_user_error
from toolkit import files
from toolkit.errors import UserError
from toolkit.files import atomic_write, check_outputs, safe_file_stem, unique_stems
from toolkit.messages import catalogue

WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{d}" for p in ("COM", "LPT") for d in "123456789"}


def assert_safe(stem: str, directory: Path, max_bytes: int = 180) -> None:
    """The properties every result of safe_file_stem must have."""
    assert stem
    assert "/" not in stem and "\\" not in stem and os.sep not in stem
    assert not (set(stem) & WINDOWS_FORBIDDEN)
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in stem)
    assert stem == stem.strip(". ") and not stem.startswith("-")
    assert stem not in (".", "..")
    assert stem.split(".")[0].rstrip(" ").upper() not in RESERVED
    assert len(stem.encode("utf-8")) <= max_bytes
    target = directory / f"{stem}.xlsx"
    assert target.resolve().parent == directory.resolve()
    target.write_bytes(b"ok")  # the name is really creatable here
    assert target.read_bytes() == b"ok"
    target.unlink()


# --- safe_file_stem ---------------------------------------------------------------------------

HOSTILE = [
    "../../x",
    "..\\..\\x",
    "/etc/passwd",
    "C:\\x",
    "C:x",
    "CON",
    "con",
    "nul.txt",
    "NUL .txt",
    "Aux.XLSX",
    "COM1",
    "lpt9.doc",
    "COM¹",
    "a\x00b",
    "a\r\nb",
    "tab\there",
    '=HYPERLINK("http://evil","x")',
    "😀🏛️单位👨‍👩‍👧",
    "中" * 300,
    "a" * 300,
    "a" + "😀" * 100,
    "...",
    ".",
    "..",
    "",
    "   ",
    "\u3000\u3000",
    "???",
    '<>:"|?*',
    "trailing dot.",
    " .hidden",
    "evil\u202etxt.exe",
    "lone\ud800surrogate",
    "\x7f\x85del",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_give_safe_stems(name: str, tmp_path: Path) -> None:
    assert_safe(safe_file_stem(name), tmp_path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("XX市财政局", "XX市财政局"),
        ("  XX市\u3000 教育局  ", "XX市 教育局"),
        ("C:\\x", "C_x"),
        ("a/b\\c", "a_b_c"),
        ("a\x00b\r\nc", "a_b_c"),
        ("a__ __b", "a_b"),
        ("CON", "_CON"),
        ("con", "_con"),
        ("nul.txt", "_nul.txt"),
        ("COM1.xlsx", "_COM1.xlsx"),
        ("CONSOLE", "CONSOLE"),
        ("=HYPERLINK()", "=HYPERLINK()"),
        ("😀单位", "😀单位"),
        ("...名单...", "名单"),
        ("", "unit"),
        (".", "unit"),
        ("..", "unit"),
        ("???", "unit"),
        ("../../x", "_.._x"),
        ("-2+3+cmd_'_C calc'!A0", "2+3+cmd_'_C calc'!A0"),  # never taken for an option
        ("--", "unit"),
    ],
)
def test_safe_file_stem_examples(name: str, expected: str) -> None:
    assert safe_file_stem(name) == expected


def test_fallback_is_used_and_sanitised() -> None:
    assert safe_file_stem("..", fallback="未命名单位") == "未命名单位"
    assert safe_file_stem("", fallback="a/b") == "a_b"
    assert safe_file_stem("", fallback="..") == "unit"
    assert safe_file_stem("", fallback="CON") == "_CON"


def test_truncation_keeps_whole_characters() -> None:
    assert safe_file_stem("中" * 300) == "中" * 60
    assert safe_file_stem("a" * 300) == "a" * 180
    stem = safe_file_stem("a" + "😀" * 100)
    assert stem == "a" + "😀" * 44
    assert len(safe_file_stem("单位" * 10, max_bytes=10).encode()) <= 10


def test_truncation_never_creates_a_reserved_name() -> None:
    assert safe_file_stem("CONSOLE", max_bytes=3) == "_CO"
    assert safe_file_stem("abc. def", max_bytes=5) == "abc"


def test_max_bytes_must_be_positive() -> None:
    with pytest.raises(ValueError):
        safe_file_stem("x", max_bytes=0)


def test_random_names_are_always_safe(tmp_path: Path) -> None:
    rng = random.Random(20240601)
    alphabet = (
        string.printable + "\x00\x01\x1f\x7f\u3000\u200b\u202e\ufeff中国单位局😀." + "/\\" * 5
    )
    for _ in range(500):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert_safe(safe_file_stem(name, max_bytes=40), tmp_path, max_bytes=40)


# --- unique_stems -----------------------------------------------------------------------------


def test_unique_stems_keeps_unique_lists() -> None:
    assert unique_stems(["甲", "乙", "丙"]) == ["甲", "乙", "丙"]
    assert unique_stems([]) == []


def test_unique_stems_is_case_insensitive_and_ordered() -> None:
    assert unique_stems(["a", "A", "a", "b"]) == ["a", "A(2)", "a(3)", "b"]


def test_unique_stems_never_takes_an_existing_name() -> None:
    result = unique_stems(["a", "a", "a(2)"])
    assert result == ["a", "a(3)", "a(2)"]
    assert len({s.casefold() for s in result}) == len(result)


def test_unique_stems_handles_unicode_normalisation() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    assert unique_stems([composed, decomposed]) == [composed, f"{decomposed}(2)"]


# --- atomic_write -----------------------------------------------------------------------------


def test_atomic_write_creates_file_without_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "报告.xlsx"
    seen: list[Path] = []

    def write(tmp: Path) -> None:
        seen.append(tmp)
        tmp.write_bytes(b"new")

    atomic_write(target, write)
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["报告.xlsx"]
    (tmp,) = seen
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".")
    assert tmp.suffix == ".xlsx"


def test_atomic_write_replaces_existing_content(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    atomic_write(target, lambda tmp: tmp.write_text("new", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "new"
    assert os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("exception", [RuntimeError("boom"), KeyboardInterrupt()])
def test_atomic_write_keeps_old_content_when_writer_fails(
    tmp_path: Path, exception: BaseException
) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old content")

    def write(tmp: Path) -> None:
        with tmp.open("wb") as handle:
            handle.write(b"half of the new")
            handle.flush()
            raise exception

    with pytest.raises(type(exception)):
        atomic_write(target, write)
    assert target.read_bytes() == b"old content"
    assert os.listdir(tmp_path) == ["out.xlsx"]


def test_atomic_write_failure_without_old_file_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"

    def write(tmp: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, write)
    assert os.listdir(tmp_path) == []


def test_atomic_write_translates_refused_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "in use")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(UserError) as info:
        atomic_write(target, lambda tmp: tmp.write_bytes(b"new"))
    assert_user_error(info.value, "files.replace_denied", str(target))
    assert isinstance(info.value.__cause__, PermissionError)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["汇总.xlsx"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_atomic_write_gives_normal_permissions(tmp_path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    target = tmp_path / "out.txt"
    atomic_write(target, lambda tmp: tmp.write_text("x", encoding="utf-8"))
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_write_with_a_real_workbook_writer(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"

    def write(tmp: Path) -> None:
        workbook = xlsxwriter.Workbook(str(tmp))
        workbook.add_worksheet().write(0, 0, "单位名称")
        workbook.close()

    atomic_write(target, write)
    assert target.read_bytes().startswith(b"PK")
    assert os.listdir(tmp_path) == ["book.xlsx"]


# --- check_outputs ----------------------------------------------------------------------------


def test_check_outputs_accepts_new_files(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    source.write_bytes(b"x")
    check_outputs([tmp_path / "a.xlsx", tmp_path / "b.xlsx"], [source], force=False)
    assert sorted(os.listdir(tmp_path)) == ["in.xlsx"]


def test_check_outputs_refuses_existing_output_without_force(tmp_path: Path) -> None:
    output = tmp_path / "out.xlsx"
    output.write_bytes(b"x")
    with pytest.raises(UserError) as info:
        check_outputs([output], [], force=False)
    assert_user_error(info.value, "files.exists", str(output))
    assert "--force" in info.value.render("zh")
    check_outputs([output], [], force=True)


def test_check_outputs_refuses_dangling_symlink_without_force(tmp_path: Path) -> None:
    output = tmp_path / "link.xlsx"
    output.symlink_to(tmp_path / "missing.xlsx")
    with pytest.raises(UserError) as info:
        check_outputs([output], [], force=False)
    assert info.value.message_id == "files.exists"


def test_check_outputs_refuses_output_equal_to_input_even_with_force(tmp_path: Path) -> None:
    source = tmp_path / "data.xlsx"
    source.write_bytes(b"x")
    for output in (source, tmp_path / "sub" / ".." / "data.xlsx"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(UserError) as info:
            check_outputs([output], [source], force=True)
        assert_user_error(info.value, "files.same_as_input", str(output), str(source))


def test_check_outputs_refuses_relative_alias_of_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "data.xlsx"
    source.write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as info:
        check_outputs([Path("data.xlsx")], [source], force=True)
    assert info.value.message_id == "files.same_as_input"


def test_check_outputs_refuses_input_not_yet_existing(tmp_path: Path) -> None:
    path = tmp_path / "later.xlsx"
    with pytest.raises(UserError) as info:
        check_outputs([path], [path], force=False)
    assert info.value.message_id == "files.same_as_input"


@pytest.mark.skipif(os.name == "nt", reason="symlinks and hard links need privileges")
def test_check_outputs_refuses_links_to_input(tmp_path: Path) -> None:
    source = tmp_path / "data.xlsx"
    source.write_bytes(b"x")
    symlink = tmp_path / "sym.xlsx"
    symlink.symlink_to(source)
    hardlink = tmp_path / "hard.xlsx"
    os.link(source, hardlink)
    for output in (symlink, hardlink):
        with pytest.raises(UserError) as info:
            check_outputs([output], [source], force=True)
        assert info.value.message_id == "files.same_as_input"


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges")
def test_check_outputs_survives_symlink_loops(tmp_path: Path) -> None:
    loop = tmp_path / "loop.xlsx"
    loop.symlink_to(loop)
    with pytest.raises(UserError) as info:
        check_outputs([loop], [tmp_path / "in.xlsx"], force=False)
    assert info.value.message_id == "files.exists"


def test_check_outputs_refuses_missing_parent(tmp_path: Path) -> None:
    output = tmp_path / "没有这个目录" / "out.xlsx"
    with pytest.raises(UserError) as info:
        check_outputs([output], [], force=True)
    assert_user_error(info.value, "files.parent_missing", str(output), str(output.parent))
    assert not output.parent.exists()


def test_check_outputs_refuses_parent_that_is_a_file(tmp_path: Path) -> None:
    parent = tmp_path / "plain.txt"
    parent.write_text("x", encoding="utf-8")
    output = parent / "out.xlsx"
    with pytest.raises(UserError) as info:
        check_outputs([output], [], force=True)
    assert_user_error(info.value, "files.parent_not_dir", str(output), str(parent))


def test_check_outputs_refuses_directory_output(tmp_path: Path) -> None:
    output = tmp_path / "folder.xlsx"
    output.mkdir()
    with pytest.raises(UserError) as info:
        check_outputs([output], [], force=True)
    assert_user_error(info.value, "files.is_directory", str(output))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_check_outputs_refuses_special_file(tmp_path: Path) -> None:
    output = tmp_path / "pipe.xlsx"
    os.mkfifo(output)
    with pytest.raises(UserError) as info:
        check_outputs([output], [], force=True)
    assert_user_error(info.value, "files.not_regular_file", str(output))


@pytest.mark.parametrize("second", ["out.xlsx", "OUT.xlsx", "./sub/../out.xlsx"])
def test_check_outputs_refuses_duplicate_outputs(tmp_path: Path, second: str) -> None:
    (tmp_path / "sub").mkdir()
    first = tmp_path / "out.xlsx"
    with pytest.raises(UserError) as info:
        check_outputs([first, tmp_path / second], [], force=True)
    assert_user_error(info.value, "files.duplicate_output", str(first))


# --- message catalogue ------------------------------------------------------------------------


def test_files_messages_exist_in_both_languages_with_same_params() -> None:
    formatter = string.Formatter()
    zh = {k: v for k, v in catalogue("zh").items() if k.startswith("files.")}
    en = {k: v for k, v in catalogue("en").items() if k.startswith("files.")}
    assert zh.keys() == en.keys()
    for key in zh:
        zh_params = {field for _, field, _, _ in formatter.parse(zh[key]) if field}
        en_params = {field for _, field, _, _ in formatter.parse(en[key]) if field}
        assert zh_params == en_params, key


def _refusing(monkeypatch: pytest.MonkeyPatch, folder: Path, error: int) -> None:
    """The system refuses every new file in ``folder`` (as a read-only folder does for a
    user who is not its administrator; tests may run as root, who is never refused)."""
    import errno as errnos

    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & os.O_CREAT and Path(path).parent == folder:
            raise OSError(error, os.strerror(error), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    assert error in (errnos.EACCES, errnos.EROFS, errnos.ENOSPC)


@pytest.mark.parametrize("error", ["EACCES", "EROFS", "ENOSPC"])
def test_a_folder_refusing_new_files_is_said_before_any_work(
    error: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """template -o into a read-only folder, and summary --replies into one: a message saying
    which folder and why, exit 2, nothing written (it was an "internal error" with the
    summary workbook already written)."""
    import errno as errnos

    from typer.testing import CliRunner

    from toolkit.cli import app

    refused = tmp_path / "只读"
    refused.mkdir()
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    _refusing(monkeypatch, refused, getattr(errnos, error))
    runner = CliRunner()
    reason = {"EACCES": "没有写入权限", "EROFS": "只读", "ENOSPC": "磁盘已满"}[error]
    made = runner.invoke(app, ["template", "--year", "2025", "-o", str(refused / "模板.xlsx")])
    summary = tmp_path / "汇总.xlsx"
    replied = runner.invoke(
        app, ["summary", str(inbox), "-o", str(summary), "--replies", str(refused)]
    )
    for run in (made, replied):
        assert run.exit_code == 2, run.output
        assert str(refused) in run.output and reason in run.output, run.output
        assert "内部错误" not in run.output
    assert not summary.exists() and list(refused.iterdir()) == []
