"""Rewrite a count, a ``len()`` or a truth test of a query into an existence query."""

from __future__ import annotations

import libcst as cst


def django_exists(queryset: cst.BaseExpression, negated: bool = False) -> cst.BaseExpression:
    """``qs.exists()``, or ``not qs.exists()``."""
    call = cst.Call(func=cst.Attribute(value=queryset, attr=cst.Name("exists")))
    return negate(call) if negated else call


def sqlalchemy_exists(
    query: cst.BaseExpression, session: cst.BaseExpression, negated: bool = False
) -> cst.BaseExpression:
    """``session.query(q.exists()).scalar()``: SQLAlchemy's ``Query`` has no ``exists()``
    that returns a boolean; it builds an ``EXISTS`` clause to select through the session."""
    inner = cst.Call(func=cst.Attribute(value=query, attr=cst.Name("exists")))
    selected = cst.Call(
        func=cst.Attribute(value=session, attr=cst.Name("query")), args=[cst.Arg(value=inner)]
    )
    call = cst.Call(func=cst.Attribute(value=selected, attr=cst.Name("scalar")))
    return negate(call) if negated else call


def first_row_exists(query: cst.BaseExpression, negated: bool = False) -> cst.Comparison:
    """``q.first() is not None`` (``is None``): a legacy ``Query`` whose session is not
    at hand (``Model.query``, a dynamic relationship) asks for one row with ``LIMIT 1``."""
    first = cst.Call(func=cst.Attribute(value=query, attr=cst.Name("first")))
    operator = cst.Is() if negated else cst.IsNot()
    return cst.Comparison(left=first, comparisons=[cst.ComparisonTarget(operator=operator, comparator=cst.Name("None"))])


def statement_exists(session: cst.BaseExpression, statement: cst.BaseExpression, negated: bool = False) -> cst.BaseExpression:
    """``session.scalar(select(stmt.exists()))``: ``SELECT EXISTS (...)`` of a 2.0-style
    statement, which stops at its first row."""
    inner = cst.Call(func=cst.Attribute(value=statement, attr=cst.Name("exists")))
    selected = cst.Call(func=cst.Name("select"), args=[cst.Arg(value=inner)])
    call = cst.Call(func=cst.Attribute(value=session, attr=cst.Name("scalar")), args=[cst.Arg(value=selected)])
    return negate(call) if negated else call


def negate(expression: cst.BaseExpression) -> cst.UnaryOperation:
    return cst.UnaryOperation(operator=cst.Not(), expression=expression)
