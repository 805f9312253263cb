"""The fast slice of the fuzz run (issue 6): a few files of every category of broken, odd
and hostile input through `toolkit check` and `toolkit summary`. Every file gets an answer
(exit 0, 1 or 2, a Chinese message, never a traceback) in bounded time; inputs keep their
bytes; nothing is written outside the outputs; the file an external entity points at never
shows up; no string from an input becomes a formula. The full run: benchmarks/fuzz.py."""

from __future__ import annotations

import email
import io
import zipfile
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tests.fuzzcorpus import CATEGORIES, load_seeds, make_corpus
from tests.fuzzrun import (
    Tally,
    check_batch,
    digests,
    formula_parts,
    leaks,
    stray_files,
    summary_run,
)

SECONDS_PER_FILE = 10.0  # far above what a file takes; a hang would take the 120 s limit


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("fuzz")
    secret = root / "机密.txt"
    token = b"FUZZ-SECRET-7f3a9c"
    secret.write_bytes(token)
    inbox = root / "收件箱"
    corpus = make_corpus(inbox, load_seeds(secret), per_category=2, seed=6, expensive=1)
    before = digests(inbox)
    existing = {p for p in root.rglob("*") if p.is_file()}
    tally = Tally()
    workbooks = [p for p in corpus if p.suffix != ".eml" and not p.name.startswith(("~$", ".~"))]
    check_batch(workbooks, corpus, root, tally)
    out = root / "输出"
    report = summary_run(inbox, out, root, tally)
    return {
        "root": root,
        "inbox": inbox,
        "corpus": corpus,
        "tally": tally,
        "report": report,
        "before": before,
        "existing": existing,
        "out": out,
        "token": token,
        "workbooks": workbooks,
    }


def test_every_category_is_tried(fuzzed: dict[str, Any]) -> None:
    assert set(fuzzed["corpus"].values()) == set(CATEGORIES)


def test_every_file_is_answered_without_a_crash(fuzzed: dict[str, Any]) -> None:
    tally: Tally = fuzzed["tally"]
    assert tally.crashes == []
    assert set(tally.exits) <= {0, 1, 2}
    assert sum(tally.tried.values()) == len(fuzzed["workbooks"])
    assert tally.max_seconds_per_file < SECONDS_PER_FILE


def test_hostile_files_are_refused_and_the_broken_ones_explained(fuzzed: dict[str, Any]) -> None:
    statuses = fuzzed["tally"].statuses
    refused = (
        "entity bomb",
        "external entity",
        "zip bomb",
        "far cell",
        "truncated zip",
        "encrypted",
    )
    for category in refused:
        assert set(statuses[category]) == {"unreadable"}, category
    assert set(statuses["macros"]) <= {"warnings", "errors"}  # read as usual, F4 said
    assert statuses["100,000 rows"]["unreadable"] == 0


def test_summary_accounts_for_every_file_in_the_inbox(fuzzed: dict[str, Any]) -> None:
    report = fuzzed["report"]
    assert report is not None
    inbox: Path = fuzzed["inbox"]
    files = [p for p in inbox.rglob("*") if p.is_file()]
    saved = {r["file"] for r in report["results"] if " › " not in r["file"]}
    skipped = {s["origin"] for s in report["skipped"]}
    mails = {r["file"].split(" › ")[0] for r in report["results"] if " › " in r["file"]}
    mails |= {p["origin"].split(" › ")[0] for p in report["inbox_problems"]}
    for path in files:
        if path.suffix != ".eml":
            assert str(path) in saved | skipped, path
    leftovers = {s for s in skipped if not s.endswith(".eml")}
    assert {str(p) for p in files if p.name.startswith(("~$", ".~"))} == leftovers
    mails |= {s for s in skipped if s.endswith(".eml")}  # a mail with no workbook, noted
    # every mail is accounted for: its attachments read, or why not
    assert mails == {str(p) for p in files if p.suffix == ".eml"}


def test_inputs_are_untouched_and_nothing_is_written_elsewhere(fuzzed: dict[str, Any]) -> None:
    assert digests(fuzzed["inbox"]) == fuzzed["before"]
    root: Path = fuzzed["root"]
    assert stray_files(fuzzed["existing"], root, [fuzzed["out"]]) == []


def test_the_external_entity_target_never_reaches_an_output(fuzzed: dict[str, Any]) -> None:
    assert leaks(fuzzed["out"], fuzzed["token"], []) == []


def test_no_string_from_an_input_becomes_a_formula(fuzzed: dict[str, Any]) -> None:
    tally: Tally = fuzzed["tally"]
    assert tally.formulas_written == []
    drafts = sorted((fuzzed["out"] / "回复草稿").glob("*.eml"))
    assert drafts
    for path in drafts:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for attachment in message.iter_attachments():
            data = attachment.get_content()
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
            # the marked copy keeps the return's own formulas; the problem list we add holds
            # none, and a template holds only ours
            assert "xl/worksheets/sheet1.xml" in names
            if "批注" in str(attachment.get_filename()):
                assert formula_parts_of_first_sheet(data) == []


def formula_parts_of_first_sheet(data: bytes) -> list[str]:
    return [name for name in formula_parts(data) if name == "xl/worksheets/sheet1.xml"]


def test_the_probes_see_what_they_look_for(tmp_path: Path) -> None:
    """The formula and leak probes above are not blind: they find a template's formulas and
    a secret hidden in a workbook part."""
    from tests.fuzzcorpus import TEMPLATE_RETURN, entries, package

    assert formula_parts(TEMPLATE_RETURN.read_bytes())
    parts = entries(TEMPLATE_RETURN.read_bytes())
    parts["docProps/app.xml"] += b"FUZZ-SECRET-7f3a9c"
    (tmp_path / "x.xlsx").write_bytes(package(parts))
    assert leaks(tmp_path, b"FUZZ-SECRET-7f3a9c", []) == [f"{tmp_path / 'x.xlsx'}:docProps/app.xml"]
