"""Add SQLAlchemy loader options to a query, and the import they need.

``select(Book)`` becomes ``select(Book).options(joinedload(Book.author))``, and a path
``selectinload(Author.books).selectinload(Book.tags)``;
``session.query(Book).all()`` becomes ``session.query(Book).options(...).all()``; the
loader is imported from ``sqlalchemy.orm``, extending an existing import when there is one.
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


def import_edit(module: cst.Module, loaders: Sequence[str]) -> Optional[Tuple[cst.CSTNode, str]]:
    """The edit that imports ``loaders`` from ``sqlalchemy.orm``: a replacement of an
    existing ``from sqlalchemy.orm import ...`` or of the last top-level import. ``None``
    when there is nowhere sensible to put it."""
    last_import = None
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            if last_import is not None:
                break
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and _module_name(small) == "sqlalchemy.orm" and not small.relative:
                if isinstance(small.names, cst.ImportStar):
                    return None
                names = list(small.names)
                present = {_alias_name(a) for a in names}
                missing = [loader for loader in loaders if loader not in present]
                if not missing:
                    return None
                trailing = names[-1].comma
                separator = _separator(small)
                names[-1] = names[-1].with_changes(comma=separator)
                names += [cst.ImportAlias(name=cst.Name(loader), comma=separator) for loader in missing]
                names[-1] = names[-1].with_changes(comma=trailing)
                return small, module.code_for_node(small.with_changes(names=names))
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                last_import = small
    if last_import is None:
        return None
    text = module.code_for_node(last_import)
    return last_import, f"{text}{module.default_newline}from sqlalchemy.orm import {', '.join(loaders)}"


def _separator(node: cst.ImportFrom) -> cst.Comma:
    """The comma between names as this import writes it: one name per line stays so."""
    names = list(node.names)
    for alias in names[:-1]:
        if isinstance(alias.comma, cst.Comma):
            return alias.comma
    if node.lpar is not None and isinstance(node.lpar.whitespace_after, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=node.lpar.whitespace_after)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _module_name(node: cst.ImportFrom) -> str:
    module = node.module
    parts = []
    while isinstance(module, cst.Attribute):
        parts.insert(0, module.attr.value)
        module = module.value
    if isinstance(module, cst.Name):
        parts.insert(0, module.value)
    return ".".join(parts)


def _alias_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return alias.name.value if isinstance(alias.name, cst.Name) else ""
