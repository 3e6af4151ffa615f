"""ORM103 queryset-truthiness."""

from __future__ import annotations

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers import bare
from ormlint.fixers.exists import django_exists
from ormlint.rules._existence import sqlalchemy_existence_fix
from ormlint.rules.base import Rule
from ormlint.semantic.loaded_rows import loaded_rows
from ormlint.semantic.types import QueryType
from ormlint.structure import Structure


class QuerysetTruthiness(Rule):
    """
    ## What it does
    Finds a Django queryset used as a truth value (`if qs:`, `while qs:`, `not qs`,
    `bool(qs)`) when its rows are not used afterwards, and the same of the rows a
    SQLAlchemy query's `all()` returns (`if query.all():`,
    `if not session.scalars(stmt).all():`, or a name bound to them).

    ## Why is this bad?
    Testing a queryset's truth runs the query and loads every matching row into memory to
    see whether there is one. `qs.exists()` asks the database to stop at the first row.

    ## Example
    ```python
    from shop.models import Order

    def has_open_orders(customer):
        open_orders = Order.objects.filter(customer=customer, status="open")
        if open_orders:
            return True
        return False
    ```

    ## Use instead
    ```python
    from shop.models import Order

    def has_open_orders(customer):
        open_orders = Order.objects.filter(customer=customer, status="open")
        if open_orders.exists():
            return True
        return False
    ```

    ## Fix safety
    Safe: `exists()` is true exactly when the queryset has a row. For SQLAlchemy the fix
    is the one ORM101 makes (`session.query(q.exists()).scalar()`, `q.first() is not
    None` where the session is not at hand, `session.scalar(select(stmt.exists()))`);
    none for a name bound to `all()`, whose query is gone.

    ## When it does not fire
    When the rows are used elsewhere in the function (`if qs:` followed by a loop over
    `qs` is the right idiom: one query fills the cache for both; a loop over `qs.all()`
    is not, since `all()` runs a new query, nor is a `len(qs)`), on parameters and globals,
    on anything the analyzer cannot prove is a queryset, and on a queryset filtered on its
    primary key or a unique column (`filter(pk=x)`), which loads one row at most.

    ## References
    - [Django: when querysets are evaluated](https://docs.djangoproject.com/en/stable/ref/models/querysets/#when-querysets-are-evaluated)
    - [Django: `QuerySet.exists()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#exists)
    """

    code = "ORM103"
    name = "queryset-truthiness"
    fix_applicability = Applicability.SAFE
    needs_orm = True

    @classmethod
    def has_candidate(cls, structure: Structure) -> bool:
        return structure.truth_test

    def visit_Name(self, node: cst.Name) -> None:
        self._check(node)

    def visit_Call(self, node: cst.Call) -> None:
        self._check(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._check(node)

    def _check(self, original_node: cst.BaseExpression) -> None:
        if not self.semantic.in_truth_context(original_node):
            return
        query = self.semantic.queryset_type(original_node)
        if query is not None and query.orm == "django" and query.kind == "queryset" and not query.at_most_one:
            if not self.semantic.rows_needed(original_node):
                self._report_queryset(original_node, query)
            return
        rows = loaded_rows(self.semantic, original_node)
        if rows is None or rows.query.at_most_one or self.semantic.rows_needed(original_node):
            return
        fix = sqlalchemy_existence_fix(self, self.semantic.truth_test_of(original_node), rows, positive=True)
        self.report(original_node, "Truth test of a query's rows loads every row to see if there is one; ask for one row", fix)

    def _report_queryset(self, original_node: cst.BaseExpression, query: QueryType) -> None:
        fix = None
        if not query.combined:
            replaced = self.semantic.truth_test_of(original_node)
            queryset = bare(original_node) if replaced is original_node else original_node
            fix = self.fix("Replace with `.exists()`", (replaced, django_exists(queryset)))
        self.report(
            original_node,
            "Truth test of a queryset loads every row to see if there is one; use `exists()`",
            fix,
        )
