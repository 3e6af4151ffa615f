"""Batch a loop's per-row writes: ``save()`` per row becomes one ``bulk_update()`` after
the loop, ``create()`` per item one ``bulk_create()`` of the same objects.

Both rewrites replace the whole ``for`` statement and reuse its subtrees, so the code and
comments inside survive; a rewrite that would drop a comment is not offered.
"""

from __future__ import annotations

from collections import Counter
from typing import List, Optional, Sequence

import libcst as cst

from ormlint.fixers import bare, comments, quote_of, render


def bulk_update_loop(
    module: cst.Module,
    loop: cst.For,
    indentation: str,
    manager: str,
    rows: str,
    fields: Sequence[str],
    hoist: bool,
) -> Optional[str]:
    """The text that replaces ``loop`` (whose body assigns fields of each row and ends in
    ``row.save()``): the loop without the save, then ``<manager>.bulk_update(<rows>, [...])``.

    With ``hoist``, the loop's iterable is first bound to ``rows`` as a list, so that the
    bulk update receives the very instances the loop changed.
    """
    assert isinstance(loop.body, cst.IndentedBlock)
    save = loop.body.body[-1]
    assert isinstance(save, cst.SimpleStatementLine)
    statements: List[cst.CSTNode] = []
    if hoist:
        listed = cst.Call(func=cst.Name("list"), args=[cst.Arg(bare(loop.iter))])
        statements.append(cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(rows))], value=listed)]))
    statements.append(
        loop.with_changes(
            leading_lines=(),
            iter=cst.Name(rows) if hoist else loop.iter,
            body=loop.body.with_changes(body=loop.body.body[:-1]),
        )
    )
    quote = quote_of(loop)
    listed_fields = ", ".join(f"{quote}{field}{quote}" for field in fields)
    bulk = cst.parse_expression(f"{manager}.bulk_update({rows}, [{listed_fields}])")
    # The save's own comment lines go with the statement that replaces it; its trailing
    # comment stays where it is, after the replaced text.
    statements.append(save.with_changes(body=[cst.Expr(bulk)]))
    # The loop's own comment lines lie before the replaced text and stay there.
    if Counter(comments(loop.with_changes(leading_lines=()))) - Counter(c for s in statements for c in comments(s)):
        return None
    text = "".join(render(module, statement, indentation) for statement in statements)
    trailing = render(module, save.trailing_whitespace, "")
    if not text.startswith(indentation) or not text.endswith(trailing):
        return None
    return text[len(indentation) : len(text) - len(trailing)]


def bulk_create_loop(
    module: cst.Module,
    loop: cst.For,
    indentation: str,
    manager: cst.BaseExpression,
    model: cst.BaseExpression,
    arguments: Sequence[cst.Arg],
) -> Optional[str]:
    """The text that replaces ``loop`` (whose body is one statement creating a row):
    ``<manager>.bulk_create([<model>(<arguments>) for <target> in <iterable>])``, one
    INSERT of the objects the loop created one by one."""
    iterable = loop.iter
    if isinstance(iterable, (cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Tuple)) and not iterable.lpar:
        iterable = iterable.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    objects = cst.ListComp(
        elt=cst.Call(func=model, args=list(arguments)),
        for_in=cst.CompFor(target=loop.target, iter=iterable),
    )
    call = cst.Call(func=cst.Attribute(value=manager, attr=cst.Name("bulk_create")), args=[cst.Arg(objects)])
    body = loop.body
    statement = body.body[-1] if isinstance(body, cst.IndentedBlock) else body
    # The statement's trailing comment lies after the replaced text and stays there.
    kept = comments(call) + comments(getattr(statement, "trailing_whitespace", cst.TrailingWhitespace()))
    if Counter(comments(loop.with_changes(leading_lines=()))) - Counter(kept):
        return None
    return render(module, call, indentation)
