"""The command line: parse options, call the library, render the result. Nothing else."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from toolkit.errors import UserError
from toolkit.limits import current as current_limits
from toolkit.messages import LANGUAGES, normalise_language, render, set_language
from toolkit.text import MAX_NAME_LENGTH, clean_name


def _peek_language(argv: list[str]) -> str | None:
    """--lang must be known before the help texts are built, so read it from argv early."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


set_language(_peek_language(sys.argv))


def _localise_typer() -> None:
    """Typer's own help panels and error box speak the user's language too (where its
    module-level strings allow it; click's "Usage:" and --help line stay English).

    Its rich module costs 50 ms to import and most runs never show help or a usage error:
    it is set up to load on first use (the standard library's lazy-import recipe), and
    the strings set now are applied again once it has loaded."""
    name = "typer.rich_utils"
    if name in sys.modules:
        module = sys.modules[name]
    else:
        try:
            spec = importlib.util.find_spec(name)
        except ImportError:
            spec = None
        if spec is None or spec.loader is None:  # typer without rich: plain click help
            return
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        sys.modules["typer"].rich_utils = module  # as an import would
    for attribute, message_id in (
        ("OPTIONS_PANEL_TITLE", "cli.typer_options"),
        ("COMMANDS_PANEL_TITLE", "cli.typer_commands"),
        ("ARGUMENTS_PANEL_TITLE", "cli.typer_arguments"),
        ("ERRORS_PANEL_TITLE", "cli.typer_error"),
        ("DEFAULT_STRING", "cli.typer_default"),
        ("REQUIRED_LONG_STRING", "cli.typer_required"),
        ("ABORTED_TEXT", "cli.interrupted"),
        ("RICH_HELP", "cli.typer_try_help"),
    ):
        setattr(module, attribute, render(message_id))
    # an option's help is laid out in rich's Columns, whose cells cut a line they cannot
    # break at a space with "…": Chinese has none, so 单位名单…据此判断… lost its end
    module.Columns = _columns_folding_text


def _columns_folding_text(renderables: list[Any], *args: Any, **kwargs: Any) -> Any:
    """rich's Columns of ``renderables``, each text folded (broken between characters)
    where it does not fit, never cut short."""
    from rich.columns import Columns

    for renderable in renderables:
        if getattr(renderable, "overflow", "") is None:
            renderable.overflow = "fold"
    return Columns(renderables, *args, **kwargs)


_localise_typer()


def t(message_id: str, **params: Any) -> str:
    return render(message_id, **params)


def _lang_callback(value: str | None) -> str | None:
    if value is None:
        return value
    if not _known_language(value):
        raise typer.BadParameter(t("cli.bad_lang", value=value))
    set_language(normalise_language(value))
    return value


LangOption = Annotated[
    str | None,
    typer.Option("--lang", help=t("cli.lang_help"), callback=_lang_callback, is_eager=True),
]

app = typer.Typer(
    help=t("cli.app_help"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(lang: LangOption = None) -> None:
    """Root options shared by every command."""


def _known_language(value: str) -> bool:
    return value.strip().lower().split("-")[0].split("_")[0] in LANGUAGES


def _run(action: Callable[[], None]) -> None:
    """Run a command body: a UserError becomes its message on stderr and exit code 2."""
    try:
        action()
    except UserError as exc:
        typer.echo(exc.render(), err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo(t("cli.interrupted"), err=True)
        raise typer.Exit(2) from None
    except BrokenPipeError:
        # The reader of our output went away (`toolkit forms | head`): stop quietly; the
        # run did not complete, so it does not report success.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(2) from None
    except (typer.Exit, typer.Abort):
        raise
    except PermissionError as exc:  # a folder made read-only meanwhile, a locked file
        typer.echo(t("files.refused", path=exc.filename or ""), err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # a bug: say so plainly, show details only on request
        if os.environ.get("TOOLKIT_DEBUG"):
            raise
        typer.echo(t("cli.internal_error", detail=f"{type(exc).__name__}: {exc}"), err=True)
        raise typer.Exit(2) from None


@app.command("forms", help=t("cli.forms_help"))
def forms_command(
    output_format: Annotated[str, typer.Option("--format", help=t("cli.format_help"))] = "text",
    lang: LangOption = None,
) -> None:
    def action() -> None:

        _check_format(output_format)
        specs, problems = _load_forms()
        if output_format == "json":
            data = [
                {
                    "id": s.id,
                    "name": s.name,
                    "basis": s.basis,
                    "version": s.version,
                    "sheets": list(s.sheets),
                    "fields": len(s.fields),
                    "rules": sorted({r.id for r in s.rules}),
                    "path": str(s.path),
                }
                for s in specs
            ]
            typer.echo(
                json.dumps(
                    {"schema": "toolkit-forms/1", "forms": data}, ensure_ascii=False, indent=2
                )
            )
        else:
            _print_forms(specs)
        if problems:
            raise typer.Exit(2)  # the broken specs were named on stderr above

    _run(action)


def _check_format(output_format: str) -> None:
    if output_format not in ("text", "json"):
        raise UserError("cli.bad_format", value=output_format)


def _forms_for_reading() -> list[Any]:
    """The forms a command reads returns with; a limit set wrongly in the environment stops
    the command here, not once per file."""
    current_limits()
    forms, _ = _load_forms()
    return forms


def _print_results(results: list[Any], output_format: str, passed_over: Sequence[str] = ()) -> None:
    """Per-file results (`check`, `audit`) as JSON (CHECK-JSON.md) or text, on stdout;
    ``passed_over``, lines on what was not read, before the text's verdict (on stderr beside
    JSON, which has no place for them)."""
    from toolkit.check.report import text_report, write_json_report

    if output_format == "json":
        write_json_report(results, sys.stdout)
        for line in passed_over:
            typer.echo(line, err=True)
    else:
        typer.echo(text_report(results, passed_over))


def _skipped_lines(skipped: list[Any]) -> list[str]:
    """What was passed over, each with why, as `summary` lists it."""
    from toolkit.summary.report import inbox_line

    label = t("summary.standing.skipped")
    return [f"  {label} {inbox_line(item)}" for item in skipped]


def _load_forms() -> tuple[list[Any], list[UserError]]:
    """Every form that loads; a broken local spec is named on stderr, the others still work."""
    from toolkit.forms.registry import load_all

    forms, problems = load_all()
    for problem in problems:
        typer.echo(problem.render(), err=True)
    return forms, problems


def _print_forms(specs: list[Any]) -> None:
    typer.echo(t("cli.forms_header"))
    for s in specs:
        typer.echo(
            t(
                "cli.forms_line",
                id=s.id,
                pad="",
                name=s.name,
                basis=s.basis,
                tables=len(s.tables),
                fields=len(s.fields),
                rules=len({r.id for r in s.rules}),
                path=s.path.name,
            )
        )


@app.command("template", help=t("cli.template_help"))
def template_command(
    form: Annotated[str, typer.Option("--form", "-f", help=t("cli.form_help"))] = "gov-2021",
    spec: Annotated[Path | None, typer.Option("--spec", help=t("cli.spec_help"))] = None,
    year: Annotated[int | None, typer.Option("--year", "-y", help=t("cli.year_help"))] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=t("cli.unit_help"))] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help=t("cli.roster_help"))] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help=t("cli.output_help"))] = None,
    password: Annotated[str | None, typer.Option("--password", help=t("cli.password_help"))] = None,
    force: Annotated[bool, typer.Option("--force", help=t("cli.force_help"))] = False,
    lang: LangOption = None,
) -> None:
    def action() -> None:
        from toolkit.forms.registry import load_form
        from toolkit.template.make import default_year, make_roster_templates, make_template

        form_spec = load_form(form, spec)
        report_year = year if year is not None else default_year()
        unit_name = clean_name(unit) if unit is not None else None
        if unit_name is not None and not 0 < len(unit_name) <= MAX_NAME_LENGTH:
            raise UserError("cli.bad_unit", limit=MAX_NAME_LENGTH)
        if roster is not None and unit_name is not None:
            raise UserError("cli.unit_and_roster")
        if output is not None and not output.strip():
            raise UserError("cli.empty_output")
        if roster is not None:
            folder = Path(output) if output else Path(form_spec.id)
            made = make_roster_templates(
                form_spec, roster, folder, report_year, password=password, force=force
            )
            typer.echo(t("cli.made_many", count=len(made), folder=folder))
            for item in made:
                typer.echo(t("cli.made_unit", unit=item.unit, path=item.path))
            return
        default_name = t("template.default_name", year=report_year, form=form_spec.id)
        into = _output_folder(output)  # "-o 模板/": a folder to write into, as with --roster
        _made(into)
        target = into / default_name if into is not None else Path(output or default_name)
        inputs = [spec] if spec is not None else []
        made_one = make_template(
            form_spec,
            target,
            report_year,
            unit=unit_name,
            password=password,
            force=force,
            inputs=inputs,
        )
        typer.echo(t("cli.made_one", path=made_one.path))

    _run(action)


@app.command("check", help=t("cli.check_help"))
def check_command(
    paths: Annotated[
        list[str],
        typer.Argument(
            help=t("cli.check_paths_help"), show_default=False, metavar=t("cli.check_paths_metavar")
        ),
    ],
    output_format: Annotated[str, typer.Option("--format", help=t("cli.format_help"))] = "text",
    form: Annotated[str | None, typer.Option("--form", "-f", help=t("cli.check_form_help"))] = None,
    spec: Annotated[Path | None, typer.Option("--spec", help=t("cli.spec_help"))] = None,
    annotate: Annotated[str | None, typer.Option("--annotate", help=t("cli.annotate_help"))] = None,
    last_year: Annotated[
        str | None, typer.Option("--last-year", help=t("cli.last_year_help"))
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=t("cli.force_help"))] = False,
    lang: LangOption = None,
) -> None:
    def action() -> None:
        from toolkit.check.annotate import annotation_targets
        from toolkit.check.pipeline import check_files
        from toolkit.check.result import exit_code
        from toolkit.forms.registry import load_form

        _check_format(output_format)
        forms = _forms_for_reading()
        chosen = load_form(form, spec) if (form or spec) else None
        if chosen is not None:  # a local spec stands in for a built-in form of the same id
            forms = [f for f in forms if f.id != chosen.id] + [chosen]
        names = _without_lock_files(_distinct(paths))
        targets = annotation_targets(names, annotate, force) if annotate is not None else None
        previous = None
        if last_year is not None:
            if len(names) != 1:
                raise UserError("cli.last_year_one_file")
            from toolkit.check.run import LastYear, read_last_year

            previous = read_last_year(last_year, forms)
            if not isinstance(previous, LastYear):
                detail = previous.findings[0].message if previous.findings else last_year
                raise UserError("cli.last_year_unreadable", path=last_year, detail=detail)
        results = check_files(names, forms, chosen, previous)
        this_year = results[0].meta.get("year") if previous is not None else None
        if previous is not None and this_year and previous.year and previous.year != this_year - 1:
            raise UserError(
                "cli.last_year_not_previous", path=last_year, last=previous.year, year=this_year
            )
        _print_results(results, output_format)
        if targets is not None:
            _write_annotations(results, targets, quiet=output_format == "json")
        raise typer.Exit(exit_code(results))

    _run(action)


_LOCK_FILE_BYTES = 4096  # what Excel, WPS or LibreOffice leave beside an open file: its user


def _without_lock_files(paths: list[str]) -> list[str]:
    """The paths but the lock files a glob such as 收件箱/*.xlsx takes in (~$年报.xlsx while
    年报.xlsx is open), each said on stderr; none left is a usage error."""
    from toolkit.inbox.collect import TEMPORARY_PREFIXES

    kept = []
    for name in paths:
        path = Path(name)
        with contextlib.suppress(OSError):
            if path.name.startswith(TEMPORARY_PREFIXES) and path.stat().st_size < _LOCK_FILE_BYTES:
                typer.echo(t("cli.lock_file_skipped", path=name), err=True)
                continue
        kept.append(name)
    if paths and not kept:
        raise UserError("cli.only_lock_files")
    return kept


def _distinct(paths: list[str]) -> list[str]:
    """Each file once, as first given (`check a.xlsx --annotate a.xlsx` names a.xlsx twice:
    `--annotate` then stands alone, and the copy goes beside it; two globs may overlap)."""
    seen: set[str] = set()
    kept = []
    for name in paths:
        key = os.path.normcase(os.path.abspath(name))
        if key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


@app.command("summary", help=t("cli.summary_help"))
def summary_command(
    inbox: Annotated[
        Path,
        typer.Argument(help=t("cli.summary_inbox_help"), metavar=t("cli.summary_inbox_metavar")),
    ],
    roster: Annotated[
        Path | None, typer.Option("--roster", "-r", help=t("cli.summary_roster_help"))
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help=t("cli.summary_output_help"))
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help=t("cli.format_help"))] = "text",
    form: Annotated[str | None, typer.Option("--form", "-f", help=t("cli.check_form_help"))] = None,
    include_errors: Annotated[
        bool, typer.Option("--include-errors", help=t("cli.summary_include_errors_help"))
    ] = False,
    replies: Annotated[
        Path | None, typer.Option("--replies", help=t("cli.summary_replies_help"))
    ] = None,
    deadline: Annotated[
        str | None, typer.Option("--deadline", help=t("cli.summary_deadline_help"))
    ] = None,
    sign: Annotated[str | None, typer.Option("--sign", help=t("cli.summary_sign_help"))] = None,
    sender: Annotated[str | None, typer.Option("--from", help=t("cli.summary_from_help"))] = None,
    year: Annotated[
        int | None, typer.Option("--year", help=t("cli.summary_year_help"), min=2008, max=2100)
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=t("cli.force_help"))] = False,
    lang: LangOption = None,
) -> None:
    def action() -> None:
        import tempfile

        from toolkit.files import atomic_write, check_outputs, writable_folders
        from toolkit.forms.registry import load_form
        from toolkit.roster import read_roster
        from toolkit.summary.run import summarise

        _check_format(output_format)
        if not inbox.exists():
            raise UserError("cli.summary_inbox_missing", path=str(inbox))
        if not inbox.is_dir():
            raise UserError("cli.summary_not_a_folder", path=str(inbox))
        forms = _forms_for_reading()
        chosen = load_form(form) if form else None
        units = read_roster(roster) if roster is not None else None
        if year is not None and year > dt.date.today().year:  # M1: no report of the future
            raise UserError("cli.summary_future_year", year=year, last=dt.date.today().year - 1)
        # -o naming a folder: the summary goes into it, named once the year is known
        into = _output_folder(output)
        target = _output_path(output) if into is None else None
        if into is not None and year is not None:
            target = _summary_in(into, year)
        if target is not None and target.suffix.lower() != ".xlsx":
            raise UserError("cli.summary_not_xlsx", path=str(target))
        # a summary this command wrote into the inbox before is replaced, not read or kept
        ours = _own_summaries(target, into)
        inputs = [p for p in inbox.rglob("*") if p.is_file() and not (ours and p.resolve() in ours)]
        inputs += [roster] if roster else []
        if target is not None and (into is None or into.is_dir()):
            check_outputs([target], inputs, force)
        elif into is not None and into.is_dir():  # named once the year is known; refused now
            writable_folders([into / "probe"])  # if the folder takes no new file
        if replies is not None and not replies.parent.is_dir():
            raise UserError("files.parent_missing", path=str(replies), parent=str(replies.parent))
        if replies is not None and replies.exists() and not replies.is_dir():
            raise UserError("cli.replies_not_a_folder", path=str(replies))
        if replies is not None and target is not None and replies.resolve() == target.resolve():
            raise UserError("cli.replies_is_output", path=str(replies))
        if replies is not None:  # a read-only folder is said before the inbox is read
            writable_folders([replies / "draft.eml" if replies.is_dir() else replies])
        letter = _reply_options(replies, deadline, sign, sender)
        from toolkit.inbox.collect import collect

        with tempfile.TemporaryDirectory(prefix="toolkit-inbox-") as work:
            # collected before the progress bar's thread starts: mails are parsed by forked
            # workers, and a fork must not copy a thread holding a lock
            collected = collect(inbox, Path(work), ours, roster.resolve() if roster else None)
            with _progress_bar() as progress:
                summary = summarise(
                    inbox, units, forms, Path(work), chosen, progress, collected, year=year
                )
            summary.roster_file = roster
            if target is None and into is not None:  # the year is known now: checked as -o
                target = _summary_in(into, summary.year)
                if into.is_dir():
                    check_outputs([target], inputs, force)
            # the results live until this process ends: the collector need not walk them
            # while the workbook is written (0.74 -> 0.58 s at 1,000 returns)
            gc.freeze()
            # imported while the files were read (summarise); not before, so the workers
            # start without pandas
            from toolkit.summary.report import doubts, text_report, write_json_report
            from toolkit.summary.workbook import write_summary

            for doubt in doubts(summary):  # before a reminder goes out to every unit
                typer.echo(doubt, err=True)
            # every output is refused or cleared before the first is written
            planned = _plan_replies(summary, replies, inputs, force)
            specs = {spec.id: spec for spec in forms}
            if target is not None:
                _made(into)
                atomic_write(target, lambda tmp: write_summary(summary, tmp, specs, include_errors))
            drafts = _write_replies(summary, planned, forms, chosen, letter)
        if output_format == "json":
            write_json_report(summary, sys.stdout, specs, include_errors, target)
        else:
            typer.echo(text_report(summary))
        quiet = output_format == "json"
        if target is not None:
            typer.echo(t("summary.written", path=target), err=quiet)
        writable = sum(1 for row in summary.units if row.reply is not None)
        if replies is None and writable and not quiet:
            typer.echo(t("summary.reply.hint", count=writable))
        if replies is not None and not drafts:  # said, not left to be wondered at
            key = "summary.reply.none" if summary.expected else "summary.reply.none_unlisted"
            typer.echo(t(key, folder=replies), err=quiet)
        if drafts:
            typer.echo(t("summary.reply.written", count=len(drafts), folder=replies), err=quiet)
        if replies is not None:
            from toolkit.summary.replies import sendable_addresses, stale_drafts

            stale = stale_drafts(replies, [path for _, _, path in planned])
            if stale:
                names = _first_named([p.name for p in stale]) + (
                    "…" if len(stale) > NAMES_LISTED else ""
                )
                typer.echo(t("summary.reply.stale", count=len(stale), names=names), err=True)
            unsent = [d.unit for d in drafts if not sendable_addresses(d.unit)]
            # an address written so that none can be read from it is the clerk's to retype
            garbled = [u.name for u in unsent if u.email_written]
            nameless = [u.name for u in unsent if not u.email_written]
            if garbled:
                typer.echo(_no_address(garbled, summary.expected, garbled=True), err=quiet)
            if nameless:
                typer.echo(_no_address(nameless, summary.expected), err=quiet)
        raise typer.Exit(summary.exit_code)

    _run(action)


def _output_path(output: str | None) -> Path | None:
    return Path(output) if output else None


# what ends a path naming a folder ("模板/"): a backslash only where it separates paths
_FOLDER_ENDS = tuple({"/", os.sep})


def _output_folder(output: str | None) -> Path | None:
    """The folder -o names, if it names one: an existing folder, or a new one written with
    a trailing slash ("汇总/") in a folder that exists, made when the summary is written (a
    run refused before then leaves none behind)."""
    if not output:
        return None
    folder = Path(output)
    if folder.is_dir():
        return folder
    if not output.endswith(_FOLDER_ENDS):
        return None
    if folder.exists():  # a file by that name: no folder can be made
        raise UserError("files.parent_not_dir", path=output, parent=str(folder))
    if folder.parent.exists() and not folder.parent.is_dir():
        raise UserError("files.parent_not_dir", path=output, parent=str(folder.parent))
    if not folder.parent.is_dir():
        raise UserError("files.parent_missing", path=output, parent=str(folder.parent))
    from toolkit.files import writable_folders

    writable_folders([folder])  # the folder it is made in takes new files
    return folder


def _made(folder: Path | None) -> None:
    """-o's new folder, made as the summary is written into it."""
    if folder is not None:
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            raise UserError("files.refused", path=str(folder)) from None


def _summary_in(folder: Path, year: int | None) -> Path:
    """The summary -o's folder gets: named after the year collected, if any is known."""
    if year is None:
        return folder / t("summary.default_name_no_year")
    return folder / t("summary.default_name", year=year)


def _own_summaries(target: Path | None, into: Path | None) -> frozenset[Path]:
    """Our summaries this run may replace (resolved): -o's file, or in -o's folder those under
    the names it gives there (the year, not known yet, may be any)."""
    from toolkit.inbox.collect import is_own_summary

    named = [target] if target is not None else []
    if into is not None and target is None:
        named = [*into.glob(t("summary.default_name", year="*")), _summary_in(into, None)]
    return frozenset(p.resolve() for p in named if p.is_file() and is_own_summary(p))


NAMES_LISTED = 10  # units named in a line; a national roster may lack hundreds of addresses


def _first_named(names: list[str]) -> str:
    return "、".join(names[:NAMES_LISTED])


def _no_address(names: list[str], roster: bool = True, garbled: bool = False) -> str:
    """The units whose drafts have no recipient: no 邮箱 in the roster (``garbled``: one
    written so that no address can be read from it), or (no roster) whose returns came as
    files, not mails."""
    listed = _first_named(names)
    if len(names) > NAMES_LISTED:
        listed = t("summary.reply.no_address_more", units=listed, count=len(names))
    key = "summary.reply.no_address" if roster else "summary.reply.no_address_unlisted"
    if garbled:
        key = "summary.reply.address_unreadable"
    return t(key, units=listed, count=len(names))


@app.command("report", help=t("cli.report_help"))
def report_command(
    path: Annotated[
        str,
        typer.Argument(
            help=t("cli.report_path_help"),
            show_default=False,
            metavar=t("cli.report_path_metavar"),
        ),
    ],
    output: Annotated[
        str | None, typer.Option("--output", "-o", help=t("cli.report_output_help"))
    ] = None,
    output_format: Annotated[
        str | None, typer.Option("--format", help=t("cli.report_format_help"))
    ] = None,
    form: Annotated[str | None, typer.Option("--form", "-f", help=t("cli.check_form_help"))] = None,
    force: Annotated[bool, typer.Option("--force", help=t("cli.report_force_help"))] = False,
    lang: LangOption = None,
) -> None:
    def action() -> None:
        from toolkit.check.pipeline import check_files
        from toolkit.check.report import text_report
        from toolkit.document.publish import choose_format, write_report
        from toolkit.document.report import build_report
        from toolkit.files import check_outputs, safe_file_stem
        from toolkit.forms.registry import load_form

        fmt = choose_format(output_format, output)
        if output is not None and not output.strip():
            raise UserError("cli.empty_output")
        if Path(path).is_dir():  # one return makes one report: which of the folder's?
            raise UserError("cli.report_folder", path=path)
        forms = _forms_for_reading()
        chosen = load_form(form) if form else None
        [result] = check_files([path], forms, chosen)
        if result.unreadable:
            typer.echo(text_report([result]), err=True)
            raise typer.Exit(2)
        assert result.read is not None
        if result.read.main is None:
            raise UserError("document.no_main", file=path)
        if result.read.main.spec.report is None:
            raise UserError("document.no_outline", form=result.read.main.spec.id)
        # a total left blank (W6) would be published blank, and a formula total over it shows
        # a figure without it: neither belongs in the official table
        errors = sum(f.severity == "error" or f.rule == "W6" for f in result.findings)
        if errors and not force:
            typer.echo(text_report([result]), err=True)
            typer.echo(t("document.refused", file=path, count=errors), err=True)
            raise typer.Exit(1)
        built = build_report(result)
        target = Path(output) if output else Path(f"{safe_file_stem(built.title)}.{fmt}")
        if not target.suffix and not target.is_dir():  # -o 年报: the format's extension
            target = target.with_name(f"{target.name}.{fmt}")
        check_outputs([target], [Path(path)], force)
        write_report(built, target, fmt)
        for heading in built.empty_sections:
            typer.echo(t("document.empty_section", heading=heading), err=True)
        if errors:
            typer.echo(t("document.forced", file=path, count=errors), err=True)
        typer.echo(t("document.written", path=target))

    _run(action)


@app.command("audit", help=t("cli.audit_help"))
def audit_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help=t("cli.audit_paths_help"),
            show_default=False,
            metavar=t("cli.audit_paths_metavar"),
        ),
    ],
    output_format: Annotated[str, typer.Option("--format", help=t("cli.format_help"))] = "text",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help=t("cli.audit_output_help"))
    ] = None,
    roster: Annotated[
        Path | None, typer.Option("--roster", "-r", help=t("cli.audit_roster_help"))
    ] = None,
    form: Annotated[str | None, typer.Option("--form", "-f", help=t("cli.check_form_help"))] = None,
    force: Annotated[bool, typer.Option("--force", help=t("cli.force_help"))] = False,
    lang: LangOption = None,
) -> None:
    def action() -> None:
        import tempfile

        from toolkit.check.result import exit_code
        from toolkit.files import atomic_write, check_outputs
        from toolkit.forms.registry import load_form
        from toolkit.inbox.collect import collect_documents
        from toolkit.roster import read_roster
        from toolkit.summary.run import summarise

        _check_format(output_format)
        forms = _forms_for_reading()
        chosen = load_form(form) if form else None
        units = read_roster(roster) if roster is not None else None
        into = _output_folder(output)  # a folder to write into, as summary's -o
        target = _output_path(output) if into is None else into / t("document.audit_default_name")
        if target is not None and target.suffix.lower() != ".xlsx":
            raise UserError("cli.summary_not_xlsx", path=str(target))
        # a summary written into the folder audited before is passed over as ours (its
        # marker); any other file there is a report, which -o must not name
        inbox = collect_documents(paths)
        if not inbox.received:
            raise UserError("document.no_documents", path="、".join(str(p) for p in paths))
        if target is not None and (into is None or into.is_dir()):
            inputs = [r.path for r in inbox.received] + ([roster] if roster else [])
            check_outputs([target], inputs, force)
        folder = paths[0]
        with contextlib.suppress(ValueError):  # paths on different drives have none
            folder = Path(os.path.commonpath([p.resolve() for p in paths]))
        with tempfile.TemporaryDirectory(prefix="toolkit-audit-") as work:
            with _progress_bar() as progress:
                # published reports of several years may be compared: none is set aside
                summary = summarise(
                    folder,
                    units,
                    forms,
                    Path(work),
                    chosen,
                    progress,
                    inbox,
                    documents=True,
                    infer_year=False,
                )
            summary.roster_file = roster
            gc.freeze()  # as in summary: the results live until this process ends
            from toolkit.summary.workbook import write_summary

            if target is not None:
                specs = {spec.id: spec for spec in forms}
                _made(into)
                atomic_write(target, lambda tmp: write_summary(summary, tmp, specs, False))
        results = [r.result for r in summary.returns]
        _print_results(results, output_format, _skipped_lines(summary.inbox_problems.skipped))
        if target is not None:
            typer.echo(t("summary.written", path=target), err=output_format == "json")
        raise typer.Exit(exit_code(results))

    _run(action)


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[int], Callable[[int], None]] | None]:
    """A progress bar on stderr for long runs; nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn(t("cli.reading")),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:

        def start(total: int) -> Callable[[int], None]:
            task = bar.add_task("", total=total)
            return lambda done: bar.update(task, completed=done)

        yield start


def _plan_replies(summary: Any, folder: Path | None, inputs: list[Path], force: bool) -> list[Any]:
    """The drafts to write into ``folder`` (created), each output checked."""
    from toolkit.files import check_outputs
    from toolkit.summary.replies import is_own_draft, plan_drafts

    if folder is None:
        return []
    folder.mkdir(exist_ok=True)
    planned = plan_drafts(summary, folder)
    outputs = [path for _, _, path in planned]
    # a drafts folder inside the inbox: an earlier run's drafts are outputs, not inputs
    rewritten = {p.resolve() for p in outputs if is_own_draft(p)}
    check_outputs(outputs, [p for p in inputs if p.resolve() not in rewritten], force)
    return planned


def _reply_options(
    replies: Path | None, deadline: str | None, sign: str | None, sender: str | None
) -> Any:
    """The deadline, sign-off and sender of the reply drafts, checked before the inbox is
    read; each only with --replies (given alone, the clerk expects drafts that never come)."""
    from toolkit.summary.reply_options import reply_options
    from toolkit.summary.run import CHINA

    given = {"--deadline": deadline, "--sign": sign, "--from": sender}
    alone = [option for option, value in given.items() if value is not None]
    if replies is None and alone:
        raise UserError("cli.reply_option_alone", option=alone[0])
    return reply_options(deadline, sign, sender, dt.datetime.now(CHINA).date())


def _write_replies(
    summary: Any, planned: list[Any], forms: list[Any], chosen: Any, options: Any
) -> list[Any]:
    """The planned reply drafts, for the year collected and the form most returns used."""
    from collections import Counter

    from toolkit.summary.replies import write_drafts
    from toolkit.template.make import default_year

    if not planned:
        return []
    from toolkit.summary.run import usual_year

    counted = [r.result for r in summary.counted if r.result.form]
    year = summary.year or usual_year(counted) or default_year()
    by_id = {spec.id: spec for spec in forms}
    mains = Counter(r.form for r in counted if r.form in by_id and by_id[r.form].role == "main")
    spec = chosen or by_id[mains.most_common(1)[0][0] if mains else "gov-2021"]
    return write_drafts(summary, planned, spec, int(year), options)


def _write_annotations(results: list[Any], targets: dict[str, Path], quiet: bool) -> None:
    from toolkit.check.annotate import write_annotated

    for result in results:
        if result.read is None or result.file not in targets:
            continue
        target = targets[result.file]
        write_annotated(result, target)
        typer.echo(t("check.report.annotated", path=target), err=quiet)


def _optional_value(argv: list[str], option: str) -> list[str]:
    """`--annotate` may stand alone (default name) or take a path: alone means it is last,
    followed by another option, or followed by an existing file that is no marked copy (a
    return to check: `check --annotate 兰江.xls`; a copy may never be written over one);
    click needs that spelled `--annotate=`."""
    out = []
    for i, arg in enumerate(argv):
        following = argv[i + 1] if i + 1 < len(argv) else None
        if arg == option and (
            following is None or following.startswith("-") or _a_return(following)
        ):
            out.append(f"{option}=")
        else:
            out.append(arg)
    return out


def _a_return(name: str) -> bool:
    from toolkit.check.annotate import SUFFIX, is_marked_copy

    path = Path(name)
    return not name.endswith(SUFFIX) and path.is_file() and not is_marked_copy(path)


def main(argv: list[str] | None = None) -> None:
    args = _optional_value(list(sys.argv[1:] if argv is None else argv), "--annotate")
    chosen = os.environ.get("TOOLKIT_LANG", "")
    if _peek_language(args) is None and chosen.strip() and not _known_language(chosen):
        # a display preference: said, and the default shown, rather than the work refused
        typer.echo(t("cli.bad_lang_env", value=chosen), err=True)
    app(args=args, prog_name="toolkit")


if __name__ == "__main__":
    from toolkit.program import run

    run()
