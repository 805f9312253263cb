"""Done when a user types a wrong total and sees red: rendered by LibreOffice, pixel-checked.

The template is filled, printed to PDF by LibreOffice (which evaluates the conditional
formats), rasterised with pdftoppm, and searched for the error fill colour.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.libreoffice import convert
from tests.support import build_template, fill_workbook
from toolkit.template.styles import ERROR_FILL, WARNING_FILL

pytestmark = pytest.mark.libreoffice


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _pixels_of(pdf: Path, colour: str, tmp_path: Path) -> int:
    """How many pixels of ``colour`` the rendered pages show (PPM is raw RGB)."""
    prefix = tmp_path / pdf.stem
    subprocess.run(["pdftoppm", "-r", "40", str(pdf), str(prefix)], check=True, timeout=120)
    target = bytes(_rgb(colour))
    count = 0
    for page in sorted(tmp_path.glob(f"{pdf.stem}*.ppm")):
        data = page.read_bytes()
        # header: P6\n<width> <height>\n<max>\n then RGB triples
        parts = data.split(b"\n", 3)
        pixels = parts[3]
        count += sum(1 for i in range(0, len(pixels) - 2, 3) if pixels[i : i + 3] == target)
    return count


@pytest.fixture(scope="module")
def pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        if os.environ.get("TOOLKIT_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("pdftoppm (poppler-utils) is needed to check the rendered colours")
        pytest.skip("pdftoppm not installed")
    return path


def test_a_wrong_total_turns_red_and_a_warning_orange(
    soffice: str, pdftoppm: str, tmp_path: Path
) -> None:
    template = tmp_path / "模板.xlsx"
    build_template("gov-2021", template, unit="兰江街道")
    wrong_total = tmp_path / "wrong.xlsx"
    fill_workbook(
        template,
        wrong_total,
        {
            "applications.new.natural": 2,
            "applications.granted.natural": 2,
            "applications.new.total": 5,
        },
    )  # should be 2
    warning = tmp_path / "warning.xlsx"
    fill_workbook(template, warning, {"review.appeal.corrected": 1})
    pdfs = convert([template, wrong_total, warning], tmp_path / "pdf", "pdf")
    assert _pixels_of(pdfs[template], ERROR_FILL, tmp_path) == 0
    assert _pixels_of(pdfs[template], WARNING_FILL, tmp_path) == 0
    assert _pixels_of(pdfs[wrong_total], ERROR_FILL, tmp_path) > 50
    assert _pixels_of(pdfs[warning], WARNING_FILL, tmp_path) > 50
    assert _pixels_of(pdfs[warning], ERROR_FILL, tmp_path) == 0
