"""``# noqa`` comments, read the way flake8 reads them.

``# noqa`` alone suppresses every finding on its line; ``# noqa: ORM101,ORM3`` only the
listed codes (or code prefixes). Like flake8, the comment is found with a regular
expression on the physical line, which is cheap and needs no tokenizer.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional

#: A ``# noqa`` comment, with the codes it lists in ``codes``.
NOQA_COMMENT = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"[,\s]+")

#: ``None`` means a bare ``# noqa``: every code on the line is suppressed.
NoqaMap = Dict[int, Optional[FrozenSet[str]]]


def parse_noqa(text: str) -> NoqaMap:
    """Map each 1-based row that carries a ``noqa`` comment to the codes it names."""
    result: NoqaMap = {}
    if "noqa" not in text and "NOQA" not in text.upper():
        return result
    for row, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        match = NOQA_COMMENT.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        result[row] = (
            None if codes is None else frozenset(c.upper() for c in _SEPARATOR.split(codes) if c)
        )
    return result


def is_suppressed(noqa: NoqaMap, row: int, code: str) -> bool:
    if row not in noqa:
        return False
    codes = noqa[row]
    return codes is None or any(code.startswith(listed) for listed in codes)
