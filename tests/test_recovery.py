"""Reading a module that does not parse whole: the statements around the error are kept."""

import ast

import pytest

from ormlint.semantic.index import facts_for_source
from ormlint.semantic.recovery import parse_recovering, top_level_statements


def names(tree):
    return [getattr(s, "name", type(s).__name__) for s in tree.body]


def test_a_module_that_parses_is_returned_whole():
    tree, partial = parse_recovering("x = 1\nclass A:\n    pass\n")
    assert partial is None and names(tree) == ["Assign", "A"]


def test_python2_statements_around_classes_are_dropped_or_repaired():
    source = (
        "from django.db import models\n"
        "print 'loading'\n"
        "class Author(models.Model):\n"
        "    name = models.CharField(max_length=10)\n"
        "    def f(self):\n"
        "        try:\n"
        "            pass\n"
        "        except ValueError, e:\n"
        "            raise ValueError, 'x'\n"
        "class Book(models.Model):\n"
        "    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n"
    )
    tree, partial = parse_recovering(source)
    assert partial.startswith("line 2:")
    assert names(tree) == ["ImportFrom", "Pass", "Author", "Book"]
    # Line numbers are the file's own.
    assert [s.lineno for s in tree.body] == [1, 2, 3, 10]
    author = tree.body[2]
    assert [type(s).__name__ for s in author.body] == ["Assign", "FunctionDef"]


def test_type_parameters_and_aliases_are_read_without_their_newer_syntax():
    source = "type Rows = list[int]\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n\nclass Box[T](Base):\n    x = 1\n"
    tree, partial = parse_recovering(source)
    assert partial is not None
    assert names(tree) == ["Assign", "first", "Box"]
    assert ast.unparse(tree.body[2].bases[0]) == "Base"


def test_a_string_whose_lines_start_in_the_first_column_stays_one_statement():
    source = 'SQL = """\nselect *\nfrom t\n"""\nprint "x"\nclass A:\n    pass\n'
    assert top_level_statements(source, 7) == [(1, 4), (5, 5), (6, 7)]
    tree, _ = parse_recovering(source)
    assert names(tree) == ["Assign", "Pass", "A"]


def test_decorators_and_else_clauses_belong_to_their_statement():
    source = "@decorate\ndef f():\n    pass\ntry:\n    import x\nexcept ImportError:\n    x = None\n"
    assert top_level_statements(source, 7) == [(1, 3), (4, 7)]


def test_an_unterminated_string_splits_the_rest_by_indentation():
    source = "class A:\n    pass\nx = '''never closed\nclass B:\n    pass\n"
    tree, partial = parse_recovering(source)
    assert partial is not None and names(tree) == ["A", "Pass", "B"]


def test_nothing_readable_gives_no_tree():
    assert parse_recovering("class (:\n")[0] is None


@pytest.mark.parametrize("source", ["print 'x'\n", b"# -*- coding: latin-1 -*-\nprint 'caf\xe9'\n"])
def test_the_index_records_why_a_module_was_read_in_part(source):
    facts = facts_for_source(
        source + (b"class A(object):\n    pass\n" if isinstance(source, bytes) else "class A(object):\n    pass\n"),
        "app.mod", False, "app/mod.py",
    )
    assert facts is not None and [c.name for c in facts.classes] == ["A"]
    assert facts.partial is not None and facts.partial.startswith("line ")
