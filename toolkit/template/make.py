"""`toolkit template` as a library call: one template, or one per roster unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import UserError
from toolkit.files import atomic_write, check_outputs, safe_file_stem, unique_stems
from toolkit.forms.model import FormSpec
from toolkit.messages import render
from toolkit.roster import read_roster
from toolkit.template.state import written_state
from toolkit.template.writer import TemplateOptions, template_rules, write_template


@dataclass
class Made:
    path: Path
    unit: str | None


def default_year() -> int:
    """Reports are written in January for the year before."""
    return dt.date.today().year - 1


def check_year(spec: FormSpec, year: int) -> None:
    """Refuse a year the form cannot hold (M1 future year, M2 wrong format for the year)."""
    if not 1990 <= year <= dt.date.today().year:
        raise UserError("template.bad_year", year=year, this_year=dt.date.today().year)
    rules = [r for r in template_rules(spec) if r.at == "meta.year"]
    state = written_state(spec, {"meta.year": year}, rules)
    for rule in rules:
        if not state.holds[rule.instance]:
            raise UserError(
                "template.year_mismatch", year=year, form=spec.id, rule=spec.rule_text(rule.message)
            )


def make_template(
    spec: FormSpec,
    output: Path,
    year: int,
    *,
    unit: str | None = None,
    password: str | None = None,
    force: bool = False,
    inputs: list[Path] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Made:
    check_year(spec, year)
    if output.suffix.lower() != ".xlsx":
        raise UserError("template.not_xlsx", path=str(output))
    check_outputs([output], inputs or [], force)
    options = TemplateOptions(year=year, unit=unit, password=password, values=values or {})
    atomic_write(output, lambda tmp: write_template(spec, tmp, options))
    return Made(output, unit)


def make_roster_templates(
    spec: FormSpec,
    roster: Path,
    out_dir: Path,
    year: int,
    *,
    password: str | None = None,
    force: bool = False,
) -> list[Made]:
    """One template per roster unit, unit and year prefilled and locked, named after the unit."""
    check_year(spec, year)
    entries = read_roster(roster)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError("template.out_not_dir", path=str(out_dir))
    if not out_dir.parent.is_dir():
        raise UserError("files.parent_missing", path=str(out_dir), parent=str(out_dir.parent))
    stems = unique_stems(
        [safe_file_stem(e.name, fallback=render("template.unnamed")) for e in entries]
    )
    outputs = [out_dir / f"{stem}.xlsx" for stem in stems]
    out_dir.mkdir(exist_ok=True)
    check_outputs(outputs, [roster], force)
    made = []
    for entry, output in zip(entries, outputs, strict=True):
        options = TemplateOptions(year=year, unit=entry.name, password=password)
        atomic_write(output, lambda tmp, o=options: write_template(spec, tmp, o))
        made.append(Made(output, entry.name))
    return made
