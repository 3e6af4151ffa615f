"""What a module's syntax holds that a rule can start from, read in one walk of Python's ast.

libcst's parse is the expensive part of checking a file (some 70 ms), and the text
prefilter lets through every file that merely mentions a rule's word (``None`` for
ORM302, in any file). Python's own parser is about twenty times cheaper: the engine reads
a :class:`Structure` from it, and each rule says, in ``Rule.has_candidate``, which of these
facts its visitors need before they can report anything. A file none of whose rules has a
candidate is not parsed with libcst at all.

Every fact is a superset of what the rules' visitors test (a callee is known by its last
name, whatever it resolves to), so the structure can only spare work, never a finding.
Setting ``ORMLINT_STRUCTURAL_PREFILTER=0`` switches it off, to compare.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Set

from ormlint.budget import SHALLOW_BRACKETS, grouping_cost, libcst_cost
from ormlint.semantic.trees import child_nodes, parse_python

#: The nodes that open brackets around what they hold, and the statements that open blocks,
#: for :func:`ormlint.budget.libcst_cost`.
_BRACKETS = (
    ast.Call, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Subscript,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
)
_BLOCKS = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor,
    ast.While, ast.With, ast.AsyncWith, ast.Try, *([ast.TryStar] if hasattr(ast, "TryStar") else []),
    *([ast.Match] if hasattr(ast, "Match") else []),
)


@dataclass(frozen=True)
class Structure:
    #: The last name of every callee (``get`` for ``requests.get(...)`` and
    #: ``session.get(...)``, ``len`` for ``len(...)``), and for a name imported under
    #: another, the imported one too (``fetch`` and ``urlopen`` after ``from
    #: urllib.request import urlopen as fetch``).
    callees: FrozenSet[str]
    #: The same, of the calls that pass neither ``timeout=`` nor ``*args`` / ``**kwargs``.
    untimed_callees: FrozenSet[str]
    #: Whether some call passes ``timeout=None``.
    timeout_none: bool
    #: Whether the module has a ``for`` statement (``async for`` does not count).
    for_loop: bool
    #: Whether a name, a call or a subscript is used for its truth value: the test of an
    #: ``if``, ``while``, ``assert``, conditional expression or comprehension filter, the
    #: operand of ``not``, the argument of ``bool()``, or an operand of ``and`` / ``or``
    #: in one of these.
    truth_test: bool
    #: The memory libcst's parse of the module would take (``budget.libcst_cost``).
    libcst_cost: int


def structural_prefilter_enabled() -> bool:
    return os.environ.get("ORMLINT_STRUCTURAL_PREFILTER", "1") != "0"


def structure_of(text: str) -> Optional[Structure]:
    """The structure of ``text``, or ``None`` when Python's parser does not read it whole:
    then only libcst can say what is there. The engine has refused texts of too many
    tokens for Python's parser (``budget.too_many_tokens``) before."""
    try:
        tree = parse_python(text, keep=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return _read(tree, text)


def _read(tree: ast.AST, text: str) -> Structure:
    imported_as: Dict[str, Set[str]] = {}
    calls = []
    tested: List[ast.expr] = []
    timeout_none = for_loop = False
    nodes = elements = deep_brackets = blocks = 0
    # Depth first, with the brackets and the blocks around each node.
    pending = [(tree, 0, 0)]
    push = pending.append
    while pending:
        node, brackets, depth = pending.pop()
        nodes += 1  # ``child_nodes`` leaves out ``Load`` and ``Store``: libcst has no node for them
        if brackets > SHALLOW_BRACKETS:
            deep_brackets += brackets - SHALLOW_BRACKETS
        blocks += depth
        if isinstance(node, _BRACKETS):
            if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                elements += len(node.elts)
            elif isinstance(node, ast.Dict):
                elements += len(node.keys)
            elif isinstance(node, ast.Call):
                elements += len(node.args) + len(node.keywords)
            brackets += 1
        elif isinstance(node, _BLOCKS):
            depth += 1
        for child in child_nodes(node):
            push((child, brackets, depth))
        if isinstance(node, ast.Call):
            calls.append(node)
            timeout_none = timeout_none or any(
                k.arg == "timeout" and isinstance(k.value, ast.Constant) and k.value.value is None for k in node.keywords
            )
        elif isinstance(node, ast.For):
            for_loop = True
        elif isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            tested.append(node.test)
        elif isinstance(node, ast.comprehension):
            tested.extend(node.ifs)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            tested.append(node.operand)
        elif isinstance(node, ast.alias) and node.asname:
            imported_as.setdefault(node.asname, set()).add(node.name.rpartition(".")[2])
    callees: Set[str] = set()
    untimed: Set[str] = set()
    for call in calls:
        names = _callee_names(call.func, imported_as)
        callees |= names
        if not _passes_timeout(call):
            untimed |= names
        if "bool" in names and len(call.args) == 1:
            tested.append(call.args[0])
    cost = libcst_cost(nodes, elements, deep_brackets, blocks, text) + grouping_cost(text)
    return Structure(frozenset(callees), frozenset(untimed), timeout_none, for_loop, _any_tested_value(tested), cost)


def _any_tested_value(tested: List[ast.expr]) -> bool:
    """Whether one of the tested expressions, or of the operands of a tested ``and`` /
    ``or``, is a name, a call or a subscript, the expressions whose truth ORM103 judges."""
    while tested:
        expression = tested.pop()
        if isinstance(expression, ast.BoolOp):
            tested.extend(expression.values)
        elif isinstance(expression, (ast.Name, ast.Call, ast.Subscript)):
            return True
    return False


def _callee_names(func: ast.expr, imported_as: Dict[str, Set[str]]) -> Set[str]:
    if isinstance(func, ast.Attribute):
        return {func.attr}
    if isinstance(func, ast.Name):
        return {func.id, *imported_as.get(func.id, ())}
    return set()


def _passes_timeout(call: ast.Call) -> bool:
    """``timeout=``, or arguments that may hold it: ``*args`` / ``**kwargs``."""
    if any(isinstance(argument, ast.Starred) for argument in call.args):
        return True
    return any(keyword.arg in ("timeout", None) for keyword in call.keywords)
