"""`toolkit report` then `toolkit audit`: for many generated returns, consistent and broken,
the published .docx and .html give back the same figures and the same findings as the
workbook they were made from; and the .docx is a document LibreOffice opens and prints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from tests.fills import break_rule, breakable_rules, consistent_fill
from tests.libreoffice import convert
from tests.support import build_template, fill_workbook
from toolkit.check.pipeline import check_files
from toolkit.check.result import FileResult
from toolkit.document.publish import write_report
from toolkit.document.report import build_report
from toolkit.forms.registry import load_all

SIGNED = dt.date(2026, 1, 20)
PER_FORM = 14  # returns per national form: consistent ones, then one per breakable rule
# a workbook's cells have types, a document's have none: "a number typed as text" (W5)
# cannot be told in a published report, so it is the one finding that does not come back
WORKBOOK_ONLY = {"W5"}


def _narrative(rng: np.random.Generator) -> dict[str, str]:
    return {
        "text.overview": "本单位坚持以公开为常态、不公开为例外。\n全年通过政府网站发布信息"
        f"{int(rng.integers(10, 900))}条。",
        "text.problems": "政策解读形式还不够丰富。下一步将加强培训。",
        "text.other": "本年度无其他需要报告的事项。" if rng.random() < 0.5 else "",
    }


@pytest.fixture(scope="module")
def trips(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[FileResult, dict]]:
    """(the workbook's result, {format: the audited document's result}) per return."""
    folder = tmp_path_factory.mktemp("roundtrip")
    forms, _ = load_all()
    rng = np.random.default_rng(2026)
    paths: list[str] = []
    for form_id in ("gov-2021", "gov-2019"):
        template = folder / f"{form_id}.xlsx"
        spec = build_template(form_id, template, unit="凤山街道办事处")
        rules = breakable_rules(spec)
        for i in range(PER_FORM):
            values = consistent_fill(spec, rng)
            if i >= PER_FORM - len(rules):
                values = break_rule(spec, rules[i - (PER_FORM - len(rules))], values, rng)
            values.update(_narrative(rng))
            if i % 3 == 0:
                values["meta.date"] = dt.datetime(2026, 1, 10 + i)
            path = folder / f"{form_id}-{i:02d}.xlsx"
            fill_workbook(template, path, values)
            paths.append(str(path))
    returns = check_files(paths, forms, isolate=False)
    documents: list[str] = []
    for result in returns:
        built = build_report(result, today=SIGNED)
        for fmt in ("docx", "html"):
            target = Path(result.file).with_suffix(f".{fmt}")
            write_report(built, target, fmt)
            documents.append(str(target))
    audited = iter(check_files(documents, forms, isolate=False, documents=True))
    return [(result, {"docx": next(audited), "html": next(audited)}) for result in returns]


def _findings(result: FileResult) -> list[tuple]:
    return sorted(
        (f.rule, f.severity, tuple(f.fields), f.expected, f.actual)
        for f in result.findings
        if f.rule not in WORKBOOK_ONLY
    )


def test_the_generated_returns_cover_clean_and_broken_ones(trips: list) -> None:
    statuses = {result.status for result, _ in trips}
    assert {"ok", "errors", "warnings"} <= statuses
    rules = {f.rule for result, _ in trips for f in result.findings}
    assert {"A1", "A2", "A3", "R1", "N1", "M1", "M2", "W1", "W3", "W7"} <= rules


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_published_reports_audit_to_the_same_values(trips: list, fmt: str) -> None:
    for result, audited in trips:
        document = audited[fmt]
        assert document.form == result.form, document.file
        assert document.values == result.values, document.file


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_published_reports_audit_to_the_same_findings(trips: list, fmt: str) -> None:
    """The same findings; and where the workbook's formula total repeats its part's finding
    (dropped there: the formula follows the part), the printed total is a figure to correct
    too, and said."""
    computed = {k for form in load_all()[0] for k, f in form.fields.items() if f.computed}
    for result, audited in trips:
        published, workbook = _findings(audited[fmt]), _findings(result)
        assert set(workbook) <= set(published), audited[fmt].file
        assert {fields[0] for _, _, fields, _, _ in set(published) - set(workbook)} <= computed


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_published_reports_carry_the_unit_year_and_date(trips: list, fmt: str) -> None:
    for result, audited in trips:
        meta = audited[fmt].meta
        assert (meta["unit"], meta["year"]) == (result.meta["unit"], result.meta["year"])
        assert meta["date"] == (result.meta["date"] or SIGNED.isoformat())


@pytest.mark.libreoffice
def test_the_docx_opens_in_libreoffice_and_converts_to_pdf(
    trips: list, writer: str, tmp_path: Path
) -> None:
    documents = [Path(result.file).with_suffix(".docx") for result, _ in trips[:3]]
    made = convert(documents, tmp_path / "pdf", "pdf", soffice=writer)
    for source in documents:
        pdf = made[source]
        assert pdf.read_bytes().startswith(b"%PDF"), source
        assert pdf.stat().st_size > 5_000
