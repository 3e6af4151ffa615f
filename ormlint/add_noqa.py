"""``--add-noqa``: suppress every current finding with a ``# noqa: ORMxxx`` on its line.

This is the first step of adopting ormlint on an existing codebase, as with ruff: the
findings that exist are marked where they are, so ``ormlint`` passes today and reports
only what is written from now on. A comment must never change what the code does, so
where it may go is decided by Python's own tokenizer, not by looking at the text: a line
that ends inside a string (a triple-quoted string, an f-string's replacement field
spanning lines) or in a backslash continuation cannot take a comment, and is left alone
and reported. A line that has a ``noqa`` already gets the new codes merged into it; one
with another comment gets the directive after it. Everything else on the line, and
every other line, stays byte for byte what it was.
"""

from __future__ import annotations

import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple

from ormlint.diagnostics import SYNTAX_ERROR, Diagnostic, file_error
from ormlint.source import SourceFile, WriteError
from ormlint.suppression import NOQA_COMMENT, parse_noqa

#: A physical line with its line break, as the tokenizer and libcst count lines
#: (``\n``, ``\r\n`` or a lone ``\r``).
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_LINE_BREAK = re.compile(r"(?:\r\n|\r|\n)$")
_CODE_SEPARATOR = re.compile(r"[,\s]+")
#: The token types of Python 3.12's f-strings (PEP 701); absent before, when an
#: f-string is one STRING token.
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


@dataclass(frozen=True)
class NoqaEdit:
    """The text with its directives, how many lines got one, and the rows that could not."""

    text: str
    added: int
    refused: Tuple[int, ...]


@dataclass(frozen=True)
class NoqaOutcome:
    """What ``--add-noqa`` did to a run: directives added, and the findings it could not
    suppress (unparsable files, lines that cannot take a comment, files not written)."""

    added: int
    unsuppressed: Tuple[Diagnostic, ...]


def add_noqa(text: str, codes_by_row: Mapping[int, Iterable[str]]) -> NoqaEdit:
    """Add ``# noqa: CODES`` to each 1-based row of ``text`` in ``codes_by_row``.

    Codes that the line's ``noqa`` already covers (``# noqa: ORM3`` covers ORM301) are
    not added again, so a second run adds nothing. A text the tokenizer cannot read is
    returned unchanged with every row refused.
    """
    lines = _PHYSICAL_LINE.findall(text)
    slots = _comment_slots(lines)
    if slots is None:
        return NoqaEdit(text, 0, tuple(sorted(codes_by_row)))
    commentable, comments = slots
    noqa = parse_noqa(text)
    added = 0
    refused: List[int] = []
    for row in sorted(codes_by_row):
        if noqa.get(row, ()) is None:  # a bare ``# noqa`` suppresses everything already
            continue
        covered = noqa.get(row) or frozenset()
        new = sorted({c for c in codes_by_row[row] if not any(c.startswith(listed) for listed in covered)})
        if not new:
            continue
        if row not in commentable or row > len(lines):
            refused.append(row)
            continue
        lines[row - 1] = _with_directive(lines[row - 1], new, comments.get(row))
        added += 1
    return NoqaEdit("".join(lines), added, tuple(refused))


def _with_directive(line: str, codes: List[str], comment: Optional[Tuple[int, int]]) -> str:
    """``line`` with ``codes`` in its ``noqa`` comment; ``comment`` is the span of the
    line's comment token, if it has one."""
    ending = _LINE_BREAK.search(line)
    body, newline = (line[: ending.start()], ending.group()) if ending else (line, "")
    if comment is not None:
        start, end = comment
        existing = NOQA_COMMENT.search(body, start, end)
        if existing is not None:
            listed = [c for c in _CODE_SEPARATOR.split(existing.group("codes") or "") if c]
            merged = f"# noqa: {', '.join(listed + codes)}"
            return body[: existing.start()] + merged + body[existing.end() :] + newline
        return body[:end] + f"  # noqa: {', '.join(codes)}" + newline
    return body.rstrip() + f"  # noqa: {', '.join(codes)}" + newline


def _comment_slots(lines: List[str]) -> Optional[Tuple[Set[int], Dict[int, Tuple[int, int]]]]:
    """The rows whose end lies outside every string and continuation, where a comment can
    go, and the span of each row's comment; ``None`` when the text does not tokenize."""
    ends: Set[int] = set()
    comments: Dict[int, Tuple[int, int]] = {}
    inside_string: Set[int] = set()
    open_fstrings: List[int] = []
    try:
        for token in tokenize.generate_tokens(iter(lines).__next__):
            kind, (row, column), (end_row, end_column) = token.type, token.start, token.end
            if kind in (tokenize.NEWLINE, tokenize.NL):
                ends.add(row)
            elif kind == tokenize.COMMENT:
                comments[row] = (column, end_column)
                ends.add(row)
            elif kind == tokenize.STRING and end_row > row:
                inside_string.update(range(row, end_row))
            elif kind == _FSTRING_START:
                open_fstrings.append(row)
            elif kind == _FSTRING_END and open_fstrings:
                inside_string.update(range(open_fstrings.pop(), end_row))
    except (tokenize.TokenError, SyntaxError):
        return None
    return ends - inside_string, {row: span for row, span in comments.items() if row not in inside_string}


def add_noqa_to_files(diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile]) -> NoqaOutcome:
    """Write the directives for ``diagnostics`` into their files (atomically, through
    :meth:`SourceFile.write`). Findings on files that could not be checked (ORM000)
    cannot be suppressed by a comment and are returned with the refused ones."""
    by_file: Dict[str, Dict[int, Set[str]]] = defaultdict(lambda: defaultdict(set))
    located: Dict[Tuple[str, int], List[Diagnostic]] = defaultdict(list)
    unsuppressed: List[Diagnostic] = []
    for diagnostic in diagnostics:
        if diagnostic.code == SYNTAX_ERROR or diagnostic.path not in sources:
            unsuppressed.append(diagnostic)
            continue
        by_file[diagnostic.path][diagnostic.location.row].add(diagnostic.code)
        located[(diagnostic.path, diagnostic.location.row)].append(diagnostic)
    added = 0
    for path, codes_by_row in sorted(by_file.items()):
        edit = add_noqa(sources[path].text, codes_by_row)
        try:
            if edit.added:
                sources[path].write(edit.text)
        except WriteError as error:
            unsuppressed.append(file_error(path, str(error)))
            unsuppressed.extend(d for row in sorted(codes_by_row) for d in located[(path, row)])
            continue
        unsuppressed.extend(d for row in edit.refused for d in located[(path, row)])
        added += edit.added
    return NoqaOutcome(added, tuple(unsuppressed))
