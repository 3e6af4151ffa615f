"""ORM102 len-queryset."""

from __future__ import annotations

from typing import Set

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.count import query_count, statement_count
from ormlint.rules.base import Rule
from ormlint.rules._existence import counted_query, existence_test, sqlalchemy_imports
from ormlint.structure import Structure


class LenQueryset(Rule):
    """
    ## What it does
    Finds `len(qs)` on a Django queryset whose rows are not used afterwards, and `len()` of
    the rows a SQLAlchemy query's `all()` returns (`len(query.all())`,
    `len(session.scalars(stmt).all())`, `len(session.execute(stmt).scalars().all())`,
    `len(author.books.all())` of a `lazy="dynamic"` relationship), or of a name bound to
    them that nothing else reads.

    ## Why is this bad?
    `len()` runs the query, transfers every matching row and builds a model instance for
    each, only to count them. `qs.count()` asks the database for one number.

    ## Example
    ```python
    from shop.models import Order

    def dashboard(request):
        pending = Order.objects.filter(status="pending")
        return JsonResponse({"pending": len(pending)})
    ```

    ## Use instead
    ```python
    from shop.models import Order

    def dashboard(request):
        pending = Order.objects.filter(status="pending")
        return JsonResponse({"pending": pending.count()})
    ```

    ## Fix safety
    Safe: `count()` returns the number of rows `len()` would have counted. A SQLAlchemy
    `Query` becomes `query.count()`; a 2.0-style statement
    `session.scalar(select(func.count()).select_from(stmt.subquery()))`, importing
    `func` and `select` from `sqlalchemy` if needed. No fix is offered where the count
    could differ: a legacy `Query` of one entity returns each row once, where `count()`
    counts each row of its FROM, so `len(query(A).join(A.bs).all())` is smaller than
    `query(A).join(A.bs).count()` (likewise after `unique()`, and with a filter on
    another class's column, which adds its table to the FROM), and `distinct()` makes
    them equal again. Nor for a name bound to `all()`, whose query is gone.

    ## When it does not fire
    When the rows are used elsewhere in the function (iterated, indexed, returned, passed
    on): then `len()` fills the queryset's cache and the rows are fetched once either way.
    Another `len(qs)` or a truth test of `qs` only counts them, and `qs.all()` is a new
    query that does not read the cache: neither is such a use.
    Also on parameters and globals, whose cache the caller may read, on `len()` of other
    lists (a page's `items`, a list built by the code),
    and on `len(qs) > 0` and other existence tests, which ORM101 reports. Nor on a
    queryset filtered on its primary key or a unique column, which has at most one row.

    ## References
    - [Django: `QuerySet.count()`](https://docs.djangoproject.com/en/stable/ref/models/querysets/#count)
    """

    code = "ORM102"
    name = "len-queryset"
    fix_applicability = Applicability.SAFE
    needs_orm = True
    required_text = ("len(",)

    @classmethod
    def has_candidate(cls, structure: Structure) -> bool:
        return "len" in structure.callees

    def __init__(self, context) -> None:
        super().__init__(context)
        self._existence_tested: Set[int] = set()

    def visit_Comparison(self, node: cst.Comparison) -> None:
        test = existence_test(node)
        if test is not None:
            self._existence_tested.add(id(test[0]))

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) in self._existence_tested or self.semantic.in_truth_context(node):
            return
        found = counted_query(self.semantic, node)
        if found is None or found.form != "len" or self.semantic.rows_needed(found.counted):
            return
        if found.rows is None:
            message = "`len()` of a queryset loads every row only to count them; use `count()`"
            self.report(node, message, self.fix("Replace with `.count()`", (node, query_count(found.counted))))
            return
        rows = found.rows
        fix = None
        if rows.legacy is not None and rows.counted_alike:
            fix = self.fix("Replace with `.count()`", (node, query_count(rows.legacy)))
        elif rows.statement is not None and rows.counted_alike:
            imports = sqlalchemy_imports(self.semantic, ("func", "select"))
            if imports is not None:
                counting = statement_count(rows.session, rows.statement)
                fix = self.fix("Replace with `session.scalar(select(func.count()).select_from(...))`", (node, counting), *imports)
        self.report(node, "`len()` of a query's rows loads every row only to count them; count them in the database", fix)
