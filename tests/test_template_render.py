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
    soffice: str, pdftoppm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The offending cell itself is coloured: the same fill rendered from a template whose
    cells are never coloured (only the verdict lines are) shows fewer red/orange pixels."""
    from toolkit.template.checks import CheckWriter

    template = tmp_path / "模板.xlsx"
    build_template("gov-2021", template, unit="兰江街道")
    plain = tmp_path / "plain.xlsx"
    with monkeypatch.context() as patch:
        patch.setattr(CheckWriter, "_colour", lambda self, ws, key, severities: None)
        build_template("gov-2021", plain, unit="兰江街道")
    wrong = {
        "applications.new.natural": 2,
        "applications.granted.natural": 2,
        "applications.new.total": 5,
    }  # the total should be 2
    corrected = {"review.appeal.corrected": 1}  # a warning: explain it in the text
    files = {}
    for name, base, values in (
        ("wrong", template, wrong),
        ("wrong-plain", plain, wrong),
        ("warn", template, corrected),
        ("warn-plain", plain, corrected),
    ):
        files[name] = tmp_path / f"{name}.xlsx"
        fill_workbook(base, files[name], values)
    pdfs = convert([template, *files.values()], tmp_path / "pdf", "pdf")

    def pixels(name: str, colour: str) -> int:
        return _pixels_of(pdfs[files[name]], colour, tmp_path)

    assert _pixels_of(pdfs[template], ERROR_FILL, tmp_path) == 0
    assert _pixels_of(pdfs[template], WARNING_FILL, tmp_path) == 0
    assert pixels("wrong", ERROR_FILL) > pixels("wrong-plain", ERROR_FILL) + 20
    assert pixels("warn", WARNING_FILL) > pixels("warn-plain", WARNING_FILL) + 20
    assert pixels("warn", ERROR_FILL) == 0
