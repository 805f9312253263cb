"""Check many files: read each in a worker process, then validate all of them at once.

Importing pandas and pandera takes the parent about 0.4 s. The workers do not need them
(reading is pandas-free), so the parent forks its workers first and imports the validation
in a background thread while they read: the start-up cost is paid during the reading.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from toolkit.check.isolation import read_all
from toolkit.check.reading import read_file
from toolkit.check.result import FileResult
from toolkit.forms.model import FormSpec

if TYPE_CHECKING:
    from toolkit.check.run import LastYear

# what validation and the reports need; imported while the workers read
VALIDATION_MODULES = ("pandera.pandas", "toolkit.check.run", "toolkit.validate.run")


def import_modules(names: tuple[str, ...]) -> Callable[[], None]:
    """A task that imports ``names`` (an import that fails is retried, and raises, where the
    module is used), and warms up pandera when validation is among them."""

    def task() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:
                continue
        if "toolkit.validate.run" in sys.modules:
            with contextlib.suppress(Exception):  # a cold pandera is only slower
                sys.modules["toolkit.validate.run"].warm_up()

    return task


def check_files(
    names: list[str],
    forms: list[FormSpec],
    form: FormSpec | None = None,
    last_year: LastYear | None = None,
    isolate: bool = True,
    progress: Callable[[int], None] | None = None,
    also_import: tuple[str, ...] = (),
    documents: bool = False,
    shown: list[str] | None = None,
) -> list[FileResult]:
    """Read every file (each in a worker process unless ``isolate`` is False), then validate
    all of them together; ``also_import`` names modules the caller will need next; ``shown``:
    what each file is called in its result and messages (default: its name)."""
    if isolate:
        meanwhile = import_modules(VALIDATION_MODULES + also_import)
        results = read_all(
            names,
            forms,
            form,
            done=progress,
            meanwhile=meanwhile,
            documents=documents,
            shown=shown,
        )
    else:
        called = shown or [None] * len(names)
        results = [
            read_file(name, forms, form, documents, as_shown)
            for name, as_shown in zip(names, called, strict=True)
        ]
    from toolkit.check.run import validate

    # while validation allocates, the collector need not walk the results again and again
    # (at 1,000 returns that is a tenth of a second); it is given them back after
    gc.freeze()
    try:
        validate(results, last_year)
    finally:
        gc.unfreeze()
    return results
