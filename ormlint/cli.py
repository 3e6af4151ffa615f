"""The command line: ``ormlint [PATHS]`` checks, ``ormlint rule CODE`` explains, ``ormlint rules`` lists,
``ormlint server`` serves an editor.

Exit status: 0 when nothing remains to report, 1 when findings remain (or, with ``--diff``,
when there is something to fix; with ``--exit-non-zero-on-fix``, also when anything was
fixed; ``--fix-only`` only then), 2 for a usage or configuration error or an internal
error, 130 when interrupted (Ctrl-C), except in ``--watch``, which Ctrl-C ends with 0.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import click

from ormlint import __version__
from ormlint.config import (
    Config,
    ConfigError,
    find_config_file,
    load_config,
    parse_codes,
    parse_per_file_ignore_pairs,
    parse_timeout,
)
from ormlint.output.destination import COLOR_CHOICES, OutputError, color_setting, write_report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: The shell's status for a process ended by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130


class DefaultToCheck(click.Group):
    """``ormlint src/`` means ``ormlint check src/``, as ruff's old interface did."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ormlint")
def main() -> None:
    """Find and fix the ORM mistakes that make Django and SQLAlchemy applications slow.

    Run `ormlint [PATHS]` to check (the `check` command is the default), `ormlint rules`
    to list the rules and `ormlint rule CODE` to read one. Exit status: 0 when nothing
    remains, 1 when findings remain, 2 for a usage or configuration error.
    """


def _codes(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[Tuple[str, ...]]:
    if value is None:
        return None
    try:
        return parse_codes(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _pairs(ctx: click.Context, param: click.Parameter, value: Tuple[str, ...]) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    try:
        return parse_per_file_ignore_pairs(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--fix", is_flag=True, help="Apply safe fixes in place.")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help="Also apply (or show as fixable) unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the diff of the fixes instead of writing them; exit 1 if any.")
@click.option("--select", callback=_codes, metavar="CODES", help="Comma-separated codes or prefixes to enable (replaces the configuration).")
@click.option("--ignore", callback=_codes, metavar="CODES", help="Comma-separated codes or prefixes to disable.")
@click.option("--extend-select", callback=_codes, metavar="CODES", help="Codes or prefixes to enable on top of the selection.")
@click.option("--output-format", type=click.Choice(["text", "json", "github", "sarif"]), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--statistics", is_flag=True, help="Show how many findings each rule produced, instead of the findings.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Read configuration from this file.")
@click.option("--default-timeout", type=float, help="Seconds written by the timeout fixes (default 10).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option("--stdin-filename", help="The name of the file whose source is read from standard input (`-`).")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None, help="Leave out files that .gitignore ignores (default: on).")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to every line with a finding, and report how many.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path), help="Record every current finding in this baseline file.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, without the summary.")
@click.option("-v", "--verbose", is_flag=True, help="Show the traceback of any internal error.")
@click.option("--fix-only", is_flag=True, help="Apply fixes but report only what was fixed; exit 0 (implies --fix).")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied, per file and code.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when anything was fixed, even if nothing remains.")
@click.option("--fixable", callback=_codes, metavar="CODES", help="Codes or prefixes whose fixes may be applied (default ALL).")
@click.option("--unfixable", callback=_codes, metavar="CODES", help="Codes or prefixes whose fixes are never applied.")
@click.option("--extend-per-file-ignores", callback=_pairs, multiple=True, metavar="PATTERN:CODE", help="Add per-file ignores (comma-separated, repeatable), as `tests/*:ORM1`.")
@click.option("-o", "--output-file", envvar="ORMLINT_OUTPUT_FILE", type=click.Path(dir_okay=False, path_type=str), help="Write the report to this file instead of standard output.")
@click.option("--show-files", is_flag=True, help="List the files that would be checked, and stop.")
@click.option("--show-settings", is_flag=True, help="Show the settings for the first file and where each came from, and stop.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True, help="Colour the text output (auto: on a terminal, or as NO_COLOR / FORCE_COLOR say).")
@click.option("-w", "--watch", is_flag=True, help="Check again whenever a file changes (needs `ormlint[watch]`).")
def check(
    paths: Sequence[str],
    fix: bool,
    unsafe_fixes: Optional[bool],
    diff: bool,
    select: Optional[Tuple[str, ...]],
    ignore: Optional[Tuple[str, ...]],
    extend_select: Optional[Tuple[str, ...]],
    output_format: str,
    exit_zero: bool,
    statistics: bool,
    config_path: Optional[Path],
    default_timeout: Optional[float],
    no_cache: bool,
    stdin_filename: Optional[str],
    respect_gitignore: Optional[bool],
    add_noqa: bool,
    baseline: Optional[Path],
    write_baseline: Optional[Path],
    quiet: bool,
    verbose: bool,
    fix_only: bool,
    show_fixes: bool,
    exit_non_zero_on_fix: bool,
    fixable: Optional[Tuple[str, ...]],
    unfixable: Optional[Tuple[str, ...]],
    extend_per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...],
    output_file: Optional[str],
    show_files: bool,
    show_settings: bool,
    isolated: bool,
    color: str,
    watch: bool,
) -> None:
    """Check PATHS (default: the current folder); `-` reads standard input."""
    from ormlint.baseline import BaselineError
    from ormlint.runner import Options, run

    paths = tuple(paths) or (".",)
    _refuse_conflicts(paths, fix=fix or fix_only, diff=diff, add_noqa=add_noqa, write_baseline=write_baseline is not None)
    click.get_current_context().color = color_setting(color)
    if isolated and config_path is not None:
        raise click.UsageError("--isolated ignores every configuration file; it cannot be used with --config")
    if watch and (paths == ("-",) or output_file):
        raise click.UsageError("--watch checks files on disk and prints to the terminal: not with `-` or --output-file")
    try:
        overrides: Dict[str, Any] = dict(
            select=select,
            ignore=ignore,
            extend_select=extend_select,
            unsafe_fixes=unsafe_fixes,
            default_timeout=None if default_timeout is None else parse_timeout(default_timeout),
            fixable=fixable,
            unfixable=unfixable,
            respect_gitignore=respect_gitignore,
        )
        configure = partial(_configure, paths, config_path, isolated, stdin_filename, overrides, extend_per_file_ignores)
        config = configure()
    except (ConfigError, ValueError) as error:
        click.echo(f"ormlint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    if show_files or show_settings:
        sys.exit(_show(paths, config, show_settings, output_file))
    options = Options(
        fix=fix or fix_only,
        diff=diff,
        output_format=output_format,
        statistics=statistics,
        quiet=quiet,
        use_cache=not no_cache,
        stdin_filename=stdin_filename,
        verbose=verbose,
        add_noqa=add_noqa,
        baseline=baseline,
        write_baseline=write_baseline,
        fix_only=fix_only,
        show_fixes=show_fixes,
        exit_non_zero_on_fix=exit_non_zero_on_fix,
        output_file=output_file,
    )
    if watch:
        from ormlint.watch import watch_and_check

        sys.exit(watch_and_check(paths, lambda: run(paths, configure(), options), config.source))
    try:
        status = run(paths, config, options)
    except BaselineError as error:
        click.echo(f"ormlint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        # Files are replaced atomically, so an interrupted --fix leaves each one whole.
        click.echo("ormlint: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except OutputError as error:
        click.echo(f"ormlint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_CLEAN if exit_zero and status == EXIT_FINDINGS else status)


def _refuse_conflicts(paths: Sequence[str], **modes: bool) -> None:
    """``--fix``, ``--diff``, ``--add-noqa`` and ``--write-baseline`` each decide what a
    run writes, so at most one may be given; ``--add-noqa`` edits files, not standard input."""
    given = [f"--{name.replace('_', '-')}" for name, on in modes.items() if on]
    if len(given) > 1:
        raise click.UsageError(f"{' and '.join(given)} cannot be used together")
    if modes["add_noqa"] and "-" in paths:
        raise click.UsageError("--add-noqa edits files; it cannot read standard input")


def _show(paths: Sequence[str], config: Config, settings: bool, output_file: Optional[str]) -> int:
    """``--show-settings`` or ``--show-files``: print what a run would use. Finding no file
    is an error for the first (no file to show settings for), a warning for the second."""
    from ormlint.show import show_files, show_settings

    text, found = (show_settings if settings else show_files)(paths, config)
    if not found:
        level = "error" if settings else "warning"
        click.echo(f"ormlint: {level}: no Python files found under the given paths", err=True)
        return EXIT_ERROR if settings else EXIT_CLEAN
    try:
        write_report(text, output_file)
    except OutputError as error:
        click.echo(f"ormlint: error: {error}", err=True)
        return EXIT_ERROR
    return EXIT_CLEAN


def _configure(
    paths: Sequence[str],
    explicit: Optional[Path],
    isolated: bool,
    stdin_filename: Optional[str],
    overrides: Dict[str, Any],
    extra_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...],
) -> Config:
    """The configuration file's settings (none with ``--isolated``), then the options."""
    loaded = Config() if isolated else _load_config(explicit, paths, stdin_filename)
    return loaded.override(**overrides).extend_per_file_ignores(extra_ignores)


def _load_config(explicit: Optional[Path], paths: Sequence[str], stdin_filename: Optional[str]) -> Config:
    if explicit is not None:
        return load_config(explicit)
    first = stdin_filename if paths[0] == "-" and stdin_filename else paths[0]
    start = Path(first) if first != "-" else Path.cwd()
    if not start.exists():
        start = start.parent if start.parent.exists() else Path.cwd()
    return load_config(find_config_file(start))


@main.command()
@click.argument("code")
def rule(code: str) -> None:
    """Print the documentation of the rule CODE (or its name)."""
    from ormlint.rules import rule_by_code

    found = rule_by_code(code)
    if found is None:
        click.echo(f"ormlint: error: unknown rule `{code}`; `ormlint rules` lists them", err=True)
        sys.exit(EXIT_ERROR)
    fixable = "never" if found.fix_applicability is None else found.fix_applicability.value
    click.echo(f"# {found.name} ({found.code})\n\nFix: {fixable}.\n\n{found.documentation()}")


@main.command()
def rules() -> None:
    """List every rule: code, name and whether it can fix."""
    from ormlint.rules import ALL_RULES

    for found in ALL_RULES:
        fixable = "-" if found.fix_applicability is None else found.fix_applicability.value
        click.echo(f"{found.code}  {found.name:<28} fix: {fixable:<8} {found.summary()}")


@main.command()
def server() -> None:
    """Run the language server on standard input and output, for editors."""
    try:
        from ormlint.server import serve
    except ImportError as error:
        click.echo(
            f"ormlint: error: the language server needs the `server` extra ({error.name} is missing); "
            "install it with `pip install 'ormlint[server]'`",
            err=True,
        )
        sys.exit(EXIT_ERROR)
    serve()


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--no-cache", is_flag=True, help="Rebuild the index without the cache.")
def index(path: Path, no_cache: bool) -> None:
    """Print what ormlint knows about the project at PATH: models, managers, relations."""
    from ormlint.cache import IndexCache
    from ormlint.semantic.index import ProjectIndex, find_project_root

    root = find_project_root(path) or path.resolve()
    try:
        config = load_config(find_config_file(root))
    except ConfigError as error:
        click.echo(f"ormlint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    cache = None if no_cache else IndexCache.for_root(root)
    built = ProjectIndex.build(root, cache=cache, max_file_size=config.max_file_size)
    click.echo(f"project root: {root}")
    click.echo(f"user model: {built.user_model}")
    for name in sorted(built.session_factories):
        click.echo(f"session factory: {name}")
    for name in sorted(built.flask_databases):
        click.echo(f"flask-sqlalchemy: {name}")
    for qualname, model in sorted(built.models.items()):
        if qualname.startswith("django.contrib."):
            continue
        flags = ", ".join(f for f, on in (("abstract", model.abstract), ("Model.query", model.query_property)) if on)
        click.echo(f"\n{qualname} ({model.orm}{', ' + flags if flags else ''})")
        if model.orm == "django":
            click.echo(f"  managers: {', '.join(sorted(m for m in model.managers if not m.startswith('_')))}")
        for name, relation in sorted(built.relations.get(qualname, {}).items()):
            details = [relation.kind, "reverse" if relation.reverse else "forward"]
            if relation.null:
                details.append("null")
            if relation.lazy:
                details.append(f"lazy={relation.lazy}")
            if relation.declared:
                details.append("outside the project")
            click.echo(f"  {name} -> {relation.target or relation.declared or '?'} ({', '.join(details)})")
    for heading, lines in built.gaps().items():
        if lines:
            click.echo(f"\n{heading}:")
            for line in lines:
                click.echo(f"  {line}")
