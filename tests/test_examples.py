"""The shipped examples are what make_examples.py writes, and they pass every rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.make_examples import EXAMPLES, main
from tests.libreoffice import recalculate
from tests.support import read_map, read_sheets, value_at
from toolkit.forms.registry import load_form

ROOT = Path(__file__).resolve().parent.parent


def test_committed_examples_hold_the_values_the_script_writes(tmp_path: Path) -> None:
    fresh = main(tmp_path)
    for path in fresh:
        shipped = ROOT / "examples" / path.name
        assert shipped.is_file(), f"run python examples/make_examples.py ({path.name} missing)"
        if path.name not in EXAMPLES:  # laid out by hand: every cell of every sheet
            assert read_sheets(path) == read_sheets(shipped), path.name
            continue
        fields, _ = read_map(path)
        new, old = read_sheets(path), read_sheets(shipped)
        for sheet, ref in fields.values():
            assert value_at(new, sheet, ref) == value_at(old, sheet, ref), (path.name, ref)


def test_reference_report_figures(tmp_path: Path) -> None:
    path = ROOT / "examples" / "兰江街道2020年报.xlsx"
    fields, _ = read_map(path)
    sheets = read_sheets(path)
    value = lambda key: value_at(sheets, *fields[key])  # noqa: E731
    assert value("meta.unit") == "兰江街道办事处" and value("meta.year") == 2020
    assert value("applications.new.natural") == 2 and value("applications.new.total") == 2
    assert value("applications.carried_in.natural") == ""  # blank in the published report
    assert value("applications.handled_total.total") == 2
    assert value("active.licensing.change") == 6
    assert value("active.procurement.amount") == 2504


@pytest.mark.libreoffice
def test_examples_pass_every_check_when_recalculated(soffice: str, tmp_path: Path) -> None:
    paths = [ROOT / "examples" / name for name in EXAMPLES]
    out = recalculate(paths, tmp_path)
    for path in paths:
        spec = load_form(EXAMPLES[path.name][0])
        sheets = read_sheets(out[path])
        _, checks = read_map(path)
        assert all(value_at(sheets, s, r) is True for s, r in checks.values()), path.name
        assert value_at(sheets, spec.sheets[0], "B3") == "✓ 全部通过"


def test_the_published_report_laid_out_by_hand_checks_clean_with_its_figures() -> None:
    """The reference report as its page lays it out (one sheet, merged labels, its own label
    wording, no template map) is found by its labels, checks clean, and every figure it
    prints is in `values`: the same figures as the template-made example."""
    import json
    import subprocess
    import sys

    from examples.make_examples import HANDMADE

    handmade, mapped = ROOT / "examples" / HANDMADE, ROOT / "examples" / "兰江街道2020年报.xlsx"
    supp = ROOT / "examples" / "兰江街道2020补充统计表.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "check",
            "--format",
            "json",
            str(handmade),
            str(mapped),
            str(supp),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    hand, template, supplement = json.loads(done.stdout)["results"]
    assert hand["status"] == "ok" and hand["findings"] == []
    assert hand["form"] == "gov-2019"
    assert hand["meta"]["unit"] == "余姚市兰江街道" and hand["meta"]["year"] == 2020
    # every national figure equals the template-made example's; a total carries what the
    # file shows: blank on the page, a SUM of blanks (0) in the template
    national = {k: v for k, v in hand["values"].items() if not k.startswith("supp.")}
    assert national == {**template["values"], "applications.carried_in.total": None}
    assert template["values"]["applications.carried_in.total"] == 0
    assert {k: v for k, v in hand["values"].items() if k.startswith("supp.")} == supplement[
        "values"
    ]
    assert hand["values"]["applications.new.natural"] == 2
    assert hand["values"]["applications.carried_in.natural"] is None
    assert hand["values"]["active.licensing.change"] == 6
    assert hand["values"]["active.procurement.amount"] == 2504
    assert hand["values"]["supp.active.total"] == 1038
    assert hand["values"]["supp.org.staff"] == 3
    assert hand["values"]["review.suit_after.total"] == 0
