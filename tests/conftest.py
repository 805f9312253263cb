"""Shared pytest fixtures."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

# Make `from tests.libreoffice import ...` work under any pytest import mode.
_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from tests.libreoffice import find_soffice  # noqa: E402

_LO_PROGRAM = Path("/usr/lib/libreoffice/program")  # Debian's place for Writer's library


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice; skips the test when it is missing.

    With TOOLKIT_REQUIRE_LIBREOFFICE=1 (CI) a missing LibreOffice fails the test instead.
    """
    path = find_soffice()
    if path is None:
        _missing("LibreOffice (soffice)", "libreoffice-calc")
    return path


def _missing(what: str, package: str) -> NoReturn:
    """Skip the test, or fail it where CI requires LibreOffice (TOOLKIT_REQUIRE_LIBREOFFICE=1)."""
    if os.environ.get("TOOLKIT_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail(
            f"{what} not found, but TOOLKIT_REQUIRE_LIBREOFFICE=1: install it "
            f"(Debian: apt-get install --no-install-recommends {package})",
            pytrace=False,
        )
    pytest.skip(f"{what} not installed")


@pytest.fixture(scope="session")
def writer(soffice: str) -> str:
    """soffice with LibreOffice Writer (for .docx); skips when only Calc is installed.

    With TOOLKIT_REQUIRE_LIBREOFFICE=1 (CI) a missing Writer fails the test instead.
    """
    program = Path(os.path.realpath(soffice)).parent
    if not any((folder / "libswlo.so").exists() for folder in (program, _LO_PROGRAM)):
        _missing("LibreOffice Writer", "libreoffice-writer")
    return soffice


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts in Chinese, whatever an earlier test or the environment chose."""
    from toolkit.messages import set_language

    monkeypatch.delenv("TOOLKIT_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)
