"""Parsing an edited text from the last parse gives what parsing it whole gives."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

import libcst as cst
import pytest

from ormlint import reparse
from ormlint.config import Config
from ormlint.engine import check_source
from ormlint.project import Project
from ormlint.reparse import Reparser
from ormlint.semantic.index import StatementMemo
from ormlint.source import SourceFile

from harness import editor_edits

FIXTURES = Path(__file__).parent / "fixtures"


def _fixture_files():
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        try:
            cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue  # broken on purpose
        if text.count("\n") >= 3:
            yield path


def _same_tree(got: cst.Module, text: str, whole: Optional[cst.Module] = None) -> None:
    whole = cst.parse_module(text) if whole is None else whole
    assert got.code == whole.code
    assert got.deep_equals(whole)
    for name in ("default_indent", "default_newline", "encoding", "has_trailing_newline"):
        assert getattr(got, name) == getattr(whole, name), name


@pytest.mark.parametrize("path", list(_fixture_files()), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_edit_of_every_fixture_file_parses_as_the_whole_text_does(path):
    """Each edit is made and then undone: the undo is an edit too, from the tree the
    edit gave (and its offsets)."""
    text = path.read_text(encoding="utf-8")
    original = cst.parse_module(text)
    reparser = Reparser()
    reparser.parse(str(path), text)
    for kind, edited in editor_edits(text):
        try:
            whole = cst.parse_module(edited)
        except cst.ParserSyntaxError as error:
            with pytest.raises(cst.ParserSyntaxError) as raised:
                reparser.parse(str(path), edited)
            assert str(raised.value) == str(error), kind
            continue
        _same_tree(reparser.parse(str(path), edited), edited, whole)
        _same_tree(reparser.parse(str(path), text), text, original)


VIEW = '''import requests


def first(rows):
    return [row.name for row in rows]


class Middle:
    def method(self, rows):
        total = 0
        for row in rows:
            total += row.size
        return total


def last():
    return requests.get("https://example.com")


TAIL = 1
'''


def test_only_the_statements_around_an_edit_are_parsed_again(monkeypatch):
    reparser = Reparser()
    before = reparser.parse("view.py", VIEW)
    parsed = []
    real_parse = cst.parse_module
    monkeypatch.setattr(reparse.cst, "parse_module", lambda text: parsed.append(text) or real_parse(text))
    edited = VIEW.replace("        total = 0\n", "        total = 0\n        seen = set()\n")
    after = reparser.parse("view.py", edited)
    monkeypatch.undo()
    _same_tree(after, edited)
    # The class and the functions on either side of it are parsed again; the import
    # before them and the assignment after them are the very nodes of the last parse.
    assert len(parsed) == 1
    assert parsed[0].startswith("\n\ndef first") and parsed[0].endswith('example.com")\n')
    assert after.body[0] is before.body[0] and after.body[-1] is before.body[-1]
    assert all(a is not b for a, b in zip(after.body[1:4], before.body[1:4]))


def test_the_same_text_again_is_not_parsed_again(monkeypatch):
    reparser = Reparser()
    first = reparser.parse("view.py", VIEW)
    monkeypatch.setattr(reparse.cst, "parse_module", lambda text: pytest.fail("parsed again"))
    assert reparser.parse("view.py", VIEW) is first


def test_defaults_found_elsewhere_make_a_whole_parse():
    # The first block sets the default indentation: two spaces here. After the edit the
    # part parsed again has no block, and the next one indents by four: the module's
    # default is then four, which only the whole parse can know.
    text = "import os\n\n\nif os:\n  x = 1\n\n\ndef f():\n    return 2\n"
    edited = text.replace("if os:\n  x = 1\n", "x = 1\n")
    reparser = Reparser()
    reparser.parse("a.py", text)
    got = reparser.parse("a.py", edited)
    _same_tree(got, edited)
    assert got.default_indent == "    "


def test_few_files_are_kept():
    reparser = Reparser()
    for number in range(reparse.MAX_DOCUMENTS + 3):
        reparser.parse(f"file{number}.py", "x = 1\n")
    assert len(reparser._parsed) == reparse.MAX_DOCUMENTS
    assert "file0.py" not in reparser._parsed


def test_findings_after_edits_are_those_of_a_fresh_check(tmp_path):
    """The engine with a reparser (as the language server runs it) reports on each
    edited text what a check without one reports."""
    view = FIXTURES / "django_project" / "store" / "views.py"
    text = view.read_text(encoding="utf-8")
    config = Config(per_file_ignores={})  # the fixtures lie below tests/, test code by default
    warm = Project(fallback_root=view.parent.parent)
    warm.reparser = Reparser()
    fresh = Project(fallback_root=view.parent.parent)
    source = SourceFile(str(view), text, "utf-8", text.encode())
    findings = 0
    for kind, edited in editor_edits(text):
        try:
            cst.parse_module(edited)
        except cst.ParserSyntaxError:
            continue
        edited_source = replace(source, text=edited, raw=edited.encode())
        got = check_source(edited_source, config, warm).diagnostics
        expected = check_source(edited_source, config, fresh).diagnostics
        assert got == expected, kind
        findings += len(got)
    assert findings > 0  # the view has findings to compare


@pytest.mark.parametrize(
    "before,after",
    [
        # A line continued: ``2`` joins the function's last line, and ``# c`` ends its block.
        ("def f():\n    x = 1\n2\n    # c\ny = 3\n", "def f():\n    x = 1 + \\\n2\n    # c\ny = 3\n"),
        ("def f():\n    x = 1\n2\n\n    # c\n\ny = 3\n", "def f():\n    x = 1 + \\\n2\n\n    # c\n\ny = 3\n"),
        # A string opened: the next statement is inside it until its own comment closes it.
        ("def f():\n    x = 1\ny = 1  # '''\n    # c\nz = 3\n", "def f():\n    x = '''\ny = 1  # '''\n    # c\nz = 3\n"),
    ],
)
def test_an_edit_that_takes_in_the_next_statement_parses_as_the_whole_text_does(before, after):
    reparser = Reparser()
    reparser.parse("a.py", before)
    _same_tree(reparser.parse("a.py", after), after)


def test_a_text_libcst_does_not_give_back_is_parsed_whole_without_measuring(monkeypatch):
    # libcst drops a byte order mark from a text: its code is not the text, so there are
    # no offsets to reuse, and no keystroke pays for measuring them.
    text = "\ufeffimport os\n\n\ndef f():\n    return os\n"
    measured = []
    real = reparse._offsets
    monkeypatch.setattr(reparse, "_offsets", lambda module, text: measured.append(1) or real(module, text))
    reparser = Reparser()
    reparser.parse("a.py", text)
    for number in range(3):
        edited = text + f"x = {number}\n"
        _same_tree(reparser.parse("a.py", edited), edited)
        text = edited
    assert measured == []


def test_files_read_from_disk_are_not_kept(tmp_path):
    """Only an editor's texts are kept for their next parse: the callers of a helper,
    read from disk for its findings, would push them out and hold their trees."""
    view = FIXTURES / "django_project" / "store" / "views.py"
    project = Project(fallback_root=view.parent.parent)
    project.reparser = Reparser()
    project.statement_memo = StatementMemo()
    config = Config(per_file_ignores={})
    check_source(SourceFile.read(str(view)), config, project)
    assert not project.reparser._parsed and not project.statement_memo._modules
    text = view.read_text(encoding="utf-8") + "\n# typed\n"
    check_source(SourceFile(str(view), text, "utf-8", text.encode()), config, project)
    assert list(project.reparser._parsed) == [str(view)] == list(project.statement_memo._modules)
    project.forget_document(str(view))  # the editor closed it
    assert not project.reparser._parsed and not project.statement_memo._modules
