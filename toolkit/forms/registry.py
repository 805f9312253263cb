"""Which forms exist: the shipped specs, plus any folder named in TOOLKIT_FORMS_PATH."""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.errors import UserError
from toolkit.forms.loader import builtin_dir, load_spec
from toolkit.forms.model import FormSpec


def spec_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("TOOLKIT_FORMS_PATH", "").split(os.pathsep) if p]
    return [builtin_dir(), *extra]


def available_forms() -> dict[str, Path]:
    """Form id -> spec file. Files starting with ``_`` are fragments, not forms."""
    found: dict[str, Path] = {}
    for folder in spec_dirs():
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                if not path.name.startswith("_"):
                    found.setdefault(path.stem, path)
    return found


def load_all() -> tuple[list[FormSpec], list[UserError]]:
    """Every form that loads, and the problems of those that do not (one bad local spec
    must not hide the others)."""
    specs: list[FormSpec] = []
    problems: list[UserError] = []
    for form_id in available_forms():
        try:
            specs.append(load_form(form_id))
        except UserError as exc:
            problems.append(exc)
    return specs, problems


def load_form(form: str | None = None, spec_file: Path | None = None) -> FormSpec:
    """A form by id, or from a spec file given directly (``--spec``)."""
    if spec_file is not None:
        return load_spec(spec_file)
    forms = available_forms()
    form = form or "gov-2021"
    if form not in forms:
        raise UserError("spec.unknown_form", form=form, available=", ".join(forms))
    spec = load_spec(forms[form])
    if spec.id != form:
        # A form is found by its file name; an id that says otherwise would mislabel returns.
        raise UserError("spec.id_mismatch", file=str(forms[form]), id=spec.id, form=form)
    return spec
