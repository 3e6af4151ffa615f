"""ORM101 count-for-existence."""

from __future__ import annotations

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.exists import django_exists
from ormlint.rules._existence import counted_query, existence_test, sqlalchemy_existence_fix
from ormlint.rules.base import Rule
from ormlint.structure import Structure


class CountForExistence(Rule):
    """
    ## What it does
    Finds a query's row count compared with zero or used as a truth value, only to learn
    whether there is any row: `qs.count() > 0`, `qs.count() == 0`, `if qs.count():`,
    `not qs.count()`, `bool(qs.count())`, and the same with `len(qs)`; for SQLAlchemy
    also `len()` of the rows `all()` returns (`len(query.all()) > 0`,
    `len(session.scalars(stmt).all()) == 0`).

    ## Why is this bad?
    `COUNT(*)` visits every matching row; `EXISTS` stops at the first one. On a large
    table the difference is the whole table scan. `len(qs)` is worse still: it fetches and
    builds every row as a model instance just to count them.

    ## Example
    ```python
    from shop.models import Order

    def remind(customer):
        if Order.objects.filter(customer=customer).count() > 0:
            notify(customer)
    ```

    ## Use instead
    ```python
    from shop.models import Order

    def remind(customer):
        if Order.objects.filter(customer=customer).exists():
            notify(customer)
    ```

    ## Fix safety
    Safe: the result is the same boolean. For a SQLAlchemy `Query` whose session is a
    plain name or attribute that can be repeated, the fix is
    `session.query(q.exists()).scalar()` (`SELECT EXISTS`). Where the session is not at
    hand (Flask-SQLAlchemy's `Model.query`, a `lazy="dynamic"` relationship, a session
    made in the expression), it is `q.first() is not None`: `first()` runs the query with
    `LIMIT 1`, needs no session and no import (importing the Flask-SQLAlchemy `db` into
    a module risks a circular import, and a model's `query` need not use that `db`'s
    session), at the cost of loading that one row. It is not offered after `limit()`,
    which `first()` would replace. `len(session.scalars(stmt).all())` tested for a row
    becomes `session.scalar(select(stmt.exists()))`, importing `select` if needed.

    ## When it does not fire
    On counts compared with anything but 0 or 1 (`qs.count() > 5`), on counts used as
    numbers, on `list.count(x)` and `str.count(s)`, on anything the analyzer cannot prove
    is a queryset, and on `len(qs)` when the rows of `qs` are used elsewhere in the function
    (then `len()` fills the queryset's cache and the later loop is free). Nor on a query
    filtered on its primary key or a unique column (`filter(pk=x)`, `filter_by(id=x)`):
    it has at most one row, and counting it costs what `exists()` does.

    ## References
    - [Django: `QuerySet.exists()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#exists)
    - [Django: database access optimization](https://docs.djangoproject.com/en/stable/topics/db/optimization/#don-t-overuse-count-and-exists)
    """

    code = "ORM101"
    name = "count-for-existence"
    fix_applicability = Applicability.SAFE
    needs_orm = True
    required_text = ("count", "len")

    @classmethod
    def has_candidate(cls, structure: Structure) -> bool:
        return bool(structure.callees & {"count", "len"})

    def visit_Comparison(self, node: cst.Comparison) -> None:
        test = existence_test(node)
        if test is not None:
            self._check(node, test[0], positive=test[1])

    def visit_Call(self, node: cst.Call) -> None:
        # ``bool(qs.count())`` needs no case of its own: the semantic model marks the
        # argument of ``bool()`` as a truth context.
        if self.semantic.in_truth_context(node):
            self._check(self.semantic.truth_test_of(node), node, positive=True)

    def _check(self, replaced: cst.BaseExpression, counted: cst.BaseExpression, positive: bool) -> None:
        found = counted_query(self.semantic, counted)
        if found is None:
            return
        if found.form == "len" and self.semantic.rows_needed(found.counted):
            return
        what = "`len()`" if found.form == "len" else "`count()`"
        cost = "loads every row" if found.form == "len" else "counts every matching row"
        message = f"{what} used to test for existence {cost}; use `exists()`"
        fix = None
        if found.query.orm == "django" and not found.query.combined:
            title = "Replace with `.exists()`" if positive else "Replace with `not ....exists()`"
            fix = self.fix(title, (replaced, django_exists(found.counted, negated=not positive)))
        elif found.rows is not None:
            fix = sqlalchemy_existence_fix(self, replaced, found.rows, positive)
        self.report(counted, message, fix)
