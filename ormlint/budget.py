"""How much memory a file may cost to check, told before a parser is given it.

The size limit (``max-file-size``) counts bytes, but what runs out is memory, and the two
parsers spend it differently. Measured with libcst 1.x on Python 3.11 (the peak of one
parse, above what the process held before):

- Python's parser (the index and the structural prefilter) takes 0.4 to 0.85 KB per token,
  whatever the shape: 830 bytes per token for ``x = 1`` repeated, 400 for real code.
- libcst takes 2.3 to 4.8 KB per syntax node (an ``ast`` node, ``Load`` and ``Store``
  aside): 2.3 KB of flat code (``x = 1`` repeated), 4.4 KB of Django's admin tests, whose
  375 KB take 145 MB. Deep brackets cost much more: each node at the 80th level of
  nested calls some 90 KB, of nested lists some 70 KB, and nested blocks 90 deep some
  11 KB a node. A 2 MB file of short statements took 3 GB, one of brackets 100 deep
  more than 16 GB.

So a file of more than :data:`MAX_TOKENS` tokens is given whole to neither parser: where
a rule would look at it, it is reported as too large to check, and the index leaves it
out; where none would, its syntax is checked in pieces as every file's is. A file whose
libcst parse :func:`libcst_cost` puts above :data:`LIBCST_BUDGET` is checked with
Python's parser only: the rules that need libcst are not run there, and the file is
reported as too complex to check. A file Python's parser does not read is given to
libcst only when :func:`unparsed_cost` fits the budget. Both limits are above the real
code measured: the largest file of Django 5.2 and wagtail 8.0 (those admin tests) has
51,530 tokens and a libcst cost of 221 MB by this measure (libcst took 145 MB). :func:`libcst_cost` was fitted to be at least what libcst took
on each of those files and on each shape of ``benchmarks/run.py --shapes``: libcst took
0.42 to 0.90 of it (0.63 to 0.74 on real code), so that with the process's own 60 MB
a file at the budget stays below 300 MB. Parentheses that only group, which ``ast`` does
not record, are counted from the text (:func:`grouping_cost`): 80 levels of them cost
libcst some 0.9 MB a line.
"""

from __future__ import annotations

import re
from typing import Optional

from ormlint.source import megabytes

#: Files with more tokens are too large to parse whole: some 200 MB in Python's parser.
MAX_TOKENS = 250_000
#: The most memory a libcst parse may take, by :func:`libcst_cost`.
LIBCST_BUDGET = 256 * 1024 * 1024

#: A token, near enough: a string or a comment whole, a name or number, or one other
#: character that is not white space. Python's tokenizer counts the ends of lines and
#: the indents too; the costs here are per token of this count. A string's closing quote
#: is optional, so that every match succeeds at once and an unclosed quote costs no
#: search to the end of the line; the runs between escapes are character classes, which
#: the regular expression engine repeats without a frame per character (``(?:a|b)*`` took
#: 230 MB for a string of 2 MB; a frame per escape is at most some 120 MB for 2 MB of
#: ``\"``).
_STRING_OR_COMMENT = (
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\''
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|\'[^\'\\\n]*(?:\\.[^\'\\\n]*)*\'?'
    r"|#[^\n]*"
)
_TOKEN = re.compile(_STRING_OR_COMMENT + r"|\w+|[^\w\s]")

#: The parts of :func:`libcst_cost`, in bytes: per ``ast`` node (``Load`` and ``Store``
#: aside), per element of a display or argument of a call (its comma and the white
#: space around it are nodes of libcst's), per level of brackets beyond the second
#: around a node, per block around a node, per line (a comment line has no ``ast``
#: node), per character.
NODE_COST = 4608
ELEMENT_COST = 5632
DEEP_BRACKET_COST = 2560
BLOCK_COST = 400
LINE_COST = 512
CHARACTER_COST = 4
#: Per parenthesis, per parenthesis that only groups around it (``((a))``), which
#: ``ast`` does not record: 600 lines of 80 levels took libcst 523 MB, some 134 bytes a
#: level a parenthesis.
GROUPING_COST = 192
#: Brackets deeper than this cost more per level (``f(g(x[0]))`` is ordinary code).
SHALLOW_BRACKETS = 2


def too_many_tokens(text: str) -> Optional[str]:
    """Why ``text`` is too large to parse, or ``None``. A token takes a character at least,
    so only texts longer than the limit are counted (the regular expression takes some
    0.1 s per megabyte)."""
    if len(text) <= MAX_TOKENS:
        return None
    tokens = _TOKEN.subn("", text)[1]
    if tokens <= MAX_TOKENS:
        return None
    return f"too large to check ({tokens:,} tokens > limit of {MAX_TOKENS:,})"


def libcst_cost(nodes: int, elements: int, deep_brackets: int, blocks: int, text: str) -> int:
    """The memory libcst's parse of ``text`` takes at most, in bytes, from its ``ast``:
    the number of nodes (``Load`` and ``Store`` aside), of the elements of displays and
    the arguments of calls, the sum over nodes of the bracket levels beyond
    :data:`SHALLOW_BRACKETS` around each, and the sum of the blocks around each."""
    lines = text.count("\n") + 1
    return (
        nodes * NODE_COST
        + elements * ELEMENT_COST
        + deep_brackets * DEEP_BRACKET_COST
        + blocks * BLOCK_COST
        + lines * LINE_COST
        + len(text) * CHARACTER_COST
    )


#: The parentheses of a text, and its strings and comments, whose parentheses do not count.
_PARENTHESES = re.compile(_STRING_OR_COMMENT + r"|[()]")
#: What ends a token after which ``(`` opens a call, not a group.
_CALLABLE_END = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_)]}")


def _opens_group(text: str, start: int) -> bool:
    """Whether the ``(`` at ``start`` only groups: it does not follow a name or a
    closing bracket, after which it opens a call."""
    return start == 0 or text[start - 1] not in _CALLABLE_END


def grouping_cost(text: str) -> int:
    """What the parentheses that only group (``((a))``, ``x * (y + (z))``) cost libcst, which
    ``ast`` does not record: for each parenthesis, :data:`GROUPING_COST` for each group
    open around it. A ``(`` right after a name or a closing bracket opens a call, which
    ``ast`` records (``if(x)`` is taken for one, whose levels cost more)."""
    if "((" not in text and "( (" not in text and text.count("(") < 64:
        return 0  # no nesting of groups deep enough to matter, nor many of them
    cost = groups = 0
    opened = []
    for match in _PARENTHESES.finditer(text):
        start = match.start()
        character = text[start]
        if character == "(":
            grouping = _opens_group(text, start)
            opened.append(grouping)
            groups += grouping
        elif character == ")" and opened:
            groups -= opened.pop()
        else:
            continue
        cost += groups
    return cost * GROUPING_COST


def unparsed_cost(text: str) -> int:
    """The most memory libcst's parse of a text that Python's parser does not read may
    take (a syntax error, or syntax newer than this interpreter's), from its tokens
    alone: each token as a node, with the brackets open around it and the columns of
    its line's indentation as blocks (more than there are), and its grouping
    parentheses. Strings that span lines are
    read line by line, so their text counts as tokens too: more, never fewer."""
    tokens = depth = deep_brackets = blocks = 0
    #: For each bracket open: whether it only groups, which ``grouping_cost`` counts.
    opened = []
    for line in text.splitlines():
        indentation = len(line) - len(line.lstrip(" \t"))
        for match in _TOKEN.finditer(line):
            tokens += 1
            first = line[match.start()]
            if first in "([{":
                opened.append(first == "(" and _opens_group(line, match.start()))
                depth += not opened[-1]
            elif first in ")]}" and opened:
                depth -= not opened.pop()
            if depth > SHALLOW_BRACKETS:
                deep_brackets += depth - SHALLOW_BRACKETS
            blocks += indentation
    return libcst_cost(tokens, 0, deep_brackets, blocks, text) + grouping_cost(text)


def too_complex(cost: int) -> Optional[str]:
    """Why a file of this libcst cost is not parsed with libcst, or ``None``."""
    if cost <= LIBCST_BUDGET:
        return None
    return (
        f"too complex to check: parsing it with libcst would take about {megabytes(cost)} of memory "
        f"(limit {megabytes(LIBCST_BUDGET)})"
    )
