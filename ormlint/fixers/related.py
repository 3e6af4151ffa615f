"""Add relations to a Django queryset's ``select_related`` / ``prefetch_related``.

An existing call with string arguments is extended; otherwise the call is appended to the
chain, before a slice (``qs[:10]``) or ``.iterator()``, which cannot be followed by it.
"""

from __future__ import annotations

from typing import Iterable, Optional, Tuple, Union

import libcst as cst

from ormlint.fixers import quote_of, render


def add_related(expression: cst.BaseExpression, method: str, paths: Iterable[str]) -> cst.BaseExpression:
    paths = list(paths)
    quote = quote_of(expression)
    existing = _existing_call(expression, method)
    if existing is not None:
        args = list(existing.args)
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args += _arguments(paths, quote)
        return expression.deep_replace(existing, existing.with_changes(args=args))
    return _append(expression, method, paths, quote)


def _append(expression: cst.BaseExpression, method: str, paths, quote: str) -> cst.BaseExpression:
    if isinstance(expression, cst.Subscript):
        return expression.with_changes(value=_append(expression.value, method, paths, quote))
    if (
        isinstance(expression, cst.Call)
        and isinstance(expression.func, cst.Attribute)
        and expression.func.attr.value == "iterator"
    ):
        inner = _append(expression.func.value, method, paths, quote)
        return expression.with_changes(func=expression.func.with_changes(value=inner))
    lpar, rpar = getattr(expression, "lpar", ()), getattr(expression, "rpar", ())
    inner = expression.with_changes(lpar=(), rpar=()) if lpar else expression
    call = cst.Call(func=cst.Attribute(value=inner, attr=cst.Name(method)), args=_arguments(paths, quote))
    return call.with_changes(lpar=lpar, rpar=rpar) if lpar else call


def _existing_call(expression: cst.BaseExpression, method: str) -> Optional[cst.Call]:
    node = expression
    while True:
        if isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value == method and node.args and all(isinstance(a.value, cst.SimpleString) for a in node.args):
                return node
            node = node.func.value
        else:
            return None


def _arguments(paths, quote: str):
    args = [cst.Arg(value=cst.SimpleString(f"{quote}{path}{quote}")) for path in paths]
    return [
        arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) if i < len(args) - 1 else arg
        for i, arg in enumerate(args)
    ]


def select_related_setting(
    module: cst.Module, display: cst.Assign, select: Optional[cst.Assign], paths: Iterable[str], indentation: str
) -> Tuple[cst.CSTNode, Union[cst.CSTNode, str]]:
    """A ModelAdmin's ``list_select_related`` with ``paths``: the literal extended, or, when
    the class has none, one written just before ``list_display``. The paths must then be
    every relation the columns read, since an explicit setting turns off Django's own
    ``select_related()``."""
    paths = list(paths)
    quote = quote_of(display.value)
    if select is not None:
        value = select.value
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        elements = [e.with_changes(comma=separator) for e in value.elements]
        added = [cst.Element(cst.SimpleString(f"{quote}{path}{quote}"), comma=separator) for path in paths]
        last = cst.Comma() if isinstance(value, cst.Tuple) and len(elements) + len(added) == 1 else cst.MaybeSentinel.DEFAULT
        added[-1] = added[-1].with_changes(comma=last)
        return value, value.with_changes(elements=elements + added)
    listed = ", ".join(f"{quote}{path}{quote}" for path in paths)
    setting = f"list_select_related = ({listed},)" if len(paths) == 1 else f"list_select_related = ({listed})"
    return display, f"{setting}\n{indentation}{render(module, display, indentation)}"
