"""libcst's parse of an edited text, from the parse of the text before the edit.

An editor checks a file on every pause in typing, and libcst's parse of a 1,000-line view
costs more than all the rules together. An edit changes a few lines; the top-level
statements before and after it are the same nodes as before (libcst's nodes are
immutable), so only the statements around the edit are parsed again, as a module of
their own, and put between the others.

The result is the tree the whole parse would give (a test compares them on real files
and edits of every kind):

- libcst gives the blank and comment lines between two statements to the second one
  (``leading_lines``), except the indented ones after a block, which end the block
  (``footer``). So the statement before the edit and the one after it are parsed again
  too: the edit may change what the first one's block takes in, or what the second one
  is led by. The statements beyond them are led and ended by text the edit did not touch.
- The lines before the first statement parsed again are its ``leading_lines``, not a
  header, unless it is the module's first; and nothing may follow the last statement
  parsed again unless the part runs to the end of the file. That last statement must
  still start where it did: an edit that continues a line or opens a string makes it
  part of the statement before, whose block may then end with the comments after it.
- Newlines and indentation that match the module's defaults are stored as ``None`` in
  the nodes, and libcst takes the defaults from the first newline and the first indented
  block of the text. The part must find the module's defaults, and the module's first
  indented block must be one the edit did not touch or one in the part.

Anything else (a part with no statement or that ends in comments, other defaults, a part
that does not parse, a text that starts with a byte order mark, which libcst's code leaves
out) is parsed whole, so errors are reported as the whole parse reports them.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import libcst as cst

#: How many files' last parse is kept (an editor's open documents, the most recently
#: checked ones), and up to what size: larger texts are parsed whole each time. A libcst
#: tree takes about 300 times its text in memory: 4 files of 256 KB would be 300 MB.
MAX_DOCUMENTS = 4
MAX_KEPT_SIZE = 256 * 1024

#: Where each top-level statement's code starts in a text (its leading lines included),
#: then where the last one ends.
Offsets = Tuple[int, ...]


@dataclass
class _Parsed:
    text: str
    module: cst.Module
    #: Worked out when the next text comes: a file checked once never pays for them.
    #: Empty where libcst's code is not the text (a BOM it drops): parsed whole then.
    offsets: Optional[Offsets] = None


class Reparser:
    """The last parse of each of a few files, to parse their next texts from. One per
    host that checks the same files again and again (the language server)."""

    def __init__(self) -> None:
        self._parsed: "OrderedDict[str, _Parsed]" = OrderedDict()

    def parse(self, path: str, text: str) -> cst.Module:
        """What ``cst.parse_module(text)`` gives (and raises), from the last parse of
        ``path`` where it can."""
        before = self._parsed.pop(path, None)
        parsed = None
        if before is not None and before.text == text:
            parsed = before
        elif before is not None and len(text) <= MAX_KEPT_SIZE:
            if before.offsets is None:
                before.offsets = _offsets(before.module, before.text)
            if before.offsets:
                parsed = _reparsed(before, text)
        if parsed is None:
            # libcst's code of a text that starts with a byte order mark leaves it out:
            # there are no offsets to measure in it.
            parsed = _Parsed(text, cst.parse_module(text), () if text.startswith("\ufeff") else None)
        if len(text) <= MAX_KEPT_SIZE:
            self._parsed[path] = parsed
            while len(self._parsed) > MAX_DOCUMENTS:
                self._parsed.popitem(last=False)
        return parsed.module

    def forget(self, path: str) -> None:
        self._parsed.pop(path, None)


def _reparsed(before: _Parsed, text: str) -> Optional[_Parsed]:
    old, module, offsets = before.text, before.module, before.offsets
    assert offsets is not None
    body = module.body
    count = len(body)
    if not count:
        return None
    prefix = _common_prefix(old, text)
    changed_end = len(old) - _common_suffix(old, text, min(len(old), len(text)) - prefix)
    # From the statement before the first one the edit reaches, to the statement after
    # the last one it reaches.
    first = next((i for i in range(count) if offsets[i + 1] > prefix), count)
    last = next((i for i in reversed(range(count)) if offsets[i] < changed_end), -1)
    start, stop = max(first - 1, 0), min(last + 1, count - 1)
    shift = len(text) - len(old)
    begin = offsets[start] if start else 0
    end = offsets[stop + 1] + shift if stop < count - 1 else len(text)
    try:
        part = cst.parse_module(text[begin:end])
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    to_the_end = end == len(text)
    if (
        not part.body
        or (part.footer and not to_the_end)
        or part.default_newline != module.default_newline
        or part.default_indent != module.default_indent
        or not (_has_block(body[:start]) or _has_block(part.body))
    ):
        return None
    statements = list(part.body)
    if begin:
        statements[0] = statements[0].with_changes(leading_lines=[*part.header, *statements[0].leading_lines])
    reparsed = module.with_changes(
        header=module.header if begin else part.header,
        body=[*body[:start], *statements, *body[stop + 1 :]],
        footer=part.footer if to_the_end else module.footer,
        encoding=module.encoding if begin else part.encoding,
        has_trailing_newline=part.has_trailing_newline if to_the_end else module.has_trailing_newline,
    )
    # Where the statements of the part start: measured on their code, which must cover
    # the part exactly (or the offsets and the tree would not be the text's).
    position = begin if begin else len(_lines_code(reparsed, part.header))
    new_offsets = list(offsets[:start])
    for statement in statements:
        new_offsets.append(position)
        position += len(reparsed.code_for_node(statement))
    expected_end = offsets[stop + 1] + shift if not to_the_end else len(text) - len(_lines_code(reparsed, part.footer))
    if position != expected_end:
        return None
    if not to_the_end and new_offsets[-1] != offsets[stop] + shift:
        # The edit made the statement after it part of another (a line continued, a
        # string opened): then the comments after it may end that one's block.
        return None
    new_offsets.extend(offset + shift for offset in offsets[stop + 1 :])
    return _Parsed(text, reparsed, tuple(new_offsets))


def _offsets(module: cst.Module, text: str) -> Offsets:
    position = len(_lines_code(module, module.header))
    offsets = []
    for statement in module.body:
        offsets.append(position)
        position += len(module.code_for_node(statement))
    offsets.append(position)
    if position + len(_lines_code(module, module.footer)) != len(text):
        return ()
    return tuple(offsets)


def _lines_code(module: cst.Module, lines: Sequence[cst.EmptyLine]) -> str:
    return "".join(module.code_for_node(line) for line in lines)


def _has_block(statements: Sequence[cst.BaseStatement]) -> bool:
    """Whether one of ``statements`` has an indented body: the first such block of a
    module gives its default indentation."""
    return any(isinstance(getattr(s, "body", None), cst.IndentedBlock) for s in statements)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, by halving (string comparisons are
    done in C, a character loop in Python is not)."""
    low, high = 0, min(len(a), len(b))
    if a[:high] == b[:high]:
        return high
    while high - low > 1:  # a[:low] == b[:low], a[:high] != b[:high]
        middle = (low + high) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix, at most ``limit``."""
    low, high = 0, limit
    if high == 0 or a[len(a) - high :] == b[len(b) - high :]:
        return high
    while high - low > 1:  # the last ``low`` characters agree, the last ``high`` do not
        middle = (low + high) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle
    return low
