"""ormlint's diagnostics and fixes in the Language Server Protocol's terms.

The engine counts 1-based rows and columns in code points; a client counts 0-based lines
and characters in the units the session agreed on (UTF-16 unless both sides chose
otherwise). Lines break at ``\\n``, ``\\r\\n`` and a lone ``\\r`` on both sides, which is
what the protocol says and what :class:`~ormlint.source.LineIndex` counts.

Also here: the edit that adds a ``# noqa: CODE`` comment, or extends the one a line has,
as ``--add-noqa`` would (``add_noqa`` decides where a comment may go).
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence

from lsprotocol import types

from ormlint.add_noqa import add_noqa
from ormlint.diagnostics import Applicability, Diagnostic, Location

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: The diagnostic's ``source``, which editors show beside the message.
SOURCE = "ormlint"


class Lines:
    """One text's lines, for positions in the client's units."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.text = text
        self.lines: List[str] = _LINE_BREAK.split(text)
        self.encoding = encoding

    def position(self, location: Location) -> types.Position:
        """The client's position of an engine location, clamped to the text."""
        row = min(max(location.row, 1), len(self.lines))
        line = self.lines[row - 1]
        column = min(max(location.column - 1, 0), len(line))
        return types.Position(line=row - 1, character=self._units(line[:column]))

    def end(self) -> types.Position:
        return self.position(Location(len(self.lines), len(self.lines[-1]) + 1))

    def whole(self) -> types.Range:
        return types.Range(start=types.Position(line=0, character=0), end=self.end())

    def _units(self, text: str) -> int:
        if self.encoding == types.PositionEncodingKind.Utf8:
            return len(text.encode("utf-8", "surrogatepass"))
        if self.encoding == types.PositionEncodingKind.Utf32:
            return len(text)
        return len(text.encode("utf-16-le", "surrogatepass")) // 2


def lsp_diagnostic(diagnostic: Diagnostic, lines: Lines, href: Optional[str]) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(start=lines.position(diagnostic.location), end=lines.position(diagnostic.end_location)),
        message=diagnostic.message,
        severity=types.DiagnosticSeverity.Error if diagnostic.code == "ORM000" else types.DiagnosticSeverity.Warning,
        code=diagnostic.code,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
    )


def fix_edits(diagnostic: Diagnostic, lines: Lines) -> List[types.TextEdit]:
    """The text edits of a diagnostic's fix (none when it has no fix)."""
    if diagnostic.fix is None:
        return []
    return [
        types.TextEdit(
            range=types.Range(start=lines.position(edit.location), end=lines.position(edit.end_location)),
            new_text=edit.content,
        )
        for edit in diagnostic.fix.edits
    ]


def fix_title(diagnostic: Diagnostic) -> str:
    """The fix's imperative title, saying so when the fix may change behaviour."""
    assert diagnostic.fix is not None
    if diagnostic.fix.applicability is Applicability.SAFE:
        return diagnostic.fix.title
    return f"{diagnostic.fix.title} (unsafe: may change behaviour)"


def replace_all(before: Lines, after: str) -> types.TextEdit:
    """One edit that turns ``before`` into ``after``: what ``ormlint --fix`` writes."""
    return types.TextEdit(range=before.whole(), new_text=after)


def noqa_edit(lines: Lines, row: int, code: str) -> Optional[types.TextEdit]:
    """The edit that makes ``# noqa`` on ``row`` cover ``code``, written as ``ormlint
    --add-noqa`` writes it; ``None`` when it already does or when a comment cannot go
    there (the line ends inside a string, or continues with a backslash)."""
    if not 1 <= row <= len(lines.lines):
        return None
    edited = add_noqa(lines.text, {row: [code]})
    if not edited.added:
        return None
    line = lines.lines[row - 1]
    start, end = lines.position(Location(row, 1)), lines.position(Location(row, len(line) + 1))
    return types.TextEdit(range=types.Range(start=start, end=end), new_text=_LINE_BREAK.split(edited.text)[row - 1])


def intersects(a: types.Range, b: types.Range) -> bool:
    """Whether two ranges overlap or touch (a cursor at a diagnostic's edge is on it)."""
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


def _key(position: types.Position) -> Sequence[int]:
    return (position.line, position.character)
