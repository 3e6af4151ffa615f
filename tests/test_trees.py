"""The index's fast walks give what ``ast``'s own give, expression contexts left out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ormlint.semantic.recovery import parse_recovering
from ormlint.semantic.trees import child_nodes, parse_python, walk

FIXTURES = Path(__file__).parent / "fixtures"

#: Every kind of statement and expression whose fields differ: lists with holes (a dict's
#: ``**`` key is ``None``), names that are strings (``global``), patterns, f-strings.
TRICKY = '''
import os.path as p, sys
from . import a as b
global g
def f(x, /, y=1, *args, z, **kw) -> int:
    nonlocal_ = {**kw, "k": [v async for v in y if v]}
    lambda q, *r: (q, *r)
    with open(x) as (h, i), open(y):
        pass
    try:
        del x[1:2, ::3]
    except* ValueError as e:
        raise e from None
    match x:
        case {"a": 1, **rest} | [1, *_] | Point(x=0, y=_) if rest:
            pass
        case str() | None | True:
            pass
    return f"{x!r:>{y}} {z=}" if x else (yield from y)
@dec
class C(B, metaclass=M):
    a: int = 1
    async def g(self):
        await self.h(*args, **kw); x = y = not -z @ w
        assert x, "m"
        for i, j in k: break
        else: continue
        while (n := 1) < 2 <= 3: ...
'''


def _sources():
    yield "tricky", TRICKY
    for path in sorted(FIXTURES.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        try:
            ast.parse(source)
        except SyntaxError:
            continue  # newer syntax than this Python's, or broken on purpose: libcst's to read
        yield str(path.relative_to(FIXTURES)), source


@pytest.mark.parametrize("name,source", list(_sources()), ids=lambda value: value if "\n" not in value else "")
def test_walks_are_ast_walks_without_contexts(name, source):
    tree = ast.parse(source)
    assert list(walk(tree)) == [n for n in ast.walk(tree) if not isinstance(n, ast.expr_context)]
    for node in ast.walk(tree):
        expected = [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]
        assert child_nodes(node) == expected


def test_the_tricky_source_has_what_it_is_meant_to():
    kinds = {type(node) for node in ast.walk(ast.parse(TRICKY))}
    assert {ast.Global, ast.MatchMapping, ast.MatchClass, ast.JoinedStr, ast.Dict, ast.TryStar, ast.NamedExpr} <= kinds
    assert any(isinstance(n, ast.Dict) and None in n.keys for n in ast.walk(ast.parse(TRICKY)))


def test_the_last_tree_is_given_again_for_the_same_text_until_its_last_reader_takes_it():
    text = "def f(rows):\n    return [r.name for r in rows]\n"
    first = parse_python(text)
    assert parse_python(text) is first  # the facts, then the structural prefilter
    assert parse_python(text, keep=False) is first
    assert parse_python(text) is not first  # taken: parsed again
    other = parse_python(text + "x = 1\n")
    assert ast.dump(other) != ast.dump(first)


def test_a_file_read_statement_by_statement_keeps_its_line_numbers_on_every_reading():
    # The statements of a broken file are parsed alone and moved to their lines: reading
    # the same file again must not move them twice.
    broken = "x = 1\nprint 'old'\nclass Order:\n    pass\n"
    lines = [[n.lineno for n in parse_recovering(broken)[0].body] for _ in range(3)]
    assert lines == [[1, 2, 3]] * 3
