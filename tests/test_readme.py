"""The README's two commands stay true: CI runs the test command verbatim, and the main
command names options that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from toolkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return [
        line.strip()
        for line in re.findall(r"```sh\n(.*?)```", README, re.S)
        for line in line.splitlines()
        if line.strip().startswith("python3 -m venv")
    ]


def test_readme_has_a_setup_and_main_job_command_and_a_test_command() -> None:
    commands = _commands()
    assert len(commands) == 2
    main, tests = commands
    assert "toolkit template" in main and "examples/" in main and "toolkit check" in main
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _commands()[1]
    assert test_command + ' "$@"' in ci


def test_every_toolkit_call_in_the_readme_parses(tmp_path: Path) -> None:
    """Each `toolkit …` line of the README is accepted by the CLI (options exist)."""
    runner = CliRunner()
    calls = re.findall(r"(?:^|&& |\.venv/bin/)toolkit ([^&\n#]+)", README, re.M)
    assert len(calls) >= 5
    for call in calls:
        args = shlex.split(call)
        result = runner.invoke(app, [*args[:1], "--help"])
        assert result.exit_code == 0, call
        help_text = result.output
        for arg in args[1:]:
            if arg.startswith("--"):
                assert arg in help_text, f"README uses {arg} in: toolkit {call}"


def test_example_roster_and_returns_are_shipped() -> None:
    assert (ROOT / "examples" / "单位名单.csv").is_file()
    assert len(list((ROOT / "examples").glob("*.xlsx"))) >= 3


def test_the_main_command_runs_as_written(tmp_path: Path, monkeypatch) -> None:
    """The `toolkit …` steps of the README's first command, run in a fresh folder."""
    main = _commands()[0]
    steps = [part.strip() for part in main.split("&&") if "toolkit " in part]
    assert steps
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    runner = CliRunner()
    for step in steps:
        args = shlex.split(step.split("toolkit ", 1)[1])
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (step, result.output)
    assert (tmp_path / "2025年报模板.xlsx").is_file()
    assert len(list((tmp_path / "模板").glob("*.xlsx"))) == 5  # one per unit of the roster
