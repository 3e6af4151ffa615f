"""Walking Python's ``ast`` trees fast, without the nodes no analysis reads.

``ast.iter_child_nodes`` is a generator over a generator (``ast.iter_fields``), and it
gives the expression contexts too: a ``Load`` or ``Store`` under every name, attribute
and subscript, a third of all nodes, which every analysis reads from ``node.ctx``
instead. The index walks every function of a project several times over (its facts are
most of a cold run), so these walks give the same nodes in the same order as the
standard ones, contexts left out, at about half the cost.
"""

from __future__ import annotations

import ast
from collections import deque
from typing import Dict, Iterator, List, Tuple

#: For each kind of node, the fields that may hold nodes: all but ``ctx``.
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}


def child_nodes(node: ast.AST) -> List[ast.AST]:
    """The direct children of ``node``, in the order of ``ast.iter_child_nodes``,
    without expression contexts."""
    kind = type(node)
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(name for name in kind._fields if name != "ctx")
    found: List[ast.AST] = []
    add = found.append
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            for item in value:
                if isinstance(item, ast.AST):
                    add(item)
        elif isinstance(value, ast.AST):
            add(value)
    return found


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and every node below it, in the order of ``ast.walk`` (breadth first),
    without expression contexts."""
    pending = deque([node])
    while pending:
        current = pending.popleft()
        pending.extend(child_nodes(current))
        yield current
