"""`toolkit template` as a library call: one template, or one per roster unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import UserError
from toolkit.files import atomic_write, check_outputs, safe_file_stem, unique_stems
from toolkit.forms.model import FormSpec, Rule
from toolkit.messages import render
from toolkit.roster import read_roster
from toolkit.template.state import written_state
from toolkit.template.writer import TemplateOptions, prepare, template_rules, write_template


@dataclass
class Made:
    path: Path
    unit: str | None


def default_year() -> int:
    """Reports are written in January for the year before."""
    return dt.date.today().year - 1


def year_problems(spec: FormSpec, year: int) -> list[Rule]:
    """The rules about the report year (M1, M2) that ``year`` breaks."""
    rules = [r for r in template_rules(spec) if r.at == "meta.year"]
    state = written_state(spec, {"meta.year": year}, rules)
    return [r for r in rules if not state.holds[r.instance]]


def check_year(spec: FormSpec, year: int) -> None:
    """Refuse a year the form's own rules reject: a future year, or the wrong format."""
    problems = year_problems(spec, year)
    if not problems:
        return
    from toolkit.forms.registry import available_forms, load_form

    # Suggest the forms that have the same kind of year rule and accept this year.
    broken = problems[0]
    fitting = []
    for form_id in available_forms():
        try:
            other = load_form(form_id)
        except UserError:
            continue  # a broken local spec is reported by `toolkit forms`, not here
        same_kind = form_id != spec.id and any(r.id == broken.id for r in other.rules)
        if same_kind and not year_problems(other, year):
            fitting.append(form_id)
    raise UserError(
        "template.year_mismatch" if fitting else "template.bad_year",
        year=year,
        form=spec.id,
        rule=spec.rule_text(broken.message),
        fitting=", ".join(fitting),
        this_year=dt.date.today().year,
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
    if output.suffix.lower() != ".xlsx" or output.stem.startswith("."):
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
    if (out_dir.exists() and not out_dir.is_dir()) or out_dir.suffix.lower() == ".xlsx":
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
    shared = prepare(spec, TemplateOptions(year=year, unit=entries[0].name))
    for entry, output in zip(entries, outputs, strict=True):
        options = TemplateOptions(year=year, unit=entry.name, password=password)
        prepared = shared.for_unit(entry.name)
        atomic_write(output, lambda tmp, o=options, p=prepared: write_template(spec, tmp, o, p))
        made.append(Made(output, entry.name))
    return made
