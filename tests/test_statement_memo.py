"""Reading an edited module's facts with the memo of its last reading gives the facts a
fresh reading gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from ormlint.semantic import index as index_module
from ormlint.semantic.index import StatementMemo, facts_for_source

from harness import editor_edits

FIXTURES = Path(__file__).parent / "fixtures"


def _module_files():
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if ("class " in text or "def " in text) and text.count("\n") >= 3:
            yield path


def _read(text: str, path: str, memo=None):
    return facts_for_source(text, "shop.views", False, path, memo)


@pytest.mark.parametrize("path", list(_module_files()), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_edit_of_every_fixture_module_reads_as_a_fresh_reading(path):
    text = path.read_text(encoding="utf-8")
    memo = StatementMemo()
    assert _read(text, str(path), memo) == _read(text, str(path))
    for kind, edited in editor_edits(text):
        assert _read(edited, str(path), memo) == _read(edited, str(path)), kind
        assert _read(text, str(path), memo) == _read(text, str(path)), f"undoing {kind}"


MODULE = '''from django.db import models
from shop.base import Base


class Customer(Base):
    name = models.CharField(max_length=10)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)

    def label(self):
        return self.customer.name


def names(orders):
    return [order.customer.name for order in orders]
'''


def test_a_statement_read_with_other_names_is_read_again():
    # ``Base`` is imported after the class that extends it: the class's base is not the
    # import's any more, though the class statement itself did not change.
    moved = MODULE.replace("from shop.base import Base\n", "").replace(
        "def names(orders):", "from shop.base import Base\n\n\ndef names(orders):"
    )
    memo = StatementMemo()
    first = _read(MODULE, "views.py", memo)
    second = _read(moved, "views.py", memo)
    assert second == _read(moved, "views.py")
    bases = {c.name: c.bases for c in first.classes}, {c.name: c.bases for c in second.classes}
    assert bases[0]["Customer"] == ("shop.base.Base",) and bases[1]["Customer"] != ("shop.base.Base",)


def test_only_the_statements_an_edit_changed_are_read_again(monkeypatch):
    memo = StatementMemo()
    _read(MODULE, "views.py", memo)
    read = []
    real = index_module._class_facts
    monkeypatch.setattr(index_module, "_class_facts", lambda node, names: read.append(node.name) or real(node, names))
    edited = MODULE.replace("        return self.customer.name\n", "        # the customer\n        return self.customer.name.upper()\n")
    facts = _read(edited, "views.py", memo)
    assert read == ["Order"]
    assert facts == _read(edited, "views.py")
    # Lines moved by a comment alone change no statement: nothing is read again.
    read.clear()
    _read("# a comment above it all\n" + edited, "views.py", memo)
    assert read == []
