"""The data a check produces: diagnostics, their fixes and the text edits of a fix.

Everything here is a frozen dataclass so that results can be cached, compared and sent
between processes as plain data.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple


class Applicability(enum.Enum):
    """How safe a fix is, which decides whether ``--fix`` applies it.

    Values and meaning follow ruff: a safe fix changes performance only, an unsafe fix can
    change behaviour in an edge case, a display-only fix is shown but never applied.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based row and column, as flake8 and ruff report them."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between two offsets of the decoded source with ``content``.

    Offsets index the decoded text; ``location`` and ``end_location`` are the same span as
    rows and columns for reporting.
    """

    start: int
    end: int
    content: str
    location: Location
    end_location: Location


@dataclass(frozen=True)
class Fix:
    title: str
    applicability: Applicability
    edits: Tuple[Edit, ...]

    @property
    def span(self) -> Tuple[int, int]:
        return min(e.start for e in self.edits), max(e.end for e in self.edits)


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    path: str
    location: Location
    end_location: Location
    fix: Optional[Fix] = None
    noqa_row: Optional[int] = field(default=None, compare=False)
    #: ``Finding.helper``: the project function that loops over the rows, for a run that
    #: checks it without this file (``callers``). Not part of any output.
    helper: Optional[Tuple[str, bool, str]] = field(default=None, compare=False)

    @property
    def sort_key(self) -> Tuple[str, int, int, str]:
        return (self.path, self.location.row, self.location.column, self.code)

    def is_fixable(self, unsafe: bool) -> bool:
        if self.fix is None:
            return False
        if self.fix.applicability is Applicability.SAFE:
            return True
        return unsafe and self.fix.applicability is Applicability.UNSAFE


#: The code of a file ormlint could not check: unreadable, undecodable, not Python, or
#: a bug of ormlint's own.
SYNTAX_ERROR = "ORM000"


def file_error(path: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    location = Location(row, column)
    return Diagnostic(SYNTAX_ERROR, message, path, location, location)


def internal_error(path: str, detail: str) -> Diagnostic:
    """ORM000 for a bug of ormlint's own: the message says so, and the run's exit status
    becomes 2."""
    return file_error(path, f"internal error {detail}")
