"""Crafted files: an XML entity bomb in a sheet or in the shared strings is never expanded
into memory; the file is answered (read or F1) promptly and the run goes on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "examples" / "凤山街道2025年报.xlsx"

BOMB_DTD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
)


def with_bomb(source: Path, target: Path, part: str) -> Path:
    """A copy of ``source`` whose ``part`` declares a billion-laughs DTD and uses it."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                text = data.decode("utf-8")
                body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                body = body.replace("<t>", "<t>&lol9;", 1) if "<t>" in body else body
                data = (BOMB_DTD + body).encode("utf-8")
            zout.writestr(item, data)
    return target


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_an_entity_bomb_is_answered_promptly_and_the_run_goes_on(tmp_path: Path, part: str) -> None:
    bomb = with_bomb(GOOD, tmp_path / "炸弹.xlsx", part)
    good = shutil.copy(GOOD, tmp_path / "正常.xlsx")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", "--format", "json", str(bomb), str(good)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert time.perf_counter() - started < 60
    assert "Traceback" not in done.stderr
    bombed, fine = json.loads(done.stdout)["results"]
    assert fine["status"] == "ok"
    # a DTD has no place in a workbook part: the file is refused, nothing is expanded
    assert bombed["status"] == "unreadable"
    assert [f["rule"] for f in bombed["findings"]] == ["F1"]
    assert "DTD" in bombed["findings"][0]["message"]
    assert "lollollol" * 1000 not in done.stdout
