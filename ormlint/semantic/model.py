"""The semantic model every rule asks: what a name refers to and what an expression is.

It runs first in the batched traversal, keeping track of the scope the traversal is in and
of the expressions whose truth value is taken, and it answers rules' questions on demand:
``qualified_name(expr)``, ``type_of(expr)``, ``in_truth_context(node)``. Answers come from
imports, the project index and local data flow; when any link is unknown the answer is
``None`` and the rule stays silent.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from ormlint.semantic.django import DJANGO_QUERYSET_METHODS, GET_MODEL, GET_USER_MODEL, model_label
from ormlint.semantic.index import ProjectIndex
from ormlint.semantic.scope import STAR, Binding, Scope
from ormlint.syntax import visitor_names
from ormlint.semantic.types import (
    ANY_RELATION,
    FlaskDatabase,
    HttpClient,
    Instance,
    ModelClass,
    QueryType,
    Session,
    SessionFactory,
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


class SemanticModel(cst.BatchableCSTVisitor):
    def __init__(self, index: ProjectIndex, module: str, is_package: bool = False) -> None:
        super().__init__()
        self.index = index
        self.module = module
        self.is_package = is_package
        self.scope: Optional[Scope] = None
        self._scopes: Dict[int, Scope] = {}
        self._truth: Set[int] = set()
        self._bool_calls: Dict[int, cst.Call] = {}
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
        if isinstance(node, cst.Subscript):
            base = self.type_of(node.value, scope)
            if base is _BOTTOM:
                return base
            if isinstance(base, QueryType) and base.orm == "django" and _is_slice(node):
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
        if binding.kind in ("assign", "with") and binding.value is not None:
            return self.type_of(binding.value, owner)
        if binding.kind == "for" and binding.value is not None:
            # A comprehension's first iterable is evaluated in the enclosing scope, the
            # others inside the comprehension, where the earlier loop variables live.
            first = owner.kind == "comprehension" and owner.node.for_in.iter is binding.value
            rows = self.type_of(binding.value, owner.parent if first else owner)
            if isinstance(rows, QueryType) and rows.model and rows.yields_instances and rows.kind != "rows":
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
        if isinstance(annotation, cst.Subscript) and len(annotation.slice) == 1:
            if self.qualified_name(annotation.value, scope) in DJANGO_QUERYSET_CLASSES:
                element = annotation.slice[0].slice
                if isinstance(element, cst.Index):
                    model = self.type_of(element.value, scope)
                    if isinstance(model, ModelClass) and model.orm == "django":
                        return QueryType("django", model.qualname, "queryset", partial=True)
            return None
        qualname = self.qualified_name(annotation, scope)
        if qualname in SQLALCHEMY_SESSIONS:
            return Session()
        if qualname in REQUESTS_SESSIONS:
            return HttpClient("requests")
        if qualname in HTTPX_CLIENTS:
            return HttpClient("httpx")
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
            if relation is None or relation.target is None:
                return None
            if relation.kind == "one":
                return Instance(
                    relation.target, relation.orm, prefetched=_below(owner.prefetched, attribute), from_rows=owner.from_rows
                )
            if relation.orm == "sqlalchemy" and relation.lazy == "dynamic":
                # ``lazy="dynamic"``: each read is a new ``Query`` of the related rows.
                return QueryType("sqlalchemy", relation.target, "query")
            if relation.kind == "many" and relation.orm == "django":
                known = frozenset({relation.field}) if relation.field else frozenset()
                prefetched = any(p == attribute or p.startswith(attribute + "__") for p in owner.prefetched)
                return QueryType(
                    "django", relation.target, "manager", known=known,
                    prefetched=_below(owner.prefetched, attribute), prefetched_rows=prefetched or owner.from_rows,
                )
            return None
        if isinstance(owner, FlaskDatabase) and attribute == "session":
            return Session()
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
            if isinstance(receiver, ModelClass):
                chain = self.index.class_query(receiver.qualname, method)
                if chain is not None:
                    return _class_query_type(receiver, chain)
            if isinstance(receiver, QueryType):
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
                derived = _query_method(receiver, method, node)
                if derived is not None and method in ("filter", "filter_by") and receiver.model:
                    pinned = {arg.keyword.value.removesuffix("__exact") for arg in node.args if arg.keyword is not None}
                    if pinned & self.index.unique_columns(receiver.model):
                        derived = derived.derive(at_most_one=True)
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
        callee = self.type_of(func, scope)
        if isinstance(callee, SessionFactory):
            return Session()
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
            arguments = _string_arguments(node)
            label = model_label(arguments) if arguments is not None else None
            model = self.index.model("'" + label) if label else None
            return ModelClass(model.qualname, "django") if model is not None and model.orm == "django" else None
        if qualname in SQLALCHEMY_SELECT and node.args and not node.args[0].keyword:
            selected = self.type_of(node.args[0].value, scope)
            if isinstance(selected, ModelClass) and selected.orm == "sqlalchemy":
                return QueryType("sqlalchemy", selected.qualname, "select")
        return None

    def _sqlalchemy_query(
        self, node: cst.Call, receiver: Optional[Type], session: cst.BaseExpression, scope: Optional[Scope]
    ) -> Optional[QueryType]:
        """``session.query(M, ...)``: a Query when the receiver is a known session, or when
        its first argument is a mapped class or one of its attributes."""
        model = ""
        if node.args and not node.args[0].keyword and not node.args[0].star:
            first = node.args[0].value
            root = first.value if isinstance(first, cst.Attribute) else first
            found = self.type_of(root, scope)
            if isinstance(found, ModelClass) and found.orm == "sqlalchemy":
                model = found.qualname if root is first else ""
                known = True
            else:
                known = False
        else:
            known = False
        if not known and not isinstance(receiver, (Session, SessionFactory)):
            return None
        repeatable = session if _is_pure(session) else None
        return QueryType("sqlalchemy", model, "query", session=repeatable)

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
        ``qs.count()``, ``qs.exists()``...) do not read the rows and do not count. Nor do
        other ``len(qs)`` and truth tests of it: they only count the rows, which
        ``count()`` and ``exists()`` do without loading them.
        """
        found = self.lookup(node.value)
        if found is None:
            return True
        owner = found[0]
        if owner.uses("locals") or owner.uses("vars"):
            return True
        for name, parent, grandparent in owner.uses(node.value):
            if name is node:
                continue
            if (
                isinstance(parent, cst.Attribute)
                and parent.value is name
                and isinstance(grandparent, cst.Call)
                and grandparent.func is parent
                and parent.attr.value in _QUERYING_METHODS
            ):
                continue
            if _only_counted(self, owner, name, parent, grandparent):
                continue
            return True
        return False


#: Methods that run a query of their own instead of reading a queryset's cached rows;
#: ``all()`` too, whose copy of the queryset starts with an empty cache.
_QUERYING_METHODS = DJANGO_QUERYSET_METHODS | {"count", "exists", "aggregate", "update", "delete", "get", "first", "last", "earliest", "latest", "in_bulk", "explain", "contains"}

#: A binding still being resolved (``qs = qs.filter()``): neutral in a join.
_BOTTOM = object()


def _join(types: List[object]) -> Optional[Type]:
    known = [t for t in types if t is not _BOTTOM]
    if not known or any(t is None for t in known):
        return None
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
            )
    return None


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
            paths = _string_arguments(call)
            if paths is None:
                return receiver.derive(restricted=True)
            if paths:
                changes["selected"] = receiver.selected | frozenset(paths)
            elif not call.args:
                changes["select_all"] = True
        elif method == "prefetch_related":
            paths = _prefetch_paths(call)
            changes["prefetched"] = receiver.prefetched | frozenset(paths) if paths is not None else frozenset()
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
        return receiver.derive()
    if receiver.kind == "query" and method == "all":
        return receiver.derive(kind="result")
    if receiver.kind == "rows" and method == "scalars":
        return receiver.derive(kind="result")
    if receiver.kind == "result" and method in ("all", "unique", "fetchall"):
        return receiver.derive(kind="result")
    return None


def _class_query_type(model: ModelClass, chain: Tuple[str, ...]) -> Optional[QueryType]:
    """What a class method returning a query of its class gives: ``cls.objects...``
    (Django), ``cls.query...`` or ``select(cls)...`` (SQLAlchemy). A SQLAlchemy chain with
    ``options()`` loads what we cannot name, so it has no type."""
    entry, steps = chain[0], chain[1:]
    if model.orm == "django" and entry == "objects":
        return _apply_chain(QueryType("django", model.qualname, "queryset"), steps)
    if model.orm != "sqlalchemy" or entry == "objects" or "options" in steps:
        return None
    if entry == "select":
        return QueryType("sqlalchemy", model.qualname, "select")
    return QueryType("sqlalchemy", model.qualname, "result" if steps[-1:] == ("all",) else "query")


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


def _string_arguments(call: cst.Call) -> Optional[List[str]]:
    """The string literals passed to a call, or ``None`` if any argument is not one."""
    values = []
    for arg in call.args:
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
                path = value.args[0].value.evaluated_value
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
    """``options(selectinload(Book.author).joinedload(...), joinedload("tags"))`` ->
    ["author", "tags"]: the first relationship of each loader chain, when its loader loads
    it (``lazyload`` and ``defaultload`` leave it lazy)."""
    paths = []
    for arg in call.args:
        steps: List[Tuple[str, str]] = []  # (loader, attribute), outermost last
        value = arg.value
        while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in SQLALCHEMY_LOADERS and isinstance(value.func.value, cst.Call):
            steps.insert(0, (value.func.attr.value, _loaded_attribute(value)))
            value = value.func.value
        if isinstance(value, cst.Call) and _callee_name(value) in SQLALCHEMY_LOADERS:
            steps.insert(0, (_callee_name(value) or "", _loaded_attribute(value)))
        # ``selectinload(Author.books).selectinload(Book.tags)``: ``books`` and
        # ``books__tags``, as far as each step is an eager loader naming its attribute.
        path: List[str] = []
        for loader, attribute in steps:
            if loader not in SQLALCHEMY_EAGER_LOADERS or not attribute:
                break
            path.append(attribute)
            paths.append("__".join(path))
    return paths


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
    """``Book.author`` or ``"author"`` in a loader call, as ``author``."""
    if not call.args:
        return ""
    first = call.args[0].value
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
    """The prefetch paths that continue past ``attribute``: ``lines__product`` -> ``product``."""
    prefix = attribute + "__"
    return frozenset(p[len(prefix):] for p in paths if p.startswith(prefix))


def _decorator_name(decorator: cst.Decorator) -> str:
    node = decorator.decorator
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def _is_slice(node: cst.Subscript) -> bool:
    return len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Slice)


def _is_pure(node: cst.BaseExpression) -> bool:
    """A name or attribute chain: repeating it in a fix evaluates nothing new."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


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
