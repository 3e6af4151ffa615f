"""The semantic model every rule asks: what a name refers to and what an expression is.

It runs first in the batched traversal, keeping track of the scope the traversal is in and
of the expressions whose truth value is taken, and it answers rules' questions on demand:
``qualified_name(expr)``, ``type_of(expr)``, ``in_truth_context(node)``. Answers come from
imports, the project index and local data flow; when any link is unknown the answer is
``None`` and the rule stays silent.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

import libcst as cst

from ormlint.semantic.django import DJANGO_QUERYSET_METHODS, GET_MODEL, GET_USER_MODEL, model_label
from ormlint.semantic.index import ProjectIndex, facts_for_source
from ormlint.semantic.lineage import DJANGO_QUERYSET_VIEWS, DRF_QUERYSET_VIEWS, Lineage, class_lineage
from ormlint.semantic.scope import STAR, Binding, Scope, reads_below
from ormlint.semantic.summaries import ReturnSummary
from ormlint.syntax import children, visitor_names, walk
from ormlint.semantic.types import (
    ANY_RELATION,
    ClassObject,
    FlaskDatabase,
    HttpClient,
    Instance,
    ModelClass,
    QueryType,
    Session,
    SessionFactory,
    SuperOf,
    Type,
)

_DJANGO_NON_INSTANCE = frozenset({"values", "values_list", "dates", "datetimes"})
_DJANGO_COMBINATORS = frozenset({"union", "intersection", "difference"})

#: SQLAlchemy ``Query`` methods that return another ``Query``.
SQLALCHEMY_QUERY_METHODS = frozenset(
    {
        "filter", "filter_by", "where", "join", "outerjoin", "order_by", "group_by", "having",
        "limit", "offset", "slice", "distinct", "options", "with_entities", "add_columns",
        "add_entity", "select_from", "correlate", "execution_options", "params",
        "populate_existing", "with_for_update", "yield_per", "enable_eagerloads",
        "enable_assertion", "autoflush", "with_parent", "reset_joinpoint", "prefix_with",
        "suffix_with", "with_hint", "union", "union_all", "intersect", "except_",
    }
)

REQUESTS_SESSIONS = frozenset({"requests.Session", "requests.session", "requests.sessions.Session"})
HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})
SQLALCHEMY_SESSIONS = frozenset(
    {"sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlalchemy.orm.scoping.scoped_session"}
)
SQLALCHEMY_SESSION_FACTORIES = frozenset(
    {"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.scoped_session", "sqlalchemy.orm.session.sessionmaker"}
)
DJANGO_QUERYSET_CLASSES = frozenset({"django.db.models.QuerySet", "django.db.models.query.QuerySet"})
#: Annotations: ``Optional[X]``; collections whose items are rows; the class itself.
_OPTIONAL = frozenset({"typing.Optional"})
_COLLECTIONS = frozenset(
    f"{module}.{name}"
    for module, names in (
        ("builtins", ("list", "set", "frozenset", "tuple")),
        ("typing", ("List", "Set", "FrozenSet", "Tuple", "Sequence", "Iterable", "Iterator", "Collection")),
        ("collections.abc", ("Sequence", "Iterable", "Iterator", "Collection", "Set")),
    )
    for name in names
)
_CLASS_OF = frozenset({"builtins.type", "typing.Type"})
DJANGO_GET_OBJECT = frozenset({"django.shortcuts.get_object_or_404"})
DJANGO_GET_LIST = frozenset({"django.shortcuts.get_list_or_404"})
#: Queryset methods that return one row.
_DJANGO_ROW_METHODS = frozenset({"get", "first", "last", "earliest", "latest"})
SQLALCHEMY_SELECT = frozenset({"sqlalchemy.select", "sqlalchemy.future.select", "sqlalchemy.sql.select", "sqlalchemy.sql.expression.select"})
#: SQLAlchemy loader options, and those of them that leave no lazy load per row.
SQLALCHEMY_LOADERS = frozenset(
    {"selectinload", "joinedload", "subqueryload", "immediateload", "raiseload", "noload", "contains_eager", "lazyload", "defaultload"}
)
SQLALCHEMY_EAGER_LOADERS = SQLALCHEMY_LOADERS - {"lazyload", "defaultload"}
#: Options that change how columns load, not relationships.
_COLUMN_OPTIONS = frozenset({"defer", "undefer", "undefer_group", "load_only", "with_expression", "selectin_polymorphic"})

_TRUTH_CALLS = frozenset({"builtins.bool"})

#: Builtins that give the rows of the iterable they are passed, in a list or an iterator
#: (``sorted(qs, key=...)``, ``list(qs)``), with the position of that iterable.
_ROW_WRAPPERS = {
    "builtins.list": 0, "builtins.tuple": 0, "builtins.sorted": 0, "builtins.reversed": 0,
    "builtins.iter": 0, "builtins.set": 0, "builtins.frozenset": 0, "builtins.filter": 1,
}
DJANGO_PAGINATORS = frozenset({"django.core.paginator.Paginator"})
#: Calls whose result holds the rows of one of their arguments, and its position.
ROWS_ARGUMENT = {**_ROW_WRAPPERS, **{paginator: 0 for paginator in DJANGO_PAGINATORS}}
#: django-filter's ``FilterSet``: ``OrderFilter(request.GET, queryset=qs).qs`` filters ``qs``.
FILTERSETS = frozenset({"django_filters.FilterSet", "django_filters.filterset.FilterSet", "django_filters.rest_framework.FilterSet"})


class SemanticModel(cst.BatchableCSTVisitor):
    def __init__(self, index: ProjectIndex, module: str, is_package: bool = False, text: Optional[str] = None) -> None:
        super().__init__()
        self.index = index
        self.module = module
        self.is_package = is_package
        #: The source being checked when it is newer than what the index read from disk
        #: (a round of ``--fix`` has changed it); ``None`` when the index describes it.
        self.text = text
        self.scope: Optional[Scope] = None
        self._scopes: Dict[int, Scope] = {}
        self._truth: Set[int] = set()
        self._bool_calls: Dict[int, cst.Call] = {}
        self._negations: Dict[int, cst.UnaryOperation] = {}
        self._types: Dict[Tuple[int, str], Optional[Type]] = {}
        self._resolving: Set[Tuple[int, str]] = set()
        self._default_indent = "    "
        self._indents: List[str] = []
        self.module_node: Optional[cst.Module] = None
        #: Statements numbered in source order as the traversal meets them, so that a name
        #: read in a function takes its type from the assignment that precedes the read.
        self._ordinals: Dict[int, int] = {}
        self._position = 0
        self._at: Optional[int] = None
        #: Results that several rules ask for, computed once per node (see ``loops``).
        self.memo: Dict[Tuple[str, int], object] = {}
        #: Calls of project functions being evaluated, innermost last (see ``_returned``),
        #: and the scopes their summaries were evaluated in, kept so that their ids,
        #: which key ``_types``, stay unique.
        self._calls: List[int] = []
        self._summary_scopes: List[Scope] = []
        self._call_results: Dict[Tuple[int, Tuple[object, ...]], Optional[Type]] = {}

    # -- traversal ----------------------------------------------------------------------

    def get_visitors(self):
        return {name: getattr(self, name) for name in visitor_names(type(self))}

    def _enter(self, node: cst.CSTNode) -> None:
        scope = Scope(node, self.scope, self.module, self.is_package)
        self._scopes[id(node)] = scope
        self.scope = scope

    def _leave(self, node: cst.CSTNode) -> None:
        assert self.scope is not None
        self.scope = self.scope.parent

    # libcst's batched traversal finds visitor methods by their __name__, so each one
    # must be a real method, not an alias.
    def visit_Module(self, node: cst.Module) -> None:
        self.module_node = node
        self._default_indent = node.default_indent
        self._enter(node)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._indents.append(node.indent if node.indent is not None else self._default_indent)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._indents.pop()

    @property
    def indentation(self) -> str:
        """The indentation of the statement being visited, which a multi-line replacement
        needs to render its continuation lines."""
        return "".join(self._indents)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._statement(node)
        self._enter(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._statement(node)
        self._enter(node)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._enter(node)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._leave(original_node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._leave(original_node)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._leave(original_node)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._leave(original_node)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._leave(original_node)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._leave(original_node)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._leave(original_node)

    def _statement(self, node: cst.CSTNode) -> None:
        self._position = len(self._ordinals)
        self._ordinals[id(node)] = self._position

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement(node)

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._statement(node)

    def visit_For(self, node: cst.For) -> None:
        self._statement(node)

    def visit_With(self, node: cst.With) -> None:
        self._statement(node)

    def visit_Try(self, node: cst.Try) -> None:
        self._statement(node)

    def visit_Match(self, node: cst.Match) -> None:
        self._statement(node)

    def visit_If(self, node: cst.If) -> None:
        self._statement(node)
        self._truth.add(id(node.test))

    def visit_While(self, node: cst.While) -> None:
        self._statement(node)
        self._truth.add(id(node.test))

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._truth.add(id(node.test))

    def visit_Assert(self, node: cst.Assert) -> None:
        self._truth.add(id(node.test))

    def visit_CompIf(self, node: cst.CompIf) -> None:
        self._truth.add(id(node.test))

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if isinstance(node.operator, cst.Not):
            self._truth.add(id(node.expression))
            self._negations[id(node.expression)] = node

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        # ``a or b`` is a value, not a truth test, unless it is itself tested.
        if id(node) in self._truth:
            self._truth.add(id(node.left))
            self._truth.add(id(node.right))

    def visit_Call(self, node: cst.Call) -> None:
        if len(node.args) == 1 and not node.args[0].keyword and not node.args[0].star:
            if self.qualified_name(node.func) in _TRUTH_CALLS:
                self._truth.add(id(node.args[0].value))
                self._bool_calls[id(node.args[0].value)] = node

    def in_truth_context(self, node: cst.CSTNode) -> bool:
        """Whether only the truth value of ``node`` is used (``if x``, ``not x``, ``bool(x)``)."""
        return id(node) in self._truth

    def truth_test_of(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """The expression to replace when rewriting the truth test of ``node``:
        ``bool(node)`` as a whole, since ``bool(qs.exists())`` says the same thing twice."""
        return self._bool_calls.get(id(node), node)

    def negation_of(self, node: cst.BaseExpression) -> Optional[cst.UnaryOperation]:
        """``not node`` when ``node`` is the operand of a ``not``: a rewrite into a test
        written with an operator (``q.first() is None``) replaces the ``not`` with it."""
        return self._negations.get(id(node))

    # -- names ----------------------------------------------------------------------------

    def lookup(self, name: str, scope: Optional[Scope] = None) -> Optional[Tuple[Scope, List[Binding]]]:
        """The scope that binds ``name`` as seen from ``scope``, and its bindings there."""
        start = scope or self.scope
        current = start
        while current is not None:
            if current.kind != "class" or current is start:
                bindings = current.bindings.get(name)
                if bindings:
                    if all(b.kind == "global" for b in bindings):
                        current = self._module_scope(current)
                        bindings = current.bindings.get(name)
                        return (current, bindings) if bindings else None
                    return current, bindings
            current = current.parent
        return None

    def _star_import(self, name: str, scope: Optional[Scope]) -> Optional[str]:
        """Where ``name`` comes from when the file binds it only through ``from m import
        *``: the last starred module that exports it, as the index knows them."""
        for binding in reversed(self._module_scope(scope or self.scope).bindings.get(STAR, [])):
            if binding.qualname and self.index.exports(binding.qualname, name):
                return f"{binding.qualname}.{name}"
        return None

    @staticmethod
    def _module_scope(scope: Scope) -> Scope:
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def qualified_name(self, node: cst.BaseExpression, scope: Optional[Scope] = None) -> Optional[str]:
        """``requests.get`` for ``r.get`` after ``import requests as r``; ``None`` if unknown.

        A name bound nowhere in the file is a builtin (``builtins.len``).
        """
        if isinstance(node, cst.Name):
            found = self.lookup(node.value, scope)
            if found is None:
                return self._star_import(node.value, scope) or f"builtins.{node.value}"
            names = {b.qualname if b.kind in ("import", "class", "def") else None for b in found[1]}
            if len(names) == 1:
                return names.pop()
            return None
        if isinstance(node, cst.Attribute):
            head = self.qualified_name(node.value, scope)
            return f"{head}.{node.attr.value}" if head else None
        return None

    def model_name(self, model: str) -> Optional[str]:
        """The name the model class goes by where the traversal is, if it is its own short
        name (``Order`` after ``from shop.models import Order``), for code a fix writes."""
        name = model.rpartition(".")[2]
        found = self.index.model(self.qualified_name(cst.Name(name)))
        return name if found is not None and found.qualname == model else None

    # -- types ----------------------------------------------------------------------------

    def type_of(self, node: cst.BaseExpression, scope: Optional[Scope] = None) -> Optional[Type]:
        scope = scope or self.scope
        if isinstance(node, cst.Name):
            return self._type_of_name(node.value, scope)
        if isinstance(node, cst.Attribute):
            return self._type_of_attribute(node, scope)
        if isinstance(node, cst.Call):
            return self._type_of_call(node, scope)
        if isinstance(node, cst.IfExp):
            return _join([self.type_of(node.body, scope), self.type_of(node.orelse, scope)])
        if isinstance(node, cst.Subscript):
            base = self.type_of(node.value, scope)
            if base is _BOTTOM:
                return base
            if isinstance(base, QueryType) and base.orm == "django" and is_slice(node):
                return base.derive()
        return None

    def queryset_type(self, node: cst.BaseExpression) -> Optional[QueryType]:
        found = self.type_of(node)
        return found if isinstance(found, QueryType) else None

    def _type_of_name(self, name: str, scope: Optional[Scope]) -> Optional[Type]:
        found = self.lookup(name, scope)
        if found is None:
            starred = self._star_import(name, scope)
            return self._type_of_qualname(starred) if starred else None
        owner, bindings = found
        bindings = self._reaching(bindings, owner, scope)
        key = (id(owner.node), name, tuple(id(b) for b in bindings))
        if key in self._types:
            return self._types[key]
        if key in self._resolving:  # ``qs = qs.filter()``: the other bindings decide
            return _BOTTOM
        self._resolving.add(key)
        try:
            result = _join([self._type_of_binding(b, owner, name) for b in bindings])
        finally:
            self._resolving.discard(key)
        self._types[key] = result
        return result

    def _reaching(self, bindings: List[Binding], owner: Scope, scope: Optional[Scope]) -> List[Binding]:
        """Inside one function, the binding that last precedes the read: after
        ``qs = qs.select_related("a")`` the read sees what that assignment loads. A read
        from a nested function runs later and sees every binding."""
        current = scope
        while current is not None and current is not owner:
            if current.kind != "comprehension":
                return bindings
            current = current.parent
        if owner.kind != "function" or len(bindings) < 2:
            return bindings
        at = self._at if self._at is not None else self._position
        preceding = []
        for binding in bindings:
            ordinal = -1 if binding.kind == "param" else self._ordinals.get(id(binding.statement), None)
            if ordinal is not None and ordinal < at:
                preceding.append((ordinal, binding))
        if not preceding:
            return bindings
        return [max(preceding, key=lambda pair: pair[0])[1]]

    def _type_of_binding(self, binding: Binding, owner: Scope, name: str) -> Optional[Type]:
        saved = self._at
        if binding.statement is not None and id(binding.statement) in self._ordinals:
            self._at = self._ordinals[id(binding.statement)]
        try:
            return self._type_of_bound_value(binding, owner, name)
        finally:
            self._at = saved

    def _type_of_bound_value(self, binding: Binding, owner: Scope, name: str) -> Optional[Type]:
        if binding.kind == "typed":
            return binding.known  # type: ignore[return-value]
        if binding.kind in ("assign", "with") and binding.value is not None:
            found = self.type_of(binding.value, owner)
            if found is None and binding.kind == "assign":
                # ``order: Order = fetch()``, or ``order: Order`` declared before.
                declared = binding.annotation or next(
                    (b.annotation for b in owner.bindings.get(name, []) if b.kind == "assign" and b.value is None and b.annotation), None
                )
                return self._type_of_annotation(declared, owner) if declared is not None else None
            return found
        if binding.kind == "assign" and binding.annotation is not None:
            return self._type_of_annotation(binding.annotation, owner)
        if binding.kind == "for" and binding.value is not None:
            # A comprehension's first iterable is evaluated in the enclosing scope, the
            # others inside the comprehension, where the earlier loop variables live.
            first = owner.kind == "comprehension" and owner.node.for_in.iter is binding.value
            rows = self.type_of(binding.value, owner.parent if first else owner)
            if isinstance(rows, QueryType) and binding.unpacked is not None:
                entity = rows.entity_at(*binding.unpacked)
                return Instance(entity.model, "sqlalchemy", from_rows=True) if entity is not None else None
            if isinstance(rows, QueryType) and rows.iterated_rows:
                return Instance(rows.model, rows.orm, prefetched=rows.prefetched, from_rows=True)
            return None
        if binding.kind == "param" and binding.annotation is not None:
            return self._type_of_annotation(binding.annotation, owner)
        if binding.kind == "param":
            return self._type_of_self(name, owner)
        if binding.kind in ("import", "class") and binding.qualname:
            return self._type_of_qualname(binding.qualname)
        return None

    def _view_queryset(self, name: str, scope: Optional[Scope]) -> Optional[QueryType]:
        """``self.get_queryset()`` / ``self.queryset`` in a class-based view or DRF view
        that declares ``queryset = M.objects...`` or ``model = M`` and does not override
        ``get_queryset`` (in itself or a project base class): what Django's and DRF's
        ``get_queryset()`` return."""
        found = self.lookup(name, scope)
        if found is None or found[0].kind != "function" or [b.kind for b in found[1]] != ["param"]:
            return None
        function = found[0].node
        class_scope = found[0].parent
        if not isinstance(function, cst.FunctionDef) or class_scope is None or class_scope.kind != "class":
            return None
        params = function.params.params
        if not params or params[0].name.value != name:
            return None
        bindings = class_scope.bindings
        if "get_queryset" in bindings:
            return None
        class_node = class_scope.node
        for base in class_node.bases:
            qualname = self.qualified_name(base.value, class_scope.parent)
            if qualname and self.index.defines_method(qualname, "get_queryset"):
                return None
        for attribute in ("queryset", "model"):
            assigned = [b for b in bindings.get(attribute, []) if b.kind == "assign" and b.value is not None]
            if len(assigned) != 1:
                continue
            value = self.type_of(assigned[0].value, class_scope)
            if attribute == "queryset" and isinstance(value, QueryType) and value.orm == "django":
                return value.derive()
            if attribute == "model" and isinstance(value, ModelClass) and value.orm == "django":
                return QueryType("django", value.qualname, "queryset")
        return None

    def _type_of_self(self, name: str, owner: Scope) -> Optional[Type]:
        """``self`` in a method of a model class is an instance of that model."""
        node = owner.node
        parent = owner.parent
        if not isinstance(node, cst.FunctionDef) or parent is None or parent.kind != "class":
            return None
        params = node.params.params
        if not params or params[0].name.value != name or node.params.posonly_params:
            return None
        if any(_decorator_name(d) in ("staticmethod", "classmethod") for d in node.decorators):
            return None
        class_scope = parent
        if class_scope.parent is None or class_scope.parent.kind != "module":
            return None
        model = self.index.model(f"{self.module}.{class_scope.node.name.value}")
        return Instance(model.qualname, model.orm) if model is not None else None

    def _type_of_qualname(self, qualname: str) -> Optional[Type]:
        model = self.index.model(qualname)
        if model is not None:
            return ModelClass(model.qualname, model.orm)
        qualname = self.index.canonical(qualname)
        if qualname in self.index.session_factories:
            return SessionFactory()
        if qualname in self.index.flask_databases:
            return FlaskDatabase()
        return None

    def _type_of_annotation(self, annotation: cst.BaseExpression, scope: Scope) -> Optional[Type]:
        """What an annotation says a name holds: ``Order`` (or ``"Order"``,
        ``Optional[Order]``, ``Order | None``) a row, ``list[Order]`` / ``Iterable[Order]``
        rows, ``QuerySet[Order]`` a queryset, ``type[Order]`` the class, and sessions and
        HTTP clients. Rows and querysets from an annotation come from elsewhere: what
        was loaded with them is unknown (``partial``, ``from_rows``)."""
        if isinstance(annotation, cst.SimpleString):
            text = annotation.evaluated_value
            parsed = _parsed(text) if isinstance(text, str) else None
            return self._type_of_annotation(parsed, scope) if parsed is not None else None
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            sides = [annotation.left, annotation.right]
            kept = [side for side in sides if not (isinstance(side, cst.Name) and side.value == "None")]
            return self._type_of_annotation(kept[0], scope) if len(kept) == 1 else None
        if isinstance(annotation, cst.Subscript):
            if len(annotation.slice) != 1 or not isinstance(annotation.slice[0].slice, cst.Index):
                return None
            head = self.qualified_name(annotation.value, scope)
            element = annotation.slice[0].slice.value
            if head in _OPTIONAL:
                return self._type_of_annotation(element, scope)
            model = self._type_of_annotation(element, scope)
            if not isinstance(model, Instance):
                return None
            if head in DJANGO_QUERYSET_CLASSES and model.orm == "django":
                return QueryType("django", model.qualname, "queryset", partial=True)
            if head in _COLLECTIONS:
                return QueryType(model.orm, model.qualname, "list" if model.orm == "django" else "result", partial=True)
            if head in _CLASS_OF:
                return ModelClass(model.qualname, model.orm)
            return None
        qualname = self.qualified_name(annotation, scope)
        if qualname in SQLALCHEMY_SESSIONS:
            return Session()
        if qualname in REQUESTS_SESSIONS:
            return HttpClient("requests")
        if qualname in HTTPX_CLIENTS:
            return HttpClient("httpx")
        model = self.index.model(qualname) if qualname else None
        if model is not None:
            return Instance(model.qualname, model.orm, from_rows=True)
        return None

    def _type_of_attribute(self, node: cst.Attribute, scope: Optional[Scope]) -> Optional[Type]:
        if node.attr.value == "queryset" and isinstance(node.value, cst.Name):
            view = self._view_queryset(node.value.value, scope)
            if view is not None:
                return view
        owner = self.type_of(node.value, scope)
        if owner is _BOTTOM:
            return owner
        attribute = node.attr.value
        if isinstance(owner, ClassObject):
            return self.member_type(owner, attribute)
        if isinstance(owner, ModelClass):
            model = self.index.model(owner.qualname)
            if model is None:
                return None
            if model.orm == "django" and attribute in model.managers:
                return QueryType("django", model.qualname, "manager")
            if model.orm == "sqlalchemy" and attribute == "query" and model.query_property:
                return QueryType("sqlalchemy", model.qualname, "query")
            return None
        if isinstance(owner, Instance):
            relation = self.index.relation(owner.qualname, attribute)
            if relation is None:
                summary = self.index.method_returns(owner.qualname, attribute)
                return self._returned(summary, None, owner, scope) if summary is not None and summary.kind == "property" else None
            if relation.target is None:
                return None
            if relation.kind == "one":
                return Instance(
                    relation.target, relation.orm, prefetched=_below(owner.prefetched, attribute), from_rows=owner.from_rows
                )
            if relation.orm == "sqlalchemy" and relation.lazy == "dynamic":
                # ``lazy="dynamic"``: each read is a new ``Query`` of the related rows, of
                # this one parent (``with_parent(owner)``).
                return QueryType("sqlalchemy", relation.target, "query", one_parent=owner.qualname)
            if relation.kind == "many" and relation.orm == "django":
                known = frozenset({relation.field}) if relation.field else frozenset()
                prefetched = any(p in (attribute, ANY_RELATION) or p.startswith(attribute + "__") for p in owner.prefetched)
                return QueryType(
                    "django", relation.target, "manager", known=known,
                    prefetched=_below(owner.prefetched, attribute), prefetched_rows=prefetched or owner.from_rows,
                )
            return None
        if isinstance(owner, FlaskDatabase) and attribute == "session":
            return Session()
        if owner is None and isinstance(node.value, cst.Name):
            member = self._type_of_member(node.value.value, attribute, scope)
            if member is not None:
                return member
        if isinstance(owner, QueryType):
            # ``page.object_list``, ``pagination.items``, ``filterset.qs``: the rows inside.
            inside = {("page", "object_list"): "list", ("pagination", "items"): "result", ("filterset", "qs"): "queryset"}
            kind = inside.get((owner.kind, attribute))
            return replace(owner, kind=kind) if kind else None
        qualname = self.qualified_name(node, scope)
        return self._type_of_qualname(qualname) if qualname else None

    def _type_of_call(self, node: cst.Call, scope: Optional[Scope]) -> Optional[Type]:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get_queryset" and isinstance(func.value, cst.Name):
            view = self._view_queryset(func.value.value, scope)
            if view is not None:
                return view
        if isinstance(func, cst.Attribute):
            receiver = self.type_of(func.value, scope)
            if receiver is _BOTTOM:
                return receiver
            method = func.attr.value
            if isinstance(receiver, ClassObject):
                return self.member_call_type(receiver, method, node, scope)
            if isinstance(receiver, QueryType) and receiver.kind in ("paginator", "query") and method in _PAGE_METHODS[receiver.kind]:
                return replace(receiver, kind="page" if receiver.kind == "paginator" else "pagination")
            if isinstance(receiver, QueryType) and receiver.kind not in _WRAPPER_KINDS:
                if receiver.orm == "django" and method in _DJANGO_ROW_METHODS and receiver.yields_instances:
                    return Instance(receiver.model, "django")
                if receiver.orm == "sqlalchemy" and method == "with_parent" and node.args:
                    # Every row belongs to one parent already in the session: the
                    # many-to-one back to it is served from the identity map.
                    parent = self.type_of(node.args[0].value, scope)
                    return receiver.derive(one_parent=parent.qualname if isinstance(parent, Instance) else "*")
                custom = self.index.queryset_methods.get(receiver.model, {}).get(method)
                if receiver.orm == "django" and custom is not None and method not in DJANGO_QUERYSET_METHODS:
                    return _apply_chain(receiver, custom)
                if receiver.orm == "django" and method not in DJANGO_QUERYSET_METHODS:
                    summary = self.index.queryset_method_returns(receiver.model, method)
                    if summary is not None:
                        return self._returned(summary, node, receiver, scope)
                derived = self._columns_method(receiver, method, node, scope) if receiver.orm == "sqlalchemy" else None
                derived = derived or _query_method(receiver, method, node)
                if derived is not None and method in ("filter", "filter_by") and receiver.model:
                    pinned = {arg.keyword.value.removesuffix("__exact") for arg in node.args if arg.keyword is not None}
                    key = self.index.primary_key(receiver.model)
                    if pinned & self.index.unique_columns(receiver.model) or (key and key <= pinned):
                        derived = derived.derive(at_most_one=True)
                if derived is not None and receiver.orm == "sqlalchemy" and method in ("filter", "filter_by", "where"):
                    if receiver.model:
                        derived = derived.derive(known=derived.known | _shared_parents(self, receiver.model, node, scope))
                    entities = tuple(
                        entity.derive(known=entity.known | _shared_parents(self, entity.model, node, scope)) if entity else None
                        for entity in derived.entities
                    )
                    derived = derived.derive(entities=entities)
                    if _names_other_tables(self, receiver.model, node, scope):
                        derived = derived.derive(may_repeat=True)
                return derived
            if isinstance(receiver, Session) and method == "get" and node.args:
                # ``session.get(Member, pk)``: one row of the class, or ``None``.
                model = self.type_of(node.args[0].value, scope)
                if isinstance(model, ModelClass) and model.orm == "sqlalchemy":
                    return Instance(model.qualname, "sqlalchemy")
            if method in ("scalars", "execute") and node.args:
                statement = self.type_of(node.args[0].value, scope)
                if isinstance(statement, QueryType) and statement.kind == "select":
                    return statement.derive(kind="result" if method == "scalars" else "rows")
            if method == "query":
                return self._sqlalchemy_query(node, receiver, func.value, scope)
            summary = self._method_summary(receiver, func, scope)
            if summary is not None and summary.kind != "property":
                if isinstance(receiver, ModelClass) and summary.kind == "method":
                    return None  # ``Order.total(order)``: the row is the first argument
                return self._returned(summary, node, receiver, scope)
        callee = self.type_of(func, scope)
        if isinstance(callee, SessionFactory):
            return Session()
        if isinstance(callee, SuperOf):
            return callee.receiver.after(callee.receiver.position) if not node.args else None
        qualname = self.qualified_name(func, scope)
        if qualname is None:
            return None
        if qualname in REQUESTS_SESSIONS:
            return HttpClient("requests")
        if qualname in HTTPX_CLIENTS:
            return HttpClient("httpx")
        if qualname in SQLALCHEMY_SESSIONS:
            return Session()
        if qualname in SQLALCHEMY_SESSION_FACTORIES:
            return SessionFactory()
        if qualname in DJANGO_GET_LIST and node.args:
            model = self.type_of(node.args[0].value, scope)
            if isinstance(model, ModelClass) and model.orm == "django":
                return QueryType("django", model.qualname, "list")
            if isinstance(model, QueryType) and model.orm == "django" and model.yields_instances:
                return model.derive(kind="list")
        if qualname in DJANGO_GET_OBJECT and node.args:
            model = self.type_of(node.args[0].value, scope)
            if isinstance(model, ModelClass) and model.orm == "django":
                return Instance(model.qualname, "django")
            if isinstance(model, QueryType) and model.orm == "django":
                return Instance(model.model, "django")
        if qualname in GET_USER_MODEL:
            return ModelClass(self.index.user_model, "django")
        if qualname in GET_MODEL:
            arguments = string_arguments(node.args)
            label = model_label(arguments) if arguments is not None else None
            model = self.index.model("'" + label) if label else None
            return ModelClass(model.qualname, "django") if model is not None and model.orm == "django" else None
        if qualname in SQLALCHEMY_SELECT and node.args and not node.args[0].keyword:
            # ``session.scalars(select(A, B))`` gives the rows of ``A``; ``execute()`` rows
            # of each column.
            entities, more = self._entities(node.args, scope)
            if entities and entities[0] is not None:
                return QueryType("sqlalchemy", entities[0].model, "select", entities=entities, more_columns=more)
            if any(entities):
                return QueryType("sqlalchemy", "", "select", entities=entities, more_columns=more)
        if qualname in ROWS_ARGUMENT:
            return self._wrapped_rows(node, ROWS_ARGUMENT[qualname], "paginator" if qualname in DJANGO_PAGINATORS else None, scope)
        if self.index.derives_from(qualname, FILTERSETS):
            return self._filtered_rows(node, scope)
        summary = self.index.returns(qualname)
        if summary is not None:
            return self._returned(summary, node, None, scope)
        return None

    def _wrapped_rows(self, call: cst.Call, position: int, kind: Optional[str], scope: Optional[Scope]) -> Optional[QueryType]:
        """``list(qs)``, ``sorted(qs, key=...)``, ``Paginator(qs, 25)``: the rows of the
        iterable argument, in a list (or pages of them); what the query loads stays."""
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if len(positional) <= position or any(a.star for a in call.args):
            return None
        rows = self.type_of(positional[position], scope)
        if not isinstance(rows, QueryType) or not rows.iterated_rows:
            return None
        return replace(rows, kind=kind or ("list" if rows.orm == "django" else "result"), at_most_one=False)

    def _filtered_rows(self, call: cst.Call, scope: Optional[Scope]) -> Optional[QueryType]:
        """``OrderFilter(request.GET, queryset=qs)``: a filterset whose ``.qs`` is ``qs``
        filtered (its second positional argument, or ``queryset=``)."""
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        given = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "queryset"), None)
        if given is None and len(positional) > 1 and not any(a.star for a in call.args):
            given = positional[1]
        rows = self.type_of(given, scope) if given is not None else None
        if not isinstance(rows, QueryType) or rows.orm != "django" or rows.kind not in ("manager", "queryset"):
            return None
        return replace(rows, kind="filterset")

    def _type_of_member(self, name: str, attribute: str, scope: Optional[Scope]) -> Optional[Type]:
        """``self.session`` in a method of a class of this file: the type every assignment
        of the attribute in the class agrees on (``self.session = requests.Session()`` in
        ``__init__``, ``session = ...`` in the class body); unknown if one is unknown."""
        class_scope = self._class_scope_of_receiver(name, scope)
        if class_scope is None:
            return None
        key = (id(class_scope.node), "." + attribute)
        if key in self._resolving:
            return _BOTTOM  # type: ignore[return-value]
        values: List[Tuple[Optional[cst.BaseExpression], Scope]] = [
            (b.value if b.kind == "assign" else None, class_scope) for b in class_scope.bindings.get(attribute, [])
        ]
        values.extend(self._members(class_scope).get(attribute, []))
        if not values:
            return None
        self._resolving.add(key)
        try:
            return _join([self.type_of(value, where) if value is not None else None for value, where in values])
        finally:
            self._resolving.discard(key)

    def _members(self, class_scope: Scope) -> Dict[str, List[Tuple[Optional[cst.BaseExpression], Scope]]]:
        """Every ``self.<attribute> = value`` in the class's methods, by attribute, with
        the method's scope to evaluate the value in; read once per class."""
        key = ("members", id(class_scope.node))
        if key not in self.memo:
            members: Dict[str, List[Tuple[Optional[cst.BaseExpression], Scope]]] = {}
            for method, receiver in _methods_with_receivers(class_scope.node):
                method_scope = self._scopes.get(id(method)) or Scope(method, class_scope, self.module, self.is_package)
                for attribute, value in _assigned_members(method, receiver):
                    members.setdefault(attribute, []).append((value, method_scope))
            self.memo[key] = members
        return self.memo[key]  # type: ignore[return-value]

    def _class_scope_of_receiver(self, name: str, scope: Optional[Scope]) -> Optional[Scope]:
        found = self.lookup(name, scope)
        if found is None or self.class_of_receiver(name, scope) is None:
            return None
        return found[0].parent

    # -- project functions ----------------------------------------------------------------

    def _method_summary(self, receiver: Optional[Type], func: cst.Attribute, scope: Optional[Scope]) -> Optional[ReturnSummary]:
        """The summary of the project method ``func`` names: ``order.total_lines`` on a
        row, ``Order.recent`` on a model, ``self.visible_orders`` in a class's method."""
        if isinstance(receiver, (Instance, ModelClass)):
            owner: Optional[str] = receiver.qualname
        elif receiver is None and isinstance(func.value, cst.Name):
            owner = self.class_of_receiver(func.value.value, scope)
        else:
            owner = None
        return self.index.method_returns(owner, func.attr.value) if owner is not None else None

    def project_callee(self, func: cst.BaseExpression) -> Optional[Tuple[str, bool]]:
        """The project function or method a call of ``func`` runs, as the index names it,
        and whether it is called through its class (``Report.render``), where only a
        static or class method's arguments line up with its parameters: a module
        function, ``Class.method``, or ``self.method`` in a method of a class here."""
        qualname = self.qualified_name(func)
        if qualname is not None and not qualname.startswith("builtins."):
            return qualname, isinstance(func, cst.Attribute)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            owner = self.class_of_receiver(func.value.value)
            if owner is not None:
                return f"{owner}.{func.attr.value}", False
        return None

    def class_of_receiver(self, name: str, scope: Optional[Scope] = None) -> Optional[str]:
        """The qualified name of the module-level class whose method binds ``name`` as its
        first parameter (``self`` / ``cls``), seen from ``scope``."""
        found = self.lookup(name, scope)
        if found is None or found[0].kind != "function" or [b.kind for b in found[1]] != ["param"]:
            return None
        function, class_scope = found[0].node, found[0].parent
        if not isinstance(function, cst.FunctionDef) or class_scope is None or class_scope.kind != "class":
            return None
        params = function.params.params
        if not params or params[0].name.value != name or class_scope.parent is None or class_scope.parent.kind != "module":
            return None
        if any(_decorator_name(d) == "staticmethod" for d in function.decorators):
            return None
        return f"{self.module}.{class_scope.node.name.value}"

    def _returned(
        self, summary: ReturnSummary, call: Optional[cst.Call], receiver: Optional[Type], scope: Optional[Scope]
    ) -> Optional[Type]:
        """What a call of a project function gives: the join of its summary's values,
        evaluated with the types of the call's arguments bound to its parameters (and
        of the receiver to ``self`` / ``cls``)."""
        each = self.returned_values(summary, call, receiver, scope)
        found = _join(each) if each is not None else None
        # A session expression is the callee's, not something the caller can repeat.
        return replace(found, session=None) if isinstance(found, QueryType) else found

    def returned_values(
        self, summary: ReturnSummary, call: Optional[cst.Call], receiver: Optional[Type], scope: Optional[Scope] = None
    ) -> Optional[List[Optional[Type]]]:
        """The type of each of the summary's values, for the call (see ``_returned``);
        ``None`` when the call cannot be followed. Calls nest at most a few deep, and a
        function being evaluated is not entered again."""
        if id(summary) in self._calls or len(self._calls) >= _MAX_CALL_DEPTH:
            return None
        arguments = _call_arguments(call) if call is not None else ([], {})
        if arguments is None:
            return None
        positional, keywords = arguments
        bindings: Dict[str, List[Binding]] = {name: [Binding("import", qualname=q)] for name, q in summary.names}
        bound: List[object] = [receiver]
        for name, position in summary.parameters:
            argument = keywords.get(name)
            if argument is None and 0 <= position < len(positional):
                argument = positional[position]
            known = self.type_of(argument, scope) if argument is not None else None
            bindings[name] = [Binding("typed", known=known)]
            bound.append(known)
        if summary.receiver:
            bindings[summary.receiver] = [Binding("typed", known=receiver)]
        if isinstance(receiver, ClassObject):
            # ``super()`` in the method: the lineage after the class that defines it.
            bindings["super"] = [Binding("typed", known=SuperOf(receiver))]
        key = (id(summary), tuple(bound))
        if key not in self._call_results:
            synthetic = Scope.of_summary(self.module, bindings)
            self._summary_scopes.append(synthetic)
            self._calls.append(id(summary))
            try:
                values = [_parsed(value) for value in summary.values]
                self._call_results[key] = [self.type_of(v, synthetic) if v is not None else None for v in values]
            finally:
                self._calls.pop()
        return self._call_results[key]

    def summary_expressions(
        self, summary: ReturnSummary, receiver: Optional[Type]
    ) -> Tuple[Scope, List[Optional[cst.BaseExpression]]]:
        """The summary's values as expressions, and the scope to read them in, with
        ``self`` bound to ``receiver`` and the parameters unknown: for analyses that read
        what a value names rather than its type (the serializer class a view returns)."""
        bindings: Dict[str, List[Binding]] = {name: [Binding("import", qualname=q)] for name, q in summary.names}
        bindings.update((name, [Binding("typed", known=None)]) for name, _ in summary.parameters)
        if summary.receiver:
            bindings[summary.receiver] = [Binding("typed", known=receiver)]
        if isinstance(receiver, ClassObject):
            bindings["super"] = [Binding("typed", known=SuperOf(receiver))]
        synthetic = Scope.of_summary(self.module, bindings)
        self._summary_scopes.append(synthetic)
        return synthetic, [_parsed(value) for value in summary.values]

    # -- project classes read through their lineage -------------------------------------

    def lineage(self, qualname: str) -> Optional[Lineage]:
        """The lineage of a project class, with the classes of this module as the source
        being checked says (the index may hold the file as it was before a fix)."""
        key = ("lineage", qualname)
        if key not in self.memo:
            if "own-facts" not in self.memo:
                own = facts_for_source(self.text, self.module, self.is_package, "") if self.text is not None else None
                self.memo["own-facts"] = own  # type: ignore[index]
            self.memo[key] = class_lineage(self.index, qualname, self.memo["own-facts"])  # type: ignore[index]
        return self.memo[key]  # type: ignore[return-value]

    def member_type(self, receiver: ClassObject, name: str) -> Optional[Type]:
        """``self.<name>`` (or ``super().<name>``) of a class read through its lineage:
        a class-level value, wherever in the project it is set, or a property."""
        member = receiver.lineage.member(name, receiver.start, receiver.neutral)
        if member is None:
            return None
        for position, assumed, known in receiver.assumed:
            if (position, assumed) == (member.position, name):
                return known  # type: ignore[return-value]
        if member.summary is None:
            return None
        if member.kind == "attribute":
            return self._returned(member.summary, None, None, None)
        if member.kind == "property":
            return self._returned(member.summary, None, receiver.bound_at(member.position), None)
        return None

    def member_call_type(self, receiver: ClassObject, name: str, call: Optional[cst.Call], scope: Optional[Scope] = None) -> Optional[Type]:
        """``self.<name>(...)`` (or ``super().<name>(...)``) of a class read through its
        lineage: what the project method returns, or what the framework's
        ``get_queryset()`` does with the class's ``queryset`` and ``model``."""
        member = receiver.lineage.member(name, receiver.start, receiver.neutral)
        if member is None:
            return None
        if member.kind == "delegate":
            return self.member_call_type(receiver.after(member.position), name, call, scope)
        if member.kind == "method" and member.summary is not None:
            return self._returned(member.summary, call, receiver.bound_at(member.position), scope)
        if member.kind == "outside" and name == "get_queryset":
            return self._framework_queryset(receiver.bound_at(0), member.owner)
        return None

    def _framework_queryset(self, receiver: ClassObject, framework: str) -> Optional[QueryType]:
        """DRF's ``GenericAPIView.get_queryset()`` is ``self.queryset.all()``; Django's
        generic views fall back on ``self.model._default_manager.all()``."""
        if framework not in DRF_QUERYSET_VIEWS and framework not in DJANGO_QUERYSET_VIEWS:
            return None
        queryset = self.member_type(receiver, "queryset")
        if isinstance(queryset, QueryType) and queryset.orm == "django" and queryset.kind in ("manager", "queryset"):
            return queryset.derive(kind="queryset")
        if framework in DJANGO_QUERYSET_VIEWS and receiver.lineage.member("queryset", 0, receiver.neutral) is None:
            model = self.member_type(receiver, "model")
            if isinstance(model, ModelClass) and model.orm == "django":
                return QueryType("django", model.qualname, "queryset")
        return None

    def _sqlalchemy_query(
        self, node: cst.Call, receiver: Optional[Type], session: cst.BaseExpression, scope: Optional[Scope]
    ) -> Optional[QueryType]:
        """``session.query(M, ...)``: a Query when the receiver is a known session, or when
        its first argument is a mapped class or one of its attributes."""
        model = ""
        known = False
        if node.args and not node.args[0].keyword and not node.args[0].star:
            first = node.args[0].value
            found = self.type_of(first, scope)
            if isinstance(found, ModelClass) and found.orm == "sqlalchemy":
                model, known = found.qualname, True  # ``query(Book)``, ``query(models.Book)``
            elif isinstance(first, cst.Attribute):
                owner = self.type_of(first.value, scope)
                known = isinstance(owner, ModelClass) and owner.orm == "sqlalchemy"  # ``query(Book.title)``
        if not known and not isinstance(receiver, (Session, SessionFactory)):
            return None
        repeatable = session if _is_pure(session) else None
        query = QueryType("sqlalchemy", model, "query", session=repeatable)
        if len(node.args) > 1 or any(arg.star for arg in node.args):
            # ``session.query(Topic, TopicRead)``: each row a tuple of the two.
            entities, more = self._entities(node.args, scope)
            return query.derive(model="", entities=entities, more_columns=more)
        return query

    def _entities(self, columns: Sequence[cst.Arg], scope: Optional[Scope]) -> Tuple[Tuple[Optional[QueryType], ...], bool]:
        """The entities of the columns a query selects, in order (``None`` for a column
        or expression that is no mapped class), and whether a ``*args`` among them hides
        how many follow: those after it are not listed."""
        entities: List[Optional[QueryType]] = []
        for column in columns:
            if column.star:
                return tuple(entities), True
            found = self.type_of(column.value, scope)
            mapped = isinstance(found, ModelClass) and found.orm == "sqlalchemy"
            entities.append(QueryType("sqlalchemy", found.qualname, "result") if mapped else None)  # type: ignore[union-attr]
        return tuple(entities), False

    def _columns_method(self, receiver: QueryType, method: str, call: cst.Call, scope: Optional[Scope]) -> Optional[QueryType]:
        """What the SQLAlchemy methods that change or read a query's columns make of it:
        ``add_entity()`` / ``add_columns()`` append columns, ``with_entities()`` replaces
        them, ``outerjoin()`` makes a class's entity optional, and ``options()`` on several
        entities loads on each what its loaders name. ``None`` for other methods."""
        if receiver.kind not in ("query", "select"):
            return None
        if method in ("add_entity", "add_columns"):
            added, more = self._entities(call.args, scope)
            if receiver.more_columns:
                return receiver.derive()  # where the added columns land is unknown
            current = receiver.entities or (_sole_entity(receiver),)
            return _with_columns(receiver, current + added, more)
        if method == "with_entities":
            entities, more = self._entities(call.args, scope)
            # What the query loaded for a class stays with it (``options()`` before).
            previous = {entity.model: entity for entity in reversed(receiver.entities or (_sole_entity(receiver),)) if entity}
            kept = tuple(previous.get(entity.model, entity) if entity else None for entity in entities)
            return _with_columns(receiver.derive(selected=frozenset(), known=frozenset(), one_parent=None), kept, more)
        outer = method == "outerjoin" or (
            method == "join" and any(arg.keyword is not None and arg.keyword.value in ("isouter", "full") and not _is_false(arg.value) for arg in call.args)
        )
        if outer:
            return receiver.derive(outer_joined=receiver.outer_joined | {self._joined_class(call, scope)})
        if method == "options" and receiver.entities:
            return self._entity_options(receiver, call, scope)
        return None

    def _joined_class(self, call: cst.Call, scope: Optional[Scope]) -> str:
        """The class a join brings in: ``join(TopicRead, ...)`` or ``join(Topic.reads)``;
        ``"*"`` when the source does not say (an ``aliased()`` class, a table)."""
        target = call.args[0].value if call.args and call.args[0].keyword is None and not call.args[0].star else None
        found = self.type_of(target, scope) if target is not None else None
        if isinstance(found, ModelClass):
            return found.qualname
        if isinstance(target, cst.Attribute):
            owner = self.type_of(target.value, scope)
            relation = self.index.relation(owner.qualname, target.attr.value) if isinstance(owner, ModelClass) else None
            if relation is not None and relation.target is not None:
                return relation.target
        return ANY_RELATION

    def _entity_options(self, receiver: QueryType, call: cst.Call, scope: Optional[Scope]) -> QueryType:
        """``options(...)`` on a query of several entities: a loader applies to the entity
        its path starts from (``joinedload(Topic.author)`` to ``Topic``); one ormlint
        cannot place (a string path, ``options(*eager)``) may load anything on any."""
        loaded: Dict[str, Set[str]] = {}
        anywhere: Set[str] = set()
        for arg in call.args:
            readable = not arg.star and _is_loader(arg.value)
            paths = _chain_paths(arg.value, ()) if readable else [ANY_RELATION]
            named = _option_owner(arg.value) if readable else None
            owner = self.type_of(named, scope) if named is not None else None
            if isinstance(owner, ModelClass):
                loaded.setdefault(owner.qualname, set()).update(paths)
            elif paths:
                anywhere.add(ANY_RELATION)
        entities = tuple(
            entity.derive(selected=entity.selected | anywhere | loaded.get(entity.model, set())) if entity else None
            for entity in receiver.entities
        )
        selected = receiver.selected | anywhere | loaded.get(receiver.model, set()) if receiver.model else receiver.selected
        return receiver.derive(entities=entities, selected=frozenset(selected))

    # -- local use of a variable ------------------------------------------------------------

    def rows_needed(self, queryset: cst.BaseExpression) -> bool:
        """Whether a ``len()`` or truth test of ``queryset`` is justified because the rows it
        loads are used as well, or might be: the queryset is a local variable read elsewhere
        in the function, or is not a local variable at all (a parameter, a global, an
        attribute), so its cache may be read by code we cannot see. Inline queryset
        expressions are never reused."""
        if not isinstance(queryset, cst.Name):
            return not isinstance(queryset, (cst.Call, cst.Subscript))
        found = self.lookup(queryset.value)
        if found is None or found[0].kind != "function" or not all(b.kind == "assign" for b in found[1]):
            return True
        return self._rows_used_elsewhere(queryset)

    def _rows_used_elsewhere(self, node: cst.Name) -> bool:
        """Whether the rows of the queryset variable ``node`` are read anywhere else in its
        function: iterated, indexed, passed on or returned.

        Calls of queryset methods that run their own query (``qs.filter()``, ``qs.all()``,
        ``qs.count()``, ``qs.exists()``...) do not read the rows and do not count, unless
        the rows are in a list (``rows = query.all()``), whose methods all read them. Nor
        do other ``len(qs)`` and truth tests of it: they only count the rows, which
        ``count()`` and ``exists()`` do without loading them.
        """
        found = self.lookup(node.value)
        if found is None:
            return True
        owner = found[0]
        if owner.uses("locals") or owner.uses("vars"):
            return True
        listed = self.queryset_type(node)
        querying = _QUERYING_METHODS if listed is None or listed.kind not in _LIST_KINDS else frozenset()
        for name, parent, grandparent in owner.uses(node.value):
            if name is node:
                continue
            if (
                isinstance(parent, cst.Attribute)
                and parent.value is name
                and isinstance(grandparent, cst.Call)
                and grandparent.func is parent
                and parent.attr.value in querying
            ):
                continue
            if _only_counted(self, owner, name, parent, grandparent):
                continue
            return True
        return False


#: Methods that run a query of their own instead of reading a queryset's cached rows;
#: ``all()`` too, whose copy of the queryset starts with an empty cache.
_QUERYING_METHODS = DJANGO_QUERYSET_METHODS | {"count", "exists", "aggregate", "update", "delete", "get", "first", "last", "earliest", "latest", "in_bulk", "explain", "contains"}

#: Rows already loaded into a list: Django's ``list(qs)``, SQLAlchemy's ``query.all()``.
_LIST_KINDS = frozenset({"list", "result"})

#: A binding still being resolved (``qs = qs.filter()``): neutral in a join.
_BOTTOM = object()

#: Kinds that wrap rows rather than being a query: their methods are not a query's.
_WRAPPER_KINDS = frozenset({"list", "paginator", "page", "pagination", "filterset"})
#: What makes a page of rows: ``Paginator.page(n)`` / ``get_page(n)``, Flask-SQLAlchemy's
#: ``query.paginate(...)``.
_PAGE_METHODS = {"paginator": frozenset({"page", "get_page"}), "query": frozenset({"paginate"})}

#: How many calls of project functions deep a value is followed.
_MAX_CALL_DEPTH = 4


@lru_cache(maxsize=4096)
def _parsed(source: str) -> Optional[cst.BaseExpression]:
    """A summary's value as an expression; summaries repeat across files and calls."""
    try:
        return cst.parse_expression(source)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None


def _methods_with_receivers(node: cst.ClassDef):
    """The methods of a class with the name of their ``self``."""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef) and statement.params.params:
            if not any(_decorator_name(d) in ("staticmethod", "classmethod") for d in statement.decorators):
                yield statement, statement.params.params[0].name.value


def _assigned_members(method: cst.FunctionDef, receiver: str) -> List[Tuple[str, Optional[cst.BaseExpression]]]:
    """What ``method`` assigns to attributes of ``receiver``: each attribute and value,
    or ``None`` for an assignment whose value is not one expression (``+=``, unpacking,
    ``del``)."""
    found: List[Tuple[str, Optional[cst.BaseExpression]]] = []
    for node in _statements_here(method):
        targets: List[Tuple[cst.BaseExpression, Optional[cst.BaseExpression]]] = []
        if isinstance(node, cst.Assign):
            single = len(node.targets) == 1
            targets = [(t.target, node.value if single else None) for t in node.targets]
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            targets = [(node.target, node.value)]
        elif isinstance(node, (cst.AugAssign, cst.Del)):
            targets = [(node.target, None)]
        for target, value in targets:
            for element in _target_elements(target):
                if _is_member(element, receiver):
                    found.append((element.attr.value, value if element is target else None))  # type: ignore[attr-defined]
    return found


def _target_elements(target: cst.BaseExpression):
    yield target
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_elements(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_elements(target.value)


def _is_member(node: cst.BaseExpression, receiver: str) -> bool:
    return isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == receiver


def _statements_here(function: cst.FunctionDef):
    """The small statements of a function's own body, not of nested functions or classes."""
    stack: List[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Del)):
            yield node
            continue
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) or isinstance(node, cst.BaseExpression):
            continue
        stack.extend(children(node))


def _call_arguments(call: cst.Call) -> Optional[Tuple[List[cst.BaseExpression], Dict[str, cst.BaseExpression]]]:
    """A call's positional and keyword arguments; ``None`` with ``*args`` / ``**kwargs``,
    where positions do not line up with parameters."""
    positional: List[cst.BaseExpression] = []
    keywords: Dict[str, cst.BaseExpression] = {}
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            keywords[arg.keyword.value] = arg.value
        else:
            positional.append(arg.value)
    return positional, keywords


def _join(types: List[object]) -> Optional[Type]:
    known = [t for t in types if t is not _BOTTOM]
    if not known or any(t is None for t in known):
        return None
    # ``if not user: return Order.objects.none()``: no rows there, so what the other
    # paths load is what every row has.
    known = [t for t in known if not (isinstance(t, QueryType) and t.empty)] or known
    first = known[0]
    if all(t == first for t in known[1:]):
        return first  # type: ignore[return-value]
    if all(isinstance(t, QueryType) for t in known):
        models = {(t.orm, t.model) for t in known}  # type: ignore[union-attr]
        if len(models) == 1:
            merged = known[0]
            assert isinstance(merged, QueryType)
            return merged.derive(
                kind=merged.kind if all(t.kind == merged.kind for t in known) else None,  # type: ignore[union-attr]
                yields_instances=all(t.yields_instances for t in known),  # type: ignore[union-attr]
                combined=any(t.combined for t in known),  # type: ignore[union-attr]
                session=None,
                # A relation counts as loaded only if every assignment loads it.
                selected=frozenset.intersection(*(t.selected for t in known)),  # type: ignore[union-attr]
                prefetched=frozenset.intersection(*(t.prefetched for t in known)),  # type: ignore[union-attr]
                select_all=all(t.select_all for t in known),  # type: ignore[union-attr]
                restricted=any(t.restricted for t in known),  # type: ignore[union-attr]
                unchunked=any(t.unchunked for t in known),  # type: ignore[union-attr]
                fetch_mode=all(t.fetch_mode for t in known),  # type: ignore[union-attr]
                partial=any(t.partial for t in known),  # type: ignore[union-attr]
                prefetched_rows=any(t.prefetched_rows for t in known),  # type: ignore[union-attr]
                known=frozenset.intersection(*(t.known for t in known)),  # type: ignore[union-attr]
                entities=_joined_entities([t.entities for t in known]),  # type: ignore[union-attr]
                more_columns=any(t.more_columns for t in known),  # type: ignore[union-attr]
                outer_joined=frozenset.union(*(t.outer_joined for t in known)),  # type: ignore[union-attr]
                may_repeat=any(t.may_repeat for t in known),  # type: ignore[union-attr]
                limited=any(t.limited for t in known),  # type: ignore[union-attr]
            )
    return None


def _joined_entities(alternatives: List[Tuple[Optional[QueryType], ...]]) -> Tuple[Optional[QueryType], ...]:
    """The columns every alternative agrees on, position by position (what each loads
    joined as for any query); none when they do not line up."""
    if any(len(columns) != len(alternatives[0]) for columns in alternatives):
        return ()
    return tuple(_join(list(column)) for column in zip(*alternatives))  # type: ignore[misc]


def _query_method(receiver: QueryType, method: str, call: cst.Call) -> Optional[QueryType]:
    """The type of ``receiver.method(...)``, with what it loads."""
    if receiver.orm == "django":
        if method == "iterator":
            chunked = any(a.keyword and a.keyword.value == "chunk_size" for a in call.args) or bool(call.args)
            return receiver.derive(kind="iterator", unchunked=not chunked)
        if method not in DJANGO_QUERYSET_METHODS or receiver.kind == "iterator":
            return None
        changes = {}
        if method == "select_related":
            if len(call.args) == 1 and isinstance(call.args[0].value, cst.Name) and call.args[0].value.value == "None":
                return receiver.derive(selected=frozenset(), select_all=False)  # clears the list
            paths = string_arguments(call.args)
            if paths is None:
                return receiver.derive(restricted=True)
            if paths:
                changes["selected"] = receiver.selected | frozenset(paths)
            elif not call.args:
                changes["select_all"] = True
        elif method == "prefetch_related":
            if len(call.args) == 1 and isinstance(call.args[0].value, cst.Name) and call.args[0].value.value == "None":
                return receiver.derive(prefetched=frozenset())  # clears the list
            paths = _prefetch_paths(call)
            # ``prefetch_related(feed_image_prefetch)``: it may load any relation.
            changes["prefetched"] = receiver.prefetched | (frozenset(paths) if paths is not None else {ANY_RELATION})
            if paths is None:
                changes["restricted"] = True
        elif method in ("only", "defer"):
            changes["restricted"] = True
        elif method == "filter":
            empty = _made_none(call)
            if empty:
                changes["known"] = receiver.known | empty
        elif method == "fetch_mode":
            changes["fetch_mode"] = True
        elif method == "none":
            changes["empty"] = True
        return receiver.derive(
            yields_instances=receiver.yields_instances and method not in _DJANGO_NON_INSTANCE,
            combined=receiver.combined or method in _DJANGO_COMBINATORS,
            **changes,
        )
    if receiver.kind in ("query", "select") and method in SQLALCHEMY_QUERY_METHODS:
        if method == "options":
            if not all(not arg.star and _is_loader(arg.value) for arg in call.args):
                # ``options(*self.eager_options())``: it may load anything.
                return receiver.derive(selected=receiver.selected | {ANY_RELATION})
            return receiver.derive(selected=receiver.selected | frozenset(_loader_paths(call)))
        if method in _SQLALCHEMY_MORE_FROM:
            return receiver.derive(may_repeat=True)
        if method == "distinct":
            return receiver.derive(may_repeat=False)
        if method in ("limit", "slice"):
            return receiver.derive(limited=True)
        return receiver.derive()
    if receiver.kind == "query" and method == "all":
        return receiver.derive(kind="result")
    if receiver.kind == "rows" and method == "scalars":
        return receiver.derive(kind="result")
    if receiver.kind == "rows" and method in ("all", "fetchall"):
        return receiver.derive()
    if receiver.kind == "result" and method in ("all", "unique", "fetchall"):
        return receiver.derive(kind="result")
    return None


def _sole_entity(query: QueryType) -> Optional[QueryType]:
    """The one entity of a query of one column, with what the query loads for it."""
    if not query.model:
        return None
    return QueryType("sqlalchemy", query.model, "result", selected=query.selected, known=query.known, one_parent=query.one_parent)


def _with_columns(query: QueryType, entities: Tuple[Optional[QueryType], ...], more: bool) -> QueryType:
    """``query`` selecting ``entities``: one entity again gives its rows, as
    ``session.query(M)`` does; a ``select()`` keeps its first column for ``scalars()``."""
    if len(entities) == 1 and not more:
        only = entities[0] or QueryType("sqlalchemy", "", "result")
        return query.derive(model=only.model, entities=(), more_columns=False, selected=only.selected, known=only.known, one_parent=only.one_parent)
    first = entities[0] if entities else None
    model = query.model if query.kind == "select" and first is not None and first.model == query.model else ""
    return query.derive(model=model, entities=entities, more_columns=more)


def _option_owner(option: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """``Topic`` in ``joinedload(Topic.author).joinedload(User.team)``: the class the
    first step of a loader chain starts from, or ``None`` for a string path."""
    while isinstance(option, cst.Call) and isinstance(option.func, cst.Attribute) and isinstance(option.func.value, cst.Call):
        option = option.func.value
    if not (isinstance(option, cst.Call) and option.args):
        return None
    first = option.args[0].value
    while isinstance(first, cst.Call) and isinstance(first.func, cst.Attribute) and first.func.attr.value in ("of_type", "and_"):
        first = first.func.value
    return first.value if isinstance(first, cst.Attribute) else None


def _is_false(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "False"


def _apply_chain(receiver: QueryType, steps) -> QueryType:
    """The type of a custom queryset method, from the standard methods it amounts to
    (``"select_related:customer,lines"`` carries its arguments)."""
    result = receiver.derive()
    for step in steps:
        method, _, arguments = step.partition(":")
        paths = frozenset(a for a in arguments.split(",") if a)
        if method == "select_related":
            result = result.derive(selected=result.selected | paths) if paths else result.derive(select_all=True)
        elif method == "prefetch_related":
            result = result.derive(prefetched=result.prefetched | paths)
        elif method in ("only", "defer"):
            result = result.derive(restricted=True)
        elif method in _DJANGO_NON_INSTANCE:
            result = result.derive(yields_instances=False)
        elif method in _DJANGO_COMBINATORS:
            result = result.derive(combined=True)
    return result


def string_arguments(args: Sequence[cst.Arg]) -> Optional[List[str]]:
    """The string literals among a call's arguments, or ``None`` if any one is not one."""
    values = []
    for arg in args:
        if arg.keyword is None and not arg.star and isinstance(arg.value, cst.SimpleString):
            value = arg.value.evaluated_value
            if isinstance(value, str):
                values.append(value)
                continue
        return None
    return values


def _prefetch_paths(call: cst.Call) -> Optional[List[str]]:
    """``prefetch_related('a', Prefetch('b', ...))`` -> ["a", "b"]; ``None`` if unknown."""
    values = []
    for arg in call.args:
        value = arg.value
        if isinstance(value, cst.Call) and value.args and _callee_name(value) == "Prefetch":
            if len(value.args) > 1 and isinstance(value.args[0].value, cst.SimpleString):
                # ``Prefetch('lines', queryset=...)`` loads what its queryset loads below
                # ``lines``, which is not worth guessing: everything below counts as loaded.
                # With ``to_attr='open_lines'`` the rows go to that list, and ``lines``
                # itself stays unloaded.
                path = value.args[0].value.evaluated_value
                target = next((a.value for a in value.args if a.keyword is not None and a.keyword.value == "to_attr"), None)
                if target is not None:
                    named = target.evaluated_value if isinstance(target, cst.SimpleString) else None
                    if not isinstance(named, str):
                        return None
                    path = "__".join([*path.split("__")[:-1], named]) if isinstance(path, str) else path
                values.extend([path, f"{path}__*"])
                continue
            value = value.args[0].value
        if arg.keyword is None and not arg.star and isinstance(value, cst.SimpleString):
            evaluated = value.evaluated_value
            if isinstance(evaluated, str):
                values.append(evaluated)
                continue
        return None
    return values


def _loader_paths(call: cst.Call) -> List[str]:
    """The relationship paths ``options(...)`` loads with each row, step by step:
    ``selectinload(Author.books).joinedload(Book.tags)`` loads ``books`` and
    ``books__tags``; ``defaultload(Author.books).joinedload(Book.tags)`` only
    ``books__tags``, since ``books`` keeps its own strategy (and ``lazyload`` makes it lazy)."""
    paths = []
    for arg in call.args:
        paths.extend(_chain_paths(arg.value, ()))
    return paths


def _chain_paths(option: cst.BaseExpression, below: Tuple[str, ...]) -> List[str]:
    """The paths one loader chain loads, from the relationship path ``below``: each loader
    goes one relationship deeper, a column option (``load_only``, ``defer``) stays where it
    is, and ``.options(...)`` applies its own chains from there. A step ormlint cannot read
    may load anything from where it stands: ``books__*``."""
    steps: List[Tuple[str, cst.Call]] = []  # (method, call), outermost last
    while isinstance(option, cst.Call) and isinstance(option.func, cst.Attribute) and isinstance(option.func.value, cst.Call):
        steps.insert(0, (option.func.attr.value, option))
        option = option.func.value
    if isinstance(option, cst.Call):
        steps.insert(0, (_callee_name(option) or "", option))
    path = list(below)
    loaded = []
    for method, step in steps:
        if method in _COLUMN_OPTIONS:
            continue
        if method == "options":
            for arg in step.args:
                readable = not arg.star and _is_loader(arg.value)
                loaded.extend(_chain_paths(arg.value, tuple(path)) if readable else ["__".join([*path, ANY_RELATION])])
            continue
        attribute = _loaded_attribute(step) if method in SQLALCHEMY_LOADERS else ""
        if not attribute:
            loaded.append("__".join([*path, ANY_RELATION]))
            break
        path.append(attribute)
        if method in SQLALCHEMY_EAGER_LOADERS:
            loaded.append("__".join(path))
    return loaded


def _made_none(call: cst.Call) -> FrozenSet[str]:
    """The attributes ``filter(parent__isnull=True)`` / ``filter(parent=None)`` leave None
    on every row: reading them runs no query."""
    found = set()
    for arg in call.args:
        if arg.keyword is None or not isinstance(arg.value, cst.Name):
            continue
        name, isnull, rest = arg.keyword.value.partition("__isnull")
        if "__" in name or rest:
            continue
        if arg.value.value == ("True" if isnull else "None"):
            found.add(name)
    return frozenset(found)


def _is_loader(value: cst.BaseExpression) -> bool:
    """``selectinload(...)``, ``joinedload(...).selectinload(...)``: a loader option the
    source spells out, rather than a name or call that may stand for any option."""
    while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and isinstance(value.func.value, cst.Call):
        value = value.func.value
    return isinstance(value, cst.Call) and (_callee_name(value) in SQLALCHEMY_LOADERS | _COLUMN_OPTIONS)


def _loaded_attribute(call: cst.Call) -> str:
    """``Book.author``, ``Book.author.of_type(Writer)``, ``Book.author.and_(...)`` or
    ``"author"`` in a loader call, as ``author``; ``""`` when the source does not say."""
    if not call.args:
        return ""
    first = call.args[0].value
    while isinstance(first, cst.Call) and isinstance(first.func, cst.Attribute) and first.func.attr.value in ("of_type", "and_"):
        first = first.func.value
    if isinstance(first, cst.Attribute):
        return first.attr.value
    if isinstance(first, cst.SimpleString) and isinstance(first.evaluated_value, str):
        return first.evaluated_value
    return ""


def _callee_name(call: cst.Call) -> Optional[str]:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _below(paths: FrozenSet[str], attribute: str) -> FrozenSet[str]:
    """The prefetch paths that continue past ``attribute``: ``lines__product`` -> ``product``;
    a prefetch ormlint cannot read (``*``) may continue past anything."""
    prefix = attribute + "__"
    return frozenset(p[len(prefix):] for p in paths if p.startswith(prefix)) | (paths & {ANY_RELATION})


def _decorator_name(decorator: cst.Decorator) -> str:
    node = decorator.decorator
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def is_slice(node: cst.Subscript) -> bool:
    """``x[a:b]`` rather than ``x[i]``."""
    return len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Slice)


def _is_pure(node: cst.BaseExpression) -> bool:
    """A name or attribute chain: repeating it in a fix evaluates nothing new."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


#: Calls that join SQLAlchemy conditions into one that holds when each of them does.
_SQLALCHEMY_AND = frozenset({"sqlalchemy.and_", "sqlalchemy.sql.and_", "sqlalchemy.sql.expression.and_"})
#: Query methods after which ``filter_by()`` names the columns of another class.
_SQLALCHEMY_JOINS = frozenset({"join", "outerjoin", "join_from", "select_from"})


def _shared_parents(semantic: SemanticModel, model: str, call: cst.Call, scope: Optional[Scope]) -> FrozenSet[str]:
    """The many-to-one relationships of ``model`` that ``filter(Book.author == a)``,
    ``filter_by(author_id=x)`` or ``where(Book.author_id == x)`` pin to one value: every
    row has the same parent, which the session's identity map serves after the first
    read. A foreign key column is the relationship's when it is named ``<relationship>_id``."""
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
    if method == "filter_by":
        if _joins_before(call):
            return frozenset()
        pinned = [(arg.keyword.value, arg.value) for arg in call.args if arg.keyword is not None]
    else:
        pinned = []
        for condition in _conjuncts(semantic, [arg.value for arg in call.args if arg.keyword is None and not arg.star], scope):
            column = _equated_column(semantic, model, condition, scope)
            if column is not None:
                pinned.append(column)
    shared = set()
    for name, value in pinned:
        relation = semantic.index.relation(model, name) or semantic.index.relation(model, name.removesuffix("_id"))
        if relation is not None and relation.orm == "sqlalchemy" and relation.kind == "one" and _one_value(semantic, value, scope):
            shared.add(relation.name)
    return frozenset(shared)


#: Query methods that bring more rows into the FROM than those of the query's entity.
_SQLALCHEMY_MORE_FROM = _SQLALCHEMY_JOINS | {"union", "union_all", "intersect", "except_"}


def _names_other_tables(semantic: SemanticModel, model: str, call: cst.Call, scope: Optional[Scope]) -> bool:
    """Whether the conditions of ``filter()`` / ``where()`` may add a table to the FROM:
    ``filter(Author.id == Book.author_id)`` selects from both tables, where a legacy
    ``Query(Author)`` returns each author once and ``count()`` counts each pair. They do
    when they read a mapped class other than ``model``, a table's columns (``.c``) or an
    ``aliased()`` class; ``filter_by()`` names columns of one class only."""
    if isinstance(call.func, cst.Attribute) and call.func.attr.value == "filter_by":
        return False
    conditions = [arg.value for arg in call.args]
    if any(isinstance(node, cst.Attribute) and node.attr.value in ("c", "columns") for node in walk(conditions)):
        return True
    for name, _, _ in (read for condition in conditions for read in reads_below(condition)):
        found = semantic.type_of(name, scope)
        if isinstance(found, ModelClass) and found.qualname != model:
            return True
        bound = semantic.lookup(name.value, scope)
        for binding in bound[1] if bound is not None else ():
            if binding.kind == "assign" and isinstance(binding.value, cst.Call) and _from_sqlalchemy(semantic, binding.value.func, scope):
                return True  # ``aliased(Author)``, ``Table(...)``
    return False


def _joins_before(call: cst.Call) -> bool:
    """Whether the query ``call`` refines joins another class first, as far as the
    source shows it: ``query(Book).join(Book.author).filter_by(...)`` filters authors."""
    node = call.func.value if isinstance(call.func, cst.Attribute) else None
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if node.func.attr.value in _SQLALCHEMY_JOINS:
            return True
        node = node.func.value
    return False


def _conjuncts(semantic: SemanticModel, conditions: List[cst.BaseExpression], scope: Optional[Scope]) -> List[cst.BaseExpression]:
    """The conditions that must all hold: the arguments of ``filter()`` / ``where()``,
    and of the ``and_(...)`` among them."""
    found = []
    for condition in conditions:
        if isinstance(condition, cst.Call) and semantic.qualified_name(condition.func, scope) in _SQLALCHEMY_AND:
            found.extend(_conjuncts(semantic, [arg.value for arg in condition.args if not arg.star], scope))
        else:
            found.append(condition)
    return found


def _equated_column(
    semantic: SemanticModel, model: str, condition: cst.BaseExpression, scope: Optional[Scope]
) -> Optional[Tuple[str, cst.BaseExpression]]:
    """For ``Book.author_id == x`` (either way round) on the class ``model``: the
    attribute's name and the value it is equated with."""
    if not (isinstance(condition, cst.Comparison) and len(condition.comparisons) == 1):
        return None
    target = condition.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return None
    for column, value in ((condition.left, target.comparator), (target.comparator, condition.left)):
        if isinstance(column, cst.Attribute):
            owner = semantic.type_of(column.value, scope)
            if isinstance(owner, ModelClass) and owner.qualname == model:
                return column.attr.value, value
    return None


def _one_value(semantic: SemanticModel, value: cst.BaseExpression, scope: Optional[Scope]) -> bool:
    """Whether ``value`` is the same for every row: it reads no mapped class, query,
    table column (``.c``) or SQLAlchemy construct, which may differ from row to row
    (``Book.author_id == Author.id`` joins; it does not pin)."""
    if any(isinstance(node, cst.Attribute) and node.attr.value in ("c", "columns") for node in walk([value])):
        return False
    for name, _, _ in reads_below(value):
        if isinstance(semantic.type_of(name, scope), (ModelClass, QueryType)) or _from_sqlalchemy(semantic, name, scope):
            return False
        found = semantic.lookup(name.value, scope)
        for binding in found[1] if found is not None else ():
            if binding.kind == "assign" and isinstance(binding.value, cst.Call) and _from_sqlalchemy(semantic, binding.value.func, scope):
                return False  # ``aliased(Author)``, ``Table(...)``
    return True


def _from_sqlalchemy(semantic: SemanticModel, node: cst.BaseExpression, scope: Optional[Scope]) -> bool:
    return (semantic.qualified_name(node, scope) or "").startswith("sqlalchemy.")


#: ``scoped_session(factory)``: sessions made by the factory it wraps.
_SCOPED_SESSIONS = frozenset({"sqlalchemy.orm.scoped_session", "sqlalchemy.orm.scoping.scoped_session"})


def keeps_rows_on_commit(semantic: SemanticModel, session: cst.BaseExpression) -> bool:
    """Whether the session is certainly made with ``expire_on_commit=False``, so that
    what its queries loaded survives a commit: ``Session(engine, expire_on_commit=False)``,
    a ``sessionmaker(..., expire_on_commit=False)`` (or a ``scoped_session`` of one)
    called, through names bound once in this file. By default a commit expires every row."""
    node, scope = session, semantic.scope
    followed: Set[int] = set()
    while id(node) not in followed:
        followed.add(id(node))
        if isinstance(node, cst.Name):
            found = semantic.lookup(node.value, scope)
            if found is None or len(found[1]) != 1 or found[1][0].kind not in ("assign", "with") or found[1][0].value is None:
                return False
            scope, node = found[0], found[1][0].value
            continue
        if not isinstance(node, cst.Call):
            return False
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "expire_on_commit":
                return isinstance(arg.value, cst.Name) and arg.value.value == "False"
        qualname = semantic.qualified_name(node.func, scope)
        if qualname in _SCOPED_SESSIONS and node.args:
            node = node.args[0].value
        elif isinstance(node.func, (cst.Name, cst.Call)) and qualname not in SQLALCHEMY_SESSIONS | SQLALCHEMY_SESSION_FACTORIES:
            node = node.func  # ``SessionLocal()``, ``sessionmaker(...)()``: what the factory was made with
        else:
            return False
    return False


#: Calls that only count a queryset's rows or test whether it has one.
_COUNTING_CALLS = _TRUTH_CALLS | {"builtins.len"}


def _only_counted(semantic: SemanticModel, scope: Scope, name: cst.Name, parent, grandparent) -> bool:
    """Whether this read of ``name`` (with its parent and grandparent) only counts its
    rows or tests whether there is one: ``len(name)``, ``if name:``, ``while name:``,
    ``not name``, ``bool(name)``, ``x if name else y``, ``assert name``, or an operand of
    ``and`` / ``or`` that is itself an ``if`` or ``while`` test (as a value, ``name or
    default`` may hand on the rows)."""
    if isinstance(parent, cst.Arg):
        return (
            isinstance(grandparent, cst.Call)
            and len(grandparent.args) == 1
            and parent.keyword is None
            and not parent.star
            and semantic.qualified_name(grandparent.func, scope) in _COUNTING_CALLS
        )
    if isinstance(parent, cst.UnaryOperation):
        return isinstance(parent.operator, cst.Not)
    if isinstance(parent, cst.BooleanOperation):
        return isinstance(grandparent, (cst.If, cst.While)) and grandparent.test is parent
    return isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.Assert, cst.CompIf)) and parent.test is name
