"""``--write-baseline FILE`` and ``--baseline FILE``: accept what exists, let nothing new in.

A baseline records the findings a codebase has today so that a check reports only the
ones written since, without touching the code (``--add-noqa`` is the other way). A
finding is known by its file (relative to the project root), its code, its message and
its own text: the source of the line it was reported on, with whitespace normalised.
Rows and columns are deliberately not part of it, so code that moves (a function added
above, a block re-indented) keeps its findings accepted, while the same
mistake written anywhere new is reported. Findings are counted, not merely recorded: two
identical ones need two entries, so copying an accepted N+1 loop next to itself is
reported once.

The file is JSON, sorted, one entry per finding, so that it reviews well in a diff and
shrinks as findings are fixed (write it again to drop the fixed ones).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterable, List, Mapping, Tuple

from ormlint.diagnostics import Diagnostic

#: The format's version, a key of the file so a future change can be recognised.
FORMAT = "ormlint-baseline"
VERSION = 1

#: (file, code, message, text)
Key = Tuple[str, str, str, str]

_WHITESPACE = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Rows inside messages (``Rows passed from views.py:12``, ``line 3: invalid syntax``)
#: move with the code; they are left out of the comparison.
_ROW_IN_MESSAGE = re.compile(r"(?<=\.py):\d+(?::\d+)?|(?<=\bline )\d+")


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message names it."""


def write_baseline(path: Path, diagnostics: Iterable[Diagnostic], root: Path, texts: Mapping[str, str]) -> int:
    """Record ``diagnostics`` in ``path`` (replaced atomically) and return how many."""
    entries = sorted(_key(d, root, texts) for d in diagnostics)
    document = {
        FORMAT: VERSION,
        "findings": [dict(zip(("file", "code", "message", "text"), entry)) for entry in entries],
    }
    data = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".ormlint-", suffix=".tmp")
    except OSError as error:
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror or error}") from None
    return len(entries)


def read_baseline(path: Path) -> Counter:
    """The findings recorded in ``path``, counted."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror or error}") from None
    except ValueError as error:
        raise BaselineError(f"{path}: not a baseline (invalid JSON: {error})") from None
    if not isinstance(document, dict) or document.get(FORMAT) != VERSION or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not an ormlint baseline; write one with --write-baseline")
    known: Counter = Counter()
    for entry in document["findings"]:
        try:
            known[(entry["file"], entry["code"], entry["message"], entry["text"])] += 1
        except (KeyError, TypeError):
            raise BaselineError(f"{path}: a finding without file, code, message and text: {entry!r}") from None
    return known


def new_findings(
    diagnostics: Iterable[Diagnostic], baseline: Counter, root: Path, texts: Mapping[str, str]
) -> List[Diagnostic]:
    """The ``diagnostics`` the baseline does not account for, in their order; each entry
    accounts for one finding."""
    remaining = Counter(baseline)
    found: List[Diagnostic] = []
    for diagnostic in diagnostics:
        key = _key(diagnostic, root, texts)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            found.append(diagnostic)
    return found


def _key(diagnostic: Diagnostic, root: Path, texts: Mapping[str, str]) -> Key:
    message = _ROW_IN_MESSAGE.sub("", diagnostic.message)
    return (_relative(diagnostic.path, root), diagnostic.code, message, _finding_text(diagnostic, texts))


def _finding_text(diagnostic: Diagnostic, texts: Mapping[str, str]) -> str:
    """The line the finding is reported on, whitespace collapsed: what moves with the code.

    Only that line, not the whole span: a loop's finding spans the loop, and an edit
    anywhere in its body would otherwise bring back a finding nobody touched.
    """
    text = texts.get(diagnostic.path)
    if text is None:
        return ""
    lines = _LINE_BREAK.split(text)
    row = diagnostic.location.row
    return _WHITESPACE.sub(" ", lines[row - 1]).strip() if 1 <= row <= len(lines) else ""


def _relative(path: str, root: Path) -> str:
    """``path`` relative to the project root with ``/``, the same from any working
    directory and on any system; a path outside the root stays absolute."""
    if path == "-":
        return path
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:  # another drive
        relative = absolute
    if relative.startswith(os.pardir):
        relative = absolute
    return Path(relative).as_posix()

