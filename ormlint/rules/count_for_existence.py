"""ORM101 count-for-existence."""

from __future__ import annotations

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.exists import django_exists, sqlalchemy_exists
from ormlint.rules._existence import counted_query, existence_test
from ormlint.rules.base import Rule


class CountForExistence(Rule):
    """
    ## What it does
    Finds a query's row count compared with zero or used as a truth value, only to learn
    whether there is any row: `qs.count() > 0`, `qs.count() == 0`, `if qs.count():`,
    `not qs.count()`, `bool(qs.count())`, and the same with `len(qs)`.

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
    Safe: the result is the same boolean. For a SQLAlchemy `Query` the fix is
    `session.query(q.exists()).scalar()` and is offered only when the session expression is
    a plain name or attribute that can be repeated.

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
        form, query, query_type = found
        if form == "len" and self.semantic.rows_needed(query):
            return
        what = "`len()`" if form == "len" else "`count()`"
        cost = "loads every row" if form == "len" else "counts every matching row"
        message = f"{what} used to test for existence {cost}; use `exists()`"
        fix = None
        if query_type.orm == "django" and not query_type.combined:
            title = "Replace with `.exists()`" if positive else "Replace with `not ....exists()`"
            fix = self.fix(title, (replaced, django_exists(query, negated=not positive)))
        elif query_type.orm == "sqlalchemy" and query_type.session is not None:
            title = "Replace with `session.query(q.exists()).scalar()`"
            fix = self.fix(title, (replaced, sqlalchemy_exists(query, query_type.session, negated=not positive)))
        self.report(counted, message, fix)
