"""Scopes of the checked file: what each name is bound to, and where it is read.

Both are computed lazily, the first time a rule asks about a scope, by walking only that
scope's statements: most scopes are never asked about, and the cost of a walk is paid only
where a rule found a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

import libcst as cst

from ormlint.syntax import children
from ormlint.semantic.imports import from_import_bindings, import_bindings, resolve_relative


@dataclass(frozen=True)
class Binding:
    """One way a name gets its value in a scope.

    ``kind`` is ``assign`` (``value`` is the expression), ``param`` (``annotation`` may be
    set), ``import`` (``qualname``), ``class`` / ``def`` (``qualname``), ``with`` (``value``
    is the context manager), ``for`` (``value`` is the iterable; ``unpacked`` says which of
    how many names each item is unpacked into, if it is), ``global`` (look in the
    module scope) or ``opaque`` (``except ... as``, unpacking, augmented assignment:
    nothing is known). ``from module import *`` binds ``STAR`` as ``star`` (``qualname``
    is the module): what it binds is known only from the project index. ``typed`` binds a
    parameter of a function summary to the type (``known``) of the caller's argument.
    """

    kind: str
    value: Optional[cst.BaseExpression] = None
    annotation: Optional[cst.BaseExpression] = None
    qualname: Optional[str] = None
    #: The statement that binds the name, which orders bindings within a function.
    statement: Optional[cst.CSTNode] = None
    known: Optional[object] = None
    unpacked: Optional[Tuple[int, int]] = None


#: The pseudo-name that ``from module import *`` bindings are kept under.
STAR = "*"

#: A read of a name, with its parent and grandparent nodes for context.
Use = Tuple[cst.Name, Optional[cst.CSTNode], Optional[cst.CSTNode]]


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` as a string, for import statements and plain attribute chains."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr.value}" if head else None
    return None


class Scope:
    def __init__(self, node: cst.CSTNode, parent: Optional["Scope"], module: str, is_package: bool) -> None:
        self.node = node
        self.parent = parent
        self.module = module
        self.is_package = is_package
        self._bindings: Optional[Dict[str, List[Binding]]] = None
        self._uses: Optional[Dict[str, List[Use]]] = None
        self._statement: Optional[cst.CSTNode] = None

    @classmethod
    def of_summary(cls, module: str, bindings: Dict[str, List[Binding]]) -> "Scope":
        """The scope a function summary's values are evaluated in: its parameters and the
        names of its module, and nothing else."""
        scope = cls(cst.Module(body=[]), None, module, False)
        scope._bindings = bindings
        return scope

    @property
    def kind(self) -> str:
        if isinstance(self.node, cst.Module):
            return "module"
        if isinstance(self.node, cst.ClassDef):
            return "class"
        if isinstance(self.node, (cst.FunctionDef, cst.Lambda)):
            return "function"
        return "comprehension"

    @property
    def bindings(self) -> Dict[str, List[Binding]]:
        if self._bindings is None:
            self._bindings = {}
            self._collect_bindings()
        return self._bindings

    def uses(self, name: str) -> List[Use]:
        """Every read of ``name`` in this scope, nested functions included."""
        if self._uses is None:
            self._uses = {}
            for use in reads_below(self.node):
                self._uses.setdefault(use[0].value, []).append(use)
        return self._uses.get(name, [])

    # -- bindings -----------------------------------------------------------------------

    def _bind(self, name: str, binding: Binding) -> None:
        assert self._bindings is not None
        if self._statement is not None and binding.kind != "param":
            binding = replace(binding, statement=self._statement)
        self._bindings.setdefault(name, []).append(binding)

    def _bind_target(self, target: cst.BaseExpression, binding: Binding) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, Binding("opaque"))
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, Binding("opaque"))

    def _bind_loop_target(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        """``for x in rows``; ``for i, x in enumerate(rows)`` binds ``x`` to the items of
        ``rows`` as well."""
        enumerated = enumerated_rows(target, iterable)
        if enumerated is not None:
            assert isinstance(target, cst.Tuple)
            self._bind_target(target.elements[0].value, Binding("opaque"))
            self._bind(enumerated[0], Binding("for", value=enumerated[1]))
            return
        unpacked = unpacked_rows(target, iterable)
        if unpacked is not None:
            elements, rows = unpacked
            if rows is not iterable:
                assert isinstance(target, cst.Tuple)
                self._bind_target(target.elements[0].value, Binding("opaque"))
            for position, element in enumerate(elements):
                if isinstance(element, cst.Name):
                    self._bind(element.value, Binding("for", value=rows, unpacked=(position, len(elements))))
                else:
                    self._bind_target(element, Binding("opaque"))
            return
        self._bind_target(target, Binding("for", value=iterable))

    def _collect_bindings(self) -> None:
        node = self.node
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            params = node.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                annotation = param.annotation.annotation if param.annotation else None
                self._bind(param.name.value, Binding("param", annotation=annotation))
            for star in (params.star_arg, params.star_kwarg):
                if isinstance(star, cst.Param):
                    self._bind(star.name.value, Binding("opaque"))
            body = node.body
            if isinstance(node, cst.Lambda):
                return
            self._collect_from_block(body)
        elif isinstance(node, cst.Module):
            self._collect_from_statements(node.body)
        elif isinstance(node, cst.ClassDef):
            self._collect_from_block(node.body)
        else:  # a comprehension: its ``for`` targets are local to it
            clause = getattr(node, "for_in", None)
            while clause is not None:
                self._bind_loop_target(clause.target, clause.iter)
                clause = clause.inner_for_in

    def _collect_from_block(self, body: cst.BaseSuite) -> None:
        if isinstance(body, cst.IndentedBlock):
            self._collect_from_statements(body.body)
        elif isinstance(body, cst.SimpleStatementSuite):
            self._statement = body
            self._collect_small(body.body)

    def _collect_from_statements(self, statements: Iterable[cst.CSTNode]) -> None:
        for statement in statements:
            self._statement = statement
            if isinstance(statement, cst.SimpleStatementLine):
                self._collect_small(statement.body)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                kind = "def" if isinstance(statement, cst.FunctionDef) else "class"
                qualname = f"{self.module}.{statement.name.value}" if self.kind == "module" else None
                self._bind(statement.name.value, Binding(kind, qualname=qualname))
            elif isinstance(statement, (cst.For,)):
                self._bind_loop_target(statement.target, statement.iter)
                self._collect_from_block(statement.body)
                if statement.orelse:
                    self._collect_from_block(statement.orelse.body)
            elif isinstance(statement, (cst.If, cst.While)):
                self._collect_from_block(statement.body)
                orelse = statement.orelse
                while orelse is not None:
                    self._collect_from_block(orelse.body)
                    orelse = getattr(orelse, "orelse", None)
            elif isinstance(statement, cst.With):
                for item in statement.items:
                    if item.asname is not None:
                        self._bind_target(item.asname.name, Binding("with", value=item.item))
                self._collect_from_block(statement.body)
            elif isinstance(statement, (cst.Try, cst.TryStar)):
                self._collect_from_block(statement.body)
                for handler in statement.handlers:
                    if handler.name is not None:
                        self._bind_target(handler.name.name, Binding("opaque"))
                    self._collect_from_block(handler.body)
                for extra in (statement.orelse, statement.finalbody):
                    if extra is not None:
                        self._collect_from_block(extra.body)
            elif isinstance(statement, cst.Match):
                for case in statement.cases:
                    self._collect_from_block(case.body)

    def _collect_small(self, statements: Iterable[cst.BaseSmallStatement]) -> None:
        for statement in statements:
            if isinstance(statement, cst.Assign):
                single = len(statement.targets) == 1
                for target in statement.targets:
                    binding = Binding("assign", value=statement.value) if single else Binding("opaque")
                    self._bind_target(target.target, binding)
            elif isinstance(statement, cst.AnnAssign):
                self._bind_target(
                    statement.target,
                    Binding("assign", value=statement.value, annotation=statement.annotation.annotation),
                )
            elif isinstance(statement, (cst.AugAssign, cst.Del)):
                target = statement.target
                self._bind_target(target, Binding("opaque"))
            elif isinstance(statement, cst.Import):
                names = [(dotted_name(a.name) or "", _alias(a)) for a in statement.names]
                for local, qualname in import_bindings(names).items():
                    self._bind(local, Binding("import", qualname=qualname))
            elif isinstance(statement, cst.ImportFrom):
                module = dotted_name(statement.module) if statement.module else None
                absolute = resolve_relative(module, len(statement.relative), self.module, self.is_package)
                if isinstance(statement.names, cst.ImportStar):
                    if absolute:
                        self._bind(STAR, Binding("star", qualname=absolute))
                    continue
                names = [(dotted_name(a.name) or "", _alias(a)) for a in statement.names]
                for local, qualname in from_import_bindings(absolute, names).items():
                    self._bind(local, Binding("import", qualname=qualname))
            elif isinstance(statement, (cst.Global, cst.Nonlocal)):
                kind = "global" if isinstance(statement, cst.Global) else "opaque"
                for item in statement.names:
                    self._bind(item.name.value, Binding(kind))


def enumerated_rows(target: cst.BaseExpression, iterable: cst.BaseExpression) -> Optional[Tuple[str, cst.BaseExpression]]:
    """For ``for i, row in enumerate(rows)``: the item's name and what is enumerated."""
    if not (isinstance(target, cst.Tuple) and len(target.elements) == 2 and isinstance(target.elements[1].value, cst.Name)):
        return None
    if not (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "enumerate"):
        return None
    if not iterable.args or iterable.args[0].keyword is not None or iterable.args[0].star:
        return None
    return target.elements[1].value.value, iterable.args[0].value


def unpacked_rows(
    target: cst.BaseExpression, iterable: cst.BaseExpression
) -> Optional[Tuple[List[cst.BaseExpression], cst.BaseExpression]]:
    """For ``for topic, read in rows`` (also ``(topic, read)``, ``[topic, read]`` and
    ``for i, (topic, read) in enumerate(rows)``): the names each row is unpacked into, in
    order, and the rows. ``None`` for a single name, or a ``*rest`` among the names."""
    if enumerated_rows(target, iterable) is not None:
        return None
    if isinstance(target, cst.Tuple) and len(target.elements) == 2:
        if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "enumerate":
            if iterable.args and iterable.args[0].keyword is None and not iterable.args[0].star:
                target, iterable = target.elements[1].value, iterable.args[0].value
    if not isinstance(target, (cst.Tuple, cst.List)) or any(isinstance(e, cst.StarredElement) for e in target.elements):
        return None
    return [element.value for element in target.elements], iterable


def _alias(alias: cst.ImportAlias) -> Optional[str]:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


# -- uses -------------------------------------------------------------------------------


def reads_below(root: cst.CSTNode) -> Iterator[Use]:
    """Yield every ``Name`` read below ``root``, with its parent and grandparent.

    Names that are not reads are skipped: attribute names, keyword argument names,
    parameter names, assignment and loop targets, imports and ``as`` names.
    """
    stack: List[Tuple[cst.CSTNode, Optional[cst.CSTNode], Optional[cst.CSTNode]]] = [(root, None, None)]
    while stack:
        node, parent, grandparent = stack.pop()
        if isinstance(node, cst.Name):
            yield node, parent, grandparent
            continue
        for child in _read_children(node):
            stack.append((child, node, parent))


def _read_children(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    if isinstance(node, cst.Attribute):
        return (node.value,)
    if isinstance(node, cst.Arg):
        return (node.value,)
    if isinstance(node, cst.Param):
        return tuple(c for c in (node.default, node.annotation) if c is not None)
    if isinstance(node, (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal, cst.AsName)):
        return ()
    if isinstance(node, cst.FunctionDef):
        return (*node.decorators, node.params, *(c for c in (node.returns,) if c), node.body)
    if isinstance(node, cst.ClassDef):
        return (*node.decorators, *node.bases, *node.keywords, node.body)
    if isinstance(node, cst.AssignTarget):
        return tuple(_target_reads(node.target))
    if isinstance(node, cst.AnnAssign):
        return (*_target_reads(node.target), node.annotation, *(c for c in (node.value,) if c))
    if isinstance(node, (cst.For, cst.CompFor)):
        rest = [c for c in children(node) if c is not node.target]
        return (*_target_reads(node.target), *rest)
    if isinstance(node, cst.NamedExpr):
        return (node.value,)
    return children(node)


def _target_reads(target: cst.BaseExpression) -> Iterator[cst.CSTNode]:
    """The reads inside an assignment target: ``a`` in ``a.b = 1`` or ``a[i] = 1``."""
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_reads(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_reads(target.value)
    elif not isinstance(target, cst.Name):
        yield target
