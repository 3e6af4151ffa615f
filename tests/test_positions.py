"""Positions from statements rendered alone are exactly libcst's ``PositionProvider``'s,
for every node: of every fixture file; of sources written to be hard to place (line endings
of every kind, form feeds, tabs, a BOM and a coding cookie, header and footer comments,
comments above statements and at the ends of blocks, continuation lines, multi-line
strings, statements whose code repeats, a file without a final newline); of any valid
Python that hypothesmith writes. The command line reports and fixes at those positions."""

import itertools
import subprocess
import sys
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, settings
from libcst.metadata import MetadataWrapper, PositionProvider

import ormlint.positions
from harness import make_project
from ormlint.engine import parses
from ormlint.positions import node_positions
from ormlint.source import LineIndex, SourceFile


def _text(path: Path) -> str:
    return SourceFile.from_bytes(str(path), path.read_bytes()).text


FIXTURE_ROOT = Path(__file__).parent / "fixtures"
#: The fixture files that parse (a few are broken on purpose, and have no positions).
FIXTURES = [path for path in sorted(FIXTURE_ROOT.rglob("*.py")) if parses(_text(path))]

#: Pieces of modules that are hard to place, joined in pairs below with every line ending.
PIECES = [
    "import os\nx = 1; y = 2\n",
    "# header comment\n\n# another\nimport os\n",
    "@decorator\n# between\n@other(\n    1,\n)\ndef f(a,\n      b):\n    return a\n",
    "class C:\n\tdef m(self):\n\t\treturn 1\n\t# end of block\n\n# end of class\n",
    "if x:\n    pass\nelif y:\n  pass\nelse:\n        pass\n",
    "s = '''first\nsecond\n  third'''\nt = f'''{s}\n{x!r}'''\n",
    "total = 1 + \\\n    2 + \\\n3\n",
    "call(a,\n     # inside\n     b)  # after\n",
    "\x0c\nx = 1\n\x0cdef g():\n    \x0c\n    return 2\n",
    "for a in b:\n    pass\nfor a in b:\n    pass\n",
    "try:\n    pass\nexcept E as e:\n    pass\nfinally:\n    x = 1\n",
    "def f():\n    return 1\ndef g():\n    return 1\n",
    "x = 1\nif a:\n    pass\nx = 1\n",
    "async def h():\n    async with a as b:\n        await b\n",
    "# only a comment\n",
    "",
]
NEWLINES = ["\n", "\r\n", "\r"]


def every_position(module: cst.Module):
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def assert_same_positions(text: str) -> None:
    module = cst.parse_module(text)
    expected = every_position(module)
    found = node_positions(module, text, LineIndex(text), expected.keys())
    different = [(type(node).__name__, found[node], expected[node]) for node in expected if found[node] != expected[node]]
    assert not different, different[:5]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.relative_to(FIXTURE_ROOT).as_posix())
def test_every_node_of_every_fixture(path):
    assert_same_positions(_text(path))


@pytest.mark.parametrize("first, second", list(itertools.product(range(len(PIECES)), repeat=2)))
def test_every_node_of_hard_sources(first, second):
    for newline in NEWLINES:
        text = (PIECES[first] + PIECES[second]).replace("\n", newline)
        assert_same_positions(text)
        assert_same_positions(text.rstrip(newline))  # no final newline
        assert_same_positions(text + "# footer" + newline + newline)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(code=hypothesmith.from_grammar())
def test_every_node_of_any_valid_python(code):
    assume(parses(code))
    assert_same_positions(code)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbfimport os\r\nx = os.getcwd()\r\n",
        b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\ndef f():\n    return name\n",
        b"\xef\xbb\xbf# coding: utf-8\n\n\ndef f():\n    return '\xc3\xa9'\n",
    ],
)
def test_decoded_files_with_a_bom_or_a_coding_cookie(raw):
    assert_same_positions(SourceFile.from_bytes("f.py", raw).text)


def test_the_whole_module_is_rendered_only_for_what_no_statement_places(monkeypatch):
    rendered = []
    render = ormlint.positions._render
    monkeypatch.setattr(ormlint.positions, "_render", lambda module, node, indents: rendered.append(node) or render(module, node, indents))
    text = "import os\n\n\nclass C:\n    def m(self):\n        return 1\n\n    def n(self):\n        return 1\n"
    module = cst.parse_module(text)
    method = module.body[1].body.body[1]
    returned = method.body.body[0]

    found = node_positions(module, text, LineIndex(text), [returned.body[0].value])

    assert found[returned.body[0].value] == every_position(module)[returned.body[0].value]
    # ``return 1`` is in both methods, so the method around it places it; nothing else is rendered.
    assert rendered == [returned, method]

    rendered.clear()
    node_positions(module, text, LineIndex(text), [module])
    assert rendered == [module]


def test_a_last_statement_whose_code_occurs_earlier_is_not_placed_there():
    # Without the final newline, ``x = 1`` at the end is in the text as ``x = 1``, while the
    # first line holds ``x = 1\n``, its code in full.
    text = "x = 1\nif a:\n    pass\nx = 1"
    module = cst.parse_module(text)
    last = module.body[-1]
    assert node_positions(module, text, LineIndex(text), [last])[last] == every_position(module)[last]
    assert every_position(module)[last].start.line == 4


def test_the_command_line_reports_and_fixes_where_the_calls_are(tmp_path):
    # The two ``return`` lines are the same code, so each is placed by its function; the
    # second function ends the file, which has no final newline; lines end in CRLF.
    code = "import requests\r\n\r\n\r\ndef a(url):\r\n    return requests.get(url)\r\n\r\n\r\ndef b(url):\r\n    return requests.get(url)"
    make_project(tmp_path)
    views = tmp_path / "shop" / "views.py"
    views.write_bytes(code.encode())
    command = [sys.executable, "-m", "ormlint", "--no-cache", "--select", "ORM301"]

    checked = subprocess.run([*command, "shop/views.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert [line.split(" ")[0] for line in checked.stdout.splitlines()[:2]] == ["shop/views.py:5:12:", "shop/views.py:9:12:"]
    fixed = subprocess.run([*command, "--fix", "shop/views.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert views.read_bytes().decode() == code.replace("get(url)", "get(url, timeout=10)")
