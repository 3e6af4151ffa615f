"""Add SQLAlchemy loader options to a query (``fixers.imports`` imports the loaders).

``select(Book)`` becomes ``select(Book).options(joinedload(Book.author))``, and a path
``selectinload(Author.books).selectinload(Book.tags)``;
``session.query(Book).all()`` becomes ``session.query(Book).options(...).all()``.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import libcst as cst


def add_options(statement: cst.BaseExpression, chain: Sequence[Tuple[str, cst.BaseExpression, str]]) -> cst.Call:
    """``statement.options(<loader>(<owner>.<attribute>).<loader>(...)...)``: one loader
    chain from (loader, owner class, attribute) steps, added to an existing ``options()``."""
    option: Optional[cst.BaseExpression] = None
    for loader, owner, attribute in chain:
        argument = [cst.Arg(value=cst.Attribute(value=owner, attr=cst.Name(attribute)))]
        func = cst.Name(loader) if option is None else cst.Attribute(value=option, attr=cst.Name(loader))
        option = cst.Call(func=func, args=argument)
    assert option is not None
    existing = statement if _is_options_call(statement) else None
    if existing is not None:
        args = list(existing.args)
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return existing.with_changes(args=[*args, cst.Arg(value=option)])
    return cst.Call(func=cst.Attribute(value=statement, attr=cst.Name("options")), args=[cst.Arg(value=option)])


def _is_options_call(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "options"
