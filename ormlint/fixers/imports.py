"""Import the names a fix writes: extend an existing ``from m import ...``, or add one
after the last top-level import."""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import libcst as cst


def import_edit(module: cst.Module, source: str, names: Sequence[str]) -> Optional[Tuple[cst.CSTNode, str]]:
    """The edit that imports ``names`` from the module ``source``: a replacement of an
    existing ``from <source> import ...`` or of the last top-level import. ``None`` when
    there is nowhere sensible to put it."""
    last_import = None
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            if last_import is not None:
                break
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and _module_name(small) == source and not small.relative:
                if isinstance(small.names, cst.ImportStar):
                    return None
                aliases = list(small.names)
                present = {_alias_name(a) for a in aliases}
                missing = [name for name in names if name not in present]
                if not missing:
                    return None
                trailing = aliases[-1].comma
                separator = _separator(small)
                aliases[-1] = aliases[-1].with_changes(comma=separator)
                aliases += [cst.ImportAlias(name=cst.Name(name), comma=separator) for name in missing]
                aliases[-1] = aliases[-1].with_changes(comma=trailing)
                return small, module.code_for_node(small.with_changes(names=aliases))
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                last_import = small
    if last_import is None:
        return None
    text = module.code_for_node(last_import)
    return last_import, f"{text}{module.default_newline}from {source} import {', '.join(names)}"


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
