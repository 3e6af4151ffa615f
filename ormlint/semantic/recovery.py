"""Reading what a file that does not parse still says.

One bad statement (a Python 2 ``print x`` left in a models module, a ``def f[T]()`` that
the interpreter running ormlint is too old for) must not hide every class of its file from
the project index, nor the models the rest of the project builds on them. So a module that
:func:`ast.parse` rejects is read again top-level statement by top-level statement: each
statement that parses is kept where it stands, a statement that does not is repaired line
by line where a neutral stand-in keeps its structure (``pass`` for a simple statement,
``if True:`` for a block header, the type parameters dropped from a ``def`` or ``class``
header), and dropped otherwise. The engine still reports the file (ORM000) when no Python
accepts it; this module only decides what the index can learn from it.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import List, Optional, Tuple, Union

from ormlint.semantic.trees import parse_python, parse_quietly

#: Keywords that continue the compound statement above them rather than start one.
_CONTINUATIONS = ("else", "elif", "except", "finally")
_MAX_REPAIRS = 12
_TYPE_PARAMETERS = re.compile(r"^(\s*(?:async\s+)?(?:def|class)\s+\w+)\s*\[")
_TYPE_ALIAS = re.compile(r"^(\s*)type\s+(\w+)\s*(?:\[[^\]=]*\])?\s*=")


def parse_recovering(source: Union[str, bytes]) -> Tuple[Optional[ast.Module], Optional[str]]:
    """The module's tree and, when it did not parse whole, why: ``line 12: invalid
    syntax``. The tree then holds the top-level statements that could be read, with
    their own line numbers; ``None`` when nothing could be."""
    try:
        return parse_python(source), None
    except SyntaxError as error:
        if isinstance(source, bytes):
            source = _decoded(source)
            if source is None:
                return None, f"cannot decode: {error.msg}"
        reason = f"line {error.lineno or 1}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:
        return None, str(error) or type(error).__name__
    lines = source.splitlines(keepends=True)
    body: List[ast.stmt] = []
    for first, last in top_level_statements(source, len(lines)):
        chunk = _read_statement(lines[first - 1 : last])
        if chunk is not None:
            ast.increment_lineno(chunk, first - 1)
            body.extend(chunk.body)
    if not body:
        return None, reason
    return ast.Module(body=body, type_ignores=[]), reason


def _decoded(raw: bytes) -> Optional[str]:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def top_level_statements(source: str, line_count: int) -> List[Tuple[int, int]]:
    """The first and last line (1-based) of each top-level statement, decorators and
    ``else`` / ``except`` clauses with the statement they belong to.

    The tokenizer knows where strings and brackets end, so a ``\"\"\"`` block whose
    lines start in the first column stays one statement; where it gives up (an
    unterminated string, tabs it cannot reconcile), the rest is split by indentation."""
    starts: List[int] = []
    tokenized_to = 0
    try:
        at_line_start, decorated = True, False
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            tokenized_to = token.end[0]
            if token.type == tokenize.NEWLINE:
                at_line_start = True
            elif token.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            elif at_line_start:
                at_line_start = False
                if token.start[1] == 0 and not decorated and token.string not in _CONTINUATIONS:
                    starts.append(token.start[0])
                decorated = token.start[1] == 0 and token.string == "@"
    except (tokenize.TokenError, SyntaxError):
        # Lines after the last statement the tokenizer finished are split by indentation.
        lines = source.splitlines()
        previous = lines[tokenized_to - 1] if 0 < tokenized_to <= len(lines) else ""
        for number in range(tokenized_to + 1, len(lines) + 1):
            line = lines[number - 1]
            if _starts_statement(line) and not previous.rstrip().endswith("\\") and not previous.startswith("@"):
                starts.append(number)
            if line.strip():
                previous = line
    starts = sorted(set(starts))
    if not starts or starts[0] != 1:
        starts.insert(0, 1)
    ends = [start - 1 for start in starts[1:]] + [line_count]
    return [(first, last) for first, last in zip(starts, ends) if last >= first]


def _starts_statement(line: str) -> bool:
    if not line or line[0] in " \t#)]}" or not line.strip():
        return False
    return not any(line.startswith(word) and not line[len(word) : len(word) + 1].isidentifier() for word in _CONTINUATIONS)


def _read_statement(lines: List[str]) -> Optional[ast.Module]:
    """One top-level statement's tree, repaired line by line where it does not parse."""
    lines = list(lines)
    repaired = set()
    for _ in range(_MAX_REPAIRS):
        try:
            return parse_quietly("".join(lines))  # its lines are shifted: never kept
        except (ValueError, RecursionError, MemoryError):
            return None
        except SyntaxError as error:
            number = (error.lineno or 0) - 1
            if not 0 <= number < len(lines) or number in repaired:
                return None
            repaired.add(number)
            lines[number] = _stand_in(lines[number], isinstance(error, IndentationError) and "unexpected indent" in error.msg)
    return None


def _stand_in(line: str, unexpected_indent: bool) -> str:
    """A line that keeps the statement's structure without what could not be read."""
    ending = line[len(line.rstrip("\r\n")) :] or "\n"
    if unexpected_indent:
        return ending
    header = _TYPE_PARAMETERS.match(line)
    if header:
        rest = _after_brackets(line, header.end() - 1)
        if rest is not None:
            return header.group(1) + rest
    alias = _TYPE_ALIAS.match(line)
    if alias:
        return f"{alias.group(1)}{alias.group(2)} = {line[alias.end():].lstrip()}"
    indentation = line[: len(line) - len(line.lstrip())]
    code = line.split("#", 1)[0].rstrip()
    if code.endswith(":"):
        keyword = code.strip().split(None, 1)[0] if code.strip() else ""
        if keyword.startswith("except"):
            return f"{indentation}except Exception:{ending}"
        if keyword in ("elif", "else"):
            return f"{indentation}else:{ending}"
        return f"{indentation}if True:{ending}"
    return f"{indentation}pass{ending}"


def _after_brackets(line: str, opening: int) -> Optional[str]:
    """What follows the bracket opened at ``opening`` and its match, on the same line."""
    depth = 0
    for position in range(opening, len(line)):
        if line[position] == "[":
            depth += 1
        elif line[position] == "]":
            depth -= 1
            if depth == 0:
                return line[position + 1 :]
    return None
