"""``--watch``: check, then check again whenever a Python file or the configuration
changes, until Ctrl-C.

Each round clears the terminal and prints the findings of the whole run, as ruff's watch
mode does: the result cache makes an unchanged file free, and a change to one file can
change findings in others (a model gains a relation). The configuration is read again
each round, so editing ``[tool.ormlint]`` takes effect without a restart.

The file watching is watchfiles' (an optional extra, ``ormlint[watch]``), so the base
install stays small.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

import click

from ormlint.config import CONFIG_NAMES, ConfigError
from ormlint.output.destination import OutputError

EXIT_CLEAN, EXIT_ERROR = 0, 2

#: The configuration files whose change starts a new round, besides Python files.


def watch_and_check(paths: Sequence[str], check: Callable[[], int], config_file: Optional[Path] = None) -> int:
    """Run ``check`` now and after every change below ``paths`` (or to ``config_file``);
    return 0 when the user stops it with Ctrl-C, 2 when watchfiles is not installed."""
    try:
        import watchfiles
    except ImportError:
        click.echo("ormlint: error: --watch needs watchfiles; install it with `pip install 'ormlint[watch]'`", err=True)
        return EXIT_ERROR
    watched = [Path(p) for p in paths if Path(p).exists()]
    if config_file is not None:
        watched.append(config_file)
    try:
        _round(check, "Checking in watch mode.")
        for changes in watchfiles.watch(*watched, watch_filter=_relevant(watchfiles.DefaultFilter()), raise_interrupt=True):
            _round(check, f"Changed: {', '.join(_names(path for _, path in changes))}.")
    except KeyboardInterrupt:
        pass
    return EXIT_CLEAN


def _round(check: Callable[[], int], reason: str) -> None:
    """Clear the terminal (nothing is written to a pipe), say why, check, and say that
    ormlint waits. A configuration broken mid-edit is reported and the watch goes on."""
    _clear_screen()
    click.echo(f"[{time.strftime('%H:%M:%S')}] {reason}")
    try:
        check()
    except (ConfigError, OutputError) as error:
        click.echo(f"ormlint: error: {error}", err=True)
    click.echo("Watching for file changes (Ctrl-C to stop).")


def _clear_screen() -> None:
    """What ``click.clear()`` does, but also with ``--color never`` (which makes click
    strip every escape sequence): clearing the screen is not colour."""
    if sys.stdout.isatty():
        click.echo("\033[2J\033[1;1H", nl=False, color=True)


def _relevant(ignored: Callable[[object, str], bool]) -> Callable[[object, str], bool]:
    """Python files and configuration files, outside the folders watchfiles leaves out
    (``.git``, ``.venv``, ``__pycache__``, ...)."""

    def relevant(change: object, path: str) -> bool:
        return (path.endswith(".py") or Path(path).name in CONFIG_NAMES) and ignored(change, path)

    return relevant


def _names(paths: Iterable[str]) -> Iterable[str]:
    """The changed files, relative to the working directory when they are below it."""
    here = Path.cwd()
    for path in sorted(set(paths)):
        try:
            yield str(Path(path).relative_to(here))
        except ValueError:
            yield path
