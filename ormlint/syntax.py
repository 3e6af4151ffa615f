"""A fast walk over libcst trees: syntactic children only, in source order.

libcst's own traversal rebuilds every node it passes (``CSTNode.visit`` and the
``children`` property both go through ``_visit_and_replace_children``), which costs about
three times the parse. ormlint's visitors never change the tree and never look at
whitespace or punctuation nodes, so this walk reads the dataclass fields that hold
syntax and skips the rest.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

#: Fields that hold only whitespace, comments or punctuation.
_LAYOUT = frozenset(
    {
        "lpar", "rpar", "leading_lines", "lines_after_decorators", "trailing_whitespace", "header",
        "footer", "indent", "comma", "semicolon", "dot", "equal", "colon", "first_colon",
        "second_colon", "lbracket", "rbracket", "lbrace", "rbrace", "asynchronous", "operator",
        "whitespace", "default_indent", "default_newline", "encoding", "has_trailing_newline",
        "start", "end", "value_raw", "quote", "prefix", "string", "star", "posonly_ind", "newline",
    }
)
#: Types whose fields are not declared in source order.
_ORDER = {
    cst.FunctionDef: ("decorators", "name", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "bases", "keywords", "body"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
}
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _fields(kind: type) -> Tuple[str, ...]:
    found = _FIELDS.get(kind)
    if found is None:
        if kind in _ORDER:
            found = _ORDER[kind]
        else:
            found = tuple(
                f.name
                for f in dataclasses.fields(kind)
                if f.name not in _LAYOUT and not f.name.startswith("whitespace")
            )
        _FIELDS[kind] = found
    return found


def children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The syntactic children of ``node`` in source order."""
    found: List[cst.CSTNode] = []
    for name in _fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(item for item in value if isinstance(item, cst.CSTNode))
    return found


def walk(roots: Iterable[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Every node below ``roots`` (included), parents before children, in source order."""
    stack = list(reversed(list(roots)))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def class_body(node: cst.ClassDef) -> Tuple[Dict[str, List[cst.Assign]], Dict[str, cst.FunctionDef]]:
    """A class statement's ``name = value`` assignments by name (each one, in order) and
    its methods by name: what a Django admin, a DRF view or a ``ListView`` declares."""
    assignments: Dict[str, List[cst.Assign]] = {}
    methods: Dict[str, cst.FunctionDef] = {}
    for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        if isinstance(statement, cst.FunctionDef):
            methods[statement.name.value] = statement
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    assignments.setdefault(small.targets[0].target.value, []).append(small)
    return assignments, methods


def string_elements(value: cst.BaseExpression) -> Optional[List[str]]:
    """``("a", "b")`` / ``["a", "b"]`` as ``["a", "b"]``; ``None`` for anything else."""
    if not isinstance(value, (cst.List, cst.Tuple)):
        return None
    found = []
    for element in value.elements:
        if not isinstance(element.value, cst.SimpleString) or not isinstance(element.value.evaluated_value, str):
            return None
        found.append(element.value.evaluated_value)
    return found


Handler = Callable[[cst.CSTNode], None]


@functools.lru_cache(maxsize=None)
def visitor_names(kind: type) -> Tuple[str, ...]:
    """The ``visit_<Node>`` / ``leave_<Node>`` methods a visitor class really defines.

    libcst's ``get_visitors()`` finds them with ``inspect.getmembers`` on every instance,
    which for a class with hundreds of inherited no-op hooks costs more than checking a
    small file; the answer depends only on the class.
    """
    names = []
    for name in dir(kind):
        if name.startswith(("visit_", "leave_")) and "_" not in name.partition("_")[2]:
            member = getattr(kind, name)
            if callable(member) and not getattr(member, "_is_no_op", False):
                names.append(name)
    return tuple(names)


def traverse(root: cst.CSTNode, visitors: Sequence[cst.BatchableCSTVisitor]) -> None:
    """Run the ``visit_<Node>`` and ``leave_<Node>`` methods of several visitors in one
    walk, in the order the visitors are given (the semantic model first)."""
    enter: Dict[str, List[Handler]] = {}
    leave: Dict[str, List[Handler]] = {}
    for visitor in visitors:
        for name, method in visitor.get_visitors().items():
            kind, _, node_type = name.partition("_")
            (enter if kind == "visit" else leave).setdefault(node_type, []).append(method)
    stack: List[Tuple[cst.CSTNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        name = type(node).__name__
        if leaving:
            for handler in leave.get(name, ()):
                handler(node)
            continue
        for handler in enter.get(name, ()):
            handler(node)
        if name in leave:
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(children(node)))


def is_super_call(call: cst.Call, method: str) -> bool:
    """``super().method(...)`` or ``super(Class, self).method(...)``."""
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == method
        and isinstance(func.value, cst.Call)
        and isinstance(func.value.func, cst.Name)
        and func.value.func.value == "super"
    )
