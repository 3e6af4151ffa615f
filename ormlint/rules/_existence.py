"""What the existence and counting rules (ORM101-ORM103) share: recognising a count of a
query and a comparison that only asks whether there is a row, and rewriting a SQLAlchemy
test for a row into one the database stops early on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import libcst as cst

from ormlint.fixers.exists import first_row_exists, sqlalchemy_exists, statement_exists
from ormlint.fixers.imports import import_edit
from ormlint.rules.base import PendingFix, Replacement, Rule
from ormlint.semantic.loaded_rows import QueryRows, loaded_rows
from ormlint.semantic.model import SQLALCHEMY_SELECT, SemanticModel
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


@dataclass(frozen=True)
class Counted:
    """A count of a query's rows: ``qs.count()`` or ``len()`` of them."""

    form: str  # "count" or "len"
    #: The receiver of ``count()``, or the argument of ``len()``.
    counted: cst.BaseExpression
    query: QueryType
    #: SQLAlchemy: the query to rewrite, when there is one to go back to.
    rows: Optional[QueryRows] = None


def counted_query(semantic: SemanticModel, node: cst.BaseExpression) -> Optional[Counted]:
    """The count ``node`` is, for ``qs.count()`` and ``len()`` of a queryset or of the
    list a SQLAlchemy query's ``all()`` returned, when the semantic model knows the query
    and that it has more rows than one: counting a query filtered on a unique column costs
    what any other test of it does."""
    if not isinstance(node, cst.Call):
        return None
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value == "count" and not node.args:
        query = semantic.queryset_type(func.value)
        if query is None or not query.countable or query.at_most_one:
            return None
        rows = QueryRows(query, legacy=func.value) if query.orm == "sqlalchemy" else None
        return Counted("count", func.value, query, rows)
    if len(node.args) == 1 and not node.args[0].keyword and not node.args[0].star:
        if semantic.qualified_name(func) == "builtins.len":
            argument = node.args[0].value
            query = semantic.queryset_type(argument)
            if query is not None and query.orm == "django" and query.kind == "queryset" and not query.at_most_one:
                return Counted("len", argument, query)
            rows = loaded_rows(semantic, argument)
            if rows is not None and not rows.query.at_most_one:
                return Counted("len", argument, rows.query, rows)
    return None


#: What the names a SQLAlchemy rewrite writes may be bound to already.
_SQLALCHEMY_NAMES = {
    "select": SQLALCHEMY_SELECT,
    "func": frozenset({"sqlalchemy.func", "sqlalchemy.sql.func", "sqlalchemy.sql.expression.func", "sqlalchemy.sql.functions.func"}),
}


def sqlalchemy_imports(semantic: SemanticModel, names: Sequence[str]) -> Optional[List[Replacement]]:
    """The edits that import ``names`` from ``sqlalchemy`` for a rewrite that writes
    them: none when the file has them already; ``None`` (no fix) when one of them means
    something else here, or there is nowhere to import it."""
    missing = []
    for name in names:
        bound = semantic.qualified_name(cst.Name(name))
        if bound == f"builtins.{name}":
            missing.append(name)
        elif bound not in _SQLALCHEMY_NAMES[name]:
            return None
    if not missing:
        return []
    module = semantic.module_node
    edit = import_edit(module, "sqlalchemy", missing) if module is not None else None
    return [edit] if edit is not None else None


def sqlalchemy_existence_fix(rule: Rule, replaced: cst.BaseExpression, rows: QueryRows, positive: bool) -> Optional[PendingFix]:
    """The fix that replaces ``replaced``, a test of whether the query of ``rows`` has a
    row (``positive``) or none, with one that asks the database for one row at most.

    A legacy ``Query`` whose session is known becomes
    ``session.query(q.exists()).scalar()``; without one (``Model.query``, a dynamic
    relationship, a session that cannot be repeated) ``q.first() is not None``, which
    needs no session and no import and reads one row with ``LIMIT 1`` (not after
    ``limit()``, which ``first()`` would replace). A 2.0-style statement becomes
    ``session.scalar(select(stmt.exists()))``."""
    negation = rule.semantic.negation_of(replaced)
    if negation is not None:
        replaced, positive = negation, not positive
    if rows.legacy is not None and rows.query.session is not None:
        title = "Replace with `session.query(q.exists()).scalar()`"
        return rule.fix(title, (replaced, sqlalchemy_exists(rows.legacy, rows.query.session, negated=not positive)))
    if rows.legacy is not None and not rows.query.limited:
        if isinstance(replaced, cst.Call) and not rule.semantic.in_truth_context(replaced):
            # ``bool(q.count()) + 1``: the operator around ``bool()`` binds tighter
            # than ``is``, so the test goes inside it.
            replaced = replaced.args[0].value
        title = "Replace with `q.first() is not None`" if positive else "Replace with `q.first() is None`"
        return rule.fix(title, (replaced, first_row_exists(rows.legacy, negated=not positive)))
    if rows.session is not None and rows.statement is not None:
        imports = sqlalchemy_imports(rule.semantic, ("select",))
        if imports is None:
            return None
        exists = statement_exists(rows.session, rows.statement, negated=not positive)
        return rule.fix("Replace with `session.scalar(select(stmt.exists()))`", (replaced, exists), *imports)
    return None
