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

So a file of more than :data:`MAX_TOKENS` tokens is not given to either parser, and one
whose libcst parse :func:`libcst_cost` puts above :data:`LIBCST_BUDGET` is checked with
Python's parser only: the rules that need libcst are not run there, and the file is
reported as too complex to check. Both limits are above real code: the largest file of
Django 5.2 and wagtail 8.0 (those admin tests) has 51,530 tokens and a libcst cost of
221 MB by this measure. :func:`libcst_cost` was fitted to be at least what libcst took
on each of those files and on each shape of ``benchmarks/run.py --shapes``: libcst took
0.42 to 0.90 of it (0.63 to 0.74 on real code), so that with the process's own 60 MB
a file at the budget stays below 300 MB.
"""

from __future__ import annotations

import re
from typing import Optional

#: Files with more tokens are too large to parse at all: some 200 MB in Python's parser.
MAX_TOKENS = 250_000
#: The most memory a libcst parse may take, by :func:`libcst_cost`.
LIBCST_BUDGET = 256 * 1024 * 1024

#: A token, near enough: a string or a comment whole, a name or number, or one other
#: character that is not white space. Never fewer tokens than Python counts but for
#: f-strings, whose parts count as one. Each repetition is of one character class, which
#: the regular expression engine runs without a frame per character (``(?:a|b)*`` took
#: 230 MB for a string of 2 MB).
_TOKEN = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\''
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\\\n]*(?:\\.[^\'\\\n]*)*\''
    r"|#[^\n]*|\w+|[^\w\s]"
)

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


def too_complex(cost: int) -> Optional[str]:
    """Why a file of this libcst cost is not parsed with libcst, or ``None``."""
    if cost <= LIBCST_BUDGET:
        return None
    return (
        f"too complex to check: parsing it with libcst would take about {_megabytes(cost)} of memory "
        f"(limit {_megabytes(LIBCST_BUDGET)})"
    )


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"
