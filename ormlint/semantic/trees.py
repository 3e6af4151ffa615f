"""Python's ``ast`` trees: parsed once per text, walked fast without the nodes no
analysis reads.

``ast.iter_child_nodes`` is a generator over a generator (``ast.iter_fields``), and it
gives the expression contexts too: a ``Load`` or ``Store`` under every name, attribute
and subscript, a third of all nodes, which every analysis reads from ``node.ctx``
instead. The index walks every function of a project several times over (its facts are
most of a cold run), so these walks give the same nodes in the same order as the
standard ones, contexts left out, at about half the cost.
"""

from __future__ import annotations

import ast
import warnings
from collections import deque
from typing import Dict, Iterator, List, Optional, Tuple, Union

#: Texts up to this size keep their tree for the next reader of the same text.
_KEPT_SIZE = 512 * 1024
_last: Optional[Tuple[Union[str, bytes], ast.Module]] = None


def parse_python(source: Union[str, bytes], keep: bool = True) -> ast.Module:
    """``parse_quietly(source)``, raising what it raises.

    The tree of the last text parsed is kept (``keep``) and given again for the same
    text: an editor's unsaved text is read for the module's facts and then by the
    structural prefilter, one after the other, and pays for one parse instead of two.
    The structural prefilter passes ``keep=False``: libcst's parse comes next, the
    largest use of memory. So at most one tree, of at most 512 KB of text, is kept (the
    last file an index read, a text no rule looks at) until the next parse. Nothing that
    reads a tree changes it."""
    global _last
    kept, _last = _last, None
    if kept is not None and type(kept[0]) is type(source) and kept[0] == source:
        tree = kept[1]
    else:
        tree = parse_quietly(source)
    if keep and len(source) <= _KEPT_SIZE:
        _last = (source, tree)
    return tree


def parse_quietly(source: Union[str, bytes]) -> ast.Module:
    """``ast.parse(source)`` with SyntaxWarnings silenced (they are the code's business),
    never kept: for a tree its reader changes (``recovery`` shifts a piece's lines)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


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
