"""SQLAlchemy's lists of rows: what ``all()`` loaded, and from which query.

``len(rows)`` and ``if rows:`` of such a list load every row only to count them or to see
whether there is one; ``q.count() > 0`` counts them only to see that. Rewriting them into
a count or an existence test needs the query back: the legacy ``Query`` of ``q.all()`` (also a ``lazy="dynamic"`` relationship's), or
the session and statement of ``session.scalars(stmt).all()`` and
``session.execute(stmt).scalars().all()``. A name bound to such a list is one too, whose
query is gone: it can be reported, not rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from ormlint.semantic.loops import _single_assignment
from ormlint.semantic.types import QueryType

if TYPE_CHECKING:
    from ormlint.semantic.model import SemanticModel


@dataclass(frozen=True)
class QueryRows:
    """The rows of a SQLAlchemy query that code counts or tests for: those ``all()`` put
    in a list, or those ``q.count()`` counts."""

    #: The legacy ``Query`` or the ``select()`` statement the rows come from.
    query: QueryType
    #: Legacy: the ``Query`` expression ``all()`` was called on, when written here.
    legacy: Optional[cst.BaseExpression] = None
    #: 2.0 style: the session and the statement it ran, when written here.
    session: Optional[cst.BaseExpression] = None
    statement: Optional[cst.BaseExpression] = None
    #: ``unique()`` before ``all()``: repeated rows were dropped from the list.
    uniqued: bool = False

    @property
    def counted_alike(self) -> bool:
        """Whether a ``COUNT(*)`` of the query gives the length of the list. It counts
        each row of the FROM, where a legacy ``Query`` of one entity, or ``unique()``,
        drops the rows repeated by a join."""
        if not self.query.may_repeat:
            return True
        if self.legacy is not None:
            # Rows of several columns are tuples, never made unique; a query of one
            # column or of an expression ormlint cannot name may be of one entity.
            return len(self.query.entities) > 1
        return not self.uniqued


def loaded_rows(semantic: "SemanticModel", node: cst.BaseExpression) -> Optional[QueryRows]:
    """The rows ``node`` holds when it is the list ``all()`` returned from a SQLAlchemy
    query: ``q.all()``, ``session.scalars(stmt).all()``, or a local name bound once, and
    only, to one of them. ``None`` for anything else (a page's ``items``, a result not
    yet read, a list built by other code)."""
    if isinstance(node, cst.Name):
        value = _single_assignment(semantic, node)
        if not isinstance(value, cst.Call):
            return None  # only a call returns a list: ``rows = rows`` is no second list
        loaded = loaded_rows(semantic, value)
        return QueryRows(loaded.query, uniqued=loaded.uniqued) if loaded is not None else None
    if not (isinstance(node, cst.Call) and not node.args and _method(node) == "all"):
        return None
    receiver = node.func.value  # type: ignore[attr-defined]
    query = semantic.queryset_type(receiver)
    if query is None or query.orm != "sqlalchemy":
        return None
    if query.kind == "query":
        return QueryRows(query, legacy=receiver)
    if query.kind != "result":
        return None
    uniqued = isinstance(receiver, cst.Call) and not receiver.args and _method(receiver) == "unique"
    result = receiver.func.value if uniqued else receiver  # type: ignore[attr-defined]
    ran = _session_and_statement(result)
    if ran is None:
        return QueryRows(query, uniqued=uniqued)
    session, statement = ran
    statement_type = semantic.queryset_type(statement)
    if statement_type is None or statement_type.kind != "select":
        return None
    return QueryRows(statement_type, session=session, statement=statement, uniqued=uniqued)


def _session_and_statement(result: cst.BaseExpression):
    """``(session, stmt)`` for ``session.scalars(stmt)`` and
    ``session.execute(stmt).scalars()`` with the statement as their one argument."""
    if not (isinstance(result, cst.Call) and _method(result) == "scalars"):
        return None
    if not result.args:
        result = result.func.value  # type: ignore[attr-defined]
        if not (isinstance(result, cst.Call) and _method(result) == "execute"):
            return None
    if len(result.args) != 1 or result.args[0].keyword is not None or result.args[0].star:
        return None
    return result.func.value, result.args[0].value  # type: ignore[attr-defined]


def _method(call: cst.Call) -> Optional[str]:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None
