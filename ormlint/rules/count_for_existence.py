"""ORM101 count-for-existence."""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from ormlint.diagnostics import Applicability
from ormlint.fixers.exists import django_exists, sqlalchemy_exists
from ormlint.rules.base import Rule
from ormlint.semantic.model import SemanticModel
from ormlint.semantic.types import QueryType

#: ``count OP literal`` that means "there is at least one" (True) or "there is none" (False).
_COUNT_ON_LEFT = {
    (cst.GreaterThan, "0"): True,
    (cst.NotEqual, "0"): True,
    (cst.GreaterThanEqual, "1"): True,
    (cst.Equal, "0"): False,
    (cst.LessThan, "1"): False,
    (cst.LessThanEqual, "0"): False,
}
#: ``literal OP count``, the same tests written the other way round.
_COUNT_ON_RIGHT = {
    (cst.LessThan, "0"): True,
    (cst.NotEqual, "0"): True,
    (cst.LessThanEqual, "1"): True,
    (cst.Equal, "0"): False,
    (cst.GreaterThan, "1"): False,
    (cst.GreaterThanEqual, "0"): False,
}


def existence_test(node: cst.Comparison) -> Optional[Tuple[cst.BaseExpression, bool]]:
    """For ``x > 0``, ``0 == x`` and the like: ``x`` and whether the test means "some".

    Only a two-operand comparison with the integer 0 or 1 qualifies.
    """
    if len(node.comparisons) != 1:
        return None
    target = node.comparisons[0]
    operator = type(target.operator)
    if isinstance(target.comparator, cst.Integer):
        meaning = _COUNT_ON_LEFT.get((operator, target.comparator.value))
        if meaning is not None:
            return node.left, meaning
    if isinstance(node.left, cst.Integer):
        meaning = _COUNT_ON_RIGHT.get((operator, node.left.value))
        if meaning is not None:
            return target.comparator, meaning
    return None


def counted_query(semantic: SemanticModel, node: cst.BaseExpression) -> Optional[Tuple[str, cst.BaseExpression, QueryType]]:
    """``("count", qs, type)`` for ``qs.count()`` and ``("len", qs, type)`` for ``len(qs)``
    when ``qs`` is a query the semantic model knows."""
    if not isinstance(node, cst.Call):
        return None
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value == "count" and not node.args:
        query = semantic.queryset_type(func.value)
        if query is not None and query.countable:
            return "count", func.value, query
        return None
    if len(node.args) == 1 and not node.args[0].keyword and not node.args[0].star:
        if semantic.qualified_name(func) == "builtins.len":
            argument = node.args[0].value
            query = semantic.queryset_type(argument)
            if query is not None and query.orm == "django" and query.kind == "queryset":
                return "len", argument, query
    return None


def rows_are_needed(semantic: SemanticModel, queryset: cst.BaseExpression) -> bool:
    """Whether a ``len()`` or truth test of ``queryset`` is justified because the rows it
    loads are used as well, or might be: the queryset is a local variable read elsewhere in
    the function, or is not a local variable at all (a parameter, a global, an attribute),
    so its cache may be read by code we cannot see. Inline queryset expressions are never
    reused."""
    if isinstance(queryset, cst.Name):
        if not semantic.local_queryset_variable(queryset):
            return True
        return semantic.rows_used_elsewhere(queryset)
    return not isinstance(queryset, (cst.Call, cst.Subscript))


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
    (then `len()` fills the queryset's cache and the later loop is free).

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
        if form == "len" and rows_are_needed(self.semantic, query):
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
