"""What the existence and counting rules (ORM101, ORM102) share: recognising a count of a
query and a comparison that only asks whether there is a row."""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

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
    when ``qs`` is a query the semantic model knows, of more rows than one: counting a
    query filtered on a unique column costs what any other test of it does."""
    if not isinstance(node, cst.Call):
        return None
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value == "count" and not node.args:
        query = semantic.queryset_type(func.value)
        if query is not None and query.countable and not query.at_most_one:
            return "count", func.value, query
        return None
    if len(node.args) == 1 and not node.args[0].keyword and not node.args[0].star:
        if semantic.qualified_name(func) == "builtins.len":
            argument = node.args[0].value
            query = semantic.queryset_type(argument)
            if query is not None and query.orm == "django" and query.kind == "queryset" and not query.at_most_one:
                return "len", argument, query
    return None
