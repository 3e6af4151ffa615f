"""Rewrite ``len()`` of a query's rows into a count: one ``COUNT(*)`` instead of loading
every row."""

from __future__ import annotations

import libcst as cst


def query_count(query: cst.BaseExpression) -> cst.Call:
    """``qs.count()``: Django's queryset and SQLAlchemy's legacy ``Query`` both count in
    the database."""
    return cst.Call(func=cst.Attribute(value=query, attr=cst.Name("count")))


def statement_count(session: cst.BaseExpression, statement: cst.BaseExpression) -> cst.Call:
    """``session.scalar(select(func.count()).select_from(stmt.subquery()))``: a 2.0-style
    statement has no ``count()``; counting it as a subquery counts exactly the rows it
    returns, whatever it joins or groups (eager loaders are left out of the subquery)."""
    counted = cst.Call(func=cst.Name("select"), args=[cst.Arg(value=_call(cst.Name("func"), "count"))])
    subquery = _call(statement, "subquery")
    counting = cst.Call(func=cst.Attribute(value=counted, attr=cst.Name("select_from")), args=[cst.Arg(value=subquery)])
    return cst.Call(func=cst.Attribute(value=session, attr=cst.Name("scalar")), args=[cst.Arg(value=counting)])


def _call(receiver: cst.BaseExpression, method: str) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name(method)))
