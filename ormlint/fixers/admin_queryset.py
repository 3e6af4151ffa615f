"""Give a Django admin class a ``get_queryset()`` that loads relations with its rows.

An inline's rows come from its ``get_queryset()``: where the class has none, the fix
writes one that refines ``super()``'s queryset, just before the class's ``anchor``
statement (its ``model = ...``), so that nothing the class already says moves.
"""

from __future__ import annotations

from typing import Iterable, Tuple

import libcst as cst

from ormlint.fixers import quote_of, render


def get_queryset_method(
    module: cst.Module, anchor: cst.Assign, method: str, paths: Iterable[str], indentation: str
) -> Tuple[cst.CSTNode, str]:
    quote = quote_of(anchor.value)
    listed = ", ".join(f"{quote}{path}{quote}" for path in paths)
    newline, body = module.default_newline, indentation + module.default_indent
    definition = (
        f"def get_queryset(self, request):{newline}"
        f"{body}return super().get_queryset(request).{method}({listed}){newline}{newline}"
    )
    return anchor, f"{definition}{indentation}{render(module, anchor, indentation)}"
