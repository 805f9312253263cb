"""Recalculate and convert workbooks with LibreOffice running headless.

Tests and benchmarks use this to get the values a real spreadsheet engine computes, since
python-calamine and openpyxl only see the cached values written by xlsxwriter (0 for formulas).

Two LibreOffice behaviours shape this module:

* ``soffice --convert-to`` keeps cached formula results unless the profile says "always
  recalculate" (``OOXMLRecalcMode``/``ODFRecalcMode`` = 0). Every call therefore runs with a
  private, throw-away user profile that sets both, which also keeps parallel runs from clashing
  on a shared profile (a second soffice on the same profile hands its job to the first and exits).
* Starting soffice costs about a second, so many files are converted in one process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["CHUNK_SIZE", "convert", "find_soffice", "private_profile", "recalculate"]

#: Most files handed to one soffice process (keeps the command line and a single failure small).
CHUNK_SIZE = 200

_FALLBACK_PATHS = ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice")

_RECALC_XCU = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    """Return the path of the LibreOffice executable, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _FALLBACK_PATHS:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@contextlib.contextmanager
def private_profile() -> Iterator[Path]:
    """Yield a temporary LibreOffice user profile that always recalculates on load."""
    with tempfile.TemporaryDirectory(prefix="toolkit-lo-profile-") as tmp:
        profile = Path(tmp)
        user = profile / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
        yield profile


def recalculate(paths: list[Path], out_dir: Path, *, timeout: float = 600) -> dict[Path, Path]:
    """Recalculate every formula of ``paths`` in LibreOffice and save the results as .xlsx.

    Returns a map from each input path to its recalculated copy in ``out_dir``.
    Inputs are never modified. See :func:`convert` for naming and error handling.
    """
    return convert(paths, out_dir, "xlsx", timeout=timeout)


def convert(
    paths: Sequence[Path],
    out_dir: Path,
    fmt: str = "xlsx",
    *,
    timeout: float = 600,
    soffice: str | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> dict[Path, Path]:
    """Convert ``paths`` with LibreOffice to ``fmt`` ("xlsx", "ods", "pdf", "csv", ...; a
    filter may follow the type: "docx:MS Word 2007 XML", which web pages need).

    Formulas are recalculated on load. All files go through one soffice process per chunk of
    ``chunk_size`` files; ``timeout`` applies to each soffice process.

    Outputs are named ``<input stem>.<fmt>`` in ``out_dir``; when two inputs share a stem (same
    name in different folders), or the name is one of the inputs, a ``-2``, ``-3``... suffix is
    added. An existing file of that name in ``out_dir`` is overwritten, an input never is.
    Returns a map input path -> output path, in input order.

    Raises FileNotFoundError for a missing input or soffice, RuntimeError when soffice fails,
    times out, or produces no output for some input (message includes its stdout/stderr).
    """
    fmt = fmt.lstrip(".")
    if not fmt:
        raise ValueError("fmt must name a target format, e.g. 'xlsx'")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    inputs = [Path(p) for p in paths]
    for path in inputs:
        if not path.is_file():
            raise FileNotFoundError(f"input workbook not found: {path}")
    if len(set(inputs)) != len(inputs):
        raise ValueError("the same input path is listed twice")
    exe = soffice or find_soffice()
    if exe is None:
        raise FileNotFoundError("LibreOffice (soffice) not found on PATH")
    if not inputs:
        return {}

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = _output_names(inputs, out_dir, fmt)

    result: dict[Path, Path] = {}
    with private_profile() as profile:
        for start in range(0, len(inputs), chunk_size):
            chunk = inputs[start : start + chunk_size]
            result.update(_convert_chunk(exe, profile, chunk, targets, fmt, timeout))
    return result


def _output_names(inputs: list[Path], out_dir: Path, fmt: str) -> dict[Path, Path]:
    """Pick a distinct output path per input; never one that is an input itself."""
    forbidden = {_normalized(p) for p in inputs}
    taken: set[str] = set()
    names: dict[Path, Path] = {}
    for path in inputs:
        n = 1
        while True:
            suffix = fmt.split(":", 1)[0]  # "docx:MS Word 2007 XML": a filter after the type
            name = f"{path.stem}.{suffix}" if n == 1 else f"{path.stem}-{n}.{suffix}"
            candidate = out_dir / name
            key = _normalized(candidate)
            if key not in taken and key not in forbidden:
                break
            n += 1
        taken.add(key)
        names[path] = candidate
    return names


def _normalized(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _convert_chunk(
    exe: str,
    profile: Path,
    chunk: list[Path],
    targets: dict[Path, Path],
    fmt: str,
    timeout: float,
) -> dict[Path, Path]:
    # Copy inputs under short ASCII names: no clash between equal names from different folders,
    # no dependence on the locale for non-ASCII names, and the originals are never touched.
    with tempfile.TemporaryDirectory(prefix="toolkit-lo-work-") as tmp:
        work = Path(tmp)
        src_dir = work / "in"
        dst_dir = work / "out"
        src_dir.mkdir()
        dst_dir.mkdir()
        staged: list[tuple[Path, Path]] = []
        for i, path in enumerate(chunk):
            copy = src_dir / f"f{i:05d}{path.suffix.lower()}"
            shutil.copyfile(path, copy)
            staged.append((path, copy))

        cmd = [
            exe,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(dst_dir),
            *(str(copy) for _, copy in staged),
        ]
        stdout, stderr, returncode = _run(cmd, timeout)

        result: dict[Path, Path] = {}
        missing: list[Path] = []
        for original, copy in staged:
            produced = dst_dir / f"{copy.stem}.{fmt.split(':', 1)[0]}"
            if not produced.is_file() or produced.stat().st_size == 0:
                missing.append(original)
                continue
            target = targets[original]
            shutil.move(produced, target)
            result[original] = target
        if missing:
            staged_as = {original: copy.name for original, copy in staged}
            listed = "\n".join(f"  {p} (staged as {staged_as[p]})" for p in missing[:20])
            more = f"\n  ... and {len(missing) - 20} more" if len(missing) > 20 else ""
            raise RuntimeError(
                f"LibreOffice produced no {fmt} output for {len(missing)} of {len(chunk)} "
                f"file(s) (exit code {returncode}):\n{listed}{more}\n"
                f"command: {' '.join(cmd[:12])} ...\n"
                f"stdout:\n{stdout.strip()}\nstderr:\n{stderr.strip()}"
            )
        return result


def _run(cmd: list[str], timeout: float) -> tuple[str, str, int]:
    """Run soffice in its own process group so a timeout kills soffice.bin as well."""
    env = dict(os.environ)
    env.setdefault("SAL_USE_VCLPLUGIN", "svp")  # never try to reach a display
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        raise RuntimeError(
            f"LibreOffice did not finish within {timeout:g} s "
            f"({len(cmd)} arguments, killed)\n"
            f"stdout:\n{_text(stdout).strip()}\nstderr:\n{_text(stderr).strip()}"
        ) from None
    return _text(stdout), _text(stderr), proc.returncode


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")
