"""Where a report goes and whether it is coloured: standard output (or error), or the file
``--output-file`` names; ``--color`` and the ``NO_COLOR`` / ``FORCE_COLOR`` conventions.

A report written to a file replaces what the file held, even when it is empty, so a CI
step that reads the file never reads an older run's findings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

import click

COLOR_CHOICES = ("auto", "always", "never")


class OutputError(Exception):
    """The output file could not be written; worded for the user."""


def color_setting(when: str, environ: Mapping[str, str] = os.environ) -> Optional[bool]:
    """``True`` to colour, ``False`` not to, ``None`` to let click colour terminals only.

    ``always`` and ``never`` are what the user asked for. ``auto`` follows the
    conventions (https://no-color.org, https://force-color.org): a non-empty ``NO_COLOR``
    turns colour off, else a non-empty ``FORCE_COLOR`` turns it on, even in a pipe.
    """
    if when != "auto":
        return when == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return None


def write_report(text: str, output_file: Optional[str], err: bool = False) -> None:
    """Print ``text`` (nothing when empty), or write it to ``output_file``, creating its
    folder as ruff does."""
    if output_file is None:
        if text:
            click.echo(text, err=err)
        return
    path = Path(output_file)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            click.echo(text, file=handle, nl=bool(text))
    except OSError as error:
        raise OutputError(f"cannot write the output file `{output_file}`: {error.strerror or error}") from None
