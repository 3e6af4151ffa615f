"""What a ``for`` loop writes on each iteration: saves, creates, deletes and commits.

Used by the write-loop rules (ORM201-ORM204). Only ``for`` statements count: their body
runs once per item. A write inside a nested loop belongs to that loop, and one inside a
nested function, class or lambda does not run per item at all. A loop that stops at its
first success (``for attempt in range(3): ... save(); break``) retries one write; it does
not write once per item.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator, List, Optional, Set, Tuple

import libcst as cst

from ormlint.semantic.index import HelperWrite
from ormlint.semantic.model import SemanticModel, is_slice
from ormlint.semantic.scope import reads_below
from ormlint.semantic.types import Instance
from ormlint.syntax import children, walk

_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_NESTED_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def per_iteration_calls(loop: cst.For, methods: Iterable[str]) -> List[cst.Call]:
    """Calls of ``x.<method>(...)`` for any of ``methods`` that run on every iteration of
    ``loop`` (under ``if`` or ``try`` too), in source order."""
    wanted = set(methods)
    return [
        node
        for node in _body_nodes(loop)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in wanted
    ]


def saves_through_helpers(semantic: SemanticModel, loop: cst.For) -> List[Tuple[cst.Call, cst.BaseExpression]]:
    """Calls on every iteration of ``loop`` of project functions that save an argument
    they are given (``update_price(product)`` ending in ``product.save()``, itself or in
    a function it passes the row on to), with that argument."""
    found = []
    for node in _body_nodes(loop):
        if not isinstance(node, cst.Call):
            continue
        callee = semantic.project_callee(node.func)
        if callee is None:
            continue
        saved = {(p, i) for p, i, chain in semantic.index.parameter_chains(*callee) if chain == ("save",)}
        for parameter, position in sorted(saved, key=lambda pair: pair[1]):
            argument = passed_argument(node, parameter, position)
            if argument is not None:
                found.append((node, argument))
                break
    return found


def writes_through_helpers(semantic: SemanticModel, loop: cst.For, kind: str) -> List[Tuple[cst.Call, HelperWrite]]:
    """Calls on every iteration of ``loop`` of project functions that make a write of
    ``kind`` on every call (see ``HelperWrite.kind``): create a row, or fetch one by the
    argument they are given and save or delete it. A created row that the call keeps
    (``row = make_row(x)``) is used at once, like one the function uses itself."""
    dropped = {id(node.value) for node in _body_nodes(loop) if isinstance(node, cst.Expr)}
    found = []
    for node in _body_nodes(loop):
        if isinstance(node, cst.Call):
            write = helper_write(semantic, node, kind)
            if write is not None and kind == "creates" and id(node) not in dropped:
                write = replace(write, kept=True)
            if write is not None:
                found.append((node, write))
    return found


def helper_write(semantic: SemanticModel, call: cst.Call, kind: str) -> Optional[HelperWrite]:
    """The write of ``kind`` that the project function ``call`` runs makes on every call,
    if any; a write through a parameter only when the call passes that parameter. Calls
    that unpack ``*args`` / ``**kwargs`` pass what ormlint cannot line up."""
    if any(argument.star for argument in call.args):
        return None
    callee = semantic.project_callee(call.func)
    if callee is None:
        return None
    for write in semantic.index.writes_per_call(*callee):
        if write.kind == kind and (not write.parameter or passed_argument(call, write.parameter, write.position) is not None):
            return write
    return None


def passed_argument(call: cst.Call, parameter: str, position: int) -> Optional[cst.BaseExpression]:
    """The argument ``call`` passes to ``parameter`` (at ``position``, -1 for a
    keyword-only one), if it passes one: by keyword, or by position before any
    ``*args``, after which positions are unknown."""
    for argument in call.args:
        if argument.keyword is not None and argument.keyword.value == parameter:
            return argument.value
    positional = []
    for argument in call.args:
        if argument.star:
            break
        if argument.keyword is None:
            positional.append(argument.value)
    return positional[position] if 0 <= position < len(positional) else None


def _body_nodes(loop: cst.For) -> Iterator[cst.CSTNode]:
    stack: List[cst.CSTNode] = [loop.body]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _NESTED_SCOPES + _NESTED_LOOPS):
            continue
        stack.extend(reversed(children(node)))


def runs_once(loop: cst.For, call: cst.Call) -> bool:
    """Whether the loop ends right after ``call``: a ``break``, ``return`` or ``raise``
    follows it in its own block (``if found: x.save(); break``, ``try: x.save(); break``),
    so the write happens once, not once per item."""
    stack: List[cst.CSTNode] = [loop.body]
    while stack:
        node = stack.pop()
        if isinstance(node, _NESTED_SCOPES + _NESTED_LOOPS):
            continue
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            statements = list(node.body)
            for position, statement in enumerate(statements):
                if isinstance(statement, cst.BaseCompoundStatement) or not any(n is call for n in walk([statement])):
                    continue
                after = statements[position + 1 :]
                if isinstance(statement, cst.SimpleStatementLine):
                    smalls = list(statement.body)
                    inside = next(i for i, small in enumerate(smalls) if any(n is call for n in walk([small])))
                    after = smalls[inside + 1 :] + after
                return any(_exits(later) for later in after)
        stack.extend(children(node))
    return False


def _exits(statement: cst.CSTNode) -> bool:
    if isinstance(statement, (cst.Break, cst.Return, cst.Raise)):
        return True
    if isinstance(statement, cst.SimpleStatementLine):
        return any(isinstance(small, (cst.Break, cst.Return, cst.Raise)) for small in statement.body)
    return False


def loop_variables(loop: cst.For) -> Set[str]:
    return {name.value for name, _, _ in reads_below(loop.target)}


def bound_in_body(loop: cst.For) -> Set[str]:
    """Names the loop body assigns on each iteration."""
    names: Set[str] = set()
    for node in _body_nodes(loop):
        targets: List[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            targets = [node.target]
        elif isinstance(node, (cst.For, cst.WithItem)) and node is not loop:
            target = node.target if isinstance(node, cst.For) else (node.asname.name if node.asname else None)
            targets = [target] if target is not None else []
        for target in targets:
            if isinstance(target, cst.Name):
                names.add(target.value)
            elif isinstance(target, (cst.Tuple, cst.List)):
                names.update(e.value.value for e in target.elements if isinstance(e.value, cst.Name))
    return names


def mentions(node: cst.CSTNode, names: Set[str]) -> bool:
    return any(name.value in names for name, _, _ in reads_below(node))


def exits_early(loop: cst.For) -> bool:
    """Whether the body can leave the loop: a ``break`` of this loop or a ``return``."""
    stack: List[cst.CSTNode] = [loop.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Break, cst.Return)):
            return True
        if isinstance(node, _NESTED_SCOPES):
            continue
        if isinstance(node, (cst.For, cst.While)):
            # A ``break`` in an inner loop leaves that loop; a ``return`` leaves them all.
            stack.extend(n for n in _in_scope(node) if isinstance(n, cst.Return))
            continue
        stack.extend(children(node))
    return False


def _in_scope(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and every node under it, not under a nested function, class or lambda."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, _NESTED_SCOPES):
            stack.extend(children(current))


def per_item(semantic: SemanticModel, loop: cst.For, write: cst.CSTNode) -> bool:
    """Whether ``write`` happens once per item of several rather than being retried: the
    loop has more than one item for all we know, and the write depends on the item (the
    loop variable or a name the body binds) or the loop never stops early."""
    if _at_most_one_item(semantic, loop.iter):
        return False
    return not exits_early(loop) or mentions(write, loop_variables(loop) | bound_in_body(loop))


def _at_most_one_item(semantic: SemanticModel, iterable: cst.BaseExpression) -> bool:
    """A literal tuple, list or set of one element or none, or a local name bound once to
    one: the loop body runs at most once."""
    count = _literal_length(_bound_value(semantic, iterable))
    return count is not None and count <= 1


#: The most items a loop over a literal or a constant slice may have for its writes to be
#: a handful of queries, not worth a bulk rewrite.
HANDFUL = 10


def a_handful(semantic: SemanticModel, iterable: cst.BaseExpression) -> bool:
    """Whether the loop runs over a few items whatever the data: a literal tuple, list or
    set (``for name in ("a", "b")``), or a constant slice (``qs[:3]``), of at most
    ``HANDFUL`` items, written in the loop or bound once to a local name. Its writes cost
    a fixed handful of queries, which do not grow with the rows."""
    value = _bound_value(semantic, iterable)
    count = _literal_length(value)
    if count is None and isinstance(value, cst.Subscript):
        count = _slice_length(value)
    return count is not None and count <= HANDFUL


def sliced(semantic: SemanticModel, iterable: cst.BaseExpression) -> bool:
    """Whether the loop's rows are a slice of a query (``qs[:10]``, or a local name bound
    once to one): Django cannot ``delete()`` or ``update()`` a sliced queryset."""
    value = _bound_value(semantic, iterable)
    return isinstance(value, cst.Subscript) and is_slice(value)


def _bound_value(semantic: SemanticModel, iterable: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The expression itself, or the value of the local name it is, when that name is
    assigned once; ``None`` otherwise, and for a list or set literal that is used other
    than iterated or tested with ``in`` (appended to, or passed on to be filled, it holds
    more than its literal)."""
    if not isinstance(iterable, cst.Name):
        return iterable
    found = semantic.lookup(iterable.value)
    if found is None or len(found[1]) != 1 or found[1][0].kind != "assign":
        return None
    value = found[1][0].value
    if isinstance(value, (cst.List, cst.Set)) and not all(
        _only_read(use, parent) for use, parent, _ in found[0].uses(iterable.value)
    ):
        return None
    return value


def _only_read(name: cst.Name, parent: Optional[cst.CSTNode]) -> bool:
    """Whether this use of ``name`` leaves its value as it is: ``for x in name`` or
    ``x in name``."""
    if isinstance(parent, (cst.For, cst.CompFor)):
        return parent.iter is name
    return isinstance(parent, cst.ComparisonTarget) and isinstance(parent.operator, (cst.In, cst.NotIn))


def _literal_length(node: Optional[cst.BaseExpression]) -> Optional[int]:
    """The number of items of a literal tuple, list or set without ``*`` unpacking."""
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)) and not any(isinstance(e, cst.StarredElement) for e in node.elements):
        return len(node.elements)
    return None


def _slice_length(node: cst.Subscript) -> Optional[int]:
    """How many items ``x[a:b]`` has at most, for constant ``a`` (or none) and ``b``."""
    if not is_slice(node):
        return None
    bounds = node.slice[0].slice
    if bounds.step is not None or bounds.upper is None:
        return None
    lower = 0 if bounds.lower is None else _constant_int(bounds.lower)
    upper = _constant_int(bounds.upper)
    if lower is None or upper is None or lower < 0 or upper < 0:
        return None
    return max(upper - lower, 0)


def _constant_int(node: cst.BaseExpression) -> Optional[int]:
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    return None


def row_instance(semantic: SemanticModel, loop: cst.For, receiver: cst.BaseExpression) -> Optional[Instance]:
    """The Django model instance ``receiver`` is, when it is a different row on every
    iteration: the loop variable over a query's rows, a row it relates to
    (``order.customer``), or a row the body fetches with the loop variable
    (``Order.objects.get(pk=pk)``)."""
    typed = semantic.type_of(receiver)
    if not isinstance(typed, Instance) or typed.orm != "django":
        return None
    root = receiver
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name):
        return None
    if isinstance(loop.target, cst.Name) and root.value == loop.target.value:
        return typed
    variables = loop_variables(loop)
    for node in _body_nodes(loop):
        if (
            isinstance(node, cst.Assign)
            and any(isinstance(t.target, cst.Name) and t.target.value == root.value for t in node.targets)
            and mentions(node.value, variables)
            and not _creates(node.value)
        ):
            return typed
    return None


def _creates(node: cst.BaseExpression) -> bool:
    """``M.objects.create(...)`` and its kin make a new row, which is no fetched one."""
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("create", "get_or_create", "update_or_create")
    )


def reaches_every_item(loop: cst.For, call: cst.Call) -> bool:
    """Whether ``call`` runs for each item the loop iterates: it stands unconditionally in
    the body (see ``unconditional``), no ``continue`` before it skips an item, and no
    ``break``, ``return`` or ``raise`` can end the loop before the last item."""
    if not unconditional(loop, call):
        return False
    reached = False
    stack: List[cst.CSTNode] = [loop.body]
    while stack:
        node = stack.pop()
        reached = reached or node is call
        if isinstance(node, (cst.Break, cst.Return, cst.Raise)) or (isinstance(node, cst.Continue) and not reached):
            return False
        if isinstance(node, _NESTED_SCOPES):
            continue
        if isinstance(node, _NESTED_LOOPS):
            # A ``break`` or ``continue`` there is that loop's; a ``return`` or a
            # ``raise`` still leaves this one.
            if any(isinstance(n, (cst.Return, cst.Raise)) for n in _in_scope(node)):
                return False
            continue
        stack.extend(reversed(children(node)))
    return True


def unconditional(loop: cst.For, call: cst.Call) -> bool:
    """Whether ``call`` runs on every iteration: its statement stands in the loop body
    itself or in a ``with`` block there, not under ``if``, ``try`` or a nested loop."""
    return _contains_unconditionally(loop.body, call)


def _contains_unconditionally(block: cst.BaseSuite, call: cst.Call) -> bool:
    statements = block.body if isinstance(block, cst.IndentedBlock) else [block]
    for statement in statements:
        if isinstance(statement, cst.With):
            if _contains_unconditionally(statement.body, call):
                return True
        elif isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            if any(node is call for node in walk([statement])):
                return True
    return False
