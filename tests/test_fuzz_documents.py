"""A fast slice of the published-report fuzz corpus (tests/fuzzdocs.py): two of each kind of
broken or hostile document through `toolkit audit`, with a summary workbook. The full run
is `python benchmarks/fuzz_audit.py`."""

from __future__ import annotations

import pytest

from tests.fuzzdocs import CATEGORIES, make_corpus, make_seeds, run_audit
from tests.fuzzrun import Tally

SECRET = b"TOOLKIT-FUZZ-SECRET-7f3a"


@pytest.fixture(scope="module")
def tally(tmp_path_factory: pytest.TempPathFactory) -> Tally:
    root = tmp_path_factory.mktemp("fuzz-documents")
    secret = root / "secret.txt"
    secret.write_bytes(SECRET)
    seeds = make_seeds(root, secret)
    corpus = make_corpus(root / "corpus", seeds, per_category=2, seed=7)
    found = Tally()
    for folder in sorted({p.parent for p in corpus}):
        run_audit(folder, root / "out", corpus, SECRET, found)
    return found


def test_every_hostile_document_gets_a_result_and_nothing_crashes(tally: Tally) -> None:
    assert tally.crashes == []
    assert set(tally.exits) <= {0, 1, 2}
    assert set(tally.tried) == set(CATEGORIES)
    assert all(count == 2 for count in tally.tried.values())


def test_nothing_leaks_nothing_is_modified_no_formula_is_written(tally: Tally) -> None:
    assert tally.leaks == []
    assert tally.modified_inputs == []
    assert tally.formulas_written == []


def test_oversized_documents_are_refused_not_read(tally: Tally) -> None:
    assert tally.statuses["oversized"]["unreadable"] == 2
    assert tally.max_seconds_per_file < 60
